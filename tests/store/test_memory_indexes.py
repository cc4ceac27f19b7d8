"""The in-memory engine's indexes: look-ups answer exactly what a scan answers (compared over
random documents, filters and writes, with the values MongoDB and Python compare differently),
and examine only the documents they may match, however large the collection grows."""

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import mongomock
import pytest
from bson import ObjectId
from pymongo import IndexModel, ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from groupql.store.indexes import INDEXES
from groupql.store.memory import MemoryCollection, MemoryMongoClient

NOW = datetime.now(UTC).replace(microsecond=0)
OIDS = [ObjectId() for _ in range(3)]
# Values MongoDB, mongomock and Python tell apart differently: 1, 1.0 and True; an ObjectId
# and its string; aware and naive dates; null and a missing field; arrays and subdocuments.
VALUES: list[Any] = [
    0, 1, 1.0, True, False, 2, "1", "a", "b", "", None, *OIDS, str(OIDS[0]),
    NOW, NOW.replace(tzinfo=None), NOW + timedelta(hours=1), b"a",
    [], [1, "a"], [True, None], [OIDS[0], "b"], {"x": 1}, {"x": 1, "y": 2}, {"y": 2, "x": 1},
]  # fmt: skip
SCALARS = [value for value in VALUES if not isinstance(value, list | dict)]
FIELDS = ["g", "seq", "terms", "flag", "meta.kind", "subs.k", "code", "missing"]
TEST_INDEXES = [
    IndexModel([("g", 1), ("seq", -1)]),
    IndexModel([("g", 1), ("terms", 1), ("seq", -1)]),
    IndexModel([("flag", 1)]),
    IndexModel([("meta.kind", 1), ("flag", 1)]),
    IndexModel([("subs.k", 1)]),
    IndexModel([("code", 1)], unique=True, partialFilterExpression={"code": {"$exists": True}}),
    IndexModel([("expiresAt", 1)], expireAfterSeconds=0),
]


def a_document(rng: random.Random) -> dict[str, Any]:
    document: dict[str, Any] = {"_id": ObjectId(), "seq": rng.randrange(6)}
    for field in ("g", "flag", "terms"):
        if rng.random() < 0.85:
            document[field] = rng.choice(VALUES)
    if rng.random() < 0.5:
        document["terms"] = rng.sample(SCALARS, rng.randrange(4))
    if rng.random() < 0.6:
        document["meta"] = rng.choice([{"kind": rng.choice(VALUES)}, {}, 3, [{"kind": "a"}, {}]])
    if rng.random() < 0.5:
        document["subs"] = [{"k": rng.choice(SCALARS)} for _ in range(rng.randrange(3))]
    if rng.random() < 0.2:
        document["code"] = rng.choice(["c1", "c2", "c3", None])
    if rng.random() < 0.3:
        document["expiresAt"] = NOW + timedelta(days=rng.choice([-1, 1]))
    return document


def a_condition(rng: random.Random) -> Any:
    value = rng.choice(VALUES)
    kind = rng.randrange(8)
    if kind == 0:
        return {"$eq": value}
    if kind == 1:
        return {"$in": rng.sample(VALUES, rng.randrange(4))}
    if kind == 2:
        return {"$all": rng.sample(SCALARS, rng.randrange(1, 3))}
    if kind == 3:
        return {"$ne": value}
    if kind == 4:
        return {"$in": rng.sample(SCALARS, 2), "$exists": True}
    if kind == 5:
        return {"$eq": rng.choice([None, value]), "$exists": rng.choice([True, False])}
    return value


def a_filter(rng: random.Random, ids: list[Any], depth: int = 0) -> dict[str, Any]:
    kind = rng.randrange(10)
    if kind == 0 and ids:
        return {"_id": rng.choice([rng.choice(ids), {"$in": rng.sample(ids, min(3, len(ids)))}])}
    if kind == 1 and ids:
        return {"_id": str(rng.choice(ids)), "g": rng.choice(VALUES)}
    if kind == 2 and depth == 0:
        return {rng.choice(["$and", "$or"]): [a_filter(rng, ids, 1) for _ in range(2)]}
    if kind == 3:
        return {}
    if kind == 4:  # as mongomock checks a partial unique index: present, and null or equal
        field = rng.choice(["code", "g", "meta.kind"])
        keys = {field: rng.choice([None, rng.choice(VALUES)]), "g": a_condition(rng)}
        return {"$and": [{field: {"$exists": True}}, keys]}
    fields = rng.sample(FIELDS, rng.randrange(1, 4))
    return {field: a_condition(rng) for field in fields}


