"""Scale: what a group page, a login and a join cost on the in-memory engine when its store
holds 100 items and 100 users, and when it holds 100,000 items and 10,000 users (the goal: the
large store within 1.5x of the small one).

Each store is seeded straight through the store's tables with what the app writes (users with
their sealed session keys, one session each, groups of 20 members, items with their search
terms and client ids) and indexed after, as `groupql migrate` finds a full database; then the
real app serves it. The page's group is the same in both stores (20 members, 20 items): only the
rest of the store grows. A round times, through the ASGI app, the page (benchmarks.feed's
GROUP_PAGE, as a member), a login (a dev-mode code of a known user for a token) and a join (a
logged-in user's share ticket, resolveShareTicket) on the small store then the large; medians.
Each figure also counts the documents the engine examined (applied a filter to).

Then the same without the engine's indexes (`uses_indexes=False`: every look-up scans its
collection, as the engine did before), in fewer rounds.
"""

import hashlib
import secrets
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId

from benchmarks.feed import APPID, GROUP_PAGE, JOIN, LOGIN, PAGE_SIZE, SECRET_KEY, graphql_data
from benchmarks.feed import share_ticket as share_ticket_of
from benchmarks.timing import format_ms
from groupql.app import create_app
from groupql.changes import Changes
from groupql.config import Settings
from groupql.records import (
    Group,
    GroupKind,
    Item,
    ItemContent,
    ItemType,
    Member,
    MemberStatus,
    Role,
    Session,
    User,
)
from groupql.services.session_keys import SessionKeyCipher
from groupql.store import Database, connect
from groupql.store.collection import Collection, Document
from groupql.store.groups import GROUPS
from groupql.store.indexes import migrate
from groupql.store.items import stored
from groupql.store.members import MEMBERS
from groupql.store.memory import MemoryMongoClient
from groupql.store.sessions import SESSIONS
from groupql.store.users import USERS
from groupql.wechat.code2session import dev_session_for_code


@dataclass(frozen=True)
class Size:
    name: str
    users: int
    items: int


SMALL = Size("100 items, 100 users", users=100, items=100)
LARGE = Size("100,000 items, 10,000 users", users=10_000, items=100_000)
GOAL = 1.5
ROUNDS = 15
ROUNDS_WITHOUT_INDEXES = 3
GROUP_SIZE = PAGE_SIZE
_BATCH = 1_000
# Words of group chat, English and Chinese: items get the search terms posts get.
_WORDS = ["morning", "run", "coffee", "周末", "爬山", "photo", "meeting", "lunch", "篮球"]
_STARTED = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cost:
    uses_indexes: bool
    operation: str
    small_s: float
    large_s: float
    small_examined: int
    large_examined: int

    @property
    def ratio(self) -> float:
        return self.large_s / self.small_s


@dataclass
class Store:
    """A running app on one seeded store, and what its rounds use."""

    http: httpx.AsyncClient
    memory: Any  # the engine's database, for its count of documents examined
    viewer_token: str
    page: dict[str, Any]
    share_ticket: Callable[[str], dict[str, str]]
    logins: list[str]  # codes of users who log in, one per round
    joiners: list[tuple[str, str]]  # (code, token) of users who join, one per round


async def run() -> list[Cost]:
    costs: list[Cost] = []
    for uses_indexes, rounds in ((False, ROUNDS_WITHOUT_INDEXES), (True, ROUNDS)):
        async with AsyncExitStack() as stack:
            small = await stack.enter_async_context(serving(SMALL, uses_indexes, rounds + 1))
            large = await stack.enter_async_context(serving(LARGE, uses_indexes, rounds + 1))
            costs += await _costs(small, large, rounds, uses_indexes=uses_indexes)
    return costs


