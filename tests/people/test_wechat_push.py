"""WeChat's message push at /wechat/push: it checks the URL, then tells the server itself what
users accepted in wx.requestSubscribeMessage; those events, not the client, add credits."""

import time
from pathlib import Path
from typing import Any

import pytest

from groupql.config import Settings
from groupql.wechat.push import push_signature
from tests.actors import User
from tests.conftest import Clock
from tests.fakes.wechat import FAKE_ENCODING_AES_KEY, FAKE_PUSH_TOKEN, FakeWeChat
from tests.fakes.wechat import push_request as signed_push
from tests.people.messaging import (
    MENTION_ALL_TEMPLATE,
    MENTION_TEMPLATE,
    accept,
    credits,
    messaging,
)

CREATED = 1_700_000_000
SAFE_MODE = {"wechat_push_token": FAKE_PUSH_TOKEN, "wechat_push_aes_key": FAKE_ENCODING_AES_KEY}


def push_request(message: dict[str, Any], **options: Any) -> tuple[bytes, dict[str, str]]:
    """A push as WeChat sends it now: in safe mode, with the current time in its query."""
    options.setdefault("encoding_aes_key", FAKE_ENCODING_AES_KEY)
    options.setdefault("timestamp", str(int(time.time())))
    return signed_push(message, **options)


def popup(user: User, entries: Any, *, event: str = "subscribe_msg_popup_event") -> dict[str, Any]:
    return {
        "ToUserName": "gh_fakeminiprog",
        "FromUserName": f"openid-{user.code}",
        "CreateTime": CREATED,
        "MsgType": "event",
        "Event": event,
        "List": entries,
    }


def entry(template_id: str, status: str = "accept") -> dict[str, str]:
    return {"TemplateId": template_id, "SubscribeStatusString": status, "PopupScene": "0"}


async def test_wechat_checks_the_url_with_a_signed_echo(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        params = {
            "signature": push_signature(FAKE_PUSH_TOKEN, "1700000000", "n1"),
            "timestamp": "1700000000",
            "nonce": "n1",
            "echostr": "echo-4711",
        }
        answered = await m.api.http.get("/wechat/push", params=params)
        assert (answered.status_code, answered.text) == (200, "echo-4711")
        forged = await m.api.http.get("/wechat/push", params={**params, "signature": "0" * 40})
        assert forged.status_code == 403


async def test_an_accept_pushed_by_wechat_adds_one_credit_once(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        bob = await m.person("bob")
        body, params = push_request(popup(bob, entry(MENTION_TEMPLATE)))  # List as one object
        for _ in range(3):  # WeChat pushes again when an answer is slow
            answered = await m.api.http.post("/wechat/push", params=params, content=body)
            assert (answered.status_code, answered.text) == (200, "success")
        assert await credits(bob) == {MENTION_TEMPLATE: 1}
        # With the push set up, the client's own report adds nothing: it cannot mint credits.
        await accept(bob, MENTION_TEMPLATE)
        assert await credits(bob) == {MENTION_TEMPLATE: 1}

        turned_off = popup(
            bob, [entry(MENTION_TEMPLATE, "reject")], event="subscribe_msg_change_event"
        )
        body, params = push_request({**turned_off, "CreateTime": CREATED + 5})
        await m.api.http.post("/wechat/push", params=params, content=body)
        assert await credits(bob) == {MENTION_TEMPLATE: 0}


async def test_safe_mode_xml_with_several_templates(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        bob = await m.person("bob")
        message = popup(bob, [entry(MENTION_TEMPLATE), entry(MENTION_ALL_TEMPLATE, "reject")])
        body, params = push_request(message, body_format="xml")
        answered = await m.api.http.post("/wechat/push", params=params, content=body)
        assert answered.text == "success"
        assert await credits(bob) == {MENTION_TEMPLATE: 1, MENTION_ALL_TEMPLATE: 0}
        # Unencrypted pushes are refused once the EncodingAESKey is set.
        plain, plain_params = push_request(
            {**message, "CreateTime": CREATED + 1}, encoding_aes_key=None
        )
        refused = await m.api.http.post("/wechat/push", params=plain_params, content=plain)
        assert refused.status_code == 403
        assert await credits(bob) == {MENTION_TEMPLATE: 1, MENTION_ALL_TEMPLATE: 0}


async def test_forged_and_unknown_pushes(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        bob = await m.person("bob")
        body, params = push_request(popup(bob, entry(MENTION_TEMPLATE)), token="not-ours")
        forged = await m.api.http.post("/wechat/push", params=params, content=body)
        assert forged.status_code == 403
        other = {**popup(bob, []), "Event": "user_enter_tempsession"}
        body, params = push_request(other)
        assert (
            await m.api.http.post("/wechat/push", params=params, content=body)
        ).text == "success"
        stranger = {**popup(bob, entry(MENTION_TEMPLATE)), "FromUserName": "openid-nobody"}
        body, params = push_request(stranger)
        assert (
            await m.api.http.post("/wechat/push", params=params, content=body)
        ).text == "success"
        assert await credits(bob) == {}


async def test_without_a_push_token_there_is_no_push_endpoint(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path) as m:
        assert (await m.api.http.post("/wechat/push", content=b"{}")).status_code == 404


async def test_a_signed_push_replayed_later_is_refused(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        bob = await m.person("bob")
        old = str(int(time.time()) - 600)
        body, params = push_request(popup(bob, entry(MENTION_TEMPLATE)), timestamp=old)
        assert (
            await m.api.http.post("/wechat/push", params=params, content=body)
        ).status_code == 403
        assert await credits(bob) == {}


async def test_a_body_nested_too_deep_is_refused_not_a_crash(
    clock: Clock, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    async with messaging(clock, fake_wechat, tmp_path, **SAFE_MODE) as m:
        deep = b"[" * 30_000 + b"]" * 30_000
        _, params = push_request({"ToUserName": "x"})
        answered = await m.api.http.post("/wechat/push", params=params, content=b"{" + deep[1:])
        assert answered.status_code == 403


def test_a_push_token_without_safe_mode_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="GROUPQL_WECHAT_PUSH_AES_KEY"):
        Settings(wechat_push_token=FAKE_PUSH_TOKEN)
    with pytest.raises(ValueError, match="EncodingAESKey"):
        Settings(wechat_push_token=FAKE_PUSH_TOKEN, wechat_push_aes_key="!" * 43)
