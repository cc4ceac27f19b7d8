"""Content security: msgSecCheck and mediaCheckAsync against a fake WeChat over HTTP."""

import logging
from collections.abc import AsyncIterator

import pytest

from groupql.wechat.access_token import AccessTokens, InMemoryTokenCache, StableTokenClient
from groupql.wechat.content_security import (
    MAX_TEXT_CHARS,
    DevContentSecurity,
    MediaCheckResult,
    Scene,
    TextCheck,
    Verdict,
    WeChatContentSecurity,
)
from groupql.wechat.push import PushKeys, read_push
from tests.conftest import Clock
from tests.fakes.wechat import (
    FAKE_APPID,
    FAKE_ENCODING_AES_KEY,
    FAKE_PUSH_TOKEN,
    FAKE_SECRET,
    MEDIA_CHECK_ASYNC,
    MSG_SEC_CHECK,
    STABLE_TOKEN,
    FakeWeChat,
    RawReply,
    push_request,
)

OPENID = "o-alice"
PHOTO_URL = "https://media.example.com/g1/photo.jpg?sig=abc"


@pytest.fixture
async def tokens(fake_wechat: FakeWeChat, clock: Clock) -> AsyncIterator[AccessTokens]:
    stable_token = StableTokenClient(fake_wechat.base_url, FAKE_APPID, FAKE_SECRET)
    yield AccessTokens(InMemoryTokenCache(clock), stable_token, clock)
    await stable_token.aclose()


@pytest.fixture
async def checks(
    fake_wechat: FakeWeChat, tokens: AccessTokens
) -> AsyncIterator[WeChatContentSecurity]:
    client = WeChatContentSecurity(fake_wechat.base_url, tokens, timeout_s=2.0)
    yield client
    await client.aclose()


async def check(checks: WeChatContentSecurity, content: str) -> TextCheck:
    return await checks.check_text(openid=OPENID, content=content, scene=Scene.FORUM)


def sent_contents(fake: FakeWeChat) -> list[str]:
    return [call["body"]["content"] for call in fake.text_check_calls]


async def test_harmless_text_passes_and_is_asked_as_v2(fake_wechat, checks):
    result = await checks.check_text(
        openid=OPENID, content="周六去爬山吗", scene=Scene.COMMENT, title="Weekend"
    )

    assert (result.verdict, result.label) == (Verdict.PASS, 100)
    assert result.trace_id
    [call] = fake_wechat.text_check_calls
    assert call["body"] == {
        "content": "周六去爬山吗",
        "version": 2,
        "scene": 2,
        "openid": OPENID,
        "title": "Weekend",
    }


@pytest.mark.parametrize(
    ("suggest", "label", "verdict"),
    [("review", 20003, Verdict.REVIEW), ("risky", 20002, Verdict.RISKY)],
)
async def test_wechats_suggestion_is_the_verdict_with_its_label(
    fake_wechat, checks, suggest, label, verdict
):
    fake_wechat.text_rules["flagged words"] = (suggest, label)

    result = await check(checks, "some flagged words here")

    assert (result.verdict, result.label) == (verdict, label)
    assert result.trace_id


async def test_v1_risky_content_answer_is_risky(fake_wechat, checks):
    fake_wechat.fail_next(87014, api=MSG_SEC_CHECK)

    assert await check(checks, "特3456书yuuo莞6543李zxcz蒜7782法fgnv级") == TextCheck(Verdict.RISKY)


async def test_blank_text_passes_without_asking_wechat(fake_wechat, checks):
    assert (await check(checks, " \n ")).verdict is Verdict.PASS
    assert fake_wechat.text_check_calls == []


@pytest.mark.parametrize(
    "invalidate_tokens",
    [FakeWeChat.revoke_tokens, FakeWeChat.expire_tokens],
    ids=["40001-revoked", "42001-expired"],
)
async def test_refused_token_is_renewed_once_and_the_text_checked(
    fake_wechat, tokens, checks, invalidate_tokens
):
    old = await tokens.token()
    invalidate_tokens(fake_wechat)

    result = await check(checks, "hello")

    assert result.verdict is Verdict.PASS
    first, retry = fake_wechat.text_check_calls
    assert first["access_token"] == old
    assert retry["access_token"] == await tokens.token() != old


async def test_token_refused_twice_leaves_the_text_unknown(fake_wechat, checks):
    fake_wechat.fail_next(40001, times=2, api=MSG_SEC_CHECK)

    assert (await check(checks, "hello")).verdict is Verdict.UNKNOWN
    assert len(fake_wechat.text_check_calls) == 2