def an_update(rng: random.Random) -> dict[str, Any]:
    field = rng.choice(["g", "seq", "flag", "terms", "meta.kind", "code", "expiresAt"])
    kind = rng.randrange(4)
    if kind == 0:
        return {"$unset": {field: ""}}
    if kind == 1:
        return {"$push": {"terms": rng.choice(SCALARS)}}
    if kind == 2:
        return {"$inc": {"seq": rng.choice([1, -1, 1.5])}}
    value = NOW - timedelta(days=1) if field == "expiresAt" else rng.choice(VALUES)
    return {"$set": {field: value}}


class Twins:
    """The same collection on an indexed engine and on an unindexed one."""

    def __init__(self, seed: int) -> None:
        self.indexed = MemoryMongoClient(seed=seed)["db"]["things"]
        self.scanning = MemoryMongoClient(seed=seed, uses_indexes=False)["db"]["things"]

    async def create_indexes(self) -> None:
        # mongomock refuses a unique index over documents that share a key, partial or not.
        await self.same(lambda c: c.create_indexes(TEST_INDEXES))

    async def same(self, operation: Callable[[MemoryCollection], Any]) -> Any:
        """The outcome of `operation` on both engines (a result or an error's type): equal."""
        outcomes = []
        for collection in (self.indexed, self.scanning):
            try:
                outcomes.append(await operation(collection))
            except Exception as error:  # both engines must fail alike
                outcomes.append(type(error))
        assert outcomes[0] == outcomes[1]
        return outcomes[0]


async def _write(twins: Twins, rng: random.Random, ids: list[Any]) -> None:
    filter = a_filter(rng, ids)
    kind = rng.randrange(7)
    if kind <= 1:
        document = a_document(rng)
        ids.append(document["_id"])
        await twins.same(lambda c: _inserted(c, dict(document)))
    elif kind == 2:
        update = an_update(rng)
        await twins.same(lambda c: _matched(c.update_one(filter, update)))
    elif kind == 3:
        update, upsert = an_update(rng), rng.random() < 0.5
        # An upsert's filter names its _id, so both engines insert the same one.
        named = {**filter, "_id": ObjectId()} if upsert else filter
        await twins.same(
            lambda c: c.find_one_and_update(
                named, update, upsert=upsert, return_document=ReturnDocument.AFTER
            )
        )
    elif kind == 4:
        await twins.same(lambda c: _deleted(c.delete_one(filter)))
    elif kind == 5 and rng.random() < 0.3:
        await twins.same(lambda c: _deleted(c.delete_many(filter)))
    else:
        requests = [UpdateOne(a_filter(rng, ids), an_update(rng)) for _ in range(2)]
        await twins.same(lambda c: _bulk(c, requests))


async def _inserted(collection: MemoryCollection, document: dict[str, Any]) -> bool:
    await collection.insert_one(document)
    return True


async def _matched(result: Any) -> tuple[int, int]:
    done = await result
    return done.matched_count, done.modified_count


async def _deleted(result: Any) -> int:
    return (await result).deleted_count


async def _bulk(collection: MemoryCollection, requests: list[UpdateOne]) -> Any:
    result = await collection.bulk_write(requests, ordered=False)
    return result.matched_count, result.modified_count


async def _reads(twins: Twins, rng: random.Random, ids: list[Any]) -> None:
    filter = a_filter(rng, ids)
    newest = [("seq", -1), ("_id", 1)]
    await twins.same(lambda c: c.find(filter).to_list())
    await twins.same(lambda c: c.find(filter).limit(2).to_list())
    await twins.same(lambda c: c.find_one(filter))
    await twins.same(lambda c: c.find_one(filter, projection={"seq": 1}, sort=newest))
    # Sorted by values of one type, of mixed types, arrays (by their first element), subdocuments.
    for sort in (newest, [("terms", 1)], [("g", -1), ("flag", 1)], [("meta.kind", 1)]):
        await twins.same(lambda c, sort=sort: c.find(filter).sort(sort).limit(3).to_list())
        await twins.same(lambda c, sort=sort: c.find_one(filter, sort=sort))
    await twins.same(lambda c: _count(c, filter))


