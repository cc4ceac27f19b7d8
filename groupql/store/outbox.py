"""The `outbox` collection: subscribe messages waiting to be sent, one per recipient and group.

A message gathers the notifications of one recipient in one group until it is due (its digest
window, or the end of quiet hours): while it waits its `pendingKey` (unique) names it, so
racing notifications join the same message. Sending claims a due message with one conditional
write and a lease; a sender that dies leaves a lease that runs out, and another sends it.

A recipient is a user id, or a whole audience ("group:<id>", "admins:<id>", "all:<id>") that
the sender expands into one message per member when it comes due.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from pymongo import ASCENDING

from groupql.store.collection import Collection
from groupql.store.documents import object_id, upsert
from groupql.store.tables import Key, Table, id_key

# A message keeps the ids of its first notifications (enough to word it); `count` has them all.
MAX_NOTIFICATIONS_KEPT = 20


class OutboxState(Enum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    DROPPED = "DROPPED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    to: str
    group_id: str
    kind: str
    notification_ids: tuple[str, ...]
    count: int
    send_at: datetime
    attempts: int


OUTBOX = Table(
    OutboxMessage,
    id=id_key(),
    to="to",
    group_id="groupId",
    kind="kind",
    notification_ids=Key("notificationIds", load=tuple, dump=list, missing=()),
    count="count",
    send_at="sendAt",
    attempts="attempts",
)


class Outbox:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def gather(
        self,
        *,
        to: str,
        group_id: str,
        kind: str,
        notification_id: str | None,
        now: datetime,
        send_at: datetime,
    ) -> None:
        """Add a notification to the waiting message of (to, group), or start one due at
        `send_at`."""
        update: dict[str, object] = {
            "$inc": {"count": 1},
            "$setOnInsert": {
                "to": to,
                "groupId": group_id,
                "kind": kind,
                "state": OutboxState.PENDING.value,
                "createdAt": now,
                "sendAt": send_at,
                "attempts": 0,
            },
        }
        if notification_id is not None:
            update["$push"] = {
                "notificationIds": {"$each": [notification_id], "$slice": MAX_NOTIFICATIONS_KEPT}
            }
        await upsert(self._collection, {"pendingKey": _pending_key(to, group_id)}, update)

    async def add_due(
        self, messages: Sequence[tuple[str, str, str, tuple[str, ...], int]], now: datetime
    ) -> None:
        """Messages due now: (to, groupId, kind, notificationIds, count) each, in one round trip
        (an audience's message, expanded)."""
        if messages:
            await self._collection.insert_many(
                [
                    {
                        "to": to,
                        "groupId": group_id,
                        "kind": kind,
                        "notificationIds": list(ids),
                        "count": count,
                        "state": OutboxState.PENDING.value,
                        "createdAt": now,
                        "sendAt": now,
                        "attempts": 0,
                    }
                    for to, group_id, kind, ids, count in messages
                ],
                ordered=False,
            )

    async def claim_due(
        self, *, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboxMessage]:
        """Due messages (and those whose sender's lease ran out), each claimed for the caller."""
        docs = (
            await self._collection.find(
                {
                    "state": {"$in": [OutboxState.PENDING.value, OutboxState.SENDING.value]},
                    "sendAt": {"$lte": now},
                }
            )
            .sort("sendAt", ASCENDING)
            .limit(limit)
            .to_list()
        )
        claimed = []
        for doc in docs:
            # Claiming moves sendAt to the lease's end: a claimed message is due again only if
            # its sender never finished it.
            result = await self._collection.update_one(
                {"_id": doc["_id"], "state": doc["state"], "sendAt": doc["sendAt"]},
                {
                    "$set": {"state": OutboxState.SENDING.value, "sendAt": now + lease},
                    "$unset": {"pendingKey": ""},
                },
            )
            if result.modified_count == 1:
                claimed.append(OUTBOX.record(doc))
        return claimed

    async def finish(
        self, message_id: str, state: OutboxState, *, now: datetime, detail: str = ""
    ) -> None:
        await self._collection.update_one(
            {"_id": object_id(message_id)},
            {"$set": {"state": state.value, "finishedAt": now, "detail": detail[:500]}},
        )

    async def retry(self, message_id: str, *, at: datetime, detail: str) -> None:
        await self._collection.update_one(
            {"_id": object_id(message_id)},
            {
                "$set": {"state": OutboxState.PENDING.value, "sendAt": at, "detail": detail[:500]},
                "$inc": {"attempts": 1},
            },
        )


def _pending_key(to: str, group_id: str) -> str:
    return f"{to}|{group_id}"
