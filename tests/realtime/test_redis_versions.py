"""Versions shared through a real Redis: what one instance's writes move ends what another
kept; a Redis that fails, fills up or restarts empty never lets a kept answer outlive a write."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from groupql.response_cache import Key, ResponseCache, key_of
from groupql.store.kept_reads import KeptReads
from groupql.store.memory import MemoryMongoClient
from groupql.store.users import Users
from groupql.store.watched import Watched
from groupql.versions import VersionsUnavailable
from groupql.versions import redis_versions as module
from groupql.versions.reading import reading
from groupql.versions.redis_versions import RedisVersions
from tests.fakes.redis_server import RedisServer
from tests.store.kept_races import NOW, race_in_waves

KEY = key_of(
    document_sha256="page", operation_name=None, variables={}, viewer_id="v", public_url=""
)


@pytest.fixture
async def prefix() -> str:
    return f"{{test-{uuid.uuid4().hex}}}:"


async def test_a_write_through_one_instance_ends_what_another_kept(
    redis_url: str, prefix: str
) -> None:
    async with _versions(redis_url, prefix) as first, _versions(redis_url, prefix) as second:
        cache, items = _page_store(first)
        # Another instance's connection to the same collection, with its own RedisVersions.
        elsewhere = Watched(items.unwatched, second)
        for round_ in range(3):
            assert await _kept_page(cache, items, KEY)
            assert await cache.answer(KEY) is not None
            await elsewhere.insert_one({"groupId": "g1", "seq": round_})
            assert await cache.answer(KEY) is None
        # A write to another group moves none of the page's scopes.
        assert await _kept_page(cache, items, KEY)
        await elsewhere.insert_one({"groupId": "g2", "seq": 1})
        assert await cache.answer(KEY) is not None


async def test_an_answer_kept_before_redis_restarted_empty_is_not_served(
    redis_url: str, prefix: str
) -> None:
    async with _versions(redis_url, prefix) as versions:
        cache, items = _page_store(versions)
        assert await _kept_page(cache, items, KEY)
        # Emptied (a restart without persistence): the page's scopes read 0 again, as they did
        # before any write; the epoch tells the answer apart.
        redis = Redis.from_url(redis_url)
        await redis.delete(*[key async for key in redis.scan_iter(f"{prefix}*")])
        await redis.aclose()
        assert await cache.answer(KEY) is None


async def test_while_redis_is_down_writes_succeed_and_nothing_kept_is_served(
    redis_server: RedisServer, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "BACK_OFF_S", 0.2)
    async with _versions(redis_server.url, prefix) as versions:
        cache, items = _page_store(versions)
        assert await _kept_page(cache, items, KEY)
        await asyncio.to_thread(redis_server.stop)
        await items.insert_one({"groupId": "g1", "seq": 9})  # lands; its move is lost
        assert await items.find_one({"seq": 9}) is not None
        with pytest.raises(VersionsUnavailable):
            await cache.start()
        await asyncio.to_thread(redis_server.start)
        await asyncio.sleep(0.3)  # past the back-off
        # Redis is back, with the page's scopes as they were: the lost move still counts.
        assert await cache.answer(KEY) is None
        assert await _kept_page(cache, items, KEY)
        assert await cache.answer(KEY) is not None


async def test_a_full_redis_loses_the_move_but_not_the_write(
    redis_server: RedisServer, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "BACK_OFF_S", 0.2)
    async with _versions(redis_server.url, prefix) as versions:
        cache, items = _page_store(versions)
        assert await _kept_page(cache, items, KEY)
        redis = Redis.from_url(redis_server.url)
        await redis.config_set("maxmemory-policy", "noeviction")
        await redis.config_set("maxmemory", 1)  # every write is refused: OOM
        try:
            await items.insert_one({"groupId": "g1", "seq": 9})
        finally:
            await redis.config_set("maxmemory", 0)
            await redis.aclose()
        assert await items.find_one({"seq": 9}) is not None
        assert versions.lost == 1
        assert await cache.answer(KEY) is None


@asynccontextmanager
async def _versions(url: str, prefix: str) -> AsyncIterator[RedisVersions]:
    versions = RedisVersions(url, prefix=prefix)
    try:
        yield versions
    finally:
        await versions.close()


def _page_store(versions: RedisVersions) -> tuple[ResponseCache, Watched]:
    """A cache, and a fresh in-memory items collection whose writes move `versions`."""
    cache = ResponseCache(versions, max_age_s=60, timed_max_age_s=1, max_bytes=1 << 20)
    return cache, Watched(MemoryMongoClient(name=uuid.uuid4().hex)["test"]["items"], versions)


async def _kept_page(cache: ResponseCache, items: Watched, key: Key) -> bool:
    """Read group g1's items as a page does, and keep the answer; whether it was kept."""
    started = await cache.start()
    with reading(started):
        found = await items.find({"groupId": "g1"}).to_list()
    return await cache.keep(key, started, str(len(found)).encode())


async def test_kept_users_of_two_instances_never_outlive_a_racing_write(
    redis_url: str, prefix: str
) -> None:
    """Users kept by two instances whose versions are Redis's (each read and move a network
    round trip, so writes land between a read and its versions), in waves of writers and
    readers."""
    name = uuid.uuid4().hex
    async with _versions(redis_url, prefix) as first, _versions(redis_url, prefix) as second:
        instances = [
            Users(
                Watched(MemoryMongoClient(name=name)["test"]["users"], versions),
                KeptReads(versions, "users"),
            )
            for versions in (first, second)
        ]
        users = [
            await instances[0].record_login(
                appid="app", openid=f"o{n}", unionid=None, encrypted_session_key=b"k", now=NOW
            )
            for n in range(8)
        ]
        await race_in_waves(instances, users)
