"""The MongoDB connection (real or in-memory), its collections and the indexes they need."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.monitoring import CommandListener

from groupql.store.memory import MemoryMongoClient

# Product code treats both engines alike; their classes share no base, so collections are `Any`.
Collection = Any

SERVER_SELECTION_TIMEOUT_MS = 5000


@dataclass
class Database:
    client: Any
    users: Collection
    sessions: Collection
    groups: Collection
    members: Collection
    items: Collection
    votes: Collection
    invites: Collection

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()

    async def create_indexes(self) -> None:
        await self.users.create_indexes(
            [IndexModel([("appid", ASCENDING), ("openid", ASCENDING)], unique=True)]
        )
        await self.sessions.create_indexes(
            [
                IndexModel([("tokenHash", ASCENDING)], unique=True),
                # MongoDB's TTL monitor deletes expired sessions; reads check expiry too,
                # since the monitor runs only once a minute.
                IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0),
            ]
        )
        await self.groups.create_indexes(
            [
                IndexModel(
                    [("appid", ASCENDING), ("openGId", ASCENDING)],
                    unique=True,
                    partialFilterExpression={"openGId": {"$type": "string"}},
                )
            ]
        )
        await self.members.create_indexes(
            [
                IndexModel([("groupId", ASCENDING), ("userId", ASCENDING)], unique=True),
                IndexModel([("userId", ASCENDING), ("status", ASCENDING)]),
            ]
        )
        await self.items.create_indexes(
            [
                IndexModel([("groupId", ASCENDING), ("seq", ASCENDING)], unique=True),
                IndexModel([("replyTo", ASCENDING), ("seq", ASCENDING)]),
            ]
        )
        await self.votes.create_indexes(
            [IndexModel([("itemId", ASCENDING), ("userId", ASCENDING)], unique=True)]
        )
        await self.invites.create_indexes(
            [
                IndexModel([("code", ASCENDING)], unique=True),
                IndexModel([("groupId", ASCENDING), ("_id", ASCENDING)]),
            ]
        )


def connect(
    url: str, database: str, *, event_listeners: Sequence[CommandListener] = ()
) -> Database:
    """Open the engine the URL names: `memory://` in-process, anything else a real MongoDB."""
    client: Any
    if url.startswith("memory://"):
        name = url.removeprefix("memory://").strip("/")
        client = MemoryMongoClient(event_listeners=event_listeners, name=name)
    else:
        client = AsyncMongoClient(
            url,
            tz_aware=True,
            event_listeners=list(event_listeners),
            # Fail a request within seconds when no server answers, rather than pymongo's 30 s.
            serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
        )
    db = client[database]
    return Database(
        client=client,
        users=db["users"],
        sessions=db["sessions"],
        groups=db["groups"],
        members=db["members"],
        items=db["items"],
        votes=db["votes"],
        invites=db["invites"],
    )
