"""A fake WeChat API on loopback HTTP, programmable from tests, for the code2Session client."""

import asyncio
import base64
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from groupql.wechat.code2session import WeChatSession

FAKE_APPID = "wx1234567890fakeapp"
FAKE_SECRET = "fake-secret-7f3c9a1e-must-never-be-logged"

# Real WeChat texts, so a test failure shows what production would have said.
ERRMSGS = {
    -1: "system error",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    40226: "high risk user",
    41008: "missing code",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
}


@dataclass(frozen=True)
class RawReply:
    """An answer that is not WeChat's JSON, e.g. a proxy's HTML error page."""

    status_code: int
    body: str


Reply = dict[str, Any] | RawReply


class FakeWeChat:
    """What the fake answers: registered codes, queued replies, and a delay; records every call."""

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
            self.calls: list[dict[str, str]] = []
            self._sessions: dict[str, WeChatSession] = {}
            self._used_codes: set[str] = set()
            self._queued: deque[Reply] = deque()

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

    def fail_next(self, errcode: int, times: int = 1) -> None:
        """Answer the next `times` calls with `errcode`, whatever they ask, without using codes."""
        self.reply_next(*[_error(errcode)] * times)

    def reply_next(self, *replies: Reply) -> None:
        """Answer the next calls with these replies, in order, before any normal handling."""
        with self._lock:
            self._queued.extend(replies)

    def _answer(self, params: dict[str, str]) -> Reply:
        with self._lock:
            self.calls.append(params)
            if self._queued:
                return self._queued.popleft()
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

    async def _jscode2session(self, request: Request) -> Response:
        reply = self._answer(dict(request.query_params))
        # The code is used before the delay: a slow WeChat has still consumed it.
        await asyncio.sleep(self.delay_s)
        if isinstance(reply, RawReply):
            return Response(reply.body, status_code=reply.status_code, media_type="text/html")
        # Like WeChat: JSON, but labelled text/plain.
        return Response(json.dumps(reply), media_type="text/plain")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/sns/jscode2session", self._jscode2session)])


def _error(errcode: int) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{ERRMSGS.get(errcode, 'error')}, rid: fake"}


@contextmanager
def running_fake_wechat(startup_timeout_s: float = 10.0) -> Iterator[FakeWeChat]:
    """Serve a FakeWeChat on a free loopback port in a background thread while in the block."""
    fake = FakeWeChat()
    config = uvicorn.Config(
        fake.app(), host="127.0.0.1", port=0, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="fake-wechat", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake WeChat server did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        fake.base_url = f"http://127.0.0.1:{port}"
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout_s)
