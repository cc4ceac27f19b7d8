"""The in-memory engine behaves like MongoDB on the surface the store uses (Collection in
groupql/store/collection.py); set GROUPQL_TEST_MONGODB_URL to check against a real one."""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pymongo
import pytest
from pymongo import IndexModel, ReturnDocument, monitoring
from pymongo.errors import DuplicateKeyError, InvalidOperation

from groupql.store.collection import Collection
from groupql.store.memory import MemoryMongoClient
from tests.store.engines import ENGINES, a_database_name, engine_client


class CommandLog(monitoring.CommandListener):
    """Records the commands sent for one database, as a real AsyncMongoClient reports them."""

    def __init__(self, database_name: str) -> None:
        self.database_name = database_name
        self.started_names: list[str] = []
        self.succeeded_names: list[str] = []
        self.failed_names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database_name:
            self.started_names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.database_name == self.database_name:
            self.succeeded_names.append(event.command_name)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        if event.database_name == self.database_name:
            self.failed_names.append(event.command_name)

    def clear(self) -> None:
        self.started_names.clear()
        self.succeeded_names.clear()
        self.failed_names.clear()


@pytest.fixture
def database_name() -> str:
    return a_database_name()


@pytest.fixture
def commands(database_name: str) -> CommandLog:
    return CommandLog(database_name)


@pytest.fixture(params=ENGINES)
async def mongo_client(
    request: pytest.FixtureRequest, database_name: str, commands: CommandLog
) -> AsyncIterator[Any]:
    async with engine_client(request.param, database_name, commands) as client:
        yield client


@pytest.fixture
def db(mongo_client: Any, database_name: str) -> Any:
    return mongo_client[database_name]


async def count(collection: Collection) -> int:
    return len(await collection.find({}).to_list())


async def test_inserted_document_can_be_read_updated_and_deleted(db: Any) -> None:
    inserted = await db["groups"].insert_one({"name": "Hiking", "members": 1})

    assert await db["groups"].find_one({"_id": inserted.inserted_id}) == {
        "_id": inserted.inserted_id,
        "name": "Hiking",
        "members": 1,
    }
    updated = await db["groups"].update_one({"_id": inserted.inserted_id}, {"$set": {"members": 2}})
    assert (updated.matched_count, updated.modified_count) == (1, 1)
    assert (await db["groups"].find_one({"name": "Hiking"}))["members"] == 2
    assert (await db["groups"].delete_one({"_id": inserted.inserted_id})).deleted_count == 1
    assert await db["groups"].find_one({"_id": inserted.inserted_id}) is None
    assert await count(db["groups"]) == 0


async def test_server_answers_ping(mongo_client: Any) -> None:
    assert (await mongo_client.admin.command("ping"))["ok"] == 1.0


async def test_unique_index_rejects_a_second_insert_of_the_same_key(db: Any) -> None:
    [index_name] = await db["members"].create_indexes(
        [IndexModel([("group_id", 1), ("user_id", 1)], unique=True, name="one_per_user")]
    )
    await db["members"].insert_one({"group_id": "g1", "user_id": "u1"})

    assert index_name == "one_per_user"
    with pytest.raises(DuplicateKeyError):
        await db["members"].insert_one({"group_id": "g1", "user_id": "u1"})
    await db["members"].insert_one({"group_id": "g2", "user_id": "u1"})
    assert await count(db["members"]) == 2


async def test_unique_index_rejects_an_upsert_that_would_duplicate_a_key(db: Any) -> None:
    await db["users"].create_indexes([IndexModel("openid", unique=True)])
    await db["users"].insert_one({"openid": "o1"})

    with pytest.raises(DuplicateKeyError):
        await db["users"].find_one_and_update(
            {"nickname": "y"}, {"$set": {"openid": "o1"}}, upsert=True
        )
    assert await count(db["users"]) == 1


async def test_partial_unique_index_ignores_documents_without_the_key(db: Any) -> None:
    await db["users"].create_indexes(
        [IndexModel("unionid", unique=True, partialFilterExpression={"unionid": {"$exists": True}})]
    )
    for document in ({"openid": "o1"}, {"openid": "o2"}, {"unionid": "u1"}):
        await db["users"].insert_one(document)

    with pytest.raises(DuplicateKeyError):
        await db["users"].insert_one({"unionid": "u1"})


async def test_ttl_index_options_are_accepted(db: Any) -> None:
    names = await db["sessions"].create_indexes([IndexModel("expires_at", expireAfterSeconds=0)])

    assert names == ["expires_at_1"]


