"""A fake WeChat API on loopback HTTP, programmable from tests: code2Session, access tokens,
subscribe messages and content security; and message pushes signed and encrypted as WeChat makes
them."""

import asyncio
import base64
import json
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from groupql.wechat.code2session import WeChatSession
from groupql.wechat.push import encrypt_push, push_signature
from tests.fakes.threaded_server import served_in_thread

FAKE_APPID = "wx1234567890fakeapp"
FAKE_SECRET = "fake-secret-7f3c9a1e-must-never-be-logged"
# The message push settings of the fake mini-program's console.
FAKE_PUSH_TOKEN = "fake-push-token"
FAKE_ENCODING_AES_KEY = base64.b64encode(b"groupql-fake-encoding-aes-key-32").decode()[:-1]

# The APIs the fake serves, by path; `fail_next` and `reply_next` take one of them.
JSCODE2SESSION = "/sns/jscode2session"
STABLE_TOKEN = "/cgi-bin/stable_token"
SUBSCRIBE_SEND = "/cgi-bin/message/subscribe/send"
MSG_SEC_CHECK = "/wxa/msg_sec_check"
MEDIA_CHECK_ASYNC = "/wxa/media_check_async"

# Real WeChat texts, so a test failure shows what production would have said.
ERRMSGS = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40129: "invalid scene",
    40163: "code been used",
    40226: "high risk user",
    41008: "missing code",
    41030: "invalid page",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44991: "reach max api minute frequence",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid! data.thing1.value invalid",
    61010: "code is expired",
    87014: "risky content",
    87020: "repeat request limit exceeded",
}
# In normal mode stable_token hands out a new token once the current one has this long left.
_TOKEN_RENEW_AHEAD_S = 300
# msgSecCheck's limit. What WeChat answers to longer content is not documented: the fake refuses
# it, so a test shows that long texts reach it in pieces.
_MAX_CHECKED_CHARS = 2500
_SUGGEST_SEVERITY = {"pass": 0, "review": 1, "risky": 2}


@dataclass(frozen=True)
class RawReply:
    """An answer that is not WeChat's JSON, e.g. a proxy's HTML error page."""

    status_code: int
    body: str


Reply = dict[str, Any] | RawReply


