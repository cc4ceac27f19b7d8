"""The `metrics` collection: the scores a group's admins defined (check-ins, quiz points...)."""

from pymongo import ASCENDING

from groupql.records import Aggregation, Metric
from groupql.store.collection import Collection
from groupql.store.documents import upsert
from groupql.store.tables import Table, enum_key

METRICS = Table(
    Metric,
    key="key",
    name="name",
    aggregation=enum_key(Aggregation, "aggregation"),
    unit="unit",
    group_id="groupId",
    created_at="createdAt",
)


class Metrics:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def define(self, metric: Metric) -> tuple[Metric, bool, bool]:
        """Define a metric, or rename one of the same key and aggregation: the metric as
        stored, whether this call made or changed it (False: the key holds another
        aggregation, which stays), and whether it made it."""
        key = {"groupId": metric.group_id, "key": metric.key}
        doc, created = await upsert(
            self._collection, key, {"$setOnInsert": METRICS.document(metric)}
        )
        stored = METRICS.record(doc)
        if stored.aggregation is not metric.aggregation:
            return stored, False, False
        if (stored.name, stored.unit) != (metric.name, metric.unit):
            doc, _ = await upsert(
                self._collection, key, {"$set": {"name": metric.name, "unit": metric.unit}}
            )
            stored = METRICS.record(doc)
        return stored, True, created

    async def forget(self, group_id: str, key: str) -> None:
        await self._collection.delete_one({"groupId": group_id, "key": key})

    async def of_group(self, group_id: str, *, limit: int) -> list[Metric]:
        cursor = self._collection.find({"groupId": group_id}).sort("key", ASCENDING).limit(limit)
        return METRICS.records(await cursor.to_list())

    async def get(self, group_id: str, key: str) -> Metric | None:
        doc = await self._collection.find_one({"groupId": group_id, "key": key})
        return None if doc is None else METRICS.record(doc)
