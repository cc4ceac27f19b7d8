"""Subscribe messages: template values checked and fitted, and sent to a fake WeChat over HTTP."""

import logging
from collections.abc import AsyncIterator

import pytest

from groupql.wechat.access_token import AccessTokens, InMemoryTokenCache, StableTokenClient
from groupql.wechat.subscribe_message import (
    RecordingSender,
    SendOutcome,
    SendResult,
    SentMessage,
    SubscribeMessageClient,
)
from groupql.wechat.template_values import TemplateValueRejected, check_data, fit_value
from tests.conftest import Clock
from tests.fakes.wechat import (
    FAKE_APPID,
    FAKE_SECRET,
    STABLE_TOKEN,
    SUBSCRIBE_SEND,
    FakeWeChat,
    RawReply,
)

TEMPLATE_ID = "VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc"
OPENID = "o-alice"
DATA = {"thing1": "Weekend hike", "time2": "2024-05-01 15:01"}


@pytest.fixture
async def tokens(fake_wechat: FakeWeChat, clock: Clock) -> AsyncIterator[AccessTokens]:
    stable_token = StableTokenClient(fake_wechat.base_url, FAKE_APPID, FAKE_SECRET)
    yield AccessTokens(InMemoryTokenCache(clock), stable_token, clock)
    await stable_token.aclose()


def sender_for(fake: FakeWeChat, tokens: AccessTokens, timeout_s: float = 2.0):
    return SubscribeMessageClient(fake.base_url, tokens, timeout_s=timeout_s)


@pytest.fixture
async def sender(
    fake_wechat: FakeWeChat, tokens: AccessTokens
) -> AsyncIterator[SubscribeMessageClient]:
    client = sender_for(fake_wechat, tokens)
    yield client
    await client.aclose()


async def test_message_reaches_wechat_with_its_values_fitted(fake_wechat, sender):
    result = await sender.send(
        OPENID,
        TEMPLATE_ID,
        {"thing1": "A very long event title that does not fit", "time2": "2024-05-01 15:01"},
        page="pages/event/index?id=42",
    )

    assert result.outcome is SendOutcome.SENT
    assert result.msg_id is not None
    assert fake_wechat.sent == [
        {
            "touser": OPENID,
            "template_id": TEMPLATE_ID,
            "data": {
                "thing1": {"value": "A very long event t…"},
                "time2": {"value": "2024-05-01 15:01"},
            },
            "miniprogram_state": "formal",
            "lang": "zh_CN",
            "page": "pages/event/index?id=42",
        }
    ]


async def test_page_is_left_out_when_not_given(fake_wechat, sender):
    await sender.send(OPENID, TEMPLATE_ID, DATA, miniprogram_state="trial", lang="en_US")

    [message] = fake_wechat.sent
    assert "page" not in message
    assert (message["miniprogram_state"], message["lang"]) == ("trial", "en_US")


async def test_user_without_a_subscription_means_no_credit(fake_wechat, sender):
    fake_wechat.fail_next(43101, api=SUBSCRIBE_SEND)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert result.outcome is SendOutcome.NO_CREDIT
    assert result.errcode == 43101
    assert len(fake_wechat.send_calls) == 1


async def test_value_wechat_refuses_is_bad_data_naming_the_field(fake_wechat, sender):
    fake_wechat.fail_next(47003, api=SUBSCRIBE_SEND)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert result.outcome is SendOutcome.BAD_DATA
    assert "data.thing1" in result.detail
    assert len(fake_wechat.send_calls) == 1


async def test_value_breaking_the_rules_is_bad_data_without_asking_wechat(fake_wechat, sender):
    result = await sender.send(OPENID, TEMPLATE_ID, {"phrase3": "Done"})

    assert result == SendResult(SendOutcome.BAD_DATA, detail=result.detail)
    assert result.detail.startswith("phrase3: ")
    assert fake_wechat.send_calls == []


@pytest.mark.parametrize(
    "invalidate_tokens",
    [FakeWeChat.revoke_tokens, FakeWeChat.expire_tokens],
    ids=["40001-revoked", "42001-expired"],
)
async def test_refused_token_is_renewed_once_and_the_message_sent(
    fake_wechat, tokens, sender, invalidate_tokens
):
    old = await tokens.token()
    invalidate_tokens(fake_wechat)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert result.outcome is SendOutcome.SENT
    first, retry = fake_wechat.send_calls
    assert first["access_token"] == old
    assert retry["access_token"] != old
    assert retry["access_token"] == await tokens.token()
    assert len(fake_wechat.token_calls) == 2


