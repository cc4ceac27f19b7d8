"""WeChat steps: what wx.getWeRunData gives, decrypted with the sender's session key and kept
per Beijing day; refused when stale, expired, for another app or malformed; re-sent idempotently."""

import asyncio
import json
from datetime import timedelta
from typing import Any

from tests.actors import join_in_order, login
from tests.conftest import TEST_APPID, TEST_SECRET_KEY, Api, Clock
from tests.rankings.documents import SUBMIT_STEPS
from tests.rankings.leaderboards import (
    beijing_time,
    last_days,
    opt_in,
    ranking,
    scores,
    send_steps,
    standings,
    today,
    werun_data,
    werun_payload,
)
from tests.test_cli import clean_env, groupql

PERIODS = ["DAY", "WEEK", "MONTH", "ALL"]


async def test_steps_sent_from_wechat_are_decrypted_and_kept_per_beijing_day(
    api: Api, clock: Clock
) -> None:
    [alice] = await join_in_order(api, "alice")
    days = last_days(clock.now, 8000, 12000, 3500)

    received = await send_steps(alice, days, made_at=clock.now)

    assert received["days"] == [
        {"day": day.isoformat(), "steps": steps} for day, steps in sorted(days.items())
    ]
    assert received["refreshedAt"].startswith(clock.now.strftime("%Y-%m-%dT%H:%M:%S"))
    await opt_in(alice)
    assert await scores(alice, "steps") == {alice.user_id: 3500}
    yesterday = (today(clock.now) - timedelta(days=1)).isoformat()
    assert await scores(alice, "steps", date=yesterday) == {alice.user_id: 12000}
    assert await scores(alice, "steps", period="ALL") == {alice.user_id: 23500}


async def test_the_dev_werun_command_prints_steps_a_dev_user_can_send(
    api: Api, clock: Clock
) -> None:
    [alice] = await join_in_order(api, "alice")
    await opt_in(alice)
    env = clean_env(GROUPQL_WECHAT_APPID=TEST_APPID, GROUPQL_SECRET_KEY=TEST_SECRET_KEY)
    printed = await asyncio.to_thread(
        groupql, "dev", "werun", "--code", "alice", "--steps", "8000,12000,3500", env=env
    )
    assert printed.returncode == 0, printed.stderr

    received = await alice.data(SUBMIT_STEPS, **json.loads(printed.stdout))

    assert received["submitWeRunData"]["days"] == [
        {"day": day.isoformat(), "steps": steps}
        for day, steps in last_days(clock.now, 8000, 12000, 3500).items()
    ]
    assert await scores(alice, "steps", period="ALL") == {alice.user_id: 23500}


async def test_steps_decrypted_with_another_users_session_key_are_stale(
    api: Api, clock: Clock
) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    sent_by_bob = werun_data(bob, last_days(clock.now, 100), made_at=clock.now)
    body = await alice.send(SUBMIT_STEPS, **sent_by_bob)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SESSION_KEY_STALE"
    assert "wx.login" in error["message"]


async def test_steps_older_than_the_max_age_or_from_the_future_are_expired(
    api: Api, clock: Clock
) -> None:
    alice = await login(api, "alice")
    max_age = timedelta(seconds=api.settings.share_max_age)
    days = last_days(clock.now, 100)
    for made_at in [clock.now - max_age - timedelta(minutes=1), clock.now + timedelta(hours=1)]:
        code = await alice.error_code(SUBMIT_STEPS, **werun_data(alice, days, made_at=made_at))
        assert code == "PAYLOAD_EXPIRED"

    kept_too_long = werun_data(alice, days, made_at=clock.now)
    clock.advance(seconds=api.settings.share_max_age + 60)
    assert await alice.error_code(SUBMIT_STEPS, **kept_too_long) == "PAYLOAD_EXPIRED"
    fresh = werun_data(alice, days, made_at=clock.now - max_age + timedelta(minutes=1))
    assert (await alice.data(SUBMIT_STEPS, **fresh))["submitWeRunData"]["days"]


