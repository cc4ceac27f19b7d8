"""The `step_days` collection: a user's WeChat steps (微信运动) of each calendar day, as their
newest WeRun upload gave them (an upload carries the last 31 days; a later one corrects them)."""

from collections.abc import Sequence
from datetime import date

from pymongo import ASCENDING

from groupql.records import StepDay
from groupql.store.collection import Collection
from groupql.store.tables import Key, Table
from groupql.store.versioned import Versioned, put_newer

STEP_DAYS = Table(
    StepDay,
    user_id="userId",
    day=Key("day", load=date.fromisoformat, dump=date.isoformat),
    steps="steps",
    version="version",
)


class StepDays:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def put(self, days: Sequence[StepDay]) -> None:
        """Store each day's steps unless a newer upload's are stored (one round trip). The
        version is the upload's watermark: when WeChat made it."""
        await put_newer(
            self._collection,
            [
                Versioned(
                    {"userId": day.user_id, "day": day.day.isoformat()},
                    {"steps": day.steps},
                    day.version,
                )
                for day in days
            ],
        )

    async def of_user(self, user_id: str, *, since: date | None = None) -> list[StepDay]:
        """A user's days (since a day), oldest first."""
        query: dict[str, object] = {"userId": user_id}
        if since is not None:
            query["day"] = {"$gte": since.isoformat()}
        cursor = self._collection.find(query).sort("day", ASCENDING)
        return STEP_DAYS.records(await cursor.to_list())

    async def total(self, user_id: str) -> tuple[int, int]:
        """All the steps a user ever uploaded, and the newest version among their days."""
        found = await self._collection.aggregate(
            [
                {"$match": {"userId": user_id}},
                {
                    "$group": {
                        "_id": None,
                        "steps": {"$sum": "$steps"},
                        "version": {"$max": "$version"},
                    }
                },
            ]
        )
        async for doc in found:
            return int(doc["steps"]), int(doc["version"] or 0)
        return 0, 0