async def test_token_refused_twice_is_retried_later_after_one_retry(fake_wechat, sender):
    fake_wechat.fail_next(40001, times=2, api=SUBSCRIBE_SEND)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert result.outcome is SendOutcome.RETRY_LATER
    assert result.errcode == 40001
    assert len(fake_wechat.send_calls) == 2


async def test_slow_wechat_is_retried_later(fake_wechat, tokens):
    await tokens.token()
    fake_wechat.delay_s = 0.5
    sender = sender_for(fake_wechat, tokens, timeout_s=0.1)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)
    await sender.aclose()

    assert result.outcome is SendOutcome.RETRY_LATER
    assert len(fake_wechat.send_calls) == 1


async def test_no_access_token_means_retry_later_without_sending(fake_wechat, sender):
    fake_wechat.fail_next(40125, api=STABLE_TOKEN)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert result.outcome is SendOutcome.RETRY_LATER
    assert fake_wechat.send_calls == []


@pytest.mark.parametrize(
    ("errcode", "outcome"),
    [
        (40003, SendOutcome.FAILED),
        (40037, SendOutcome.FAILED),
        (41030, SendOutcome.FAILED),
        (-1, SendOutcome.RETRY_LATER),
        (45009, SendOutcome.RETRY_LATER),
        (48001, SendOutcome.RETRY_LATER),
    ],
)
async def test_each_wechat_refusal_has_its_outcome(fake_wechat, sender, errcode, outcome):
    fake_wechat.fail_next(errcode, api=SUBSCRIBE_SEND)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)

    assert (result.outcome, result.errcode) == (outcome, errcode)
    assert len(fake_wechat.send_calls) == 1


@pytest.mark.parametrize(
    "reply",
    [RawReply(502, "<html>Bad Gateway</html>"), RawReply(200, "not json"), RawReply(200, "[]")],
    ids=["http-502", "not-json", "not-an-object"],
)
async def test_garbled_answer_is_retried_later(fake_wechat, sender, reply):
    fake_wechat.reply_next(reply, api=SUBSCRIBE_SEND)

    assert (await sender.send(OPENID, TEMPLATE_ID, DATA)).outcome is SendOutcome.RETRY_LATER


async def test_access_token_never_reaches_our_logs_or_results(fake_wechat, tokens, caplog):
    caplog.set_level(logging.DEBUG, logger="groupql")
    token = await tokens.token()
    fake_wechat.delay_s = 0.3
    sender = sender_for(fake_wechat, tokens, timeout_s=0.1)

    result = await sender.send(OPENID, TEMPLATE_ID, DATA)
    await sender.aclose()

    assert result.outcome is SendOutcome.RETRY_LATER
    assert token not in repr(result)
    assert token not in caplog.text
    assert FAKE_SECRET not in caplog.text


async def test_dev_sender_records_the_message_and_reports_it_sent():
    dev = RecordingSender()

    result = await dev.send(OPENID, TEMPLATE_ID, {"thing1": "Hike\nSaturday"}, page="pages/a")

    assert result.outcome is SendOutcome.SENT
    assert list(dev.sent) == [
        SentMessage(
            OPENID,
            TEMPLATE_ID,
            {"thing1": {"value": "Hike Saturday"}},
            "pages/a",
            "formal",
            "zh_CN",
        )
    ]


async def test_dev_sender_refuses_bad_data_as_wechat_would():
    dev = RecordingSender()

    result = await dev.send(OPENID, TEMPLATE_ID, {"phrase1": "Done"})

    assert result.outcome is SendOutcome.BAD_DATA
    assert list(dev.sent) == []


def test_check_data_makes_the_request_body():
    assert check_data({"thing1": " Hike ", "number2": "3"}) == {
        "thing1": {"value": "Hike"},
        "number2": {"value": "3"},
    }


def test_thing_of_twenty_characters_is_kept_whole():
    assert fit_value("thing1", "一" * 20) == "一" * 20


