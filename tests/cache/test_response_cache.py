"""The response cache at work: a query asked again is answered without a store round trip, as
it was (same bytes), per viewer, and not at all when it is off or cannot be trusted. (What each
kind of change does to a kept answer: the freshness tests beside this one.)"""

import asyncio
import uuid
from typing import Any

from bson import ObjectId

from groupql.response_cache import Key, ResponseCache, key_of
from groupql.store import connect
from groupql.versions import InProcessVersions
from groupql.versions.reading import Reading
from groupql.wiring import start
from tests.actors import join, join_in_order
from tests.cache.pages import cache_count
from tests.conftest import Api, Clock, api_on_test_store, running_api, settings_for_test

PAGE = """
query Page($id: ID!) {
  group(id: $id) {
    title memberCount lastSeq viewerMembership { role }
    items(first: 20) { edges { node { seq text author { id nickname } } } }
  }
}
"""


async def test_a_page_asked_again_is_answered_without_reading_the_store(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await bob.say("hello")
    first = await _raw(api, alice.token, PAGE, id=alice.group_id)
    api.round_trips.reset()
    again = await _raw(api, alice.token, PAGE, id=alice.group_id)
    assert again == first
    assert api.round_trips.commands == []
    assert await cache_count(api, "hit") == 1


async def test_each_viewer_has_their_own_answer(api: Api) -> None:
    owner, *members = await join_in_order(api, "owner", "m1", "m2", "m3")
    for _ in range(2):  # the second round is answered from the cache
        roles = await asyncio.gather(
            *(one.data(PAGE, id=owner.group_id) for one in [owner, *members])
        )
        assert [answer["group"]["viewerMembership"]["role"] for answer in roles] == [
            "OWNER", "MEMBER", "MEMBER", "MEMBER"
        ]  # fmt: skip
    assert await cache_count(api, "hit") == 4


async def test_a_post_in_a_wave_of_readers_reaches_every_next_read(api: Api) -> None:
    readers = await join_in_order(api, *(f"reader{n}" for n in range(12)))
    group_id = readers[0].group_id
    for wave in range(3):
        await asyncio.gather(*(one.data(PAGE, id=group_id) for one in readers))
        # Writers and readers at once: whatever a read raced, the next read after shows all.
        await asyncio.gather(
            *(one.say(f"wave {wave} from {n}") for n, one in enumerate(readers[:4])),
            *(one.data(PAGE, id=group_id) for one in readers[4:]),
        )
        pages = await asyncio.gather(*(one.data(PAGE, id=group_id) for one in readers))
        assert {page["group"]["lastSeq"] for page in pages} == {4 * (wave + 1)}


def test_a_key_is_as_small_for_a_megabyte_of_variables_as_for_none() -> None:
    # Variables the operation does not declare are ignored by GraphQL, but still sent.
    huge = key_of(
        document_sha256="d" * 64,
        operation_name="Page",
        variables={"id": "g", "junk": "x" * 1_000_000},
        viewer_id="v",
        public_url="http://" + "h" * 10_000,
    )
    assert sum(map(len, huge)) < 300
    assert huge != _key("d" * 64)


async def test_a_hash_that_is_not_the_texts_is_refused_though_the_text_was_kept(api: Api) -> None:
    alice = await join(api, "alice")
    body = {"query": PAGE, "variables": {"id": alice.group_id}}
    headers = {"Authorization": f"Bearer {alice.token}"}
    for _ in range(2):
        assert (await api.http.post("/graphql", json=body, headers=headers)).status_code == 200
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    answer = await api.http.post("/graphql", json=body | {"extensions": wrong}, headers=headers)
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_failed_query_is_not_kept(api: Api) -> None:
    alice = await join(api, "alice")
    missing = str(ObjectId())
    for _ in range(2):
        assert await alice.error_code(PAGE, id=missing) == "NOT_FOUND"
    assert await cache_count(api, "hit") == 0
    assert await cache_count(api, "not_kept") == 2


async def test_nothing_is_kept_when_the_cache_is_off(clock: Clock) -> None:
    async with api_on_test_store(clock, response_cache="off") as api:
        alice = await join(api, "alice")
        await alice.data(PAGE, id=alice.group_id)
        api.round_trips.reset()
        await alice.data(PAGE, id=alice.group_id)
        assert api.round_trips.commands != []
        assert await cache_count(api, "hit") == 0


async def test_with_mongodb_and_no_redis_the_cache_stays_off(clock: Clock) -> None:
    # Another process may write to the same MongoDB, and only Redis would tell this one.
    settings = settings_for_test(mongodb_url="mongodb://127.0.0.1:1/?timeoutMS=200")
    running = await start(settings, clock=clock, indexes_checked=False)
    try:
        assert running.response_cache is None
    finally:
        await running.close()


async def test_a_tool_writing_to_the_same_in_memory_store_ends_what_was_kept(clock: Clock) -> None:
    store = f"memory://cache-{uuid.uuid4().hex}"
    async with running_api(settings_for_test(mongodb_url=store), clock) as api:
        alice = await join(api, "alice")
        for _ in range(2):
            assert (await alice.data(PAGE, id=alice.group_id))["group"]["title"] is None
        other = connect(store, api.settings.mongodb_db)  # as `groupql search reindex` does
        await other.groups.update_one(
            {"_id": ObjectId(alice.group_id)}, {"$set": {"title": "Written elsewhere"}}
        )
        assert (await alice.data(PAGE, id=alice.group_id))["group"]["title"] == "Written elsewhere"


async def test_an_answer_that_raced_a_write_is_not_kept() -> None:
    versions = InProcessVersions()
    cache = ResponseCache(versions, max_age_s=60, timed_max_age_s=1, max_bytes=1 << 20)
    key = _key("doc")
    started = await cache.start()
    started.scopes.add("items:g1")
    await versions.moved(["items:g1"])  # written while the answer was being read
    assert not await cache.keep(key, started, b"{}")
    assert await cache.answer(key) is None


async def test_answers_past_the_memory_bound_go_least_recently_used_first() -> None:
    now = [1000.0]
    cache = ResponseCache(
        InProcessVersions(), max_age_s=60, timed_max_age_s=1, max_bytes=4000, clock=lambda: now[0]
    )
    keys = [_key(f"doc{n}") for n in range(3)]
    for key in keys[:2]:
        assert await cache.keep(key, Reading(started_at=0), b"x" * 900)
    assert await cache.answer(keys[0]) is not None  # used: the second is now the oldest
    assert await cache.keep(keys[2], Reading(started_at=0), b"x" * 900)
    assert [await cache.answer(key) is not None for key in keys] == [True, False, True]
    now[0] += 61
    assert await cache.answer(keys[0]) is None


async def _raw(api: Api, token: str, query: str, **variables: Any) -> bytes:
    response = await api.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and b'"errors"' not in response.content
    return response.content


def _key(document: str) -> Key:
    return key_of(
        document_sha256=document, operation_name=None, variables={}, viewer_id="v", public_url=""
    )