class FakeWeChat:
    """What the fake answers: registered codes, issued access tokens, queued replies, and a delay
    for every API; records every call. Token lifetimes follow `now_s`, which tests may replace."""

    def __init__(self, appid: str = FAKE_APPID, secret: str = FAKE_SECRET) -> None:
        self.appid = appid
        self.secret = secret
        self.base_url = ""
        # The server thread and the test touch this state; the lock keeps each change whole.
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.delay_s = 0.0
            self.now_s: Callable[[], float] = time.time
            self.token_expires_in_s = 7200
            self.calls: list[dict[str, str]] = []
            self.token_calls: list[dict[str, Any]] = []
            self.send_calls: list[dict[str, Any]] = []
            self.sent: list[dict[str, Any]] = []
            # msgSecCheck's verdict on content holding a key: (suggest, label); the worst wins.
            self.text_rules: dict[str, tuple[str, int]] = {}
            self.text_check_calls: list[dict[str, Any]] = []
            self.media_check_calls: list[dict[str, Any]] = []
            self._media_checks: dict[str, dict[str, Any]] = {}
            self._sessions: dict[str, WeChatSession] = {}
            self._used_codes: set[str] = set()
            self._queued: dict[str, deque[Reply]] = {
                api: deque()
                for api in (
                    JSCODE2SESSION,
                    STABLE_TOKEN,
                    SUBSCRIBE_SEND,
                    MSG_SEC_CHECK,
                    MEDIA_CHECK_ASYNC,
                )
            }
            self._token_expiries: dict[str, float] = {}
            self._current_token: str | None = None

    def add_code(
        self,
        code: str,
        openid: str,
        session_key: str | None = None,
        unionid: str | None = None,
    ) -> WeChatSession:
        """Make `code` a valid, unused login code for `openid`; returns the session WeChat gives."""
        session = WeChatSession(
            openid=openid,
            session_key=session_key or base64.b64encode(secrets.token_bytes(16)).decode(),
            unionid=unionid,
        )
        with self._lock:
            self._sessions[code] = session
        return session

    def fail_next(self, errcode: int, times: int = 1, *, api: str = JSCODE2SESSION) -> None:
        """Answer the next `times` calls to `api` with `errcode`, whatever they ask, without
        using codes or checking tokens."""
        self.reply_next(*[_error(errcode)] * times, api=api)

    def reply_next(self, *replies: Reply, api: str = JSCODE2SESSION) -> None:
        """Answer the next calls to `api` with these replies, in order, before normal handling."""
        with self._lock:
            self._queued[api].extend(replies)

    def expire_tokens(self) -> None:
        """Let every issued access token run out: using one now gets 42001."""
        with self._lock:
            now = self.now_s()
            self._token_expiries = dict.fromkeys(self._token_expiries, now)

    def revoke_tokens(self) -> None:
        """Forget every issued access token, as a force refresh elsewhere would: using one now
        gets 40001, and stable_token hands out a new one."""
        with self._lock:
            self._token_expiries.clear()
            self._current_token = None

    def media_traces(self) -> list[str]:
        """The trace_ids of the media checks asked so far, oldest first."""
        with self._lock:
            return list(self._media_checks)

    def media_verdict(
        self, trace_id: str, suggest: str = "pass", label: int = 100, *, errcode: int = 0
    ) -> dict[str, Any]:
        """The wxa_media_check push WeChat sends with its verdict on a mediaCheckAsync, in its
        JSON shape: hand it to `push_request`. A trace_id the fake never issued is allowed."""
        with self._lock:
            asked = self._media_checks.get(trace_id, {})
            now = self.now_s()
        verdict = {"suggest": suggest, "label": label}
        return {
            "ToUserName": "gh_fakeminiprog",
            "FromUserName": asked.get("openid", "o-wechat-push-service"),
            "CreateTime": int(now),
            "MsgType": "event",
            "Event": "wxa_media_check",
            "appid": self.appid,
            "trace_id": trace_id,
            "version": 2,
            "errcode": errcode,
            "errmsg": "ok" if errcode == 0 else "error",
            "detail": [{"strategy": "content_model", "errcode": 0, **verdict, "prob": 90}],
            "result": verdict,
        }

    def _answer(self, params: dict[str, str]) -> Reply:
        with self._lock:
            self.calls.append(params)
            if self._queued[JSCODE2SESSION]:
                return self._queued[JSCODE2SESSION].popleft()
            if params.get("appid") != self.appid:
                return _error(40013)
            if params.get("secret") != self.secret:
                return _error(40125)
            if params.get("grant_type") != "authorization_code":
                return _error(40002)
            code = params.get("js_code", "")
            if not code:
                return _error(41008)
            if code in self._used_codes:
                return _error(40163)
            session = self._sessions.pop(code, None)
            if session is None:
                return _error(40029)
            self._used_codes.add(code)
        reply: dict[str, Any] = {"openid": session.openid, "session_key": session.session_key}
        if session.unionid is not None:
            reply["unionid"] = session.unionid
        return reply

    def _answer_stable_token(self, body: Any) -> Reply:
        with self._lock:
            self.token_calls.append(body)
            if self._queued[STABLE_TOKEN]:
                return self._queued[STABLE_TOKEN].popleft()
            if not isinstance(body, dict) or body.get("grant_type") != "client_credential":
                return _error(40002)
            if body.get("appid") != self.appid:
                return _error(40013)
            if body.get("secret") != self.secret:
                return _error(40125)
            now = self.now_s()
            current = self._current_token
            if body.get("force_refresh") is True and current is not None:
                del self._token_expiries[current]  # force refresh revokes the old token at once
                current = None
            if current is None or self._token_expiries[current] - now <= _TOKEN_RENEW_AHEAD_S:
                # Renewed ahead in normal mode: the old token keeps working until it expires.
                current = (
                    f"fake-access-token-{len(self._token_expiries) + 1}-{secrets.token_hex(4)}"
                )
                self._token_expiries[current] = now + self.token_expires_in_s
                self._current_token = current
            return {"access_token": current, "expires_in": int(self._token_expiries[current] - now)}

    def _answer_subscribe_send(self, access_token: str, body: Any) -> Reply:
        with self._lock:
            self.send_calls.append({"access_token": access_token, "body": body})
            if self._queued[SUBSCRIBE_SEND]:
                return self._queued[SUBSCRIBE_SEND].popleft()
            refusal = self._token_refusal(access_token)
            if refusal is not None:
                return refusal
            if not isinstance(body, dict) or not body.get("touser"):
                return _error(40003)
            if not body.get("template_id"):
                return _error(40037)
            bad_field = _bad_data_field(body.get("data"))
            if bad_field is not None:
                return {
                    "errcode": 47003,
                    "errmsg": f"argument invalid! data.{bad_field}.value invalid, rid: fake",
                }
            self.sent.append(body)
            return {"errcode": 0, "errmsg": "ok", "msgid": 1700827132819554304 + len(self.sent)}

    def _token_refusal(self, access_token: str) -> Reply | None:
        expiry = self._token_expiries.get(access_token)
        if expiry is None:
            return _error(40001)
        if expiry <= self.now_s():
            return _error(42001)
        return None

    def _answer_msg_sec_check(self, access_token: str, body: Any) -> Reply:
        with self._lock:
            self.text_check_calls.append({"access_token": access_token, "body": body})
            if self._queued[MSG_SEC_CHECK]:
                return self._queued[MSG_SEC_CHECK].popleft()
            refusal = self._token_refusal(access_token) or _content_check_refusal(body)
            if refusal is not None:
                return refusal
            content = body.get("content")
            if not isinstance(content, str) or len(content) > _MAX_CHECKED_CHARS:
                return _error(47001)
            matched = [rule for key, rule in self.text_rules.items() if key in content]
            suggest, label = max(
                matched, key=lambda rule: _SUGGEST_SEVERITY[rule[0]], default=("pass", 100)
            )
        verdict = {"suggest": suggest, "label": label}
        return {
            "errcode": 0,
            "errmsg": "ok",
            "detail": [
                {"strategy": "content_model", "errcode": 0, **verdict, "prob": 90},
                {"strategy": "keyword", "errcode": 0},
            ],
            "trace_id": _trace_id(),
            "result": verdict,
        }

    def _answer_media_check_async(self, access_token: str, body: Any) -> Reply:
        with self._lock:
            self.media_check_calls.append({"access_token": access_token, "body": body})
            if self._queued[MEDIA_CHECK_ASYNC]:
                return self._queued[MEDIA_CHECK_ASYNC].popleft()
            refusal = self._token_refusal(access_token) or _content_check_refusal(body)
            if refusal is not None:
                return refusal
            if body.get("media_type") not in (1, 2):
                return _error(40004)
            if not isinstance(body.get("media_url"), str) or not body["media_url"]:
                return _error(47001)
            trace_id = _trace_id()
            self._media_checks[trace_id] = body
        return {"errcode": 0, "errmsg": "ok", "trace_id": trace_id}

    async def _jscode2session(self, request: Request) -> Response:
        reply = self._answer(dict(request.query_params))
        # The code is used before the delay: a slow WeChat has still consumed it.
        await asyncio.sleep(self.delay_s)
        return _respond(reply)

    async def _stable_token(self, request: Request) -> Response:
        reply = self._answer_stable_token(_json_or_none(await request.body()))
        await asyncio.sleep(self.delay_s)
        return _respond(reply)

    async def _subscribe_send(self, request: Request) -> Response:
        access_token = request.query_params.get("access_token", "")
        reply = self._answer_subscribe_send(access_token, _json_or_none(await request.body()))
        # Sent before the delay: a slow WeChat has still delivered the message.
        await asyncio.sleep(self.delay_s)
        return _respond(reply)

    async def _msg_sec_check(self, request: Request) -> Response:
        access_token = request.query_params.get("access_token", "")
        reply = self._answer_msg_sec_check(access_token, _json_or_none(await request.body()))
        await asyncio.sleep(self.delay_s)
        return _respond(reply)

    async def _media_check_async(self, request: Request) -> Response:
        access_token = request.query_params.get("access_token", "")
        reply = self._answer_media_check_async(access_token, _json_or_none(await request.body()))
        # Taken before the delay: a slow WeChat has still queued the check.
        await asyncio.sleep(self.delay_s)
        return _respond(reply)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(JSCODE2SESSION, self._jscode2session),
                Route(STABLE_TOKEN, self._stable_token, methods=["POST"]),
                Route(SUBSCRIBE_SEND, self._subscribe_send, methods=["POST"]),
                Route(MSG_SEC_CHECK, self._msg_sec_check, methods=["POST"]),
                Route(MEDIA_CHECK_ASYNC, self._media_check_async, methods=["POST"]),
            ]
        )


