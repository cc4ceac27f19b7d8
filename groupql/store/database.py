"""The MongoDB connection (real or in-memory), its collections and the indexes they need."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

from groupql.store.collection import Collection, Document
from groupql.store.memory import MemoryMongoClient
from groupql.store.watched import Watched
from groupql.versions import Versions

# Options the URL may set itself (an operator tunes them there); these are the defaults.
DEFAULT_CLIENT_OPTIONS: dict[str, Any] = {
    # Every operation (server selection, the wait for a connection, the round trip) is bounded:
    # a request answers UNAVAILABLE within 15 s rather than hanging.
    "timeoutMS": 15_000,
    # Longer than a replica-set election (~12 s): a request waits out a failover.
    "serverSelectionTimeoutMS": 15_000,
    # Explicit, so that a PSA set or a URL's default cannot weaken them: a write is acknowledged
    # once a majority has it (it survives a failover), and reads see every acknowledged write
    # (seq N + 1 is claimed only after N is read; a stale secondary would make a hole).
    "w": "majority",
    "readPreference": "primary",
    "retryWrites": True,
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
    notifications: Collection
    subscriptions: Collection
    wechat_state: Collection
    wechat_pushes: Collection
    outbox: Collection
    uploads: Collection
    media: Collection
    reports: Collection
    metrics: Collection
    scores: Collection
    score_records: Collection
    step_days: Collection
    # The client's bound on each operation (timeoutMS), None for the in-memory engine.
    operation_timeout_s: float | None = None
    # What its writes move (groupql.store.watched), None when nothing is told of them.
    versions: Versions | None = None

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()

    def collections(self) -> dict[str, Collection]:
        """The collections by name."""
        return {
            one.name: getattr(self, one.name)
            for one in fields(self)
            if one.name not in ("client", "operation_timeout_s", "versions")
        }

    async def is_empty(self) -> bool:
        """Whether no collection holds a document (a new database, e.g. in dev)."""
        for collection in self.collections().values():
            if await collection.find_one({}, projection={"_id": True}) is not None:
                return False
        return True


def connect(
    url: str,
    database: str,
    *,
    event_listeners: Sequence[CommandListener] = (),
    versions: Versions | None = None,
) -> Database:
    """Open the engine the URL names: `memory://` in-process, anything else a real MongoDB.
    Every write moves the versions (groupql.store.watched): the in-memory server's own, which
    every client of it shares; with MongoDB, `versions` (Redis's), if given."""
    collection: Callable[[str], Collection]
    if url.startswith("memory://"):
        name = url.removeprefix("memory://").strip("/")
        memory = MemoryMongoClient(event_listeners=event_listeners, name=name)
        client: Client = memory
        collection, timeout_s = memory[database].__getitem__, None
        versions = memory.versions
    else:
        mongo: AsyncMongoClient[Document] = AsyncMongoClient(
            url, tz_aware=True, event_listeners=list(event_listeners), **_defaults_for(url)
        )
        client, collection, timeout_s = mongo, mongo[database].__getitem__, mongo.options.timeout
    if versions is not None:
        collection = _watched(collection, versions)
    return _on(client, collection, timeout_s, versions)


def _watched(
    collection: Callable[[str], Collection], versions: Versions
) -> Callable[[str], Collection]:
    return lambda name: Watched(collection(name), versions)


def _on(
    client: Client,
    collection: Callable[[str], Collection],
    operation_timeout_s: float | None,
    versions: Versions | None,
) -> Database:
    return Database(
        client=client,
        operation_timeout_s=operation_timeout_s,
        versions=versions,
        users=collection("users"),
        sessions=collection("sessions"),
        groups=collection("groups"),
        members=collection("members"),
        items=collection("items"),
        votes=collection("votes"),
        invites=collection("invites"),
        notifications=collection("notifications"),
        subscriptions=collection("subscriptions"),
        wechat_state=collection("wechat_state"),
        wechat_pushes=collection("wechat_pushes"),
        outbox=collection("outbox"),
        uploads=collection("uploads"),
        media=collection("media"),
        reports=collection("reports"),
        metrics=collection("metrics"),
        scores=collection("scores"),
        score_records=collection("score_records"),
        step_days=collection("step_days"),
    )


def _defaults_for(url: str) -> dict[str, Any]:
    """The default options the URL does not set: pymongo lets keyword options override the
    URL's, so passing a default the URL also names would silently win over the operator."""
    in_url = {key.lower() for key, _ in parse_qsl(urlsplit(url).query)}
    return {
        key: value for key, value in DEFAULT_CLIENT_OPTIONS.items() if key.lower() not in in_url
    }