async def _same_as_bare_mongomock(twins: Twins, rng: random.Random, ids: list[Any]) -> None:
    bare = mongomock.MongoClient(tz_aware=True)["db"]["things"]
    for document in await twins.indexed.find({}).sort("_id", 1).to_list():
        bare.insert_one(document)
    for _ in range(25):
        filter = a_filter(rng, ids)
        try:
            found = [
                one["_id"] for one in await twins.indexed.find(filter).sort("_id", 1).to_list()
            ]
        except Exception as error:  # mongomock must fail alike
            found = [type(error)]
        try:
            expected = [one["_id"] for one in bare.find(filter).sort("_id", 1)]
        except Exception as error:
            expected = [type(error)]
        assert found == expected


async def _count(collection: MemoryCollection, filter: dict[str, Any]) -> list[Any]:
    cursor = await collection.aggregate(
        [{"$match": filter}, {"$group": {"_id": None, "n": {"$sum": 1}}}]
    )
    return [one async for one in cursor]


@pytest.mark.parametrize("seed", range(40))
async def test_indexed_look_ups_answer_what_a_scan_answers(seed: int) -> None:
    rng = random.Random(seed)
    twins = Twins(seed)
    if seed % 2:  # indexes made before the documents, or after
        await twins.create_indexes()
    ids: list[Any] = []
    for _ in range(30):
        await _write(twins, rng, ids)
    if seed % 2 == 0:
        await twins.create_indexes()
    for _ in range(25):
        await _write(twins, rng, ids)
        await _reads(twins, rng, ids)
    await twins.same(lambda c: c.find({}).sort("_id", 1).to_list())
    await _same_as_bare_mongomock(twins, rng, ids)


# Each look-up examines the documents it may match, whatever the collection's size.


def _user(n: int) -> dict[str, Any]:
    return {"appid": "wx1", "openid": f"o-{n}", "createdAt": NOW}


def _item(group: int, seq: int) -> dict[str, Any]:
    terms = ["hello", f"t{seq % 7}"]
    return {"groupId": f"g{group}", "seq": seq, "authorId": f"u{seq % 5}", "terms": terms}


async def _seeded(users: int, groups: int, *, uses_indexes: bool = True) -> Any:
    database = MemoryMongoClient(uses_indexes=uses_indexes)["groupql"]
    for name in ("users", "sessions", "items"):
        await database[name].create_indexes(list(INDEXES[name]))
    await database["users"].insert_many([_user(n) for n in range(users)])
    await database["sessions"].insert_many(
        [
            {"tokenHash": f"h{n}", "userId": f"u{n}", "expiresAt": NOW + timedelta(days=n % 3)}
            for n in range(users)
        ]
    )
    await database["items"].insert_many(
        [_item(group, seq) for group in range(groups) for seq in range(1, 21)]
    )
    return database


async def _examined(collection: MemoryCollection, look_up: Callable[[], Any]) -> int:
    before = collection.documents_examined
    await look_up()
    return collection.documents_examined - before


async def _costs(database: Any) -> dict[str, int]:
    users, sessions, items = database["users"], database["sessions"], database["items"]
    user = await users.find_one({"appid": "wx1", "openid": "o-7"})
    look_ups: dict[str, tuple[MemoryCollection, Callable[[], Any]]] = {
        "login": (
            users,
            lambda: users.find_one_and_update(
                {"appid": "wx1", "openid": "o-7"}, {"$set": {"lastLoginAt": NOW}}, upsert=True
            ),
        ),
        "session": (
            sessions,
            lambda: sessions.find_one({"tokenHash": "h7", "expiresAt": {"$gt": NOW}}),
        ),
        "new session": (sessions, lambda: sessions.insert_one({"tokenHash": f"{ObjectId()}"})),
        "user by id": (users, lambda: users.find({"_id": {"$in": [user["_id"]]}}).to_list()),
        "feed page": (
            items,
            lambda: (
                items.find({"groupId": "g3", "review": {"$nin": ["PENDING"]}})
                .sort("seq", -1)
                .limit(21)
                .to_list()
            ),
        ),
        "item by seq": (items, lambda: items.find_one({"groupId": "g3", "seq": 5})),
        "search": (
            items,
            lambda: (
                items.find({"groupId": "g3", "terms": {"$all": ["t3", "hello"]}})
                .sort("seq", -1)
                .limit(21)
                .to_list()
            ),
        ),
        "last seqs": (
            items,
            lambda: items.aggregate(
                [
                    {"$match": {"groupId": {"$in": ["g1", "g3"]}}},
                    {"$group": {"_id": "$groupId", "seq": {"$max": "$seq"}}},
                ]
            ),
        ),
    }
    for _, look_up in look_ups.values():  # maps are built at their first use
        await look_up()
    return {name: await _examined(*look_up) for name, look_up in look_ups.items()}


