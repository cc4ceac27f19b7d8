"""The in-memory engine refuses what MongoDB refuses, with pymongo's exception and the server's
code; set GROUPQL_TEST_MONGODB_URL to check each refusal against a real server."""

import re
from collections.abc import AsyncIterator
from typing import Any

import bson
import pymongo
import pytest
from pymongo import IndexModel, ReturnDocument, monitoring
from pymongo.errors import (
    BulkWriteError,
    DocumentTooLarge,
    DuplicateKeyError,
    OperationFailure,
    WriteError,
)

from groupql.store.memory import MemoryMongoClient
from tests.store.engines import ENGINES, a_database_name, engine_client

MAX_BSON_SIZE = 16 * 1024 * 1024

BAD_VALUE = 2
FAILED_TO_PARSE = 9
TYPE_MISMATCH = 14
CONFLICTING_UPDATE_OPERATORS = 40
IMMUTABLE_FIELD = 66
INDEX_OPTIONS_CONFLICT = 85
INDEX_KEY_SPECS_CONFLICT = 86
# A document over 16 MiB: BSONObjectTooLarge (10334) on MongoDB 8; MongoDB 7 had a code for each
# way there.
BSON_OBJECT_TOO_LARGE = 10334
INSERT_TOO_LARGE = (BSON_OBJECT_TOO_LARGE, BAD_VALUE)
UPDATE_TOO_LARGE = (BSON_OBJECT_TOO_LARGE, 17419)
UPSERT_TOO_LARGE = (BSON_OBJECT_TOO_LARGE, 17420)


class SentCommands(monitoring.CommandListener):
    """The names of the commands sent for one database."""

    def __init__(self, database_name: str) -> None:
        self.database_name = database_name
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database_name:
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def database_name() -> str:
    return a_database_name()


@pytest.fixture
def sent(database_name: str) -> SentCommands:
    return SentCommands(database_name)


@pytest.fixture(params=ENGINES)
async def mongo_client(
    request: pytest.FixtureRequest, database_name: str, sent: SentCommands
) -> AsyncIterator[Any]:
    async with engine_client(request.param, database_name, sent) as client:
        yield client


@pytest.fixture
def db(mongo_client: Any, database_name: str) -> Any:
    return mongo_client[database_name]


@pytest.fixture
async def group(db: Any) -> Any:
    """A collection holding one document with a number, a string, an object and an array."""
    await db["groups"].insert_one(
        {
            "_id": 1,
            "members": 3,
            "title": "Hiking",
            "settings": {"open": True},
            "pins": [{"item": "a", "seen": 0}, {"item": "b", "seen": 0}],
        }
    )
    return db["groups"]


async def unchanged(collection: Any) -> bool:
    return bool(
        await collection.find_one({"_id": 1})
        == {
            "_id": 1,
            "members": 3,
            "title": "Hiking",
            "settings": {"open": True},
            "pins": [{"item": "a", "seen": 0}, {"item": "b", "seen": 0}],
        }
    )


# Rule 1: one update changes a path once, and never a path together with a path inside it.

CONFLICTING_UPDATES = [
    pytest.param({"$set": {"title": "x"}, "$unset": {"title": ""}}, "title", id="set+unset"),
    pytest.param({"$set": {"members": 4}, "$inc": {"members": 1}}, "members", id="set+inc"),
    pytest.param(
        {"$push": {"pins": {"item": "c"}}, "$pull": {"pins": {"item": "a"}}}, "pins", id="push+pull"
    ),
    pytest.param(
        {"$set": {"title": "x"}, "$setOnInsert": {"title": "y"}}, "title", id="set+setOnInsert"
    ),
    pytest.param({"$set": {"settings": {}, "settings.open": False}}, "settings", id="parent+child"),
    pytest.param(
        {"$set": {"settings.open": False}, "$unset": {"settings": ""}},
        "settings",
        id="child+parent",
    ),
    pytest.param({"$rename": {"title": "name"}, "$set": {"name": "x"}}, "name", id="rename+set"),
]


@pytest.mark.parametrize(("update", "conflict"), CONFLICTING_UPDATES)
async def test_an_update_changing_a_path_twice_is_a_conflict(
    group: Any, update: dict[str, Any], conflict: str
) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, update)

    assert refused.value.code == CONFLICTING_UPDATE_OPERATORS
    assert f"would create a conflict at '{conflict}'" in str(refused.value)
    assert await unchanged(group)