@pytest.mark.parametrize("errcode", [-1, 44991, 45009, 61010, 40003, 48001, 99999])
async def test_refusal_leaves_the_text_unknown_after_one_call(fake_wechat, checks, errcode):
    fake_wechat.fail_next(errcode, api=MSG_SEC_CHECK)

    assert (await check(checks, "hello")).verdict is Verdict.UNKNOWN
    assert len(fake_wechat.text_check_calls) == 1


async def test_slow_wechat_leaves_the_text_unknown(fake_wechat, tokens):
    await tokens.token()
    fake_wechat.delay_s = 0.5
    slow = WeChatContentSecurity(fake_wechat.base_url, tokens, timeout_s=0.1)

    result = await check(slow, "hello")
    await slow.aclose()

    assert result == TextCheck(Verdict.UNKNOWN)
    assert len(fake_wechat.text_check_calls) == 1


@pytest.mark.parametrize(
    "reply",
    [
        RawReply(502, "<html>Bad Gateway</html>"),
        RawReply(200, "not json"),
        RawReply(200, "[]"),
        {"errcode": 0, "errmsg": "ok"},
        {"errcode": 0, "errmsg": "ok", "result": {"suggest": "maybe"}},
    ],
    ids=["http-502", "not-json", "not-an-object", "no-result", "unknown-suggest"],
)
async def test_garbled_answer_leaves_the_text_unknown(fake_wechat, checks, reply):
    fake_wechat.reply_next(reply, api=MSG_SEC_CHECK)

    assert (await check(checks, "hello")).verdict is Verdict.UNKNOWN


async def test_no_access_token_leaves_the_text_unknown_without_asking(fake_wechat, checks):
    fake_wechat.fail_next(40125, api=STABLE_TOKEN)

    assert (await check(checks, "hello")).verdict is Verdict.UNKNOWN
    assert fake_wechat.text_check_calls == []


async def test_long_text_is_checked_in_overlapping_chunks_wechat_takes(fake_wechat, checks):
    text = "".join(f"第{n}句话今天天气真好。" for n in range(700))
    assert len(text) > 2 * MAX_TEXT_CHARS

    result = await check(checks, text)

    assert result.verdict is Verdict.PASS
    chunks = sent_contents(fake_wechat)
    assert len(chunks) == 4
    assert all(len(chunk) <= MAX_TEXT_CHARS for chunk in chunks)
    assert chunks[0] + "".join(chunk[50:] for chunk in chunks[1:]) == text


async def test_risky_phrase_cut_by_a_chunk_boundary_is_still_found(fake_wechat, checks):
    text = "a" * (MAX_TEXT_CHARS - 5) + "forbidden phrase" + "b" * 4000
    fake_wechat.text_rules["forbidden phrase"] = ("risky", 20001)

    result = await check(checks, text)

    assert (result.verdict, result.label) == (Verdict.RISKY, 20001)
    assert len(fake_wechat.text_check_calls) == 2  # no call for the rest once one is risky


async def test_worst_chunk_decides_and_explains_a_long_text(fake_wechat, checks):
    text = "needs a look " + "x" * (2 * MAX_TEXT_CHARS)
    fake_wechat.text_rules["needs a look"] = ("review", 10001)

    result = await check(checks, text)

    assert (result.verdict, result.label) == (Verdict.REVIEW, 10001)
    assert len(fake_wechat.text_check_calls) == 3


async def test_wechat_failing_one_chunk_leaves_the_rest_unasked(fake_wechat, checks):
    fake_wechat.fail_next(-1, api=MSG_SEC_CHECK)

    result = await check(checks, "x" * (3 * MAX_TEXT_CHARS))

    assert result.verdict is Verdict.UNKNOWN
    assert len(fake_wechat.text_check_calls) == 1


async def test_characters_beyond_the_bmp_count_twice_towards_the_limit(fake_wechat, checks):
    await check(checks, "🎉" * MAX_TEXT_CHARS)

    chunks = sent_contents(fake_wechat)
    assert [len(chunk.encode("utf-16-le")) // 2 for chunk in chunks] == [2500, 2500, 200]


async def test_photo_check_is_taken_with_a_trace_id(fake_wechat, checks):
    trace_id = await checks.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.FORUM
    )

    assert trace_id
    [call] = fake_wechat.media_check_calls
    assert call["body"] == {
        "media_url": PHOTO_URL,
        "media_type": 2,
        "version": 2,
        "scene": 3,
        "openid": OPENID,
    }


async def test_audio_is_media_type_one(fake_wechat, checks):
    await checks.check_media(
        openid=OPENID,
        media_url="https://m.example.com/a.mp3",
        media_type="audio",
        scene=Scene.FORUM,
    )

    assert fake_wechat.media_check_calls[0]["body"]["media_type"] == 1


