"""The MongoDB connection (real or in-memory), its collections and the indexes they need."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.monitoring import CommandListener

from groupql.store.collection import Collection, Document
from groupql.store.memory import MemoryMongoClient

# Options the URL may set itself (an operator tunes them there); these are the defaults.
DEFAULT_CLIENT_OPTIONS: dict[str, Any] = {
    # Fail a request within seconds when no server answers, rather than pymongo's 30 s.
    "serverSelectionTimeoutMS": 5000,
}


class _Admin(Protocol):
    async def command(self, command: str) -> Any: ...


class Client(Protocol):
    """What the app does with a client itself: ping the server, and close."""

    @property
    def admin(self) -> _Admin: ...

    async def close(self) -> None: ...


@dataclass
class Database:
    client: Client
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
    if url.startswith("memory://"):
        name = url.removeprefix("memory://").strip("/")
        memory = MemoryMongoClient(event_listeners=event_listeners, name=name)
        return _on(memory, memory[database].__getitem__)
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        url, tz_aware=True, event_listeners=list(event_listeners), **_defaults_for(url)
    )
    return _on(client, client[database].__getitem__)


def _on(client: Client, collection: Callable[[str], Collection]) -> Database:
    return Database(
        client=client,
        users=collection("users"),
        sessions=collection("sessions"),
        groups=collection("groups"),
        members=collection("members"),
        items=collection("items"),
        votes=collection("votes"),
        invites=collection("invites"),
    )


def _defaults_for(url: str) -> dict[str, Any]:
    """The default options the URL does not set: pymongo lets keyword options override the
    URL's, so passing a default the URL also names would silently win over the operator."""
    in_url = {key.lower() for key, _ in parse_qsl(urlsplit(url).query)}
    return {
        key: value for key, value in DEFAULT_CLIENT_OPTIONS.items() if key.lower() not in in_url
    }
