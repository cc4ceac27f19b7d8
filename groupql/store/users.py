"""The `users` collection: one document per (appid, openid)."""

from collections.abc import Sequence
from datetime import datetime

from bson import ObjectId

from groupql.changes import Changes
from groupql.records import User
from groupql.store.collection import Collection
from groupql.store.documents import changed_document, get_many, object_id, upsert
from groupql.store.kept_reads import KeptReads, Unkept
from groupql.store.tables import Key, Table, id_key

USERS = Table(
    User,
    id=id_key(),
    openid="openid",
    unionid="unionid",
    created_at="createdAt",
    encrypted_session_key="sessionKey",
    nickname="nickname",
    avatar_url="avatarUrl",
    avatar_key="avatarKey",
    notifications_read_up_to=Key(
        "notificationsReadUpTo", load=str, dump=lambda id_: None if id_ is None else ObjectId(id_)
    ),
    notifications_read_at="notificationsReadAt",
    steps_refreshed_at="stepsRefreshedAt",
)


class Users:
    def __init__(self, collection: Collection, kept: KeptReads[str, User | None] | Unkept) -> None:
        self._collection = collection
        self._kept = kept

    async def record_login(
        self,
        *,
        appid: str,
        openid: str,
        unionid: str | None,
        encrypted_session_key: bytes,
        now: datetime,
    ) -> User:
        """Create the user on first login; on every login replace the stored session key."""
        # A login without a unionid (the user follows no official account yet) keeps a known one.
        known = {} if unionid is None else {"unionid": unionid}
        fields = USERS.to_set(Changes(User, encrypted_session_key=encrypted_session_key, **known))
        doc, _ = await upsert(
            self._collection,
            {"appid": appid, "openid": openid},
            {
                "$set": {**fields, "lastLoginAt": now},
                "$setOnInsert": USERS.to_set(Changes(User, created_at=now)),
            },
        )
        return USERS.record(doc)

    async def get_many(self, ids: Sequence[str]) -> list[User | None]:
        """Users by id, in one round trip (none when all are kept: groupql.store.kept_reads)."""
        return await self._kept.get_many(ids, self._read)

    async def _read(self, ids: Sequence[str]) -> list[User | None]:
        return await get_many(self._collection, ids, USERS.record)

    async def change(self, user_id: str, changes: Changes[User]) -> User | None:
        """Set the fields `changes` names; None when the user is gone."""
        doc = await changed_document(
            self._collection, {"_id": object_id(user_id)}, {"$set": USERS.to_set(changes)}
        )
        return USERS.record(doc) if doc else None

    async def mark_notifications_read(
        self, user_id: str, *, up_to: str, now: datetime
    ) -> User | None:
        """Move the user's notifications marker up to `up_to` (never back); the user after."""
        up_to_id = object_id(up_to)
        doc = await changed_document(
            self._collection,
            {
                "_id": object_id(user_id),
                "$or": [
                    {"notificationsReadUpTo": {"$exists": False}},
                    {"notificationsReadUpTo": {"$lt": up_to_id}},
                ],
            },
            {
                "$set": USERS.to_set(
                    Changes(User, notifications_read_up_to=up_to, notifications_read_at=now)
                )
            },
        )
        if doc is not None:
            return USERS.record(doc)
        [user] = await self.get_many([user_id])
        return user

    async def steps_refreshed(self, user_id: str, at: datetime) -> None:
        """The user sent their steps at `at` (the marker only moves forward)."""
        await self._collection.update_one(
            {"_id": object_id(user_id)},
            {"$max": USERS.to_set(Changes(User, steps_refreshed_at=at))},
        )

    async def by_openid(self, *, appid: str, openid: str) -> User | None:
        doc = await self._collection.find_one({"appid": appid, "openid": openid})
        return USERS.record(doc) if doc else None

    async def drop_avatar(self, user_id: str, key: str) -> None:
        """Take a refused picture off the user's profile, if it is still theirs."""
        await self._collection.update_one(
            {"_id": object_id(user_id), "avatarKey": key},
            {"$set": USERS.to_set(Changes(User, avatar_key=None))},
        )