async def test_look_ups_examine_as_many_documents_in_a_large_store_as_in_a_small_one() -> None:
    small = await _costs(await _seeded(users=50, groups=5))
    large = await _costs(await _seeded(users=2_000, groups=200))

    assert large == small
    # A login: the strict check's read, mongomock's read and its update of the one user; a new
    # session: its unique key's check finds itself.
    assert small == {
        "login": 3,
        "session": 1,
        "new session": 1,
        "user by id": 1,
        "feed page": 20,
        "item by seq": 1,
        "search": 3,
        "last seqs": 40,
    }


async def test_without_indexes_every_look_up_scans_its_collection() -> None:
    costs = await _costs(await _seeded(users=50, groups=5, uses_indexes=False))

    # A scan stops at its first match only where one document is asked for: o-7 is the 8th user.
    assert costs["login"] == 3 * 8
    assert costs["feed page"] == 100
    assert costs["session"] > 50  # sessions are also scanned for expired ones at every read


async def test_expired_sessions_go_without_a_scan_of_the_collection() -> None:
    database = await _seeded(users=300, groups=1)
    sessions = database["sessions"]
    expired = {"tokenHash": "gone", "expiresAt": NOW - timedelta(seconds=1)}

    examined = await _examined(sessions, lambda: sessions.insert_one(expired))
    examined += await _examined(sessions, lambda: sessions.find_one({"tokenHash": "h1"}))

    assert examined <= 3  # the expired one (as its own insert reads the index), and h1
    assert await sessions.find_one({"tokenHash": "gone"}) is None
    assert len(await sessions.find({"expiresAt": {"$lt": NOW}}).to_list()) == 0


async def test_a_document_is_found_by_the_value_an_update_gave_it_and_not_by_its_old_one() -> None:
    items = MemoryMongoClient()["groupql"]["items"]
    await items.create_indexes(list(INDEXES["items"]))
    inserted = await items.insert_one(_item(1, 1))

    await items.update_one({"_id": inserted.inserted_id}, {"$set": {"groupId": "g2"}})

    assert await items.find_one({"groupId": "g1", "seq": 1}) is None
    assert (await items.find_one({"groupId": "g2", "seq": 1}))["_id"] == inserted.inserted_id


async def test_an_update_refused_as_a_duplicate_leaves_the_document_where_it_was() -> None:
    items = MemoryMongoClient()["groupql"]["items"]
    await items.create_indexes(list(INDEXES["items"]))
    first = await items.insert_one(_item(1, 1))
    await items.insert_one(_item(1, 2))

    with pytest.raises(DuplicateKeyError):
        await items.update_one({"_id": first.inserted_id}, {"$set": {"seq": 2}})

    assert (await items.find_one({"groupId": "g1", "seq": 1}))["_id"] == first.inserted_id
    assert len(await items.find({"groupId": "g1", "seq": 2}).to_list()) == 1


async def _group_of(size: int) -> MemoryCollection:
    items = MemoryMongoClient()["groupql"]["items"]
    await items.create_indexes(list(INDEXES["items"]))
    await items.insert_many([_item(1, seq) for seq in range(1, size + 1)])
    return items


def _newest(items: MemoryCollection) -> Callable[[], Any]:
    shown = {"review": {"$nin": ["PENDING_REVIEW", "REJECTED"]}}
    return lambda: items.find({"groupId": "g1", **shown}).sort("seq", -1).limit(21).to_list()


@pytest.mark.parametrize("size", [50, 2_000])
async def test_a_page_of_a_group_examines_the_page_however_long_the_group(size: int) -> None:
    items = await _group_of(size)
    await _newest(items)()  # the group's items are put in that order once

    examined = await _examined(items, _newest(items))
    await items.insert_one(_item(1, size + 1))
    await items.update_one({"groupId": "g1", "seq": size}, {"$set": {"review": "REJECTED"}})
    page = await _newest(items)()

    assert examined == 21
    assert [item["seq"] for item in page] == [size + 1, *range(size - 1, size - 21, -1)]


@pytest.mark.parametrize("size", [50, 2_000])
async def test_a_post_without_a_client_id_costs_the_same_in_a_long_group(size: int) -> None:
    # Its unique (groupId, authorId, clientId) index is partial on clientId's presence: the
    # check of its key finds no other document without one.
    items = await _group_of(size)

    examined = await _examined(items, lambda: items.insert_one(_item(1, size + 1)))

    assert examined == 1  # the (groupId, seq) key: itself
