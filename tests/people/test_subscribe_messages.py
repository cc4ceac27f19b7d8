"""Subscribe messages (订阅消息): notifications that reach users outside the mini-program, sent
through the fake WeChat over HTTP, while the user holds a credit for the template."""

import logging
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Clock
from tests.fakes.wechat import SUBSCRIBE_SEND, FakeWeChat
from tests.people.documents import POST_MENTIONING, SET_LEVEL, UPDATE_PROFILE
from tests.people.messaging import (
    DIGEST_S,
    MENTION_ALL_TEMPLATE,
    MENTION_TEMPLATE,
    NEW_ITEMS_TEMPLATE,
    RECORD,
    accept,
    credits,
    mention,
    messaging,
)

TEMPLATES = "{ subscribeTemplates { kind templateId } }"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_a_mention_reaches_a_subscribed_member_once_its_window_closes(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await alice.data(UPDATE_PROFILE, input={"nickname": "爱丽丝"})
        assert await accept(bob, MENTION_TEMPLATE) == [
            {"templateId": MENTION_TEMPLATE, "status": "ACCEPT", "credits": 1}
        ]
        item = await mention(alice, bob)
        posted_at = clock.now.astimezone(SHANGHAI)
        await m.rounds()
        assert fake_wechat.sent == []  # the digest window is still open

        clock.advance(seconds=DIGEST_S + 1)
        [message] = await m.sent(1)
        assert message["touser"] == "openid-bob"
        assert message["template_id"] == MENTION_TEMPLATE
        assert message["page"] == f"pages/group/index?groupId={bob.group_id}&itemId={item['id']}"
        data = {key: value["value"] for key, value in message["data"].items()}
        assert data == {
            "thing1": "周末爬山",
            "name2": "爱丽丝",
            "thing3": "明早七点出发",
            "time4": posted_at.strftime("%Y-%m-%d %H:%M"),
        }
        assert message["miniprogram_state"] == "formal"
        assert await credits(bob) == {MENTION_TEMPLATE: 0}


async def test_notifications_within_the_window_go_out_as_one_digest(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob, carol = await m.group("alice", "bob", "carol")
        await accept(bob, MENTION_TEMPLATE, MENTION_TEMPLATE)
        for by in (alice, carol, alice):
            await mention(by, bob)
            clock.advance(seconds=10)
        clock.advance(seconds=DIGEST_S)
        [digest] = await m.sent(1)
        assert digest["data"]["thing3"] == {"value": "3条新消息"}
        assert await credits(bob) == {MENTION_TEMPLATE: 1}  # one message, one credit


async def test_without_a_credit_nothing_is_sent(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.rounds()
        assert fake_wechat.send_calls == []


async def test_quiet_hours_hold_messages_until_they_end(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    local = clock.now.astimezone(SHANGHAI)
    start, end = local - timedelta(hours=1), local + timedelta(hours=2)
    quiet = f"{start:%H:%M}-{end:%H:%M}"
    async with messaging(clock, fake_wechat, tmp_path, quiet_hours=quiet) as m:
        alice, bob = await m.group("alice", "bob")
        await accept(bob, MENTION_TEMPLATE)
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.rounds()
        assert fake_wechat.sent == []
        clock.advance(hours=2)
        await m.sent(1)


async def test_43101_spends_the_credit_and_47003_is_logged_and_gives_it_back(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await accept(bob, MENTION_TEMPLATE, MENTION_TEMPLATE)
        fake_wechat.fail_next(43101, api=SUBSCRIBE_SEND)
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.rounds()
        assert len(fake_wechat.send_calls) == 1
        assert await credits(bob) == {MENTION_TEMPLATE: 1}

        fake_wechat.reply_next(
            {"errcode": 47003, "errmsg": "argument invalid! data.thing3.value invalid"},
            api=SUBSCRIBE_SEND,
        )
        with caplog.at_level(logging.WARNING):
            await mention(alice, bob)
            clock.advance(seconds=DIGEST_S + 1)
            await m.rounds()
        assert any("data.thing3" in record.getMessage() for record in caplog.records)
        assert await credits(bob) == {MENTION_TEMPLATE: 1}
        assert len(fake_wechat.send_calls) == 2  # not retried


async def test_an_expired_token_is_refreshed_once_and_the_message_still_goes(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await accept(bob, MENTION_TEMPLATE, MENTION_TEMPLATE)
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.sent(1)
        assert len(fake_wechat.token_calls) == 1
        fake_wechat.revoke_tokens()
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.sent(2)
        assert len(fake_wechat.token_calls) == 2


async def test_a_busy_wechat_is_retried_later_with_the_credit_kept(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await accept(bob, MENTION_TEMPLATE)
        fake_wechat.fail_next(-1, api=SUBSCRIBE_SEND)
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        await m.rounds()
        assert fake_wechat.sent == [] and len(fake_wechat.send_calls) == 1
        assert await credits(bob) == {MENTION_TEMPLATE: 1}
        clock.advance(seconds=31)
        await m.sent(1)
        assert await credits(bob) == {MENTION_TEMPLATE: 0}


async def test_at_all_reaches_each_subscribed_member_but_its_author(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        # erin has no credit: she hears nothing either.
        owner, bob, carol, dave, _erin = await m.group("owner", "bob", "carol", "dave", "erin")
        for member in (owner, bob, carol, dave):
            await accept(member, MENTION_ALL_TEMPLATE)
        await dave.data(SET_LEVEL, groupId=dave.group_id, level="NONE")
        await owner.data(
            POST_MENTIONING,
            input={"groupId": owner.group_id, "text": "集合啦", "mentionAll": True},
        )
        clock.advance(seconds=DIGEST_S + 1)
        sent = await m.sent(2)
        assert sorted(message["touser"] for message in sent) == ["openid-bob", "openid-carol"]
        assert {message["template_id"] for message in sent} == {MENTION_ALL_TEMPLATE}


async def test_members_who_want_all_get_a_digest_of_new_items(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob, carol = await m.group("alice", "bob", "carol")
        await accept(bob, NEW_ITEMS_TEMPLATE)
        await accept(carol, NEW_ITEMS_TEMPLATE)
        await bob.data(SET_LEVEL, groupId=bob.group_id, level="ALL")
        for n in range(4):
            await alice.say(f"第{n}条")
        clock.advance(seconds=DIGEST_S + 1)
        [digest] = await m.sent(1)
        assert digest["touser"] == "openid-bob"
        assert digest["data"] == {"thing1": {"value": "周末爬山"}, "number2": {"value": "4"}}


async def test_the_client_learns_which_templates_to_ask_for_and_may_not_invent_one(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        [alice] = await m.group("alice")
        templates = (await alice.data(TEMPLATES))["subscribeTemplates"]
        assert templates == [
            {"kind": "MENTION", "templateId": MENTION_TEMPLATE},
            {"kind": "MENTION_ALL", "templateId": MENTION_ALL_TEMPLATE},
            {"kind": "NEW_ITEMS", "templateId": NEW_ITEMS_TEMPLATE},
        ]
        results = [{"templateId": "made-up", "status": "ACCEPT"}]
        assert await alice.error_code(RECORD, results=results) == "BAD_USER_INPUT"
        rejected = [{"templateId": MENTION_TEMPLATE, "status": "REJECT"}]
        await accept(alice, MENTION_TEMPLATE)
        [ledger] = (await alice.data(RECORD, results=rejected))["recordSubscription"]
        assert ledger == {"templateId": MENTION_TEMPLATE, "status": "REJECT", "credits": 0}


async def test_a_wechat_that_keeps_failing_is_tried_five_times_and_the_credit_kept(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        await accept(bob, MENTION_TEMPLATE)
        fake_wechat.fail_next(-1, times=6, api=SUBSCRIBE_SEND)
        await mention(alice, bob)
        clock.advance(seconds=DIGEST_S + 1)
        for wait_s in (0, 31, 61, 121, 241, 481):  # backoff: 30 s, doubling
            clock.advance(seconds=wait_s)
            await m.rounds()
        assert len(fake_wechat.send_calls) == 5
        assert fake_wechat.sent == []
        assert await credits(bob) == {MENTION_TEMPLATE: 1}


async def test_who_left_or_turned_the_group_off_before_the_window_closed_hears_nothing(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob, carol = await m.group("alice", "bob", "carol")
        await accept(bob, MENTION_TEMPLATE)
        await accept(carol, MENTION_TEMPLATE)
        await mention(alice, bob, carol)
        await bob.leave()
        await carol.data(SET_LEVEL, groupId=carol.group_id, level="NONE")
        clock.advance(seconds=DIGEST_S + 1)
        await m.rounds()
        assert fake_wechat.send_calls == []
        assert await credits(carol) == {MENTION_TEMPLATE: 1}


async def test_a_mention_and_an_at_all_in_one_window_are_two_messages(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        owner, bob = await m.group("owner", "bob")
        await accept(bob, MENTION_TEMPLATE)  # no credit for @all's template
        await owner.data(
            POST_MENTIONING,
            input={"groupId": owner.group_id, "text": "大家好", "mentionAll": True},
        )
        await mention(owner, bob)
        clock.advance(seconds=DIGEST_S + 1)
        [message] = await m.sent(1)
        assert message["template_id"] == MENTION_TEMPLATE  # the @all did not swallow it


async def test_the_new_items_digest_leaves_out_a_member_who_only_reads_their_own_posts(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        alice, bob = await m.group("alice", "bob")
        for member in (alice, bob):
            await accept(member, NEW_ITEMS_TEMPLATE)
            await member.data(SET_LEVEL, groupId=member.group_id, level="ALL")
        await alice.say("only alice posts")
        clock.advance(seconds=DIGEST_S + 1)
        [digest] = await m.sent(1)
        assert digest["touser"] == "openid-bob"