@pytest.mark.parametrize(("update", "conflict"), CONFLICTING_UPDATES)
async def test_a_find_and_modify_changing_a_path_twice_is_a_conflict(
    group: Any, update: dict[str, Any], conflict: str
) -> None:
    with pytest.raises(OperationFailure) as refused:
        await group.find_one_and_update({"_id": 1}, update)

    assert refused.type is OperationFailure  # a failed command, not a write error
    assert refused.value.code == CONFLICTING_UPDATE_OPERATORS
    assert await unchanged(group)


async def test_a_conflict_is_refused_even_when_nothing_matches(group: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 2}, {"$set": {"a": 1, "a.b": 2}})

    assert refused.value.code == CONFLICTING_UPDATE_OPERATORS


async def test_sibling_paths_do_not_conflict(group: Any) -> None:
    await group.update_one(
        {"_id": 1},
        {"$set": {"settings.open": False, "settings.invite": True}, "$inc": {"members": 1}},
    )

    changed = await group.find_one({"_id": 1})
    assert (changed["settings"], changed["members"]) == ({"open": False, "invite": True}, 4)


# Rule 2: an update is a document of known operators, each naming the fields it changes.


@pytest.mark.parametrize(
    ("update", "message"),
    [({}, "update cannot be empty"), ({"title": "x"}, "update only works with $ operators")],
)
async def test_pymongo_refuses_an_update_without_operators_before_sending_it(
    group: Any, sent: SentCommands, update: dict[str, Any], message: str
) -> None:
    sent.names.clear()

    with pytest.raises(ValueError, match=re.escape(message)):
        await group.update_one({"_id": 1}, update)
    with pytest.raises(ValueError, match=re.escape(message)):
        await group.find_one_and_update({"_id": 1}, update)

    assert sent.names == []


@pytest.mark.parametrize(
    "update", [{"$sett": {"title": "x"}}, {"$set": {"title": "x"}, "name": "y"}, {"$set": 5}]
)
async def test_an_update_with_something_other_than_an_operator_fails_to_parse(
    group: Any, update: dict[str, Any]
) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, update)
    assert refused.value.code == FAILED_TO_PARSE
    with pytest.raises(OperationFailure) as refused_command:
        await group.find_one_and_update({"_id": 1}, update)
    assert refused_command.value.code == FAILED_TO_PARSE

    assert await unchanged(group)


async def test_an_operator_with_no_fields_is_a_no_op_since_mongodb_5(group: Any) -> None:
    result = await group.update_one({"_id": 1}, {"$set": {}})

    assert (result.matched_count, result.modified_count) == (1, 0)
    assert await group.find_one_and_update({"_id": 1}, {"$unset": {}}) is not None
    assert await unchanged(group)


# Rule 3: `$` stands for the array element the filter matched.


async def test_the_positional_operator_needs_the_filter_to_match_in_the_array(group: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, {"$set": {"pins.$.seen": 1}})
    assert refused.value.code == BAD_VALUE
    assert "The positional operator did not find the match needed from the query" in str(
        refused.value
    )
    with pytest.raises(OperationFailure) as refused_command:
        await group.find_one_and_update({"_id": 1, "title": "Hiking"}, {"$inc": {"pins.$.seen": 1}})
    assert refused_command.type is OperationFailure
    assert refused_command.value.code == BAD_VALUE

    assert await unchanged(group)


async def test_the_positional_operator_changes_the_element_the_filter_matched(group: Any) -> None:
    await group.update_one({"_id": 1, "pins.item": "b"}, {"$inc": {"pins.$.seen": 1}})

    assert (await group.find_one({"_id": 1}))["pins"] == [
        {"item": "a", "seen": 0},
        {"item": "b", "seen": 1},
    ]


async def test_an_upsert_that_inserts_matched_no_element_for_the_positional_operator(
    group: Any,
) -> None:
    with pytest.raises(OperationFailure) as refused:
        await group.find_one_and_update(
            {"_id": 2, "pins.item": "a"}, {"$set": {"pins.$.seen": 1}}, upsert=True
        )

    assert refused.value.code == BAD_VALUE
    assert await group.find_one({"_id": 2}) is None


# Rule 4: an upsert starts from the fields its filter names; its operators may change them, except
# _id, which no update changes.


async def test_an_upsert_may_not_insert_another_id_than_its_filter_names(group: Any) -> None:
    with pytest.raises(OperationFailure) as refused:
        await group.find_one_and_update(
            {"_id": 2}, {"$setOnInsert": {"_id": 3, "title": "x"}}, upsert=True
        )

    assert refused.type is OperationFailure
    assert refused.value.code == IMMUTABLE_FIELD
    assert await group.find_one({"_id": {"$in": [2, 3]}}) is None


async def test_an_update_may_not_change_an_id(group: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, {"$set": {"_id": 2}})

    assert refused.value.code == IMMUTABLE_FIELD
    assert await unchanged(group)
    await group.update_one({"_id": 1}, {"$set": {"_id": 1}})  # to the value it has: a no-op
    assert await unchanged(group)


