"""The HTTP comparison's peers serve groupql's group page: a part of its schema, and its bytes."""

import json

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, build_schema

from benchmarks import http_compare
from groupql.schema import schema


def test_the_peers_schema_is_a_part_of_groupqls() -> None:
    peers = build_schema((http_compare.PEERS_DIR / "page.graphql").read_text())
    groupql = build_schema(schema.as_str())
    for name, peer_type in peers.type_map.items():
        if name.startswith("__"):
            continue
        ours = groupql.type_map[name]
        assert type(ours) is type(peer_type), name
        if isinstance(peer_type, GraphQLEnumType):
            assert isinstance(ours, GraphQLEnumType)
            assert list(peer_type.values) == list(ours.values), name
        if isinstance(peer_type, GraphQLObjectType):
            assert isinstance(ours, GraphQLObjectType)
            for field_name, field in peer_type.fields.items():
                our_field = ours.fields[field_name]
                assert str(field.type) == str(our_field.type), f"{name}.{field_name}"
                for arg_name, arg in field.args.items():
                    our_arg = our_field.args[arg_name]
                    assert str(arg.type) == str(our_arg.type), f"{name}.{field_name}({arg_name})"


@pytest.fixture(scope="module")
def node() -> str:
    try:
        return http_compare.installed_node()
    except RuntimeError as missing:
        pytest.skip(str(missing))


async def test_every_server_answers_groupqls_page(node: str) -> None:
    async with http_compare.served_contenders(node) as served:
        answers = served.answers
    text, unkept, persisted, yoga, jit, starlette = (answers[c.name] for c in served.contenders)
    # The peers serve the records of groupql's own page: the same bytes, ids included.
    assert yoga == jit == starlette == text
    # Other servers, seeded alike: other ids and times, the same shape.
    assert _shape(json.loads(persisted)) == _shape(json.loads(text))
    assert _shape(json.loads(unkept)) == _shape(json.loads(text))


def _shape(value: object) -> object:
    """The keys and list lengths of a JSON value, its scalars reduced to their types."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_shape(inner) for inner in value]
    return type(value).__name__
