"""The race-free upsert: the loser of a race on a unique key gets the winner's document."""

from typing import Any

from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from groupql.store.documents import upsert
from groupql.store.memory import MemoryMongoClient


class LosesTheFirstRace:
    """A collection whose first upsert loses to another writer, as MongoDB reports it."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self.raced = False

    async def find_one_and_update(self, key: Any, update: Any, **options: Any) -> Any:
        if not self.raced:
            self.raced = True
            await self._collection.insert_one({**key, "winner": True})
            raise DuplicateKeyError("E11000 duplicate key error")
        return await self._collection.find_one_and_update(key, update, **options)


async def test_an_upsert_that_loses_a_race_returns_the_winners_document() -> None:
    collection = MemoryMongoClient()["db"]["things"]
    await collection.create_indexes([IndexModel([("name", 1)], unique=True)])
    racing = LosesTheFirstRace(collection)
    doc, created = await upsert(racing, {"name": "a"}, {"$setOnInsert": {"winner": False}})
    assert racing.raced
    assert created is False
    assert doc["winner"] is True
    assert len(await collection.find({}).to_list()) == 1


async def test_an_upsert_that_finds_nothing_inserts_and_says_so() -> None:
    collection = MemoryMongoClient()["db"]["things"]
    doc, created = await upsert(collection, {"name": "a"}, {"$setOnInsert": {"n": 1}})
    assert created is True
    assert (doc["name"], doc["n"]) == ("a", 1)
    again, created_again = await upsert(collection, {"name": "a"}, {"$setOnInsert": {"n": 2}})
    assert (again["_id"], again["n"], created_again) == (doc["_id"], 1, False)
