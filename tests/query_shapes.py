"""A pytest plugin: records the shape of every query and write the apps under test send, and at
the end of the session holds them to the golden file and to the planner's checks."""

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.store.planner import MARKS, problems
from tests.store.shapes import RECORDER, Sighting, key_of

GOLDEN_FILE = Path(__file__).parent / "store" / "query_shapes.json"
UPDATE_VARIABLE = "GROUPQL_UPDATE_QUERY_SHAPES"
REGENERATE = f"{UPDATE_VARIABLE}=1 .venv/bin/pytest"
_ABOUT = (
    "Every query and write shape the test suite sends, checked by tests/query_shapes.py. "
    f"Regenerate with `{REGENERATE}` and review the diff. A shape no declared index serves "
    'needs "unindexed": "<why>"; one on a sharded collection without its shard key needs '
    '"scatter": "<why>".'
)

Entry = dict[str, Any]  # a shape, and the marks of MARKS


@dataclass
class Review:
    """The verdict on the shapes a session sent, and the golden entries after it."""

    golden: dict[str, Entry]
    is_changed: bool = False
    has_failed: bool = False
    report: list[str] = field(default_factory=list)

    def fail(self, *lines: str) -> None:
        self.has_failed = True
        self.report += lines


def review(
    golden: Mapping[str, Entry],
    seen: Mapping[str, Sighting],
    *,
    is_update: bool,
    whole_suite_passed: bool,
) -> Review:
    """Hold the shapes a session sent to the golden file (a new one fails the run, or is added
    to the file when updating; after the whole suite passed, updating also drops the shapes
    no test sent), then each of them to the planner's checks."""
    new = [key for key in seen if key not in golden]
    result = Review(dict(golden))
    if is_update:
        stale = [key for key in golden if key not in seen] if whole_suite_passed else []
        for key in stale:
            del result.golden[key]
        result.golden |= {key: dict(seen[key].shape) for key in new}
        result.is_changed = bool(new or stale)
        if result.is_changed:
            result.report += [
                f"{_relative(GOLDEN_FILE)} rewritten (shapes added: {len(new)}, removed: "
                f"{len(stale)}); review the diff.",
                *(f"added: {seen[key].describe()}" for key in new),
                *(f"removed, no test sends it: {json.dumps(golden[key])}" for key in stale),
            ]
        if not whole_suite_passed:
            result.report.append(
                "Shapes no test sent are removed only after the whole suite ran and passed."
            )
    elif new:
        result.fail(
            f"Query shapes not in {_relative(GOLDEN_FILE)} ({len(new)}):",
            *(seen[key].describe() for key in new),
            f"If the store is meant to send them, regenerate the file with `{REGENERATE}` "
            "and review the diff.",
        )
    for key, sighting in seen.items():
        if found := problems(result.golden.get(key, sighting.shape)):
            result.fail(sighting.describe(), *(f"    {problem}" for problem in found))
    return result


def read_golden(path: Path = GOLDEN_FILE) -> dict[str, Entry]:
    """The golden file's entries by the key of their shape."""
    entries = json.loads(path.read_text())["shapes"] if path.exists() else []
    return {key_of(_without_marks(entry)): entry for entry in entries}


def write_golden(entries: Iterable[Mapping[str, Any]], path: Path = GOLDEN_FILE) -> None:
    """Sorted by collection, kind and shape; a shape on one line, each of its marks on its own."""
    lines = [_line(entry) for entry in sorted(entries, key=order_of)]
    path.write_text(
        '{\n  "about": '
        + json.dumps(_ABOUT)
        + ',\n  "shapes": [\n'
        + ",\n".join(lines)
        + "\n  ]\n}\n"
    )


def order_of(entry: Mapping[str, Any]) -> tuple[str, str, str]:
    return entry["collection"], entry["kind"], key_of(_without_marks(entry))


@dataclass
class _Session:
    is_update: bool
    is_subset: bool = False
    review: Review | None = None


_SESSION = pytest.StashKey[_Session]()


def pytest_configure(config: pytest.Config) -> None:
    # Read now: tests/conftest.py clears GROUPQL_* variables while each test runs.
    config.stash[_SESSION] = _Session(is_update=os.environ.get(UPDATE_VARIABLE) == "1")


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[_SESSION].is_subset = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash[_SESSION]
    state.review = review(
        read_golden(),
        RECORDER.sightings,
        is_update=state.is_update,
        whole_suite_passed=exitstatus == pytest.ExitCode.OK and _selects_whole_suite(session),
    )
    if RECORDER.errors:
        state.review.fail("The shapes of some commands could not be made:", *RECORDER.errors)
    if state.review.is_changed:
        write_golden(state.review.golden.values())
    if state.review.has_failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    result = config.stash[_SESSION].review
    if result is not None and result.report:
        terminalreporter.section("query shapes", red=result.has_failed, green=not result.has_failed)
        for line in result.report:
            terminalreporter.line(line)


def _selects_whole_suite(session: pytest.Session) -> bool:
    """Whether every test was selected: no path narrower than testpaths, nothing deselected
    (-k, -m, --lf)."""
    config = session.config
    if config.stash[_SESSION].is_subset:
        return False
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        return True
    testpaths = {(config.rootpath / path).resolve() for path in config.getini("testpaths")}
    return {(config.invocation_params.dir / arg).resolve() for arg in config.args} == testpaths


def _without_marks(entry: Mapping[str, Any]) -> Entry:
    return {key: value for key, value in entry.items() if key not in MARKS}


def _line(entry: Mapping[str, Any]) -> str:
    shape = json.dumps(_without_marks(entry))
    marks = [f"{json.dumps(mark)}: {json.dumps(entry[mark])}" for mark in MARKS if mark in entry]
    if not marks:
        return f"    {shape}"
    return "    " + shape[:-1] + ",\n" + ",\n".join(f"      {mark}" for mark in marks) + "}"


def _relative(path: Path) -> str:
    return str(path.relative_to(Path(__file__).parent.parent))
