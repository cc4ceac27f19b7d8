"""The access token: fetched from a fake WeChat over real HTTP, shared through a cache."""

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from groupql.errors import GroupQLError, WeChatUnavailable
from groupql.wechat.access_token import AccessTokens, InMemoryTokenCache, StableTokenClient
from tests.conftest import Clock
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, STABLE_TOKEN, FakeWeChat, RawReply


def stable_token_client(fake: FakeWeChat, secret: str = FAKE_SECRET) -> StableTokenClient:
    return StableTokenClient(fake.base_url, FAKE_APPID, secret, timeout_s=2.0)


@pytest.fixture
async def stable_token(fake_wechat: FakeWeChat, clock: Clock) -> AsyncIterator[StableTokenClient]:
    # WeChat's idea of time is the test's, so tokens age as the clock moves.
    fake_wechat.now_s = lambda: clock.now.timestamp()
    client = stable_token_client(fake_wechat)
    yield client
    await client.aclose()


@pytest.fixture
def cache(clock: Clock) -> InMemoryTokenCache:
    return InMemoryTokenCache(clock)


@pytest.fixture
def tokens(
    cache: InMemoryTokenCache, stable_token: StableTokenClient, clock: Clock
) -> AccessTokens:
    return AccessTokens(cache, stable_token, clock)


async def test_first_caller_fetches_a_token_and_later_callers_reuse_it(fake_wechat, tokens):
    first = await tokens.token()
    again = await tokens.token()

    assert first == again
    assert fake_wechat.token_calls == [
        {
            "grant_type": "client_credential",
            "appid": FAKE_APPID,
            "secret": FAKE_SECRET,
            "force_refresh": False,
        }
    ]


async def test_token_is_kept_until_five_minutes_before_expiry_then_renewed(
    fake_wechat, tokens, clock
):
    first = await tokens.token()

    clock.advance(seconds=7200 - 301)
    assert await tokens.token() == first
    assert len(fake_wechat.token_calls) == 1

    clock.advance(seconds=2)
    renewed = await tokens.token()
    assert renewed != first
    assert len(fake_wechat.token_calls) == 2
    assert await tokens.token() == renewed


async def test_wechat_failing_while_the_old_token_is_still_valid_keeps_the_old_token(
    fake_wechat, tokens, clock
):
    first = await tokens.token()
    clock.advance(seconds=7200 - 100)
    fake_wechat.fail_next(-1, api=STABLE_TOKEN)

    assert await tokens.token() == first
    assert await tokens.token() != first
    assert len(fake_wechat.token_calls) == 3


async def test_expired_token_is_never_served_when_wechat_fails(fake_wechat, tokens, clock):
    await tokens.token()
    clock.advance(seconds=7200)
    fake_wechat.fail_next(-1, api=STABLE_TOKEN)

    with pytest.raises(WeChatUnavailable):
        await tokens.token()


async def test_fifty_callers_on_three_instances_cause_exactly_one_fetch(
    fake_wechat, cache, stable_token, clock
):
    fake_wechat.delay_s = 0.1
    instances = [AccessTokens(cache, stable_token, clock) for _ in range(3)]

    callers = []
    for wave in range(5):
        callers += [asyncio.create_task(instances[i % 3].token()) for i in range(wave, wave + 10)]
        await asyncio.sleep(0.02)
    got = await asyncio.gather(*callers)

    assert len(got) == 50
    assert len(set(got)) == 1
    assert len(fake_wechat.token_calls) == 1


async def test_callers_waiting_on_a_failing_fetch_share_its_failure(fake_wechat, tokens):
    fake_wechat.delay_s = 0.1
    fake_wechat.fail_next(-1, api=STABLE_TOKEN)

    got = await asyncio.gather(*(tokens.token() for _ in range(20)), return_exceptions=True)

    assert all(isinstance(outcome, WeChatUnavailable) for outcome in got)
    assert len(fake_wechat.token_calls) == 1


async def test_a_caller_giving_up_does_not_cancel_the_fetch_others_wait_for(fake_wechat, tokens):
    fake_wechat.delay_s = 0.2
    impatient = asyncio.create_task(tokens.token())
    patient = asyncio.create_task(tokens.token())
    await asyncio.sleep(0.05)

    impatient.cancel()

    assert await patient
    assert len(fake_wechat.token_calls) == 1


async def test_callers_during_a_renewal_keep_the_old_token_and_one_fetch_renews_it(
    fake_wechat, cache, stable_token, clock
):
    instances = [AccessTokens(cache, stable_token, clock) for _ in range(3)]
    old = await instances[0].token()
    clock.advance(seconds=7200 - 60)
    fake_wechat.delay_s = 0.1

    got = await asyncio.gather(*(instances[i % 3].token() for i in range(50)))

    assert len(fake_wechat.token_calls) == 2
    assert set(got) <= {old, (await cache.get()).token}
    assert old in got


async def test_a_stale_failure_never_throws_away_the_token_another_instance_renewed(
    fake_wechat, cache, stable_token, clock
):
    first_instance = AccessTokens(cache, stable_token, clock)
    second_instance = AccessTokens(cache, stable_token, clock)
    old = await first_instance.token()
    fake_wechat.revoke_tokens()

    assert await second_instance.invalidate(old) is True
    new = await second_instance.token()
    assert new != old

    assert await first_instance.invalidate(old) is False
    assert await first_instance.token() == new
    assert len(fake_wechat.token_calls) == 2


