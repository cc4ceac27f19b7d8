"""The `reports` collection: members' reports of items, one per member and item."""

from collections.abc import Sequence

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from groupql.records import Report
from groupql.store.collection import Collection
from groupql.store.tables import Table, id_key

REPORTS = Table(
    Report,
    id=id_key(),
    group_id="groupId",
    item_id="itemId",
    reporter_id="reporterId",
    reason="reason",
    created_at="createdAt",
)
# The reasons an admin reads with an item; more reports only count.
MAX_REASONS_SHOWN = 20


class Reports:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def add(self, report: Report) -> bool:
        """Store a report; False if the member had reported the item already."""
        try:
            await self._collection.insert_one(REPORTS.document(report))
        except DuplicateKeyError:
            return False
        return True

    async def of_items(self, items: Sequence[tuple[str, str]]) -> list[list[Report]]:
        """The first reports of each (groupId, itemId), oldest first, in one round trip."""
        docs = (
            await self._collection.find(
                {
                    "groupId": {"$in": sorted({group_id for group_id, _ in items})},
                    "itemId": {"$in": [item_id for _, item_id in items]},
                }
            )
            .sort("_id", ASCENDING)
            .to_list()
        )
        by_item: dict[str, list[Report]] = {}
        for report in REPORTS.records(docs):
            shown = by_item.setdefault(report.item_id, [])
            if len(shown) < MAX_REASONS_SHOWN:
                shown.append(report)
        return [by_item.get(item_id, []) for _, item_id in items]
