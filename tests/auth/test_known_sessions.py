"""A token's session is read once per instance and remembered: expiry still counts on every
request, a session deleted by hand stops working within RECHECK_AFTER, and forged tokens are
read (and refused) every time."""

import uuid

from groupql.services.known_sessions import RECHECK_AFTER
from groupql.store.memory import MemoryMongoClient
from tests.actors import login
from tests.conftest import Api, Clock, api_on_test_store

VIEWER = "{ viewer { id } }"


async def _session_reads(api: Api, token: str) -> int:
    api.round_trips.reset()
    await api.post(VIEWER, token=token)
    return api.round_trips.collections.count("sessions")


async def test_another_instance_reads_a_session_once_then_remembers_it(clock: Clock) -> None:
    store = f"memory://known-{uuid.uuid4().hex}"
    async with (
        api_on_test_store(clock, mongodb_url=store) as first,
        api_on_test_store(clock, mongodb_url=store) as second,
    ):
        alice = await login(first, "alice")
        assert await _session_reads(first, alice.token) == 0  # the login's instance knows it
        assert await _session_reads(second, alice.token) == 1
        assert [await _session_reads(second, alice.token) for _ in range(5)] == [0] * 5
        assert (await second.data(VIEWER, token=alice.token))["viewer"]["id"] == alice.user_id


async def test_a_session_deleted_by_hand_stops_working_within_the_recheck(clock: Clock) -> None:
    store = f"memory://revoked-{uuid.uuid4().hex}"
    async with api_on_test_store(clock, mongodb_url=store) as api:
        alice = await login(api, "alice")
        bob = await login(api, "bob")
        database = MemoryMongoClient(name=store.removeprefix("memory://"))[api.settings.mongodb_db]
        await database["sessions"].delete_many({"userId": alice.user_id})

        assert (await api.data(VIEWER, token=alice.token))["viewer"]["id"] == alice.user_id
        clock.advance(seconds=RECHECK_AFTER.total_seconds())
        assert await api.error_code(VIEWER, token=alice.token) == "UNAUTHENTICATED"
        assert (await api.data(VIEWER, token=bob.token))["viewer"]["id"] == bob.user_id


async def test_a_remembered_session_still_expires_on_time(clock: Clock) -> None:
    async with api_on_test_store(clock, session_ttl_days=1) as api:
        alice = await login(api, "alice")
        clock.advance(days=1, seconds=-20)
        assert await _session_reads(api, alice.token) == 1  # read again: remembered for 30 s
        clock.advance(seconds=19)
        assert await _session_reads(api, alice.token) == 0
        clock.advance(seconds=1)  # expired, though remembered for 10 s more
        assert await api.error_code(VIEWER, token=alice.token) == "UNAUTHENTICATED"


async def test_forged_tokens_are_read_and_refused_every_time(api: Api) -> None:
    for _ in range(3):
        assert await _session_reads(api, "forged-token") == 1
        assert await api.error_code(VIEWER, token="forged-token") == "UNAUTHENTICATED"