async def test_find_sorts_and_limits(db: Any) -> None:
    for n in range(10):
        await db["posts"].insert_one({"_id": n, "group": "g1" if n % 2 else "g2", "rank": n % 3})

    newest_first = db["posts"].find({"group": "g1"}).sort("_id", pymongo.DESCENDING)
    assert [doc["_id"] for doc in await newest_first.to_list(length=2)] == [9, 7]
    assert [doc["_id"] for doc in await newest_first.to_list()] == [5, 3, 1]
    assert await newest_first.to_list() == []
    top = await db["posts"].find({"rank": 2}).sort("_id", pymongo.ASCENDING).limit(2).to_list()
    assert [doc["_id"] for doc in top] == [2, 5]
    by_two_keys = db["posts"].find({}).sort([("rank", pymongo.ASCENDING), ("_id", -1)]).limit(4)
    assert [doc["_id"] for doc in await by_two_keys.to_list()] == [9, 6, 3, 0]


async def test_cursor_cannot_change_its_query_once_read(db: Any) -> None:
    await db["posts"].insert_one({"_id": 1})
    cursor = db["posts"].find({})
    await cursor.to_list()

    with pytest.raises(InvalidOperation):
        cursor.sort("_id", pymongo.ASCENDING)


async def test_aggregate_matches_and_groups(db: Any) -> None:
    for document in (
        {"group": "g1", "likes": 3},
        {"group": "g1", "likes": 4},
        {"group": "g2", "likes": 10},
        {"group": "g3", "likes": 1, "deleted": True},
    ):
        await db["posts"].insert_one(document)
    pipeline = [
        {"$match": {"deleted": {"$ne": True}}},
        {"$group": {"_id": "$group", "posts": {"$sum": 1}, "likes": {"$sum": "$likes"}}},
        {"$sort": {"_id": 1}},
    ]

    cursor = await db["posts"].aggregate(pipeline)

    assert [doc async for doc in cursor] == [
        {"_id": "g1", "posts": 2, "likes": 7},
        {"_id": "g2", "posts": 1, "likes": 10},
    ]


async def test_grouping_no_documents_makes_no_group(db: Any) -> None:
    await db["posts"].insert_one({"_id": 1, "group": "g1", "likes": 3})

    cursor = await db["posts"].aggregate(
        [
            {"$match": {"group": "g2"}},
            {"$group": {"_id": None, "likes": {"$sum": "$likes"}, "top": {"$max": "$likes"}}},
        ]
    )

    assert [doc async for doc in cursor] == []