async def test_steps_made_for_another_mini_program_are_refused(api: Api, clock: Clock) -> None:
    alice = await login(api, "alice")
    payload = werun_payload(last_days(clock.now, 100), made_at=clock.now, appid="wxsomeoneelse")
    assert await alice.error_code(SUBMIT_STEPS, **alice.encrypt(payload)) == "APPID_MISMATCH"


def _malformed(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Variations of a good payload that WeChat never sends."""
    [day] = payload["stepInfoList"]
    return [
        {"stepInfoList": payload["stepInfoList"]},  # no watermark
        {"watermark": "yesterday", "stepInfoList": payload["stepInfoList"]},
        {"watermark": {"appid": payload["watermark"]["appid"]}, "stepInfoList": [day]},
        {**payload, "stepInfoList": None},
        {"watermark": payload["watermark"]},  # no stepInfoList
        {**payload, "stepInfoList": {"0": day}},
        {**payload, "stepInfoList": ["8000"]},
        {**payload, "stepInfoList": [{**day, "step": "8000"}]},
        {**payload, "stepInfoList": [{**day, "step": -1}]},
        {**payload, "stepInfoList": [{**day, "step": 8000.5}]},
        {**payload, "stepInfoList": [{**day, "step": True}]},
        {**payload, "stepInfoList": [{**day, "step": 10**7}]},
        {**payload, "stepInfoList": [{**day, "step": 10**30}]},
        {**payload, "stepInfoList": [{"step": 8000}]},
        {**payload, "stepInfoList": [{**day, "timestamp": -86400}]},
        {**payload, "stepInfoList": [{**day, "timestamp": 10**20}]},
        {**payload, "stepInfoList": [{**day, "timestamp": float(day["timestamp"])}]},
        {**payload, "stepInfoList": [day] * 63},
    ]


async def test_malformed_steps_are_refused_and_keep_nothing(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await opt_in(alice)
    good = werun_payload(
        last_days(clock.now, 8000), made_at=clock.now, appid=api.settings.wechat_appid
    )
    for payload in _malformed(good):
        body = await alice.send(SUBMIT_STEPS, **alice.encrypt(payload))
        assert [error["extensions"]["code"] for error in body["errors"]] == [
            "INVALID_ENCRYPTED_DATA"
        ], payload

    encrypted = alice.encrypt(good)
    for broken in [
        {**encrypted, "encryptedData": "not base64!"},
        {**encrypted, "encryptedData": encrypted["encryptedData"][:-8]},
        {**encrypted, "encryptedData": ""},
        {**encrypted, "iv": "c2hvcnQ="},
        {**encrypted, "encryptedData": "A" * 200_000},
    ]:
        assert await alice.error_code(SUBMIT_STEPS, **broken) == "INVALID_ENCRYPTED_DATA"
    for period in ["DAY", "WEEK", "MONTH"]:
        assert (await ranking(alice, "steps", period=period))["participantCount"] == 0


async def test_an_empty_step_list_is_taken_and_ranks_nothing(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    assert (await send_steps(alice, {}, made_at=clock.now))["days"] == []
    await opt_in(alice)
    for period in ["DAY", "WEEK", "MONTH"]:
        assert (await ranking(alice, "steps", period=period))["participantCount"] == 0


async def test_sending_steps_needs_a_login(api: Api, clock: Clock) -> None:
    alice = await login(api, "alice")
    steps = werun_data(alice, last_days(clock.now, 100), made_at=clock.now)
    assert await api.error_code(SUBMIT_STEPS, steps) == "UNAUTHENTICATED"


async def test_sending_the_same_steps_twice_changes_no_ranking(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    clock.now = beijing_time("2026-12-02 12:00")  # a Wednesday: yesterday is in its week
    for member in (alice, bob):
        await opt_in(member)
    await send_steps(bob, last_days(clock.now, 5000, 7000), made_at=clock.now)
    same = werun_data(alice, last_days(clock.now, 9000, 6000), made_at=clock.now)

    await alice.data(SUBMIT_STEPS, **same)
    before = [await ranking(bob, "steps", period=period) for period in PERIODS]
    for _ in range(2):
        await alice.data(SUBMIT_STEPS, **same)
        assert [await ranking(bob, "steps", period=period) for period in PERIODS] == before
    assert [standings(one) for one in before] == [
        [(bob.user_id, 1, 7000), (alice.user_id, 2, 6000)],
        [(alice.user_id, 1, 15000), (bob.user_id, 2, 12000)],
        [(alice.user_id, 1, 15000), (bob.user_id, 2, 12000)],
        [(alice.user_id, 1, 15000), (bob.user_id, 2, 12000)],
    ]


async def test_a_later_upload_corrects_the_days_an_earlier_one_gave(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await opt_in(alice)
    first = last_days(clock.now, 4000, 9000, 1200)
    await send_steps(alice, first, made_at=clock.now - timedelta(hours=1))
    assert await scores(alice, "steps") == {alice.user_id: 1200}

    later = last_days(clock.now, 4000, 9500, 6400)  # yesterday was still syncing
    await send_steps(alice, later, made_at=clock.now)

    assert await scores(alice, "steps") == {alice.user_id: 6400}
    yesterday = (today(clock.now) - timedelta(days=1)).isoformat()
    assert await scores(alice, "steps", date=yesterday) == {alice.user_id: 9500}
    assert await scores(alice, "steps", period="ALL") == {alice.user_id: 19900}


async def test_an_older_upload_arriving_late_changes_no_newer_day(api: Api, clock: Clock) -> None:
    [alice] = await join_in_order(api, "alice")
    await opt_in(alice)
    older = werun_data(
        alice, last_days(clock.now, 4000, 1200), made_at=clock.now - timedelta(hours=1)
    )
    await send_steps(alice, last_days(clock.now, 4500, 6400), made_at=clock.now)

    await alice.data(SUBMIT_STEPS, **older)

    assert await scores(alice, "steps") == {alice.user_id: 6400}
    assert await scores(alice, "steps", period="ALL") == {alice.user_id: 10900}


async def test_an_upload_of_the_last_31_days_fills_each_day_week_and_month(
    api: Api, clock: Clock
) -> None:
    [alice] = await join_in_order(api, "alice")
    await opt_in(alice)
    days = last_days(clock.now, *range(1000, 32000, 1000))  # 31 days, today 31000

    await send_steps(alice, days, made_at=clock.now)

    for day, steps in days.items():
        assert await scores(alice, "steps", date=day.isoformat()) == {alice.user_id: steps}
    for period in ["WEEK", "MONTH"]:
        for day in days:
            ranked = await ranking(alice, "steps", period=period, date=day.isoformat())
            start = ranked["periodStart"][:10]
            end = ranked["periodEnd"][:10]
            expected = sum(n for d, n in days.items() if start <= d.isoformat() < end)
            assert standings(ranked) == [(alice.user_id, 1, expected)], (period, day)
    assert await scores(alice, "steps", period="ALL") == {alice.user_id: sum(days.values())}


async def test_steps_not_refreshed_today_are_marked_stale(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for member in (alice, bob):
        await opt_in(member)
    await send_steps(alice, last_days(clock.now, 3000), made_at=clock.now)
    await send_steps(bob, last_days(clock.now, 2000), made_at=clock.now)

    entries = (await ranking(alice, "steps", period="ALL"))["entries"]["edges"]
    assert [edge["node"]["stale"] for edge in entries] == [False, False]

    clock.now = beijing_time(f"{today(clock.now) + timedelta(days=1)} 08:00")  # tomorrow
    await send_steps(bob, last_days(clock.now, 2000, 500), made_at=clock.now)
    ranked = await ranking(alice, "steps", period="ALL")
    assert [
        (edge["node"]["member"]["user"]["id"], edge["node"]["stale"])
        for edge in ranked["entries"]["edges"]
    ] == [(alice.user_id, True), (bob.user_id, False)]
    assert ranked["viewerEntry"]["stale"] is True
