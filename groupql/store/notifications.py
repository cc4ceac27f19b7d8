"""The `notifications` collection: what happened to whom, written once per recipient, or once per
group for everyone (@all) or its admins (a join request).

A notification is addressed (`to`) to a user id, to "group:<id>" or to "admins:<id>". A user's
feed is one query over their address and those of their groups: an @all in a group of 10,000
writes one document, not 10,000.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bson import ObjectId
from pymongo import DESCENDING

from groupql.records import Notification, NotificationKind
from groupql.store.collection import Collection, Document
from groupql.store.documents import get_many, object_id
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


def to_all(group_id: str) -> str:
    """The members who hear every new item of the group (level ALL)."""
    return f"all:{group_id}"


class Audience(Enum):
    GROUP = "group"
    ADMINS = "admins"
    ALL = "all"


def audience_of(to: str) -> tuple[Audience, str] | None:
    """The audience and group an address names; None for a user's own address."""
    kind, _, group_id = to.partition(":")
    return (Audience(kind), group_id) if group_id and kind in _AUDIENCES else None


_AUDIENCES = frozenset(audience.value for audience in Audience)


@dataclass(frozen=True)
class Reach:
    """One group whose notifications a user reads: those addressed to its members (and to its
    admins, for an admin) since they joined."""

    group_id: str
    joined_at: datetime
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

    async def get_many(self, ids: Sequence[str]) -> list[Notification | None]:
        return await get_many(self._collection, ids, NOTIFICATIONS.record)

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
            # Ids tell time to the second; within the second of joining, createdAt tells.
            since = {
                "groupId": one.group_id,
                "_id": {"$gte": object_id(first_id_at(one.joined_at))},
                "createdAt": {"$gte": one.joined_at},
            }
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

    async def newest_id(self, user_id: str, reach: Sequence[Reach]) -> str | None:
        """The id of the newest notification the user can read."""
        found = await self.page(user_id, reach, before_id=None, after_id=None, limit=1)
        return found[0].id if found else None


def new_id(now: datetime) -> str:
    """An id that sorts by `now` (the app's clock), then by creation in this process."""
    return str(ObjectId(_seconds(now) + ObjectId().binary[4:]))


def last_id_at(now: datetime) -> str:
    """The greatest id a notification made up to `now` (within its second) can have."""
    return str(ObjectId(_seconds(now) + b"\xff" * 8))


def first_id_at(now: datetime) -> str:
    """The least id a notification made at `now` (within its second) can have."""
    return str(ObjectId(_seconds(now) + b"\x00" * 8))


def _seconds(now: datetime) -> bytes:
    return int(now.timestamp()).to_bytes(4, "big")
