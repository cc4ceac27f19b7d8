"""The `scores` collection: each member's score in a group's ranking of one metric and period,
kept ordered by score by an index, so that a page of a ranking and a member's rank are each one
query, whatever the group's size."""

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING, DESCENDING

from groupql.records import Score
from groupql.store.collection import Collection, Document
from groupql.store.tables import Table
from groupql.store.versioned import Versioned, add_to, put_newer

SCORES = Table(
    Score,
    group_id="groupId",
    metric="metric",
    period="period",
    user_id="userId",
    score="score",
    version="version",
    updated_at="updatedAt",
)


def score_key(group_id: str, metric: str, period: str, user_id: str) -> Document:
    return {"groupId": group_id, "metric": metric, "period": period, "userId": user_id}


class Scores:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def put(self, scores: Sequence[Score]) -> None:
        """Set each score, unless one of a newer version is stored (one round trip)."""
        await put_newer(
            self._collection,
            [
                Versioned(
                    score_key(one.group_id, one.metric, one.period, one.user_id),
                    {"score": one.score, "updatedAt": one.updated_at},
                    one.version,
                )
                for one in scores
            ],
        )

    async def add(
        self,
        group_id: str,
        metric: str,
        periods: Sequence[str],
        user_id: str,
        amount: float,
        now: datetime,
    ) -> None:
        """Add to a member's score of each period (counted metrics: posts, accepted answers)."""
        keys = [score_key(group_id, metric, period, user_id) for period in periods]
        await add_to(self._collection, keys, {"score": amount}, {"updatedAt": now})

    async def page(
        self,
        group_id: str,
        metric: str,
        period: str,
        *,
        after: tuple[float, str] | None,
        limit: int,
    ) -> list[Score]:
        """A ranking's scores, highest first (ties by user id), after a (score, userId)."""
        query: Document = {"groupId": group_id, "metric": metric, "period": period}
        if after is not None:
            score, user_id = after
            query["$or"] = [
                {"score": {"$lt": score}},
                {"score": score, "userId": {"$gt": user_id}},
            ]
        cursor = (
            self._collection.find(query)
            .sort([("score", DESCENDING), ("userId", ASCENDING)])
            .limit(limit)
        )
        return SCORES.records(await cursor.to_list())

    async def of_user(self, group_id: str, metric: str, period: str, user_id: str) -> Score | None:
        doc = await self._collection.find_one(score_key(group_id, metric, period, user_id))
        return None if doc is None else SCORES.record(doc)

    async def standing(
        self, group_id: str, metric: str, period: str, score: float | None
    ) -> tuple[int, int]:
        """How many scores of a ranking are higher than `score`, and how many it has, in one
        query (read from the ranking's index alone)."""
        higher = {"$cond": [{"$gt": ["$score", score]}, 1, 0]} if score is not None else 0
        found = await self._collection.aggregate(
            [
                {"$match": {"groupId": group_id, "metric": metric, "period": period}},
                {"$group": {"_id": None, "higher": {"$sum": higher}, "all": {"$sum": 1}}},
            ]
        )
        async for doc in found:
            return int(doc["higher"]), int(doc["all"])
        return 0, 0

    async def drop(self, group_id: str, user_id: str, metric: str | None = None) -> None:
        """Take a member's scores out of a group's rankings (of one metric, or all)."""
        query: Document = {"groupId": group_id, "userId": user_id}
        if metric is not None:
            query["metric"] = metric
        await self._collection.delete_many(query)