def _respond(reply: Reply) -> Response:
    if isinstance(reply, RawReply):
        return Response(reply.body, status_code=reply.status_code, media_type="text/html")
    # Like WeChat: JSON, but labelled text/plain.
    return Response(json.dumps(reply), media_type="text/plain")


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _bad_data_field(data: object) -> str | None:
    """The first template key whose value WeChat would refuse: only shapes and thing lengths are
    checked here; groupql.wechat.subscribe_message knows the rest."""
    if not isinstance(data, dict) or not data:
        return "data"
    for key, entry in data.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not value:
            return str(key)
        if str(key).startswith("thing") and len(value) > 20:
            return str(key)
    return None


def _content_check_refusal(body: Any) -> Reply | None:
    """What both content checks refuse before looking at the content, as WeChat does."""
    if not isinstance(body, dict) or not body:
        return _error(44002)
    if body.get("version") != 2:
        return _error(47001)
    if not isinstance(body.get("openid"), str) or not body["openid"]:
        return _error(40003)
    if body.get("scene") not in (1, 2, 3, 4):
        return _error(40129)
    return None


def _trace_id() -> str:
    # WeChat's look: "66615018-08a94388-55c5cc37".
    return "-".join(secrets.token_hex(4) for _ in range(3))


def _error(errcode: int) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{ERRMSGS.get(errcode, 'error')}, rid: fake"}


