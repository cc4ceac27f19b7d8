"""The in-memory engine's short way through a `$match`, `$sort`, `$group` pipeline answers what
mongomock's own stages answer, over random documents with the values MongoDB and Python compare
differently, and falls back to them for what it does not cover."""

import random
from datetime import UTC, datetime
from typing import Any

import mongomock
import pytest
from bson import ObjectId
from pymongo import IndexModel

from groupql.store.memory import MemoryMongoClient
from groupql.store.memory_groups import grouped

NOW = datetime.now(UTC).replace(microsecond=0)
OIDS = [ObjectId() for _ in range(3)]
# Group keys the short way takes (strings, ObjectIds, null, missing), and ones it leaves to
# mongomock (1, 1.0 and True, which MongoDB and Python group differently; dates).
KEYS: list[Any] = ["a", "b", "", None, *OIDS, str(OIDS[0]), 1, 1.0, True, NOW]
FIRSTS: list[Any] = [0, 2, "x", None, NOW, [1, "a"], {"kind": 1}, {"kind": [NOW]}]
GROUP_KEYS = ["$g", "$flag", "$missing"]
# Fields every document has: mongomock's $first skips a document without the field, where
# MongoDB answers null (test_first_of_a_missing_field_is_null).
OUTPUTS = ["$seq", "$meta"]
# $first is only well defined under a sort that orders every document: one type, then _id
# (mongomock orders mixed types differently by the order it is given them).
TOTAL_SORTS = [{"seq": -1, "_id": 1}, {"seq": 1, "_id": -1}, {"_id": -1}]


def a_document(rng: random.Random) -> dict[str, Any]:
    document: dict[str, Any] = {"_id": ObjectId(), "seq": rng.randrange(6)}
    for field in ("g", "flag"):
        if rng.random() < 0.85:
            document[field] = rng.choice(KEYS)
    document["meta"] = rng.choice(FIRSTS)
    return document


def a_pipeline(rng: random.Random) -> list[dict[str, Any]]:
    match: dict[str, Any] = rng.choice(
        [{}, {"g": {"$in": rng.sample(KEYS, 3)}}, {"flag": rng.choice(KEYS)}]
    )
    group: dict[str, Any] = {"_id": rng.choice(GROUP_KEYS), "n": {"$sum": 1}}
    pipeline: list[dict[str, Any]] = [{"$match": match}]
    if rng.random() < 0.7:
        pipeline.append({"$sort": rng.choice(TOTAL_SORTS)})
        group["first"] = {"$first": rng.choice(OUTPUTS)}
    return [*pipeline, {"$group": group}]


def _canonical(documents: list[dict[str, Any]]) -> list[str]:
    """Each group as text, its key 1 where a server may name the group of 1 and 1.0 either."""
    return sorted(repr(sorted({**one, "_id": _number(one["_id"])}.items())) for one in documents)


def _number(value: Any) -> Any:
    return int(value) if type(value) is float and value.is_integer() else value


@pytest.mark.parametrize("seed", range(30))
async def test_grouping_answers_what_mongomocks_stages_answer(seed: int) -> None:
    rng = random.Random(seed)
    engine = MemoryMongoClient(seed=seed)["db"]["things"]
    bare = mongomock.MongoClient(tz_aware=True)["db"]["things"]
    for _ in range(40):
        document = a_document(rng)
        await engine.insert_one(document)
        bare.insert_one(document)
    shortened = 0
    for _ in range(30):
        pipeline = a_pipeline(rng)
        expected = _canonical(list(bare.aggregate(pipeline)))
        found = _canonical([one async for one in await engine.aggregate(pipeline)])
        assert found == expected, pipeline
        stored = engine._collection  # what the short way reads
        documents = stored.matching(pipeline[0]["$match"])
        if grouped(lambda d=documents: d, stored.database, pipeline[1:]) is not None:
            shortened += 1
    assert shortened, "no pipeline took the short way"


def test_other_pipelines_are_left_to_mongomock() -> None:
    def read() -> list[dict[str, Any]]:
        return [{"_id": 1, "g": "a", "n": 2}]

    for stages in (
        [{"$group": {"_id": "$g", "n": {"$sum": "$n"}}}],
        [{"$group": {"_id": "$g", "n": {"$max": "$n"}}}],
        [{"$group": {"_id": "$a.b", "n": {"$sum": 1}}}],
        [{"$sort": {"g": 2}}, {"$group": {"_id": "$g", "n": {"$sum": 1}}}],
        [{"$group": {"_id": "$g", "n": {"$sum": 1}}}, {"$sort": {"n": 1}}],
        [{"$project": {"g": 1}}],
    ):
        assert grouped(read, None, stages) is None, stages
    assert grouped(read, None, [{"$group": {"_id": "$g", "n": {"$sum": 1}}}]) == [
        {"_id": "a", "n": 1}
    ]


async def test_first_of_a_missing_field_is_null_as_mongodb_answers() -> None:
    engine = MemoryMongoClient()["db"]["things"]
    await engine.insert_many([{"_id": 1, "g": "a"}, {"_id": 2, "g": "a", "x": 5}])
    pipeline = [{"$sort": {"_id": 1}}, {"$group": {"_id": "$g", "x": {"$first": "$x"}}}]
    assert [one async for one in await engine.aggregate(pipeline)] == [{"_id": "a", "x": None}]


@pytest.mark.parametrize("seed", range(10))
async def test_a_sort_along_an_index_groups_as_mongomocks_sort_stage(seed: int) -> None:
    # As a group's last seq is read: $in some groups, sorted along the (g, seq) index, $first.
    rng = random.Random(seed)
    engine = MemoryMongoClient(seed=seed)["db"]["items"]
    await engine.create_indexes([IndexModel([("g", -1), ("seq", -1)], unique=True)])
    bare = mongomock.MongoClient(tz_aware=True)["db"]["items"]
    groups = ["a", "b", OIDS[0], OIDS[1]]
    documents: list[dict[str, Any]] = [
        {"_id": ObjectId(), "g": group, "seq": seq, "meta": rng.choice(FIRSTS)}
        for group in groups
        for seq in rng.sample(range(50), rng.randrange(1, 8))
    ]
    # Documents whose g is an array: $in matches them, and each is a group of its own; one
    # sorts before every "a", one after them all.
    if seed % 3:
        documents.append({"_id": ObjectId(), "g": ["a", "0"], "seq": -1, "meta": 2})
    if seed % 3 == 2:
        documents.append({"_id": ObjectId(), "g": ["a", "z"], "seq": 99, "meta": 1})
    rng.shuffle(documents)
    await engine.insert_many([dict(one) for one in documents])
    bare.insert_many([dict(one) for one in documents])
    for wanted in (["a"], ["b", OIDS[0]], ["a", "nothing"], groups):
        pipeline = [
            {"$match": {"g": {"$in": wanted}}},
            {"$sort": {"g": -1, "seq": -1}},
            {"$group": {"_id": "$g", "seq": {"$first": "$seq"}, "meta": {"$first": "$meta"}}},
        ]
        expected = _canonical(list(bare.aggregate(pipeline)))
        found = _canonical([one async for one in await engine.aggregate(pipeline)])
        assert found == expected, wanted
    walked = engine._collection.walk({"g": {"$in": ["a"]}}, [("g", -1), ("seq", -1)])
    assert walked is not None, "the index keeps (g, seq) in order: the short way walks it"