async def test_callers_give_up_when_another_instance_holds_the_lock_and_there_is_no_token(
    fake_wechat, cache, stable_token, clock
):
    assert await cache.try_lock("another-instance", ttl_s=60)
    tokens = AccessTokens(cache, stable_token, clock, lock_ttl_s=0.2)

    with pytest.raises(WeChatUnavailable):
        await tokens.token()
    assert fake_wechat.token_calls == []


async def test_lock_of_a_crashed_instance_expires_and_another_fetches(
    fake_wechat, cache, tokens, clock
):
    assert await cache.try_lock("crashed-instance", ttl_s=10)
    clock.advance(seconds=10)

    assert await tokens.token()
    assert len(fake_wechat.token_calls) == 1


def test_refreshing_earlier_than_wechat_renews_is_refused(cache, stable_token, clock):
    with pytest.raises(ValueError, match="refresh_ahead_s"):
        AccessTokens(cache, stable_token, clock, refresh_ahead_s=301)


async def test_lock_is_held_by_one_holder_at_a_time_until_it_expires(cache, clock):
    assert await cache.try_lock("a", ttl_s=10)
    assert not await cache.try_lock("b", ttl_s=10)
    assert not await cache.try_lock("a", ttl_s=10)

    clock.advance(seconds=10)
    assert await cache.try_lock("b", ttl_s=10)


async def test_only_the_holder_can_unlock(cache):
    assert await cache.try_lock("a", ttl_s=10)

    await cache.unlock("b")
    assert not await cache.try_lock("b", ttl_s=10)

    await cache.unlock("a")
    assert await cache.try_lock("b", ttl_s=10)


async def test_invalidate_if_drops_only_the_named_token(cache, clock):
    await cache.put("token-2", clock.now)

    assert await cache.invalidate_if("token-1") is False
    assert (await cache.get()).token == "token-2"
    assert await cache.invalidate_if("token-2") is True
    assert await cache.get() is None


async def test_force_refresh_revokes_the_current_token(fake_wechat, stable_token):
    old, _ = await stable_token.fetch()

    new, expires_in_s = await stable_token.fetch(force_refresh=True)

    assert new != old
    assert expires_in_s == 7200
    assert fake_wechat.token_calls[-1]["force_refresh"] is True


async def test_token_lifetime_is_what_wechat_says(fake_wechat, stable_token):
    fake_wechat.token_expires_in_s = 3600

    assert (await stable_token.fetch())[1] == 3600


@pytest.mark.parametrize("errcode", [40013, 40125, 40164, 45009, -1])
async def test_wechat_refusing_a_token_is_unavailable(fake_wechat, stable_token, errcode):
    fake_wechat.fail_next(errcode, api=STABLE_TOKEN)

    with pytest.raises(WeChatUnavailable):
        await stable_token.fetch()


async def test_wrong_app_secret_is_unavailable(fake_wechat):
    client = stable_token_client(fake_wechat, secret="not-the-secret")

    with pytest.raises(WeChatUnavailable):
        await client.fetch()
    await client.aclose()


@pytest.mark.parametrize(
    "reply",
    [
        RawReply(200, "<html>502 Bad Gateway</html>"),
        RawReply(500, '{"access_token": "t", "expires_in": 7200}'),
        {"expires_in": 7200},
        {"access_token": "", "expires_in": 7200},
        {"access_token": "t"},
        {"access_token": "t", "expires_in": "7200"},
    ],
    ids=["html", "http-500", "no-token", "empty-token", "no-expiry", "expiry-a-string"],
)
async def test_garbled_token_answer_is_unavailable(fake_wechat, stable_token, reply):
    fake_wechat.reply_next(reply, api=STABLE_TOKEN)

    with pytest.raises(WeChatUnavailable):
        await stable_token.fetch()


async def test_slow_wechat_times_out_as_unavailable(fake_wechat):
    fake_wechat.delay_s = 0.5
    client = StableTokenClient(fake_wechat.base_url, FAKE_APPID, FAKE_SECRET, timeout_s=0.1)

    with pytest.raises(WeChatUnavailable):
        await client.fetch()
    await client.aclose()


@pytest.mark.parametrize(
    "arrange",
    [
        lambda fake: fake.fail_next(40125, api=STABLE_TOKEN),
        lambda fake: fake.reply_next(RawReply(500, FAKE_SECRET), api=STABLE_TOKEN),
        lambda fake: setattr(fake, "delay_s", 0.5),
        lambda fake: None,
    ],
    ids=["refused", "http-500", "timeout", "success"],
)
async def test_secret_and_token_never_reach_logs_or_errors(fake_wechat, caplog, arrange):
    caplog.set_level(logging.DEBUG, logger="groupql")
    arrange(fake_wechat)
    client = StableTokenClient(fake_wechat.base_url, FAKE_APPID, FAKE_SECRET, timeout_s=0.2)
    token = None
    try:
        token, _ = await client.fetch()
    except GroupQLError as error:
        assert FAKE_SECRET not in str(error)
        assert error.__cause__ is None
    finally:
        await client.aclose()

    assert FAKE_SECRET not in caplog.text
    assert token is None or token not in caplog.text
