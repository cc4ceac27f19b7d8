"""What every instance shares about WeChat: the access token cache, and the pushes counted."""

from collections.abc import Callable
from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from groupql.records import CachedToken
from groupql.store.collection import Collection


class MongoTokenCache:
    """groupql.wechat.access_token.TokenCache on one document of `wechat_state`:
    `{_id: key, token, expiresAt, lockHolder, lockUntil}`, each method one read or one
    conditional write, so that every instance of the app sees the same token and lock."""

    def __init__(self, collection: Collection, key: str, clock: Callable[[], datetime]) -> None:
        self._collection = collection
        self._key = key
        self._clock = clock

    async def get(self) -> CachedToken | None:
        doc = await self._collection.find_one({"_id": self._key})
        if doc is None or "token" not in doc:
            return None
        return CachedToken(token=doc["token"], expires_at=doc["expiresAt"])

    async def put(self, token: str, expires_at: datetime) -> None:
        # Racing first puts cannot fail: MongoDB retries an upsert that lost the race to insert
        # a document it names by _id alone, and the retry updates the winner's document.
        await self._collection.find_one_and_update(
            {"_id": self._key},
            {"$set": {"token": token, "expiresAt": expires_at}},
            upsert=True,
        )

    async def try_lock(self, holder: str, ttl_s: float) -> bool:
        now = self._clock()
        try:
            await self._collection.find_one_and_update(
                {
                    "_id": self._key,
                    "$or": [{"lockUntil": {"$exists": False}}, {"lockUntil": {"$lte": now}}],
                },
                {"$set": {"lockHolder": holder, "lockUntil": now + timedelta(seconds=ttl_s)}},
                upsert=True,
            )
        except DuplicateKeyError:
            # The document exists and its lock stands: the filter matched nothing, and the
            # upsert's insert of a second document with the same _id was refused.
            return False
        return True

    async def unlock(self, holder: str) -> None:
        await self._collection.update_one(
            {"_id": self._key, "lockHolder": holder},
            {"$unset": {"lockHolder": "", "lockUntil": ""}},
        )

    async def invalidate_if(self, token: str) -> bool:
        result = await self._collection.update_one(
            {"_id": self._key, "token": token}, {"$unset": {"token": "", "expiresAt": ""}}
        )
        return result.modified_count == 1


class PushReceipts:
    """The `wechat_pushes` collection: the key of each push already counted, for a day.

    WeChat sends a push again when it got no answer within 5 seconds, up to three times: the
    key (openid, event, create_time) lets each event count once.
    """

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def first_time(self, key: str, now: datetime) -> bool:
        """Whether this is the first time the push with `key` arrived (one insert: of racing
        deliveries, one is first)."""
        try:
            await self._collection.insert_one({"_id": key, "receivedAt": now})
        except DuplicateKeyError:
            return False
        return True

    async def forget(self, key: str) -> None:
        """Let a push count again: counting it failed, and WeChat will send it again."""
        await self._collection.delete_one({"_id": key})