async def test_an_upsert_inserts_the_value_its_operators_give_a_field_the_filter_names(
    db: Any,
) -> None:
    inserted = await db["members"].find_one_and_update(
        {"userId": "u1", "role": "member"},
        {"$setOnInsert": {"role": "owner"}, "$set": {"userId": "u2"}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        projection={"_id": False},
    )

    assert inserted == {"userId": "u2", "role": "owner"}


# Rule 5: $inc takes a number, and changes only numbers.


async def test_inc_of_a_field_that_is_not_a_number_is_a_type_mismatch(group: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, {"$inc": {"title": 1}})
    assert refused.value.code == TYPE_MISMATCH
    assert "Cannot apply $inc to a value of non-numeric type" in str(refused.value)
    with pytest.raises(OperationFailure) as refused_command:
        await group.find_one_and_update({"_id": 1}, {"$inc": {"settings.open": 1}})
    assert refused_command.type is OperationFailure
    assert refused_command.value.code == TYPE_MISMATCH

    assert await unchanged(group)


async def test_inc_by_something_other_than_a_number_is_a_type_mismatch(group: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await group.update_one({"_id": 1}, {"$inc": {"members": "1"}})

    assert refused.value.code == TYPE_MISMATCH
    assert await unchanged(group)


async def test_inc_of_a_missing_field_sets_it(group: Any) -> None:
    await group.update_one({"_id": 1}, {"$inc": {"views": 2, "settings.joins": 1}})

    changed = await group.find_one({"_id": 1})
    assert (changed["views"], changed["settings"]["joins"]) == (2, 1)


# Rule 6: a document holds at most 16 MiB of BSON.


def document_of_size(size: int, _id: Any = 1) -> dict[str, Any]:
    overhead = len(bson.encode({"_id": _id, "text": ""}))
    return {"_id": _id, "text": "x" * (size - overhead)}


async def test_a_document_of_16_mib_is_stored(db: Any) -> None:
    await db["items"].insert_one(document_of_size(MAX_BSON_SIZE))

    assert len(bson.encode(await db["items"].find_one({"_id": 1}))) == MAX_BSON_SIZE


async def test_the_server_refuses_to_insert_a_document_over_16_mib(db: Any) -> None:
    with pytest.raises(WriteError) as refused:
        await db["items"].insert_one(document_of_size(MAX_BSON_SIZE + 1))

    assert refused.value.code in INSERT_TOO_LARGE
    assert await db["items"].find_one({"_id": 1}) is None


async def test_pymongo_refuses_to_send_a_document_well_over_16_mib(
    db: Any, sent: SentCommands
) -> None:
    with pytest.raises(DocumentTooLarge):
        await db["items"].insert_one(document_of_size(MAX_BSON_SIZE + 64 * 1024))

    assert sent.names == []


async def test_an_update_may_not_grow_a_document_past_16_mib(db: Any) -> None:
    await db["items"].insert_one({"_id": 1, "text": "x" * (9 * 1024 * 1024)})
    too_much = {"$set": {"more": "y" * (8 * 1024 * 1024)}}

    with pytest.raises(WriteError) as refused:
        await db["items"].update_one({"_id": 1}, too_much)
    assert refused.value.code in UPDATE_TOO_LARGE
    with pytest.raises(OperationFailure) as refused_command:
        await db["items"].find_one_and_update({"_id": 1}, too_much)
    assert refused_command.type is OperationFailure
    assert refused_command.value.code in UPDATE_TOO_LARGE

    assert "more" not in await db["items"].find_one({"_id": 1})


async def test_an_upsert_may_not_insert_a_document_over_16_mib(db: Any) -> None:
    with pytest.raises(OperationFailure) as refused:
        await db["items"].find_one_and_update(
            {"key": "k", "text": "x" * (9 * 1024 * 1024)},
            {"$setOnInsert": {"more": "y" * (8 * 1024 * 1024)}},
            upsert=True,
        )

    assert refused.value.code in UPSERT_TOO_LARGE
    assert await db["items"].find_one({"key": "k"}) is None


# Rule 7: an index name stands for one index.


async def test_creating_the_same_index_again_changes_nothing(db: Any) -> None:
    index = IndexModel([("code", pymongo.ASCENDING)], unique=True, name="one_per_code")

    assert await db["invites"].create_indexes([index]) == ["one_per_code"]
    assert await db["invites"].create_indexes([index]) == ["one_per_code"]
    await db["invites"].insert_one({"code": "c1"})
    with pytest.raises(DuplicateKeyError):
        await db["invites"].insert_one({"code": "c1"})


async def test_an_index_name_may_not_be_reused_with_other_options(db: Any) -> None:
    await db["invites"].create_indexes([IndexModel("code", name="by_code")])

    with pytest.raises(OperationFailure) as refused:
        await db["invites"].create_indexes([IndexModel("code", unique=True, name="by_code")])

    assert refused.type is OperationFailure
    assert refused.value.code == INDEX_OPTIONS_CONFLICT
    assert "unique" not in (await db["invites"].index_information())["by_code"]


async def test_an_index_name_may_not_be_reused_for_other_keys(db: Any) -> None:
    await db["invites"].create_indexes([IndexModel("code", name="by_code")])

    with pytest.raises(OperationFailure) as refused:
        await db["invites"].create_indexes(
            [IndexModel([("groupId", 1), ("code", 1)], name="by_code")]
        )

    assert refused.value.code == INDEX_KEY_SPECS_CONFLICT
    assert list((await db["invites"].index_information())["by_code"]["key"]) == [("code", 1)]


# Rule 8: where MongoDB promises no order, the memory engine shuffles; a sort still sorts.


async def test_an_unsorted_find_returns_each_document_once(db: Any) -> None:
    for n in range(20):
        await db["items"].insert_one({"_id": n})

    assert sorted(doc["_id"] for doc in await db["items"].find({}).to_list()) == list(range(20))


async def _memory_items(seed: int = 0, count: int = 20) -> Any:
    items = MemoryMongoClient(seed=seed)["groupql"]["items"]
    for n in range(count):
        await items.insert_one({"_id": n, "group": f"g{n % 5}", "seq": n})
    return items


async def test_the_memory_engine_returns_an_unsorted_find_in_no_particular_order() -> None:
    items = await _memory_items()

    found = [doc["_id"] for doc in await items.find({}).to_list()]

    assert found != list(range(20))
    assert sorted(found) == list(range(20))
    assert found == [doc["_id"] for doc in await (await _memory_items()).find({}).to_list()]


async def test_the_memory_engine_never_keeps_insertion_order_when_it_shuffles() -> None:
    for seed in range(20):
        items = await _memory_items(seed, count=2)
        assert [doc["_id"] for doc in await items.find({}).to_list()] == [1, 0]


async def test_the_memory_engine_limits_an_unsorted_find_after_shuffling() -> None:
    items = await _memory_items()

    firsts = {doc["_id"] for _ in range(10) for doc in await items.find({}).limit(1).to_list()}

    assert firsts != {0}


async def test_the_memory_engine_finds_one_of_several_matches_in_no_particular_order() -> None:
    items = await _memory_items()

    found = {(await items.find_one({"group": "g1"}))["_id"] for _ in range(10)}

    assert found != {1}
    assert (await items.find_one({"group": "g1"}, sort=[("seq", pymongo.ASCENDING)]))["_id"] == 1


async def test_the_memory_engine_keeps_the_order_of_a_sorted_find() -> None:
    items = await _memory_items()

    newest = await items.find({"group": "g1"}).sort("seq", pymongo.DESCENDING).limit(3).to_list()

    assert [doc["_id"] for doc in newest] == [16, 11, 6]


async def test_the_memory_engine_returns_groups_in_no_particular_order_unless_sorted() -> None:
    items = await _memory_items()
    group = {"$group": {"_id": "$group", "count": {"$sum": 1}}}

    grouped = [doc["_id"] async for doc in await items.aggregate([group])]
    ordered = [doc["_id"] async for doc in await items.aggregate([group, {"$sort": {"_id": 1}}])]

    assert grouped != ["g0", "g1", "g2", "g3", "g4"]
    assert sorted(grouped) == ordered == ["g0", "g1", "g2", "g3", "g4"]


async def test_insert_many_inserts_each_document_or_reports_it_as_a_server_does(db: Any) -> None:
    collection = db["c"]
    await collection.create_indexes([IndexModel([("k", 1)], unique=True)])
    await collection.insert_many([{"k": 1}, {"k": 2}])

    with pytest.raises(BulkWriteError) as unordered:
        await collection.insert_many([{"k": 2}, {"k": 3}, {"k": 1}, {"k": 4}], ordered=False)
    assert [error["index"] for error in unordered.value.details["writeErrors"]] == [0, 2]
    assert unordered.value.details["nInserted"] == 2
    with pytest.raises(BulkWriteError) as ordered:
        await collection.insert_many([{"k": 5}, {"k": 5}, {"k": 6}])
    assert ordered.value.details["nInserted"] == 1
    keys = sorted(doc["k"] for doc in await collection.find({}).to_list())
    assert keys == [1, 2, 3, 4, 5]