async def test_find_one_and_update_upserts_and_returns_the_document_after(db: Any) -> None:
    await db["counters"].create_indexes([IndexModel("key", unique=True)])

    def bump(key: str) -> Any:
        return db["counters"].find_one_and_update(
            {"key": key},
            {"$inc": {"value": 1}, "$max": {"peak": 5}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            projection={"_id": False},
        )

    assert await bump("k") == {"key": "k", "value": 1, "peak": 5}
    assert await bump("k") == {"key": "k", "value": 2, "peak": 5}
    assert await db["counters"].find_one_and_update({"key": "absent"}, {"$inc": {"n": 1}}) is None


async def test_find_one_takes_a_projection_and_a_sort(db: Any) -> None:
    for n, joined in enumerate((3, 1, 2)):
        await db["members"].insert_one({"_id": n, "joined": joined, "secret": "x"})

    first = await db["members"].find_one({}, projection={"secret": False}, sort=[("joined", 1)])

    assert first == {"_id": 1, "joined": 1}


async def test_concurrent_upserts_of_one_unique_key_make_one_document(db: Any) -> None:
    await db["counters"].create_indexes([IndexModel("key", unique=True)])

    await asyncio.gather(
        *(
            db["counters"].find_one_and_update(
                {"key": "k"}, {"$inc": {"value": 1}}, upsert=True, return_document=True
            )
            for _ in range(20)
        )
    )

    [counter] = await db["counters"].find({}).to_list()
    assert (counter["key"], counter["value"]) == ("k", 20)


async def test_set_on_insert_applies_only_when_the_upsert_inserts(db: Any) -> None:
    def join(nickname: str) -> Any:
        return db["members"].find_one_and_update(
            {"_id": "u1"},
            {"$setOnInsert": {"role": "member"}, "$set": {"nickname": nickname}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )

    assert await join("Ann") == {"_id": "u1", "role": "member", "nickname": "Ann"}
    await db["members"].update_one({"_id": "u1"}, {"$set": {"role": "admin"}})
    assert await join("Annie") == {"_id": "u1", "role": "admin", "nickname": "Annie"}


async def test_concurrent_increments_are_all_counted(db: Any) -> None:
    await db["groups"].insert_one({"_id": "g1", "members": 0})

    await asyncio.gather(
        *(db["groups"].update_one({"_id": "g1"}, {"$inc": {"members": 1}}) for _ in range(50))
    )

    assert (await db["groups"].find_one({"_id": "g1"}))["members"] == 50


async def test_datetimes_come_back_aware_utc_at_millisecond_precision(db: Any) -> None:
    beijing = dt.timezone(dt.timedelta(hours=8))
    await db["events"].insert_one(
        {
            "_id": 1,
            "aware": dt.datetime(2024, 5, 1, 20, 30, 15, 123456, tzinfo=beijing),
            "naive_utc": dt.datetime(2024, 5, 1, 12, 30, 15),
        }
    )

    event = await db["events"].find_one({"aware": {"$lt": dt.datetime(2024, 5, 2, tzinfo=dt.UTC)}})
    [sorted_event] = await db["events"].find({}).sort("aware", pymongo.DESCENDING).to_list()
    assert sorted_event == event

    assert event["aware"] == dt.datetime(2024, 5, 1, 12, 30, 15, 123000, tzinfo=dt.UTC)
    assert event["aware"].utcoffset() == dt.timedelta(0)
    assert event["naive_utc"] == dt.datetime(2024, 5, 1, 12, 30, 15, tzinfo=dt.UTC)
    assert event["naive_utc"].utcoffset() == dt.timedelta(0)


async def test_returned_documents_do_not_alias_stored_ones(db: Any) -> None:
    document: dict[str, Any] = {"_id": 1, "tags": ["a"]}
    await db["posts"].insert_one(document)
    document["tags"].append("changed after insert")
    (await db["posts"].find_one({"_id": 1}))["tags"].append("changed after find_one")
    (await db["posts"].find({}).to_list())[0]["tags"].append("changed after find")
    sorted_find = db["posts"].find({}).sort("_id", pymongo.ASCENDING).limit(1)
    (await sorted_find.to_list())[0]["tags"].append("changed after a sorted find")
    after_update = await db["posts"].find_one_and_update(
        {"_id": 1}, {"$set": {"seen": True}}, return_document=ReturnDocument.AFTER
    )
    after_update["tags"].append("changed after find_one_and_update")

    assert await db["posts"].find_one({"_id": 1}) == {"_id": 1, "tags": ["a"], "seen": True}


async def test_each_operation_is_one_round_trip(db: Any, commands: CommandLog) -> None:
    for n in range(5):
        await db["posts"].insert_one({"_id": n})
    commands.clear()

    await db["posts"].insert_one({"_id": 5})
    assert commands.started_names == ["insert"]
    commands.clear()
    assert len(await db["posts"].find({"_id": {"$gte": 2}}).to_list()) == 4
    assert commands.started_names == ["find"]
    commands.clear()
    await db["posts"].find_one({"_id": 1})
    assert commands.started_names == ["find"]
    commands.clear()
    assert [doc["_id"] for doc in await db["posts"].find({}).sort("_id", 1).limit(3).to_list()] == [
        0,
        1,
        2,
    ]
    assert commands.started_names == ["find"]
    commands.clear()
    [doc async for doc in await db["posts"].aggregate([{"$match": {}}])]
    assert commands.started_names == ["aggregate"]
    assert commands.succeeded_names == commands.started_names
    assert commands.failed_names == []


async def test_a_command_the_server_rejects_is_reported_as_failed(
    db: Any, commands: CommandLog
) -> None:
    await db["users"].create_indexes([IndexModel("openid", unique=True)])
    await db["users"].insert_one({"openid": "o1"})
    commands.clear()

    with pytest.raises(DuplicateKeyError):
        await db["users"].find_one_and_update({"x": 1}, {"$set": {"openid": "o1"}}, upsert=True)

    assert commands.started_names == ["findAndModify"]
    assert commands.failed_names == ["findAndModify"]


async def test_each_memory_client_starts_empty() -> None:
    first, second = MemoryMongoClient(), MemoryMongoClient()
    await first["groupql"]["groups"].insert_one({"_id": 1})

    assert await count(second["groupql"]["groups"]) == 0
    await first.close()


def test_memory_client_rejects_a_listener_pymongo_would_not_accept() -> None:
    with pytest.raises(TypeError):
        MemoryMongoClient(event_listeners=[object()])
