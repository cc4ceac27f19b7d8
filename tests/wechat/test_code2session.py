"""The code2Session client against a fake WeChat over real HTTP, and its dev-mode stand-in."""

import base64
import hashlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from groupql.errors import (
    Forbidden,
    GroupQLError,
    InvalidLoginCode,
    RateLimited,
    WeChatUnavailable,
)
from groupql.wechat.code2session import (
    DevCode2Session,
    LiveCode2Session,
    WeChatSession,
    dev_session_for_code,
    quiet_http_client_logs,
)
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, FakeWeChat, RawReply


def live_client(
    base_url: str, secret: str = FAKE_SECRET, timeout_s: float = 5.0
) -> LiveCode2Session:
    return LiveCode2Session(base_url, FAKE_APPID, secret, timeout_s=timeout_s, busy_retry_delay_s=0)


@pytest.fixture
async def wechat(fake_wechat: FakeWeChat) -> AsyncIterator[LiveCode2Session]:
    client = live_client(fake_wechat.base_url)
    yield client
    await client.aclose()


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture everything at DEBUG with httpx quietened as the app does it, then restore levels."""
    noisy = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    levels = [lg.level for lg in noisy]
    caplog.set_level(logging.DEBUG)
    quiet_http_client_logs()
    yield caplog
    for lg, level in zip(noisy, levels, strict=True):
        lg.setLevel(level)


async def test_login_code_gives_the_users_openid_and_session_key(fake_wechat, wechat):
    expected = fake_wechat.add_code("code-1", "openid-alice")

    session = await wechat.exchange("code-1")

    assert session == expected
    assert session.unionid is None


async def test_login_gives_the_unionid_when_wechat_sends_one(fake_wechat, wechat):
    fake_wechat.add_code(
        "code-1", "openid-alice", session_key="a2V5MTIzNDU2Nzg5MDEyMw==", unionid="u-1"
    )

    session = await wechat.exchange("code-1")

    assert session == WeChatSession("openid-alice", "a2V5MTIzNDU2Nzg5MDEyMw==", "u-1")


async def test_login_sends_appid_secret_code_and_grant_type_to_wechat(fake_wechat, wechat):
    fake_wechat.add_code("code-1", "openid-alice")

    await wechat.exchange("code-1")

    assert fake_wechat.calls == [
        {
            "appid": FAKE_APPID,
            "secret": FAKE_SECRET,
            "js_code": "code-1",
            "grant_type": "authorization_code",
        }
    ]


async def test_wechat_json_labelled_text_plain_is_understood(fake_wechat, wechat):
    fake_wechat.add_code("probe", "openid-probe")
    fake_wechat.add_code("code-1", "openid-alice")
    async with httpx.AsyncClient() as http:
        probe = await http.get(
            f"{fake_wechat.base_url}/sns/jscode2session",
            params={
                "appid": FAKE_APPID,
                "secret": FAKE_SECRET,
                "js_code": "probe",
                "grant_type": "authorization_code",
            },
        )
    assert probe.headers["content-type"].startswith("text/plain")

    assert (await wechat.exchange("code-1")).openid == "openid-alice"


async def test_unknown_login_code_is_an_invalid_login_code(fake_wechat, wechat):
    with pytest.raises(InvalidLoginCode):
        await wechat.exchange("never-issued")


async def test_login_code_used_twice_is_an_invalid_login_code_the_second_time(fake_wechat, wechat):
    fake_wechat.add_code("code-1", "openid-alice")
    await wechat.exchange("code-1")

    with pytest.raises(InvalidLoginCode):
        await wechat.exchange("code-1")
    assert fake_wechat.calls[-1]["js_code"] == "code-1"


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (40029, InvalidLoginCode),
        (40163, InvalidLoginCode),
        (45011, RateLimited),
        (40226, Forbidden),
    ],
)
async def test_wechat_refusals_become_errors_the_client_can_act_on(
    fake_wechat, wechat, errcode, error
):
    fake_wechat.add_code("code-1", "openid-alice")
    fake_wechat.fail_next(errcode)

    with pytest.raises(error):
        await wechat.exchange("code-1")
    assert len(fake_wechat.calls) == 1


async def test_high_risk_user_is_told_wechat_blocked_the_login(fake_wechat, wechat):
    fake_wechat.fail_next(40226)

    with pytest.raises(Forbidden, match="WeChat blocked this login"):
        await wechat.exchange("code-1")


async def test_busy_wechat_is_asked_once_more_and_the_login_succeeds(fake_wechat, wechat):
    expected = fake_wechat.add_code("code-1", "openid-alice")
    fake_wechat.fail_next(-1)

    assert await wechat.exchange("code-1") == expected
    assert [call["js_code"] for call in fake_wechat.calls] == ["code-1", "code-1"]


async def test_wechat_busy_twice_is_unavailable_after_exactly_two_calls(fake_wechat, wechat):
    fake_wechat.add_code("code-1", "openid-alice")
    fake_wechat.fail_next(-1, times=2)

    with pytest.raises(WeChatUnavailable):
        await wechat.exchange("code-1")
    assert len(fake_wechat.calls) == 2


async def test_unexpected_errcode_is_unavailable_and_logged_without_the_secret(
    fake_wechat, wechat, all_logs
):
    fake_wechat.fail_next(40001)

    with pytest.raises(WeChatUnavailable):
        await wechat.exchange("code-1")

    assert len(fake_wechat.calls) == 1
    assert any("40001" in record.getMessage() for record in all_logs.records)
    assert FAKE_SECRET not in all_logs.text


async def test_wrong_app_secret_is_unavailable_not_blamed_on_the_users_code(fake_wechat):
    fake_wechat.add_code("code-1", "openid-alice")
    client = live_client(fake_wechat.base_url, secret="not-the-secret")

    with pytest.raises(WeChatUnavailable):
        await client.exchange("code-1")
    await client.aclose()


async def test_slow_wechat_times_out_as_unavailable_without_retrying_the_code(fake_wechat):
    fake_wechat.add_code("code-1", "openid-alice")
    fake_wechat.delay_s = 0.5
    client = live_client(fake_wechat.base_url, timeout_s=0.1)

    with pytest.raises(WeChatUnavailable):
        await client.exchange("code-1")
    await client.aclose()
    assert len(fake_wechat.calls) == 1


async def test_unreachable_wechat_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    client = live_client(f"http://127.0.0.1:{closed_port}")

    with pytest.raises(WeChatUnavailable):
        await client.exchange("code-1")
    await client.aclose()


@pytest.mark.parametrize(
    "reply",
    [
        RawReply(200, "<html>502 Bad Gateway</html>"),
        RawReply(500, '{"errcode": 0}'),
        {"session_key": "a2V5"},
        {"openid": "openid-alice"},
        {"openid": "", "session_key": "a2V5"},
    ],
    ids=["html-body", "http-500", "no-openid", "no-session-key", "empty-openid"],
)
async def test_garbled_wechat_answer_is_unavailable(fake_wechat, wechat, reply):
    fake_wechat.reply_next(reply)

    with pytest.raises(WeChatUnavailable):
        await wechat.exchange("code-1")
    assert len(fake_wechat.calls) == 1


@pytest.mark.parametrize(
    "arrange",
    [
        lambda fake: fake.fail_next(40001),
        lambda fake: fake.fail_next(-1, times=2),
        lambda fake: fake.reply_next(RawReply(500, "oops")),
        lambda fake: setattr(fake, "delay_s", 0.5),
        lambda fake: fake.add_code("code-1", "openid-alice"),
    ],
    ids=["odd-errcode", "busy", "http-500", "timeout", "success"],
)
async def test_app_secret_never_reaches_logs_or_error_messages(fake_wechat, all_logs, arrange):
    arrange(fake_wechat)
    client = live_client(fake_wechat.base_url, timeout_s=0.2)

    try:
        await client.exchange("code-1")
    except GroupQLError as error:
        assert FAKE_SECRET not in str(error)
        assert FAKE_SECRET not in repr(error.__cause__)
    finally:
        await client.aclose()

    assert FAKE_SECRET not in all_logs.text


async def test_httpx_request_lines_would_leak_the_secret_unless_quietened(fake_wechat, caplog):
    caplog.set_level(logging.INFO, logger="httpx")
    client = live_client(fake_wechat.base_url)

    with pytest.raises(InvalidLoginCode):
        await client.exchange("code-1")
    await client.aclose()

    assert FAKE_SECRET in caplog.text


def test_session_key_is_left_out_of_a_sessions_repr():
    session = WeChatSession("openid-alice", "c2Vzc2lvbi1rZXk=")

    assert "c2Vzc2lvbi1rZXk=" not in repr(session)
    assert "openid-alice" in repr(session)


async def test_live_login_rejects_an_overlong_code_without_asking_wechat(fake_wechat, wechat):
    with pytest.raises(InvalidLoginCode):
        await wechat.exchange("x" * 129)
    assert fake_wechat.calls == []


async def test_closing_the_client_leaves_a_shared_http_client_open(fake_wechat):
    fake_wechat.add_code("code-1", "openid-alice")
    async with httpx.AsyncClient() as http:
        client = LiveCode2Session(fake_wechat.base_url, FAKE_APPID, FAKE_SECRET, http=http)
        await client.aclose()

        assert (await client.exchange("code-1")).openid == "openid-alice"


async def test_dev_login_with_the_same_code_is_the_same_user_every_time():
    dev = DevCode2Session(FAKE_APPID)

    first = await dev.exchange("alice")
    again = await dev.exchange("alice")

    assert first == again
    assert first.openid.startswith("dev-")


async def test_dev_logins_with_different_codes_or_apps_are_different_users():
    alice = await DevCode2Session(FAKE_APPID).exchange("alice")
    bob = await DevCode2Session(FAKE_APPID).exchange("bob")
    alice_elsewhere = await DevCode2Session("wx-other-app").exchange("alice")

    assert len({alice.openid, bob.openid, alice_elsewhere.openid}) == 3
    assert len({alice.session_key, bob.session_key, alice_elsewhere.session_key}) == 3


def test_dev_session_follows_the_documented_derivation():
    session = dev_session_for_code("alice", "wx-app")

    openid_hex = hashlib.sha256(b"wx-app:openid:alice").hexdigest()[:24]
    key_bytes = hashlib.sha256(b"wx-app:session_key:alice").digest()[:16]
    assert session == WeChatSession(f"dev-{openid_hex}", base64.b64encode(key_bytes).decode(), None)
    assert len(base64.b64decode(session.session_key, validate=True)) == 16


@pytest.mark.parametrize("code", ["", "x" * 129])
async def test_dev_login_rejects_an_empty_or_overlong_code(code):
    with pytest.raises(InvalidLoginCode):
        await DevCode2Session(FAKE_APPID).exchange(code)


async def test_dev_login_accepts_a_code_of_the_maximum_length():
    assert (await DevCode2Session(FAKE_APPID).exchange("x" * 128)).openid.startswith("dev-")
