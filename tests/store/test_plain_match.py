"""The in-memory engine's reading of plain filters (fields equal to, or `$in`, strings and
ObjectIds): its set look-up never says a document matches where mongomock's filter says it does
not, over random documents with the values MongoDB and Python compare differently, and the keys
it wants are those the general reading (wanted_keys) finds."""

import random
from typing import Any

import pytest
from bson import ObjectId
from mongomock.filtering import filter_applies

from groupql.store.memory_lookups import plain_filter, wanted_keys
from tests.store.test_memory_indexes import OIDS, VALUES, a_document

PLAIN = ["a", "b", "", "1", *OIDS, str(OIDS[0])]


def a_plain_filter(rng: random.Random) -> dict[str, Any]:
    filter: dict[str, Any] = {}
    for field in rng.sample(["g", "flag", "code", "_id", "missing"], rng.randrange(1, 3)):
        if rng.random() < 0.5:
            filter[field] = rng.choice(PLAIN)
        else:
            filter[field] = {"$in": rng.sample(PLAIN, rng.randrange(0, 4))}
    return filter


@pytest.mark.parametrize("seed", range(20))
def test_a_plain_match_is_a_match(seed: int) -> None:
    rng = random.Random(seed)
    documents = [a_document(rng) for _ in range(60)]
    surely_matched = 0
    for _ in range(60):
        filter = a_plain_filter(rng)
        if "_id" in filter:
            filter["_id"] = rng.choice(
                [documents[0]["_id"], {"$in": [d["_id"] for d in documents[:5]]}]
            )
        plain = plain_filter(filter)
        assert plain is not None, filter
        assert plain.wanted == wanted_keys(filter), filter
        for document in documents:
            if plain.surely(document):
                surely_matched += 1
                assert filter_applies(filter, document), (filter, document)
    assert surely_matched, "no filter matched plainly"


@pytest.mark.parametrize(
    "filter",
    [
        {},
        {"g": 1},
        {"g": None},
        {"g": ["a"]},
        {"g": {"$in": ["a", 1]}},
        {"g": {"$in": ("a",)}},
        {"g": {"$eq": "a"}},
        {"g": {"$in": ["a"], "$ne": "b"}},
        {"meta.kind": "a"},
        {"$or": [{"g": "a"}]},
        {"g": VALUES[-1]},
    ],
)
def test_other_filters_are_left_to_mongomock(filter: dict[str, Any]) -> None:
    assert plain_filter(filter) is None


def test_an_array_or_another_type_is_not_surely_a_match() -> None:
    plain = plain_filter({"g": "a", "_id": {"$in": [OIDS[0]]}})
    assert plain is not None
    surely = plain.surely
    assert surely({"_id": OIDS[0], "g": "a"})
    assert not surely({"_id": OIDS[0], "g": ["a"]})  # mongomock decides (it matches)
    assert not surely({"_id": str(OIDS[0]), "g": "a"})
    assert not surely({"_id": OIDS[0]})
    assert not surely({"_id": ObjectId(), "g": "a"})
