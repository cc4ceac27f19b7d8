"""The store's part of the response cache: every write moves a scope that every read whose
answer it changes depends on (checked over random documents, reads and writes), and the
versions of those scopes move only after the write."""

import contextlib
import random
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from bson import ObjectId
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from groupql.store.collection import Collection, Document
from groupql.store.memory import MemoryMongoClient
from groupql.store.watched import Watched
from groupql.versions import InProcessVersions
from groupql.versions.reading import Reading, reading

GROUPS = ["g1", "g2", "g3", ObjectId(), ObjectId()]
USERS = [ObjectId() for _ in range(4)]
ITEM_IDS = [ObjectId() for _ in range(40)]


class RecordedVersions(InProcessVersions):
    """In-process versions that also remember the scopes each write moved."""

    def __init__(self) -> None:
        super().__init__()
        self.moves: list[set[str]] = []

    async def moved(self, scopes: Iterable[str]) -> None:
        touched = set(scopes)
        self.moves.append(touched)
        await super().moved(touched)


@pytest.mark.parametrize("seed", range(6))
async def test_a_write_that_changes_a_read_moves_a_scope_the_read_depends_on(seed: int) -> None:
    rng = random.Random(seed)
    versions = RecordedVersions()
    database = MemoryMongoClient(name=uuid.uuid4().hex)["test"]
    items = Watched(database["items"], versions)
    users = Watched(database["users"], versions)
    outbox = Watched(database["outbox"], versions)
    for _ in range(30):
        await _insert(items, rng)
    for user_id in USERS:
        await users.insert_one({"_id": user_id, "nickname": rng.choice("abc")})
    await outbox.insert_one({"due": rng.randint(0, 9)})
    reads = [
        *(_item_read(items, rng) for _ in range(40)),
        *(_user_read(users, rng) for _ in range(10)),
        (outbox, {"due": {"$lt": 5}}),
    ]
    for _ in range(40):
        before = [await _answer(collection, query) for collection, query in reads]
        depends = [await _depends_on(collection, query) for collection, query in reads]
        versions.moves.clear()
        await _random_write(rng, items, users, outbox)
        moved = set().union(*versions.moves)
        for (collection, query), old, scopes in zip(reads, before, depends, strict=True):
            if await _answer(collection, query) != old:
                assert scopes & moved, f"{collection.name} {query} changed; moved only {moved}"


async def test_a_read_notes_its_scopes_and_a_write_marks_the_reading() -> None:
    versions = InProcessVersions()
    database = MemoryMongoClient(name=uuid.uuid4().hex)["test"]
    items = Watched(database["items"], versions)
    started = Reading(started_at=await versions.latest())
    with reading(started):
        await items.find({"groupId": "g1"}).to_list()
        await items.find_one({"groupId": {"$in": ["g2", "g3"]}, "seq": 1})
        await items.find({"seq": {"$gt": 1}}).to_list()
    assert started.scopes == {"items:*all", "items:g1", "items:g2", "items:g3", "items:*any"}
    assert not started.wrote
    with reading(started):
        await items.insert_one({"groupId": "g1", "seq": 1})
    assert started.wrote
    assert await versions.of(["items:g1", "items:g2", "items:*any"]) == [1, 0, 1]


async def test_versions_move_after_the_write_even_one_that_failed() -> None:
    versions = InProcessVersions()
    database = MemoryMongoClient(name=uuid.uuid4().hex)["test"]
    users = Watched(database["users"], versions)
    user_id = ObjectId()
    await users.insert_one({"_id": user_id})
    with pytest.raises(DuplicateKeyError):
        await users.insert_one({"_id": user_id})
    assert await versions.of([f"users:{user_id}"]) == [2]


