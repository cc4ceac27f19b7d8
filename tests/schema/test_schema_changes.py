"""schema.graphql breaks nothing a shipped client sends, compared with its previous committed
version, but for the breaks a reviewer accepted in schema-breaking-changes.txt.

Mini-programs stay in users' WeChat for weeks after a release, sending the operations they were
built with: a break of the schema breaks them, so it must be seen, and accepted, in review.
"""

import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from groupql.schema_changes import SchemaChanges, schema_changes

ROOT = Path(__file__).parents[2]
PUBLISHED = ROOT / "schema.graphql"
ACCEPTED = ROOT / "schema-breaking-changes.txt"
# The schema was committed at docs/schema.graphql before it moved to the root.
COMMITTED_PATHS = ("schema.graphql", "docs/schema.graphql")
REASON = " # "


@dataclass(frozen=True)
class PreviousVersion:
    revision: str
    changes: SchemaChanges


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def _committed_schema(revision: str) -> str | None:
    for path in COMMITTED_PATHS:
        sdl = _git("show", f"{revision}:{path}")
        if sdl is not None:
            return sdl
    return None


def _previous_sdl(current: str) -> tuple[str, str]:
    """The last committed version before `current`: HEAD's while the file has uncommitted
    changes, else the one before the last commit that changed it."""
    if _git("rev-parse", "--git-dir") is None:
        pytest.skip("not in a git checkout (or no git): no previous schema.graphql to compare")
    at_head = _committed_schema("HEAD")
    if at_head is not None and at_head != current:
        return "HEAD", at_head
    last_change = (_git("log", "-1", "--format=%H", "--", *COMMITTED_PATHS) or "").strip()
    if not last_change:
        pytest.skip("no commit has changed schema.graphql yet")
    revision = f"{last_change[:12]}~1"
    if _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        if (_git("rev-parse", "--is-shallow-repository") or "").strip() == "true":
            pytest.skip(
                "a shallow clone: fetch the history (actions/checkout with fetch-depth: 0) "
                "to compare schema.graphql with its previous version"
            )
        pytest.skip(f"{last_change[:12]} is the first commit: no previous schema.graphql")
    before = _committed_schema(revision)
    if before is None:
        pytest.skip(f"{revision} has no schema.graphql: it was first committed after it")
    return revision, before


def _accepted_breaks() -> dict[str, str]:
    """The allow-list: `<a line of the breaking changes> # <why it is safe>` per line."""
    if not ACCEPTED.exists():
        return {}
    accepted = {}
    for line in ACCEPTED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            change, _, reason = line.partition(REASON)
            accepted[change.strip()] = reason.strip()
    return accepted


@pytest.fixture(scope="module")
def previous() -> PreviousVersion:
    current = PUBLISHED.read_text(encoding="utf-8")
    revision, before = _previous_sdl(current)
    return PreviousVersion(revision, schema_changes(before, current))


def test_the_schema_breaks_no_shipped_client_unless_a_reviewer_accepted_it(
    previous: PreviousVersion,
) -> None:
    accepted = _accepted_breaks()
    unaccepted = [change for change in previous.changes.breaking if change not in accepted]
    for change in previous.changes.dangerous:
        warnings.warn(f"schema.graphql since {previous.revision}: {change}", stacklevel=1)

    assert not unaccepted, (
        f"schema.graphql breaks operations that were valid at {previous.revision}:\n  "
        + "\n  ".join(unaccepted)
        + "\nShipped mini-programs still send them. If the break is deliberate, add each line to "
        f"{ACCEPTED.name} followed by '{REASON}' and why no shipped client is hurt."
    )


def test_every_accepted_break_is_one_this_version_makes(previous: PreviousVersion) -> None:
    # An acceptance outlives its change otherwise, and would let the same break through later.
    stale = [change for change in _accepted_breaks() if change not in previous.changes.breaking]

    assert not stale, (
        f"{ACCEPTED.name} accepts breaks that schema.graphql no longer makes against "
        f"{previous.revision}; remove them:\n  " + "\n  ".join(stale)
    )


def test_every_accepted_break_says_why() -> None:
    unexplained = [change for change, reason in _accepted_breaks().items() if not reason]

    assert not unexplained, (
        f"{ACCEPTED.name}: give each accepted break its reason after '{REASON}':\n  "
        + "\n  ".join(unexplained)
    )
