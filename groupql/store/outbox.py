"""The `outbox` collection: subscribe messages on their way, one per recipient, group and
template.

A message gathers the notifications of one recipient in one group told by one template until it
is due (its digest window, or the end of quiet hours): while it waits, its unique `pendingKey`
names it, so racing notifications join the same message. A sender claims one due message at a
time with one conditional write that gives it a lease (`sendAt` moves to the lease's end) and a
claim token; only the holder of the claim finishes or postpones it, and a message whose sender
died is due again when the lease runs out. Finished messages are deleted a week later (TTL).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument

from groupql.changes import Changes
from groupql.records import OutboxMessage, OutboxState
from groupql.store.collection import Collection, Document
from groupql.store.documents import object_id, upsert
from groupql.store.tables import Key, Table, enum_key, id_key

# A message keeps the ids of its first notifications (enough to word it); `count` has them all.
MAX_NOTIFICATIONS_KEPT = 20

OUTBOX = Table(
    OutboxMessage,
    id=id_key(),
    to="to",
    group_id="groupId",
    kind="kind",
    template_id="templateId",
    state=enum_key(OutboxState, "state"),
    send_at="sendAt",
    count="count",
    notification_ids=Key("notificationIds", load=tuple, dump=list, missing=()),
    actor_ids=Key("actorIds", load=tuple, dump=list, missing=()),
    attempts="attempts",
    claim="claim",
)
_DUE = [OutboxState.PENDING.value, OutboxState.SENDING.value]


class Outbox:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def gather(
        self,
        *,
        to: str,
        group_id: str,
        kind: str,
        template_id: str,
        notification_ids: Sequence[str],
        actor_ids: Sequence[str],
        now: datetime,
        send_at: datetime,
        count: int = 1,
    ) -> None:
        """Add `count` notifications to the waiting message of (to, group, template), or start
        one due at `send_at`."""
        on_insert = OUTBOX.to_set(
            Changes(
                OutboxMessage,
                to=to,
                group_id=group_id,
                kind=kind,
                template_id=template_id,
                state=OutboxState.PENDING,
                send_at=send_at,
                attempts=0,
            )
        )
        update: Document = {
            "$inc": {"count": count},
            "$setOnInsert": {**on_insert, "createdAt": now},
        }
        if notification_ids:
            update["$push"] = {
                "notificationIds": {
                    "$each": list(notification_ids),
                    "$slice": MAX_NOTIFICATIONS_KEPT,
                }
            }
        if actor_ids:
            update["$addToSet"] = {"actorIds": {"$each": list(actor_ids)}}
        await upsert(self._collection, {"pendingKey": f"{to}|{group_id}|{template_id}"}, update)

    async def claim_next(self, *, now: datetime, lease: timedelta) -> OutboxMessage | None:
        """The next due message (or one whose sender's lease ran out), claimed for the caller
        until now + lease; None when nothing is due."""
        doc = await self._collection.find_one_and_update(
            {"state": {"$in": _DUE}, "sendAt": {"$lte": now}},
            {
                "$set": OUTBOX.to_set(
                    Changes(
                        OutboxMessage,
                        state=OutboxState.SENDING,
                        send_at=now + lease,
                        claim=uuid.uuid4().hex,
                    )
                ),
                # Claimed, it takes no more notifications: new ones start the next message.
                "$unset": {"pendingKey": ""},
            },
            sort=[("sendAt", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return OUTBOX.record(doc) if doc else None

    async def finish(
        self, message: OutboxMessage, state: OutboxState, *, now: datetime, detail: str = ""
    ) -> bool:
        """End a message the caller holds; False if its claim was lost (its lease ran out)."""
        return await self._held(
            message,
            {
                "$set": {
                    **OUTBOX.to_set(Changes(OutboxMessage, state=state, claim=None)),
                    "finishedAt": now,
                    "detail": detail[:500],
                }
            },
        )

    async def postpone(
        self, message: OutboxMessage, *, until: datetime, detail: str, attempt: bool
    ) -> bool:
        """Put a held message back until `until`; `attempt` counts a failed try."""
        update: Document = {
            "$set": {
                **OUTBOX.to_set(
                    Changes(OutboxMessage, state=OutboxState.PENDING, send_at=until, claim=None)
                ),
                "detail": detail[:500],
            }
        }
        if attempt:
            update["$inc"] = {"attempts": 1}
        return await self._held(message, update)

    async def _held(self, message: OutboxMessage, update: Document) -> bool:
        result = await self._collection.update_one(
            {"_id": object_id(message.id), "claim": message.claim}, update
        )
        return bool(result.modified_count == 1)