async def test_in_process_versions_forget_scopes_past_their_bound_without_mistaking_any() -> None:
    versions = InProcessVersions(max_scopes=3)
    for n in range(3):
        await versions.moved([f"s{n}"])
    read_before = await versions.of(["s0", "never"])
    await versions.moved(["s3", "s4"])  # over the bound: all forgotten, then these set
    after = await versions.of(["s0", "never", "s3"])
    assert read_before == [1, 0]
    # Forgotten scopes hold the latest version: an answer that read them before now misses.
    assert after == [4, 4, 4]
    assert after[:2] != read_before


def _item(rng: random.Random) -> Document:
    item: Document = {"groupId": rng.choice(GROUPS), "seq": rng.randint(0, 9)}
    if rng.random() < 0.8:  # else the engine gives it an id
        item["_id"] = rng.choice(ITEM_IDS)
    if rng.random() < 0.3:
        item["text"] = rng.choice("xyz")
    return item


async def _insert(items: Collection, rng: random.Random) -> None:
    with contextlib.suppress(DuplicateKeyError):  # an id taken: refused, and versions moved
        await items.insert_one(_item(rng))


def _item_read(items: Collection, rng: random.Random) -> tuple[Collection, Document]:
    shape = rng.randrange(5)
    if shape == 4:  # by id, as the loaders read them: some ids may be of no document
        return items, {"_id": {"$in": rng.sample(ITEM_IDS, 3)}}
    if shape == 0:
        return items, {"groupId": rng.choice(GROUPS)}
    if shape == 1:
        return items, {"groupId": {"$in": rng.sample(GROUPS, 2)}, "seq": {"$gte": 5}}
    if shape == 2:
        return items, {"groupId": {"$eq": rng.choice(GROUPS)}, "text": "x"}
    return items, {"seq": rng.randint(0, 9)}


def _user_read(users: Collection, rng: random.Random) -> tuple[Collection, Document]:
    if rng.random() < 0.7:
        return users, {"_id": {"$in": rng.sample(USERS, 2)}}
    return users, {"nickname": rng.choice("abc")}


async def _random_write(
    rng: random.Random, items: Collection, users: Collection, outbox: Collection
) -> None:
    group, other = rng.sample(GROUPS, 2)
    seq = rng.randint(0, 9)
    match rng.randrange(11):
        case 0:
            await _insert(items, rng)
        case 1:
            await items.update_one({"groupId": group, "seq": seq}, {"$set": {"text": "x"}})
        case 2:  # a filter without the key: the whole collection
            await items.update_one({"seq": seq}, {"$set": {"text": "y"}})
        case 3:  # a document moved to another group
            await items.update_one({"groupId": group}, {"$set": {"groupId": other}})
        case 4:
            await items.delete_many({"seq": {"$lt": seq}})
        case 5:
            await items.delete_one({"groupId": {"$in": [group, other]}})
        case 6:
            await items.find_one_and_update({"seq": seq}, {"$inc": {"seq": 1}})
            await items.find_one_and_update({"seq": seq}, {"$set": {"groupId": other}})
        case 7:
            await items.find_one_and_update(
                {"groupId": group, "seq": 10 + seq}, {"$set": {"text": "z"}}, upsert=True
            )
        case 8:
            await items.bulk_write(
                [
                    UpdateOne({"groupId": group, "seq": seq}, {"$set": {"text": "x"}}, upsert=True),
                    UpdateOne({"seq": seq}, {"$unset": {"text": ""}}),
                ]
            )
        case 9:
            await users.update_one({"_id": rng.choice(USERS)}, {"$set": {"nickname": "c"}})
        case _:
            await outbox.insert_one({"due": rng.randint(0, 9)})


async def _answer(collection: Collection, query: Document) -> list[Any]:
    found = await collection.find(query).to_list()
    return sorted((str(doc["_id"]), sorted(doc.items(), key=str)) for doc in found)


async def _depends_on(collection: Collection, query: Document) -> set[str]:
    started = Reading(started_at=0)
    with reading(started):
        await collection.find(query).to_list()
    return started.scopes
