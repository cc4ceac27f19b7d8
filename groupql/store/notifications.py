"""The `notifications` collection: what happened to whom, written once per recipient, or once per
group for everyone (@all) or its admins (a join request).

A notification is addressed (`to`) to a user id, to "group:<id>" or to "admins:<id>". A user's
feed is one query over their address and those of their groups: an @all in a group of 10,000
writes one document, not 10,000.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from bson import ObjectId
from pymongo import DESCENDING

from groupql.records import Notification, NotificationKind
from groupql.store.collection import Collection, Document
from groupql.store.documents import object_id
from groupql.store.tables import Table, enum_key, id_key

NOTIFICATIONS = Table(
    Notification,
    id=id_key(),
    kind=enum_key(NotificationKind, "kind"),
    group_id="groupId",
    created_at="createdAt",
    item_id="itemId",
    actor_id="actorId",
)


def to_user(user_id: str) -> str:
    return user_id


def to_group(group_id: str) -> str:
    return f"group:{group_id}"


def to_admins(group_id: str) -> str:
    return f"admins:{group_id}"


@dataclass(frozen=True)
class Reach:
    """One group whose notifications a user reads: those addressed to its members (and to its
    admins, for an admin) since they joined."""

    group_id: str
    since_id: str
    is_admin: bool


class Notifications:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def add(self, addressed: Sequence[tuple[str, Notification]]) -> None:
        """Store each (address, notification), in one round trip."""
        if addressed:
            await self._collection.insert_many(
                [{"to": to, **NOTIFICATIONS.document(one)} for to, one in addressed],
                ordered=False,
            )

    async def page(
        self,
        user_id: str,
        reach: Sequence[Reach],
        *,
        before_id: str | None,
        after_id: str | None,
        limit: int,
    ) -> list[Notification]:
        """The user's notifications from the groups in `reach`, newest first, with ids below
        `before_id` (a cursor) and above `after_id` (the read marker, for unread only)."""
        if not reach:
            return []
        clauses: list[Document] = [
            {"to": to_user(user_id), "groupId": {"$in": [one.group_id for one in reach]}}
        ]
        for one in reach:
            since = {"groupId": one.group_id, "_id": {"$gt": object_id(one.since_id)}}
            clauses.append({"to": to_group(one.group_id), **since, "actorId": {"$ne": user_id}})
            if one.is_admin:
                clauses.append({"to": to_admins(one.group_id), **since})
        query: Document = {"$or": clauses}
        bounds = {
            **({"$lt": object_id(before_id)} if before_id is not None else {}),
            **({"$gt": object_id(after_id)} if after_id is not None else {}),
        }
        if bounds:
            query["$and"] = [{"_id": bounds}]
        docs = await self._collection.find(query).sort("_id", DESCENDING).limit(limit).to_list()
        return NOTIFICATIONS.records(docs)


def new_id() -> str:
    return str(ObjectId())
