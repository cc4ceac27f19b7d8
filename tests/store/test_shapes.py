"""Shapes: what tests/store/shapes.py keeps of the command documents pymongo reports, and the
in-memory engine reporting the same documents as pymongo."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, monitoring

from groupql.store.memory import MemoryMongoClient
from tests.store.engines import ENGINES, a_database_name, engine_client
from tests.store.shapes import ShapeRecorder, shape_of

# What a real client adds to a command besides the operation: sessions, cluster time, concerns.
_CONNECTION_KEYS = {"lsid", "txnNumber", "$clusterTime", "writeConcern", "readConcern"}


def find(collection: str, filter: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"find": collection, "filter": filter, **options}


class Commands(monitoring.CommandListener):
    """The command documents sent for one database, as listeners see them."""

    def __init__(self, database_name: str) -> None:
        self.database_name = database_name
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database_name:
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def operations(self) -> list[dict[str, Any]]:
        """The commands without what the client adds: $db and the connection's keys."""
        added = {"$db", *_CONNECTION_KEYS}
        return [{k: v for k, v in command.items() if k not in added} for command in self.sent]


@pytest.fixture
def database_name() -> str:
    return a_database_name()


@pytest.fixture
def commands(database_name: str) -> Commands:
    return Commands(database_name)


@pytest.fixture(params=ENGINES)
async def things(
    request: pytest.FixtureRequest, database_name: str, commands: Commands
) -> AsyncIterator[Any]:
    async with engine_client(request.param, database_name, commands) as client:
        yield client[database_name]["things"]