def rows(costs: list[Cost]) -> list[tuple[str, ...]]:
    table: list[tuple[str, ...]] = [
        ("engine", "operation", SMALL.name, LARGE.name, "ratio", "documents examined"),
    ]
    for cost in costs:
        table.append(
            (
                "indexed" if cost.uses_indexes else "scanning (before)",
                cost.operation,
                format_ms(cost.small_s),
                format_ms(cost.large_s),
                f"{cost.ratio:.2f}x"
                + ("" if not cost.uses_indexes or cost.ratio <= GOAL else " (over goal)"),
                f"{cost.small_examined:,} / {cost.large_examined:,}",
            )
        )
    return table


async def _costs(small: Store, large: Store, rounds: int, *, uses_indexes: bool) -> list[Cost]:
    operations: dict[str, Callable[[Store, int], Awaitable[object]]] = {
        "group page": _page,
        "login": _login,
        "join by share ticket": _join,
    }
    samples: dict[tuple[str, int], list[tuple[float, int]]] = {}
    for round_ in range(rounds + 1):  # the first warms up: caches, the indexes' maps
        for name, operation in operations.items():
            # Interleaved, the small store first in one round and the large in the next.
            for index, store in sorted(enumerate((small, large)), reverse=round_ % 2 == 1):
                examined = store.memory.documents_examined
                start = time.perf_counter()
                await operation(store, round_)
                elapsed = time.perf_counter() - start
                if round_:
                    examined = store.memory.documents_examined - examined
                    samples.setdefault((name, index), []).append((elapsed, examined))
    return [
        Cost(
            uses_indexes=uses_indexes,
            operation=name,
            small_s=statistics.median(s for s, _ in samples[name, 0]),
            large_s=statistics.median(s for s, _ in samples[name, 1]),
            small_examined=round(statistics.median(n for _, n in samples[name, 0])),
            large_examined=round(statistics.median(n for _, n in samples[name, 1])),
        )
        for name in operations
    ]


async def _page(store: Store, _: int) -> None:
    data = await graphql_data(store.http, GROUP_PAGE, store.page, token=store.viewer_token)
    group = data["group"]
    if len(group["items"]["edges"]) != PAGE_SIZE or len(group["members"]["edges"]) != PAGE_SIZE:
        raise RuntimeError(f"the page's group is not the seeded one: {group}")


async def _login(store: Store, round_: int) -> None:
    await graphql_data(store.http, LOGIN, {"code": store.logins[round_]})


async def _join(store: Store, round_: int) -> None:
    code, token = store.joiners[round_]
    await graphql_data(store.http, JOIN, store.share_ticket(code), token=token)


@asynccontextmanager
async def serving(size: Size, uses_indexes: bool, rounds: int) -> AsyncIterator[Store]:
    """The app on a store of `size`, seeded and indexed; users for `rounds` logins and joins."""
    name = f"scale-{uuid.uuid4().hex[:8]}"
    MemoryMongoClient(name=name, uses_indexes=uses_indexes)  # the server the app then opens
    settings = Settings(
        secret_key=SECRET_KEY,
        wechat_appid=APPID,
        mongodb_url=f"memory://{name}",
        rate_logins_per_min=0,
        rate_anonymous_per_min=0,
        rate_writes_per_min=0,
        # Each read runs: what these benchmarks measure is running it (http_compare measures
        # the response cache).
        response_cache="off",
    )
    database = connect(settings.mongodb_url, settings.mongodb_db)
    page_group = await _seed(database, size, SessionKeyCipher(settings.secret_key_value()))
    await migrate(database.collections())
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.bench") as http:

            async def token_of(code: str) -> str:
                token: str = (await graphql_data(http, LOGIN, {"code": code}))["login"]["token"]
                return token

            # Outside the page's group: the users of the next groups log in and join.
            outsiders = [_code(n) for n in range(GROUP_SIZE, GROUP_SIZE + 2 * rounds)]
            yield Store(
                http=http,
                memory=MemoryMongoClient(name=name)[settings.mongodb_db],
                viewer_token=await token_of(_code(0)),
                page={"id": page_group, "first": PAGE_SIZE},
                share_ticket=lambda code: share_ticket_of(code, APPID, _open_gid(0)),
                logins=outsiders[rounds:],
                joiners=[(code, await token_of(code)) for code in outsiders[:rounds]],
            )


