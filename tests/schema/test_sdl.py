"""The published schema (docs/schema.graphql) is the one the server serves: a change to the API
shows up in review as a change of that file."""

from pathlib import Path

from groupql.schema import schema

PUBLISHED = Path(__file__).parents[2] / "docs" / "schema.graphql"


def test_the_served_schema_is_the_published_one() -> None:
    # `groupql schema` prints exactly this (tests/test_cli.py runs the command itself).
    assert schema.as_str() + "\n" == PUBLISHED.read_text(), (
        "The API changed: if that is intended, run `.venv/bin/groupql schema > "
        "docs/schema.graphql` and tell clients in the README what they gain."
    )