async def test_verdict_on_a_photo_arrives_as_a_push_naming_its_trace_id(fake_wechat, checks):
    trace_id = await checks.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.PROFILE
    )
    assert trace_id is not None
    message = fake_wechat.media_verdict(trace_id, "risky", 20002)
    body, params = push_request(message, encoding_aes_key=FAKE_ENCODING_AES_KEY)

    event = read_push(body, params, PushKeys(FAKE_PUSH_TOKEN, FAKE_APPID, FAKE_ENCODING_AES_KEY))

    assert event.media_check == MediaCheckResult(trace_id, Verdict.RISKY, 20002, FAKE_APPID)
    assert event.openid == OPENID


async def test_media_check_renews_a_refused_token_once(fake_wechat, tokens, checks):
    old = await tokens.token()
    fake_wechat.revoke_tokens()

    trace_id = await checks.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.FORUM
    )

    assert trace_id
    first, retry = fake_wechat.media_check_calls
    assert (first["access_token"], retry["access_token"]) == (old, await tokens.token())


@pytest.mark.parametrize("errcode", [-1, 40004, 61010, 87020])
async def test_media_check_wechat_refuses_has_no_trace_id(fake_wechat, checks, errcode):
    fake_wechat.fail_next(errcode, api=MEDIA_CHECK_ASYNC)

    trace_id = await checks.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.FORUM
    )

    assert trace_id is None


async def test_slow_media_check_has_no_trace_id(fake_wechat, tokens):
    await tokens.token()
    fake_wechat.delay_s = 0.5
    slow = WeChatContentSecurity(fake_wechat.base_url, tokens, timeout_s=0.1)

    trace_id = await slow.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.FORUM
    )
    await slow.aclose()

    assert trace_id is None


@pytest.mark.parametrize("url", ["cloud://env-1.6465/photos/a.jpg", "/tmp/a.jpg", ""])
async def test_media_wechat_cannot_download_is_not_sent(fake_wechat, checks, url):
    trace_id = await checks.check_media(
        openid=OPENID, media_url=url, media_type="image", scene=Scene.FORUM
    )

    assert trace_id is None
    assert fake_wechat.media_check_calls == []


async def test_access_token_never_reaches_our_logs_or_results(fake_wechat, tokens, caplog):
    caplog.set_level(logging.DEBUG, logger="groupql")
    token = await tokens.token()
    fake_wechat.delay_s = 0.3
    slow = WeChatContentSecurity(fake_wechat.base_url, tokens, timeout_s=0.1)

    result = await check(slow, "hello")
    await slow.aclose()

    assert result.verdict is Verdict.UNKNOWN
    assert "timed out" in caplog.text
    assert token not in repr(result)
    assert token not in caplog.text


async def test_dev_checks_pass_text_without_a_marker():
    dev = DevContentSecurity()

    result = await dev.check_text(openid=OPENID, content="周六去爬山吗", scene=Scene.FORUM)

    assert (result.verdict, result.label) == (Verdict.PASS, 100)


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("this is DEV-RISKY", Verdict.RISKY), ("please dev-review me", Verdict.REVIEW)],
)
async def test_dev_checks_follow_the_markers(text, verdict):
    dev = DevContentSecurity()

    assert (await dev.check_text(openid=OPENID, content=text, scene=Scene.FORUM)).verdict is verdict
    nickname_check = await dev.check_text(
        openid=OPENID, content="fine", scene=Scene.PROFILE, nickname=text
    )
    assert nickname_check.verdict is verdict


async def test_dev_markers_are_configurable():
    dev = DevContentSecurity(risky_marker="坏词", review_marker="待审")

    assert (await dev.check_text(openid=OPENID, content="有坏词", scene=Scene.FORUM)).verdict is (
        Verdict.RISKY
    )
    assert (
        await dev.check_text(openid=OPENID, content="dev-risky", scene=Scene.FORUM)
    ).verdict is (Verdict.PASS)


async def test_dev_media_checks_wait_until_settled():
    dev = DevContentSecurity(appid=FAKE_APPID)
    photo = await dev.check_media(
        openid=OPENID, media_url=PHOTO_URL, media_type="image", scene=Scene.FORUM
    )
    bad = await dev.check_media(
        openid=OPENID,
        media_url="https://m.example.com/dev-risky.jpg",
        media_type="image",
        scene=Scene.FORUM,
    )
    assert photo is not None and bad is not None
    assert dev.pending() == (photo, bad)

    assert dev.settle(bad) == MediaCheckResult(bad, Verdict.RISKY, 21000, FAKE_APPID)
    assert dev.settle(photo).verdict is Verdict.PASS
    assert dev.pending() == ()
    with pytest.raises(KeyError):
        dev.settle(photo)