async def _seed(database: Database, size: Size, cipher: SessionKeyCipher) -> str:
    """Users with a session each, in groups of GROUP_SIZE; the first group (the page's) with
    GROUP_SIZE items, the others with the rest. Returns the first group's id."""
    users = [_user(n, cipher) for n in range(size.users)]
    groups = [
        _group(number, owner_id=str(users[number * GROUP_SIZE]["_id"]))
        for number in range(size.users // GROUP_SIZE)
    ]
    members = [
        _member(groups[n // GROUP_SIZE], str(user["_id"]), is_owner=n % GROUP_SIZE == 0)
        for n, user in enumerate(users)
    ]
    items = [_item(groups[0], users[:GROUP_SIZE], seq) for seq in range(1, GROUP_SIZE + 1)]
    for n in range(size.items - GROUP_SIZE):
        number = 1 + n % (len(groups) - 1)
        authors = users[number * GROUP_SIZE : (number + 1) * GROUP_SIZE]
        items.append(_item(groups[number], authors, 1 + n // (len(groups) - 1)))
    await _insert(database.users, users)
    await _insert(database.sessions, [_session(str(user["_id"])) for user in users])
    await _insert(database.groups, [GROUPS.document(group) for group in groups])
    await _insert(database.members, members)
    await _insert(database.items, items)
    return groups[0].id


def _code(n: int) -> str:
    return f"scale-user-{n}"


def _open_gid(number: int) -> str:
    return f"G-scale-{number}"


def _user(n: int, cipher: SessionKeyCipher) -> Document:
    """As Users.record_login writes a user at their first login."""
    wechat = dev_session_for_code(_code(n), APPID)
    sealed = cipher.encrypt(wechat.session_key, owner=f"{APPID}:{wechat.openid}")
    return {
        "_id": ObjectId(),
        "appid": APPID,
        "openid": wechat.openid,
        **USERS.to_set(Changes(User, encrypted_session_key=sealed)),
        "lastLoginAt": _STARTED,
        **USERS.to_set(Changes(User, created_at=_STARTED)),
    }


def _session(user_id: str) -> Document:
    """As Sessions.create writes the session of a login."""
    return {
        "tokenHash": hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest(),
        "createdAt": _STARTED,
        **SESSIONS.document(Session(user_id=user_id, expires_at=_STARTED + timedelta(days=365))),
    }


def _group(number: int, *, owner_id: str) -> Group:
    return Group(
        id=str(ObjectId()),
        appid=APPID,
        open_gid=_open_gid(number),
        kind=GroupKind.WECHAT_GROUP,
        chat_type=None,
        title=None,
        owner_id=owner_id,
        created_at=_STARTED,
    )


def _member(group: Group, user_id: str, *, is_owner: bool) -> Document:
    """As Members.find_or_create writes a member who joined by share ticket."""
    joined = Changes(
        Member,
        role=Role.OWNER if is_owner else Role.MEMBER,
        status=MemberStatus.ACTIVE,
        joined_at=_STARTED,
        muted_until=None,
        last_read_seq=0,
    )
    return {"_id": ObjectId(), "groupId": group.id, "userId": user_id, **MEMBERS.to_set(joined)}


def _item(group: Group, authors: list[Document], seq: int) -> Document:
    """As Items.append stores a post (with its author's client id, as a client that retries
    sends one)."""
    words = [_WORDS[(seq * 7 + step * 3) % len(_WORDS)] for step in range(4)]
    author = authors[seq % len(authors)]
    return stored(
        Item(
            id=str(ObjectId()),
            group_id=group.id,
            seq=seq,
            type=ItemType.TEXT,
            author_id=str(author["_id"]),
            content=ItemContent(text=f"#{seq} " + " ".join(words)),
            reply_to=None,
            created_at=_STARTED + timedelta(minutes=seq),
            client_id=f"post-{seq}",
        )
    )


async def _insert(collection: Collection, documents: list[Document]) -> None:
    for start in range(0, len(documents), _BATCH):
        await collection.insert_many(documents[start : start + _BATCH])
