"""What the app's instances share about WeChat: one access token with one refresh lock, and
each push counted once; on the in-memory engine and on a real MongoDB."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from groupql.store.indexes import INDEXES, migrate
from groupql.store.wechat_state import MongoTokenCache, PushReceipts
from groupql.wechat.access_token import AccessTokens
from tests.conftest import Clock
from tests.store import shapes
from tests.store.engines import ENGINES, a_database_name, engine_client

KEY = "access_token:wxtestapp00000001"
LOCK_TTL_S = 10


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A database with the declared indexes, on each engine."""
    name = a_database_name()
    async with engine_client(request.param, name, shapes.RECORDER) as client:
        db = client[name]
        await migrate({collection: db[collection] for collection in INDEXES})
        yield db


def an_instance(db: Any, clock: Clock) -> MongoTokenCache:
    """The token cache as one instance of the app has it."""
    return MongoTokenCache(db["wechat_state"], KEY, clock)


@pytest.fixture
def cache(db: Any, clock: Clock) -> MongoTokenCache:
    return an_instance(db, clock)


@pytest.fixture
def receipts(db: Any) -> PushReceipts:
    return PushReceipts(db["wechat_pushes"])


async def test_there_is_no_token_at_first(cache: MongoTokenCache) -> None:
    assert await cache.get() is None


async def test_a_token_put_by_one_instance_is_what_every_instance_gets(
    db: Any, cache: MongoTokenCache, clock: Clock
) -> None:
    expires_at = clock() + timedelta(hours=2)

    await cache.put("token-1", expires_at)

    got = await an_instance(db, clock).get()
    assert got is not None
    assert (got.token, got.expires_at) == ("token-1", expires_at)


async def test_a_new_token_replaces_the_old(cache: MongoTokenCache, clock: Clock) -> None:
    await cache.put("token-1", clock() + timedelta(hours=1))
    await cache.put("token-2", clock() + timedelta(hours=2))

    got = await cache.get()
    assert got is not None
    assert (got.token, got.expires_at) == ("token-2", clock() + timedelta(hours=2))


async def test_a_refused_token_is_forgotten(cache: MongoTokenCache, clock: Clock) -> None:
    await cache.put("token-1", clock() + timedelta(hours=2))

    assert await cache.invalidate_if("token-1")
    assert await cache.get() is None
    assert not await cache.invalidate_if("token-1")


async def test_an_old_token_refused_late_does_not_throw_away_the_newer_one(
    db: Any, cache: MongoTokenCache, clock: Clock
) -> None:
    await cache.put("token-1", clock() + timedelta(hours=2))
    await an_instance(db, clock).put("token-2", clock() + timedelta(hours=2))

    assert not await cache.invalidate_if("token-1")
    got = await cache.get()
    assert got is not None and got.token == "token-2"


async def test_of_racing_instances_exactly_one_takes_the_lock(db: Any, clock: Clock) -> None:
    taken = await asyncio.gather(
        *(an_instance(db, clock).try_lock(f"instance-{n}", LOCK_TTL_S) for n in range(30))
    )

    assert taken.count(True) == 1


async def test_the_lock_is_not_reentrant(cache: MongoTokenCache) -> None:
    assert await cache.try_lock("instance-1", LOCK_TTL_S)

    assert not await cache.try_lock("instance-1", LOCK_TTL_S)


async def test_a_lock_whose_holder_vanished_is_taken_once_it_lapses(
    db: Any, cache: MongoTokenCache, clock: Clock
) -> None:
    assert await cache.try_lock("crashed", LOCK_TTL_S)
    clock.advance(seconds=LOCK_TTL_S - 1)
    assert not await an_instance(db, clock).try_lock("instance-2", LOCK_TTL_S)

    clock.advance(seconds=1)
    taken = await asyncio.gather(
        *(an_instance(db, clock).try_lock(f"instance-{n}", LOCK_TTL_S) for n in range(30))
    )

    assert taken.count(True) == 1


async def test_only_the_holder_unlocks(db: Any, cache: MongoTokenCache, clock: Clock) -> None:
    other = an_instance(db, clock)
    assert await cache.try_lock("instance-1", LOCK_TTL_S)

    await other.unlock("instance-2")
    assert not await other.try_lock("instance-2", LOCK_TTL_S)

    await cache.unlock("instance-1")
    assert await other.try_lock("instance-2", LOCK_TTL_S)


async def test_the_lock_and_the_token_share_a_document_without_touching_each_other(
    cache: MongoTokenCache, clock: Clock
) -> None:
    assert await cache.try_lock("instance-1", LOCK_TTL_S)
    await cache.put("token-1", clock() + timedelta(hours=2))
    assert not await cache.try_lock("instance-2", LOCK_TTL_S)

    await cache.unlock("instance-1")
    got = await cache.get()
    assert got is not None and got.token == "token-1"


class CountingFetcher:
    """WeChat's stable_token, answering slowly enough for every caller to ask at once."""

    def __init__(self) -> None:
        self.calls = 0

    async def fetch(self, force_refresh: bool = False) -> tuple[str, int]:
        self.calls += 1
        await asyncio.sleep(0.01)
        return f"token-{self.calls}", 7200


async def test_instances_sharing_the_cache_ask_wechat_once(db: Any, clock: Clock) -> None:
    fetcher = CountingFetcher()
    instances = [AccessTokens(an_instance(db, clock), fetcher, clock) for _ in range(5)]

    tokens = await asyncio.gather(*(instance.token() for instance in instances))

    assert tokens == ["token-1"] * 5
    assert fetcher.calls == 1


async def test_a_push_is_counted_the_first_time_it_arrives(
    receipts: PushReceipts, clock: Clock
) -> None:
    assert await receipts.first_time("o-alice:subscribe_msg_popup_event:1700000000", clock())
    assert not await receipts.first_time("o-alice:subscribe_msg_popup_event:1700000000", clock())
    assert await receipts.first_time("o-alice:subscribe_msg_popup_event:1700000005", clock())


async def test_of_racing_deliveries_of_one_push_exactly_one_is_first(
    receipts: PushReceipts, clock: Clock
) -> None:
    first = await asyncio.gather(
        *(receipts.first_time("o-bob:subscribe_msg_change_event:1", clock()) for _ in range(20))
    )

    assert first.count(True) == 1


async def test_pushes_are_forgotten_after_a_day(db: Any) -> None:
    indexes = await db["wechat_pushes"].index_information()

    assert indexes["receivedAt_1"]["expireAfterSeconds"] == 86_400
