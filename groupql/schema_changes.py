"""What a new version of the schema (SDL) breaks or risks for clients built against an older one."""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from graphql import GraphQLError, build_schema, find_breaking_changes, find_dangerous_changes


@dataclass(frozen=True)
class SchemaChanges:
    """One line per change, `TYPE: description` as graphql-core names and describes it.

    Breaking changes make a valid operation invalid (a field removed, an argument made required);
    dangerous ones keep it valid but may change what a shipped client sees (an enum value added:
    a mini-program's `switch` over the enum meets a value it does not know).
    """

    breaking: list[str]
    dangerous: list[str]


def schema_changes(old_sdl: str, new_sdl: str) -> SchemaChanges:
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    return SchemaChanges(
        breaking=[
            f"{change.type.name}: {change.description}"
            for change in find_breaking_changes(old, new)
        ],
        dangerous=[
            f"{change.type.name}: {change.description}"
            for change in find_dangerous_changes(old, new)
        ],
    )


def print_changes_since(old_path: Path, new_sdl: str, *, out: TextIO = sys.stdout) -> int:
    """`groupql schema --changes-since FILE`: the changes from FILE to `new_sdl`, one per line.

    Returns the exit status: 1 when a change is breaking, 2 when FILE holds no schema, else 0
    (dangerous changes only inform).
    """
    try:
        old_sdl = old_path.read_text(encoding="utf-8")
        changes = schema_changes(old_sdl, new_sdl)
    except (OSError, UnicodeDecodeError, GraphQLError, TypeError) as error:
        # build_schema raises TypeError for an SDL that parses but does not make a schema.
        print(f"groupql: cannot read the schema in {old_path}: {error}", file=sys.stderr)
        return 2
    for line in changes.breaking:
        print(f"BREAKING {line}", file=out)
    for line in changes.dangerous:
        print(f"DANGEROUS {line}", file=out)
    if not changes.breaking and not changes.dangerous:
        print(f"No breaking or dangerous changes since {old_path}.", file=out)
    return 1 if changes.breaking else 0