@contextmanager
def running_fake_wechat(startup_timeout_s: float = 10.0) -> Iterator[FakeWeChat]:
    """Serve a FakeWeChat on a free loopback port in a background thread while in the block."""
    fake = FakeWeChat()
    with served_in_thread(fake.app(), "fake-wechat", startup_timeout_s) as base_url:
        fake.base_url = base_url
        yield fake


# Where each subscription event's XML puts its <List> entries.
_LIST_WRAPPERS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
    "subscribe_msg_sent_event": "SubscribeMsgSentEvent",
}


def push_request(
    message: Mapping[str, Any],
    *,
    body_format: Literal["json", "xml"] = "json",
    encoding_aes_key: str | None = None,
    token: str = FAKE_PUSH_TOKEN,
    appid: str = FAKE_APPID,
    timestamp: str = "1700000000",
    nonce: str = "fake-nonce",
) -> tuple[bytes, dict[str, str]]:
    """A push as WeChat POSTs it: the body and the query string's parameters, signed, and in safe
    mode (with an EncodingAESKey) encrypted. `message` is in WeChat's JSON shape."""
    document = _render(message, body_format)
    params = {
        "signature": push_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    if encoding_aes_key is None:
        return document, params
    encrypt = encrypt_push(document, encoding_aes_key=encoding_aes_key, appid=appid)
    envelope = {"ToUserName": message.get("ToUserName", "gh_fakeminiprog"), "Encrypt": encrypt}
    params["encrypt_type"] = "aes"
    params["msg_signature"] = push_signature(token, timestamp, nonce, encrypt)
    return _render(envelope, body_format), params


def _render(message: Mapping[str, Any], body_format: Literal["json", "xml"]) -> bytes:
    if body_format == "json":
        return json.dumps(message, ensure_ascii=False).encode()
    root = ET.Element("xml")
    for key, value in message.items():
        if key != "List":
            # wxa_media_check's result is an object and its detail a list of them.
            for item in value if isinstance(value, list) else [value]:
                _render_xml_value(ET.SubElement(root, key), item)
            continue
        wrapper = ET.SubElement(root, _LIST_WRAPPERS[message["Event"]])
        for entry in value if isinstance(value, list) else [value]:
            item = ET.SubElement(wrapper, "List")
            for field, text in entry.items():
                ET.SubElement(item, field).text = str(text)
    return ET.tostring(root, encoding="unicode").encode()


def _render_xml_value(element: ET.Element, value: Any) -> None:
    if not isinstance(value, Mapping):
        element.text = str(value)
        return
    for key, inner in value.items():
        ET.SubElement(element, key).text = str(inner)
