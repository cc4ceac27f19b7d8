"""Exchanging a wx.login code for the user's openid and session key, live or in dev mode."""

import asyncio
import base64
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from groupql.errors import Forbidden, InvalidLoginCode, RateLimited, WeChatUnavailable
from groupql.wechat.http import json_answer

logger = logging.getLogger(__name__)

MAX_LOGIN_CODE_LENGTH = 128

_INVALID_CODE = frozenset({40029, 40163})  # 40029 invalid code, 40163 code already used
_RATE_LIMITED = 45011
_HIGH_RISK_USER = 40226
_SYSTEM_BUSY = -1


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    session_key: str = field(repr=False)
    unionid: str | None = None


class Code2Session(Protocol):
    async def exchange(self, code: str) -> WeChatSession: ...

    async def aclose(self) -> None: ...


def quiet_http_client_logs() -> None:
    """Keep httpx's per-request INFO lines, which carry the app secret, out of the logs."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


# jscode2session only takes the app secret in the query string, so every request URL holds it,
# and httpx logs full URLs at INFO on the "httpx" logger. We never log a URL or a request, and
# the app calls quiet_http_client_logs() at start-up to silence httpx's own lines.
class LiveCode2Session:
    def __init__(
        self,
        api_base: str,
        appid: str,
        secret: str,
        timeout_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
        *,
        busy_retry_delay_s: float = 0.2,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/sns/jscode2session"
        self._appid = appid
        self._secret = secret
        self._timeout_s = timeout_s
        self._busy_retry_delay_s = busy_retry_delay_s
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()

    async def exchange(self, code: str) -> WeChatSession:
        _check_code_shape(code)
        body = await self._call(code)
        if body.get("errcode") == _SYSTEM_BUSY:
            # WeChat answers -1 before it looks at the code, so this is the one case where
            # sending the single-use code again cannot be refused as "already used".
            await asyncio.sleep(self._busy_retry_delay_s)
            body = await self._call(code)
        return self._session_from(body)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _call(self, code: str) -> dict[str, Any]:
        params = {
            "appid": self._appid,
            "secret": self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        # No retry on timeout or a dropped connection: WeChat may already have consumed the
        # single-use code, and a second call would turn a slow answer into "code already used".
        answer = await json_answer(
            self._http.get(self._url, params=params, timeout=self._timeout_s)
        )
        if isinstance(answer, str):
            raise self._unavailable(answer)
        return answer

    def _session_from(self, body: dict[str, Any]) -> WeChatSession:
        errcode = body.get("errcode", 0)
        if errcode in _INVALID_CODE:
            raise InvalidLoginCode()
        if errcode == _RATE_LIMITED:
            raise RateLimited()
        if errcode == _HIGH_RISK_USER:
            raise Forbidden("WeChat blocked this login.")
        if errcode == _SYSTEM_BUSY:
            raise self._unavailable("system busy twice")
        if errcode != 0:
            raise self._unavailable(f"errcode {errcode!r}: {body.get('errmsg')!r}")
        openid, session_key, unionid = (body.get(k) for k in ("openid", "session_key", "unionid"))
        if not (
            isinstance(openid, str) and openid and isinstance(session_key, str) and session_key
        ):
            raise self._unavailable("success answer without openid or session_key")
        return WeChatSession(
            openid=openid,
            session_key=session_key,
            unionid=unionid if isinstance(unionid, str) and unionid else None,
        )

    def _unavailable(self, reason: str) -> WeChatUnavailable:
        # The secret cannot be in `reason` by construction; the replace is a last guard in case
        # WeChat ever echoes it in an errmsg.
        logger.warning("jscode2session failed: %s", reason.replace(self._secret, "<secret>"))
        return WeChatUnavailable()


class DevCode2Session:
    """Stand-in for WeChat in dev mode: any code logs in, as the user `dev_session_for_code` names.

    Unlike a real wx.login code, a dev code may be used again and again, always as the same user.
    """

    def __init__(self, appid: str) -> None:
        self._appid = appid

    async def exchange(self, code: str) -> WeChatSession:
        _check_code_shape(code)
        return dev_session_for_code(code, self._appid)

    async def aclose(self) -> None:
        return None


def dev_session_for_code(code: str, appid: str) -> WeChatSession:
    """The dev-mode session for a login code, derived from the code and appid alone:

    - openid = "dev-" + the first 24 hex digits of sha256(f"{appid}:openid:{code}")
    - session_key = base64 of the first 16 bytes of sha256(f"{appid}:session_key:{code}")
    - unionid = None
    """
    openid_digest = hashlib.sha256(f"{appid}:openid:{code}".encode()).hexdigest()
    key_digest = hashlib.sha256(f"{appid}:session_key:{code}".encode()).digest()
    return WeChatSession(
        openid=f"dev-{openid_digest[:24]}",
        session_key=base64.b64encode(key_digest[:16]).decode("ascii"),
    )


def _check_code_shape(code: str) -> None:
    if not 1 <= len(code) <= MAX_LOGIN_CODE_LENGTH:
        raise InvalidLoginCode()
