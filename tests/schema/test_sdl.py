"""The published schema (schema.graphql at the root) is the one the server serves, and
groupql.schema_changes tells which changes of it break clients already shipped."""

import io
from pathlib import Path

from groupql.schema import schema
from groupql.schema_changes import print_changes_since, schema_changes

PUBLISHED = Path(__file__).parents[2] / "schema.graphql"

BEFORE = """
type Query {
  group(id: ID!): Group!
}

type Group {
  id: ID!
  title: String
  items(first: Int): [String!]!
}

enum Role {
  OWNER
  MEMBER
}
"""


def test_the_served_schema_is_the_published_one() -> None:
    # `groupql schema` prints exactly this (tests/test_cli.py runs the command itself).
    assert schema.as_str() + "\n" == PUBLISHED.read_text(), (
        "The API changed: if that is intended, run `.venv/bin/groupql schema > schema.graphql` "
        "and tell clients in the README what they gain."
    )


def test_a_removed_field_breaks_the_clients_that_ask_for_it() -> None:
    changes = schema_changes(BEFORE, BEFORE.replace("  title: String\n", ""))

    assert changes.breaking == ["FIELD_REMOVED: Field Group.title was removed."]


def test_an_argument_made_required_breaks_the_clients_that_leave_it_out() -> None:
    changes = schema_changes(BEFORE, BEFORE.replace("items(first: Int)", "items(first: Int!)"))

    assert changes.breaking == [
        "ARG_CHANGED_KIND: Argument Group.items(first:) has changed type from Int to Int!."
    ]


def test_an_added_optional_argument_breaks_nobody() -> None:
    changes = schema_changes(
        BEFORE, BEFORE.replace("items(first: Int)", "items(first: Int, after: String)")
    )

    assert changes.breaking == []
    assert changes.dangerous == [
        "OPTIONAL_ARG_ADDED: An optional argument Group.items(after:) was added."
    ]


def test_an_added_enum_value_is_dangerous_for_clients_that_switch_over_the_enum() -> None:
    changes = schema_changes(BEFORE, BEFORE.replace("  OWNER\n", "  OWNER\n  ADMIN\n"))

    assert changes.breaking == []
    assert changes.dangerous == ["VALUE_ADDED_TO_ENUM: Enum value Role.ADMIN was added."]


def test_the_same_schema_has_no_changes() -> None:
    changes = schema_changes(BEFORE, BEFORE)

    assert changes.breaking == changes.dangerous == []


def test_changes_since_a_file_print_one_per_line_and_fail_on_a_break(tmp_path: Path) -> None:
    old = tmp_path / "schema.graphql"
    old.write_text(BEFORE)
    out = io.StringIO()

    status = print_changes_since(
        old,
        BEFORE.replace("  title: String\n", "").replace("  OWNER\n", "  OWNER\n  ADMIN\n"),
        out=out,
    )

    assert status == 1
    assert out.getvalue().splitlines() == [
        "BREAKING FIELD_REMOVED: Field Group.title was removed.",
        "DANGEROUS VALUE_ADDED_TO_ENUM: Enum value Role.ADMIN was added.",
    ]


def test_changes_since_a_file_pass_when_nothing_breaks(tmp_path: Path) -> None:
    old = tmp_path / "schema.graphql"
    old.write_text(BEFORE)
    out = io.StringIO()

    assert print_changes_since(old, BEFORE, out=out) == 0
    assert out.getvalue() == f"No breaking or dangerous changes since {old}.\n"