@pytest.mark.parametrize(
    ("text", "fitted"),
    [
        ("一" * 21, "一" * 19 + "…"),
        ("Meeting about the new budget", "Meeting about the n…"),
        ("a" * 18 + " and more", "a" * 18 + "…"),
        ("line one\nline two\r\n\tend", "line one line two e…"),
        ("party 🎉🎉🎉🎉🎉🎉🎉🎉", "party 🎉🎉🎉🎉🎉🎉…"),
    ],
    ids=["chinese", "latin", "space-before-cut", "control-characters", "emoji"],
)
def test_long_thing_is_cut_to_twenty_characters_ending_in_an_ellipsis(text, fitted):
    assert fit_value("thing1", text) == fitted
    assert len(fitted.encode("utf-16-le")) // 2 <= 20


@pytest.mark.parametrize(
    ("key", "text", "fitted"),
    [
        ("name1", "张三", "张三"),
        ("name1", "Alice Smith", "Alice Smith"),
        ("name1", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜"),
        ("name1", "Alexander Hamilton-Smith", "Alexander Hamilton-S"),
        ("name1", "Li 小龙", "Li 小龙"),
        ("phrase2", "配送中", "配送中"),
        ("number3", "3.14", "3.14"),
        ("number3", "1" * 32, "1" * 32),
        ("letter4", "abcXYZ", "abcXYZ"),
        ("symbol5", "%$#", "%$#"),
        ("character_string6", "A-1024/b", "A-1024/b"),
        ("amount7", "¥100.50", "¥100.50"),
        ("amount7", "100元", "100元"),
        ("phone_number8", "+86-0766-66888866", "+86-0766-66888866"),
        ("phone_number8", "138 0013 8000", "13800138000"),
        ("car_number9", "粤A8Z888挂", "粤A8Z888挂"),
        ("enum10", "anything", "anything"),
    ],
)
def test_values_within_the_rules_are_kept(key, text, fitted):
    assert fit_value(key, text) == fitted


@pytest.mark.parametrize(
    "text",
    [
        "15:01",
        "15:01:30",
        "9:05",
        "2019年10月1日 15:01",
        "2019-10-01 15:01",
        "2019/10/01 15:01",
        "10月1日 15:01",
        "15:01~16:30",
        "2019年10月1日 15:01 ~ 2019年10月1日 16:00",
    ],
)
def test_time_accepts_24_hour_times_with_or_without_a_date(text):
    assert fit_value("time2", text) == text


@pytest.mark.parametrize("text", ["25:00", "3pm", "15h01", "2019-10-01", "15:01 tomorrow"])
def test_time_refuses_anything_else(text):
    with pytest.raises(TemplateValueRejected):
        fit_value("time2", text)


@pytest.mark.parametrize(
    "text",
    [
        "2019年10月1日",
        "2019年10月",
        "10月1日",
        "2019-10-01",
        "2019/10/01",
        "2019.10.01",
        "2019-10",
        "10-01",
        "2019-10-01 15:01",
        "2019年10月1日~2019年10月7日",
    ],
)
def test_date_accepts_wechats_date_formats(text):
    assert fit_value("date3", text) == text


@pytest.mark.parametrize("text", ["2019-13-01", "2019-10-32", "yesterday", "15:01"])
def test_date_refuses_anything_else(text):
    with pytest.raises(TemplateValueRejected):
        fit_value("date3", text)


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("phrase1", "Done"),
        ("phrase1", "已经全部完成"),
        ("phrase1", "完成!"),
        ("number1", "1" * 33),
        ("number1", "1,000"),
        ("number1", "\u0661\u0662\u0663"),  # Arabic-Indic 123
        ("amount1", "¥\u0661\u0660\u0660"),
        ("time1", "\u0661\u0665:\u0660\u0661"),
        ("letter1", "abc1"),
        ("letter1", "a" * 33),
        ("symbol1", "%%%%%%"),
        ("symbol1", "a%"),
        ("character_string1", "中文"),
        ("character_string1", "x" * 33),
        ("amount1", "100 dollars"),
        ("amount1", "¥12345678901"),
        ("phone_number1", "call me"),
        ("phone_number1", "1" * 18),
        ("car_number1", "粤A8Z888挂XY"),
        ("name1", "Bob2000"),
        ("name1", "Ивана"),
        ("thing1", "   "),
        ("Thing1", "Hike"),
        ("thing", "Hike"),
    ],
)
def test_values_that_cannot_be_made_to_fit_are_refused(key, text):
    with pytest.raises(TemplateValueRejected) as refused:
        fit_value(key, text)
    assert refused.value.key == key
    assert text.strip() == "" or text not in str(refused.value)