async def test_each_operation_reports_the_command_document_pymongo_sends(
    things: Any, commands: Commands, database_name: str
) -> None:
    by_group = IndexModel([("groupId", ASCENDING)], name="by_group")
    await things.insert_one({"_id": 1, "groupId": "g"})
    await things.find({"groupId": "g"}).sort("seq", DESCENDING).limit(5).to_list()
    await things.find_one({"groupId": "g"}, projection={"_id": True}, sort=[("seq", ASCENDING)])
    await things.find_one({"_id": 1})
    await things.find_one_and_update(
        {"_id": 1}, {"$set": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    await things.update_one({"_id": 1}, {"$inc": {"n": 1}})
    await things.delete_one({"_id": 1})
    [_ async for _ in await things.aggregate([{"$match": {"groupId": "g"}}])]
    await things.create_indexes([by_group])
    await things.index_information()
    await things.drop_index("by_group")

    assert commands.operations() == [
        {"insert": "things", "ordered": True, "documents": [{"_id": 1, "groupId": "g"}]},
        find("things", {"groupId": "g"}, sort={"seq": -1}, limit=5),
        find(
            "things",
            {"groupId": "g"},
            sort={"seq": 1},
            projection={"_id": True},
            limit=1,
            singleBatch=True,
        ),
        find("things", {"_id": 1}, limit=1, singleBatch=True),
        {
            "findAndModify": "things",
            "query": {"_id": 1},
            "new": True,
            "update": {"$set": {"n": 1}},
            "upsert": True,
        },
        {
            "update": "things",
            "ordered": True,
            "updates": [
                {"q": {"_id": 1}, "u": {"$inc": {"n": 1}}, "multi": False, "upsert": False}
            ],
        },
        {"delete": "things", "ordered": True, "deletes": [{"q": {"_id": 1}, "limit": 1}]},
        {"aggregate": "things", "pipeline": [{"$match": {"groupId": "g"}}], "cursor": {}},
        {"createIndexes": "things", "indexes": [by_group.document]},
        {"listIndexes": "things", "cursor": {}},
        {"dropIndexes": "things", "index": "by_group"},
    ]
    assert all(command["$db"] == database_name for command in commands.sent)


class Raising(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        raise RuntimeError("a listener's bug")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_listener_that_raises_is_printed_and_the_command_goes_on_as_in_pymongo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    things = MemoryMongoClient(event_listeners=[Raising()])["groupql"]["things"]

    await things.insert_one({"_id": 1})

    assert await things.find_one({"_id": 1}) == {"_id": 1}
    assert "RuntimeError: a listener's bug" in capsys.readouterr().err


def test_a_find_keeps_its_fields_operators_sort_and_limit_but_no_values() -> None:
    command = find(
        "members",
        {"groupId": "g1", "status": "ACTIVE", "_id": {"$gt": "x"}},
        sort={"_id": 1},
        limit=21,
    )

    assert shape_of(command) == {
        "collection": "members",
        "kind": "find",
        "filter": {"_id": "$gt", "groupId": "=", "status": "="},
        "sort": ["_id"],
        "limit": True,
    }


def test_values_list_lengths_and_array_positions_do_not_change_a_shape() -> None:
    first = find("groups", {"_id": {"$in": ["a"]}, "pins.2": {"$exists": False}}, limit=1)
    second = find("groups", {"_id": {"$in": ["b", "c", "d"]}, "pins.9": {"$exists": False}})
    second["limit"] = 50

    assert shape_of(first) == shape_of(second)


def test_null_equality_and_in_with_null_are_shapes_of_their_own() -> None:
    shape = shape_of(find("invites", {"revokedAt": None, "usesLeft": {"$in": [None, 0]}}))

    assert shape is not None
    assert shape["filter"] == {"revokedAt": "null", "usesLeft": "$in with null"}


def test_a_write_keeps_its_filter_and_update_operators_not_the_paths_a_request_chose() -> None:
    def change(fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "findAndModify": "groups",
            "query": {"_id": "g1"},
            "new": True,
            "update": {"$set": fields},
            "upsert": False,
        }

    assert shape_of(change({"title": "a"})) == shape_of(change({"joinPolicy": "OPEN", "x": 1}))
    assert shape_of(change({"title": "a"})) == {
        "collection": "groups",
        "kind": "findAndModify",
        "filter": {"_id": "="},
        "update": ["$set"],
    }


def test_a_pipeline_keeps_its_stages_with_their_match_and_sort_shapes() -> None:
    command = {
        "aggregate": "items",
        "pipeline": [
            {"$match": {"groupId": {"$in": ["g1", "g2"]}}},
            {"$sort": {"groupId": -1, "seq": -1}},
            {"$group": {"_id": "$groupId", "seq": {"$first": "$seq"}}},
        ],
        "cursor": {},
    }

    assert shape_of(command) == {
        "collection": "items",
        "kind": "aggregate",
        "pipeline": [
            {"$match": {"groupId": "$in"}},
            {"$sort": ["-groupId", "-seq"]},
            {"$group": {"_id": "$groupId", "seq": {"$first": "$seq"}}},
        ],
    }


def test_an_insert_shows_which_shard_key_fields_its_document_carries() -> None:
    def insert(collection: str, document: dict[str, Any]) -> dict[str, Any]:
        return {"insert": collection, "ordered": True, "documents": [document]}

    assert shape_of(insert("items", {"groupId": "g", "seq": 1})) == {
        "collection": "items",
        "kind": "insert",
        "shardKey": ["groupId"],
    }
    assert shape_of(insert("sessions", {"tokenHash": "h"})) == {
        "collection": "sessions",
        "kind": "insert",
    }


def test_commands_that_neither_read_nor_write_documents_have_no_shape() -> None:
    assert shape_of({"createIndexes": "items", "indexes": []}) is None
    assert shape_of({"ping": 1}) is None


def test_the_recorder_keeps_the_first_sighting_of_each_shape_and_what_it_could_not_shape() -> None:
    recorder = ShapeRecorder()

    def send(command: dict[str, Any]) -> None:
        event = monitoring.CommandStartedEvent(
            {**command, "$db": "groupql"}, "groupql", 1, ("memory", None), 1
        )
        recorder.started(event)

    send(find("users", {"_id": {"$in": ["a"]}}))
    send(find("users", {"_id": {"$in": ["b", "c"]}}))
    send({"update": "users", "ordered": True, "updates": []})

    [sighting] = recorder.sightings.values()
    assert sighting.shape == shape_of(find("users", {"_id": {"$in": []}}))
    assert len(recorder.errors) == 1
