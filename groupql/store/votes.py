"""The `votes` collection: one vote (the options chosen) per (poll item, user)."""

from collections.abc import Sequence
from datetime import datetime

from groupql.records import OptionTally, PollTally
from groupql.store.collection import Collection
from groupql.store.documents import upsert


class Votes:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def cast(
        self, *, item_id: str, user_id: str, option_ids: Sequence[str], now: datetime
    ) -> None:
        """Record a vote, replacing the user's earlier one on that poll."""
        await upsert(
            self._collection,
            {"itemId": item_id, "userId": user_id},
            {"$set": {"optionIds": list(option_ids), "castAt": now}},
        )

    async def withdraw(self, *, item_id: str, user_id: str) -> None:
        await self._collection.delete_one({"itemId": item_id, "userId": user_id})

    async def tallies(self, item_ids: Sequence[str]) -> list[PollTally]:
        """Counts and voters per option of each poll, in one round trip."""
        rows = await self._collection.aggregate(
            [
                {"$match": {"itemId": {"$in": list(item_ids)}}},
                {"$unwind": "$optionIds"},
                {
                    "$group": {
                        "_id": {"item": "$itemId", "option": "$optionIds"},
                        "voters": {"$push": "$userId"},
                    }
                },
            ]
        )
        options: dict[str, list[OptionTally]] = {}
        voters: dict[str, set[str]] = {}
        async for row in rows:
            item_id = row["_id"]["item"]
            options.setdefault(item_id, []).append(
                OptionTally(
                    option_id=row["_id"]["option"],
                    votes=len(row["voters"]),
                    voter_ids=tuple(row["voters"]),
                )
            )
            voters.setdefault(item_id, set()).update(row["voters"])
        return [
            PollTally(
                voter_count=len(voters.get(item_id, ())),
                options=tuple(options.get(item_id, ())),
            )
            for item_id in item_ids
        ]

    async def of_user(self, user_id: str, item_ids: Sequence[str]) -> list[tuple[str, ...]]:
        """The option ids a user chose in each poll (empty when they have not voted)."""
        docs = await self._collection.find(
            {"userId": user_id, "itemId": {"$in": list(item_ids)}}
        ).to_list()
        by_item = {doc["itemId"]: tuple(doc["optionIds"]) for doc in docs}
        return [by_item.get(item_id, ()) for item_id in item_ids]

    async def voters(self, item_id: str) -> list[str]:
        """Who voted in a poll."""
        docs = await self._collection.find({"itemId": item_id}).to_list()
        return [doc["userId"] for doc in docs]
