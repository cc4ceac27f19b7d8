"""The `score_records` collection: every value recorded for a group-defined metric, once per
clientId, from which the metric's scores are computed (so a retried or racing record never
counts twice, and a score computed from fewer records never overwrites one from more)."""

from datetime import date, datetime

from pymongo.errors import DuplicateKeyError

from groupql.records import Aggregation, ScoreRecord
from groupql.store.collection import Collection, Document
from groupql.store.tables import Key, Table

SCORE_RECORDS = Table(
    ScoreRecord,
    group_id="groupId",
    metric="metric",
    user_id="userId",
    client_id="clientId",
    value="value",
    day=Key("day", load=date.fromisoformat, dump=date.isoformat),
    recorded_by="recordedBy",
    created_at="createdAt",
    member_since="memberSince",
)
_OPERATORS = {Aggregation.SUM: "$sum", Aggregation.MAX: "$max"}


class ScoreRecords:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def add(self, record: ScoreRecord) -> tuple[ScoreRecord, bool]:
        """Store a record: it and True; the one stored with its clientId before: that and
        False."""
        try:
            await self._collection.insert_one(SCORE_RECORDS.document(record))
        except DuplicateKeyError:
            found = await self._collection.find_one(_key(record))
            if found is None:
                raise
            return SCORE_RECORDS.record(found), False
        return record, True

    async def by_day(
        self,
        group_id: str,
        metric: str,
        user_id: str,
        aggregation: Aggregation,
        *,
        since: date,
        joined: datetime,
    ) -> dict[date, tuple[float, int]]:
        """A member's value and number of records of each day since `since`, of those recorded
        in their membership that began at `joined` (a member who left and came back starts
        afresh)."""
        days = await self._totals(
            {**_of(group_id, metric, user_id, joined), "day": {"$gte": since.isoformat()}},
            "$day",
            aggregation,
        )
        return {date.fromisoformat(str(day)): value for day, value in days.items()}

    async def overall(
        self,
        group_id: str,
        metric: str,
        user_id: str,
        aggregation: Aggregation,
        *,
        joined: datetime,
    ) -> tuple[float, int]:
        """A member's value and number of records of their membership that began at `joined`."""
        totals = await self._totals(_of(group_id, metric, user_id, joined), None, aggregation)
        return totals.get(None, (0, 0))

    async def _totals(
        self, match: Document, by: str | None, aggregation: Aggregation
    ) -> dict[str | None, tuple[float, int]]:
        found = await self._collection.aggregate(
            [
                {"$match": match},
                {
                    "$group": {
                        "_id": by,
                        "value": {_OPERATORS[aggregation]: "$value"},
                        "count": {"$sum": 1},
                    }
                },
            ]
        )
        return {doc["_id"]: (doc["value"], int(doc["count"])) async for doc in found}


def _of(group_id: str, metric: str, user_id: str, joined: datetime) -> Document:
    return {
        "groupId": group_id,
        "metric": metric,
        "userId": user_id,
        "memberSince": joined,
    }


def _key(record: ScoreRecord) -> Document:
    return {
        "groupId": record.group_id,
        "metric": record.metric,
        "userId": record.user_id,
        "clientId": record.client_id,
    }
