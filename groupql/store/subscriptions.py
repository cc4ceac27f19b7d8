"""The `subscriptions` collection: one document per (user, subscribe-message template)."""

from datetime import datetime

from pymongo import ASCENDING

from groupql.changes import Changes
from groupql.records import Subscription, SubscriptionStatus
from groupql.store.collection import Collection, Document
from groupql.store.documents import upsert
from groupql.store.tables import Table, enum_key

SUBSCRIPTIONS = Table(
    Subscription,
    user_id="userId",
    template_id="templateId",
    status=enum_key(SubscriptionStatus, "status"),
    credits="credits",
    updated_at="updatedAt",
)

_ONE_CREDIT = SUBSCRIPTIONS.to_set(Changes(Subscription, credits=1))
_ONE_CREDIT_LESS = SUBSCRIPTIONS.to_set(Changes(Subscription, credits=-1))


class Subscriptions:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def accept(self, *, user_id: str, template_id: str, now: datetime) -> Subscription:
        """One credit more: the user accepted the template once more (each accept allows one
        message)."""
        doc, _ = await upsert(
            self._collection,
            _key(user_id, template_id),
            {
                "$inc": _ONE_CREDIT,
                "$set": SUBSCRIPTIONS.to_set(
                    Changes(Subscription, status=SubscriptionStatus.ACCEPT, updated_at=now)
                ),
            },
        )
        return SUBSCRIPTIONS.record(doc)

    async def reject(self, *, user_id: str, template_id: str, now: datetime) -> Subscription:
        """The user turned the template off: no credit is left, so nothing more is sent."""
        doc, _ = await upsert(
            self._collection,
            _key(user_id, template_id),
            {
                "$set": SUBSCRIPTIONS.to_set(
                    Changes(
                        Subscription,
                        status=SubscriptionStatus.REJECT,
                        credits=0,
                        updated_at=now,
                    )
                )
            },
        )
        return SUBSCRIPTIONS.record(doc)

    async def consume(self, *, user_id: str, template_id: str) -> bool:
        """Take one credit for a send; False when there is none to take.

        The credit count in the filter makes racing senders take each credit once: never more
        than the user gave.
        """
        result = await self._collection.update_one(
            {
                **_key(user_id, template_id),
                "status": SubscriptionStatus.ACCEPT.value,
                "credits": {"$gt": 0},
            },
            {"$inc": _ONE_CREDIT_LESS},
        )
        return result.modified_count == 1

    async def refund(self, *, user_id: str, template_id: str) -> bool:
        """Give back a credit taken for a send WeChat did not deliver for a reason other than
        the credit; False when the user has turned the template off since (nothing is owed)."""
        result = await self._collection.update_one(
            {**_key(user_id, template_id), "status": SubscriptionStatus.ACCEPT.value},
            {"$inc": _ONE_CREDIT},
        )
        return result.modified_count == 1

    async def of_user(self, user_id: str) -> list[Subscription]:
        """A user's subscriptions, by template id."""
        docs = (
            await self._collection.find({"userId": user_id}).sort("templateId", ASCENDING).to_list()
        )
        return SUBSCRIPTIONS.records(docs)


def _key(user_id: str, template_id: str) -> Document:
    return {"userId": user_id, "templateId": template_id}
