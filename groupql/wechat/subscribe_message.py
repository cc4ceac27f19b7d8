"""Subscribe messages: sending them, live or in dev, with values fitted by template_values."""

import enum
import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from groupql.errors import WeChatUnavailable
from groupql.wechat.access_token import AccessTokens
from groupql.wechat.http import json_answer
from groupql.wechat.template_values import TemplateValueRejected, check_data

logger = logging.getLogger(__name__)

MiniprogramState = Literal["developer", "trial", "formal"]
Lang = Literal["zh_CN", "en_US", "zh_HK", "zh_TW"]


class SendOutcome(enum.Enum):
    SENT = "SENT"
    NO_CREDIT = "NO_CREDIT"
    """The user holds no subscription for the template (any more): count the credit as spent."""
    BAD_DATA = "BAD_DATA"
    """A value breaks the template's rules; `detail` names the field."""
    RETRY_LATER = "RETRY_LATER"
    """WeChat was busy, slow or out of reach; the same request may succeed later."""
    FAILED = "FAILED"
    """The request can never succeed as made: the openid, template or page is wrong."""


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    msg_id: str | None = None
    errcode: int | None = None
    detail: str = ""


# What each errcode of subscribeMessage.send means for the caller, with WeChat's errmsg.
_TOKEN_REFUSED = frozenset({40001, 42001, 40014})
_OUTCOMES = {
    # "user refuse to accept the msg": never subscribed, refused, or a one-time credit spent.
    43101: SendOutcome.NO_CREDIT,
    # "argument invalid! data.thing1.value invalid": the errmsg names the field.
    47003: SendOutcome.BAD_DATA,
    40003: SendOutcome.FAILED,  # "invalid openid"
    40037: SendOutcome.FAILED,  # "invalid template_id"
    41030: SendOutcome.FAILED,  # "invalid page": not in that version of the mini-program
    # After one retry with a fresh token: "invalid credential, access_token is invalid or not
    # latest", "access_token expired", "invalid access_token".
    **dict.fromkeys(_TOKEN_REFUSED, SendOutcome.RETRY_LATER),
    -1: SendOutcome.RETRY_LATER,  # "system error"
    45009: SendOutcome.RETRY_LATER,  # "reach max api daily quota limit"
}


class SubscribeMessageSender(Protocol):
    async def send(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        page: str | None = None,
        miniprogram_state: MiniprogramState = "formal",
        lang: Lang = "zh_CN",
    ) -> SendResult: ...

    async def aclose(self) -> None: ...


# The access token rides in the URL: no request, URL or httpx exception is ever logged or kept.
class SubscribeMessageClient:
    """WeChat's subscribeMessage.send (POST /cgi-bin/message/subscribe/send)."""

    def __init__(
        self,
        api_base: str,
        access_tokens: AccessTokens,
        timeout_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/message/subscribe/send"
        self._tokens = access_tokens
        self._timeout_s = timeout_s
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()

    async def send(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        page: str | None = None,
        miniprogram_state: MiniprogramState = "formal",
        lang: Lang = "zh_CN",
    ) -> SendResult:
        try:
            payload: dict[str, Any] = {
                "touser": openid,
                "template_id": template_id,
                "data": check_data(data),
                "miniprogram_state": miniprogram_state,
                "lang": lang,
            }
        except TemplateValueRejected as rejected:
            return SendResult(SendOutcome.BAD_DATA, detail=str(rejected))
        if page is not None:
            payload["page"] = page
        try:
            token = await self._tokens.token()
            result = await self._send_with(token, payload)
            if result.errcode in _TOKEN_REFUSED:
                # The cache keeps a token another instance already put in its place.
                await self._tokens.invalidate(token)
                result = await self._send_with(await self._tokens.token(), payload)
        except WeChatUnavailable:
            return SendResult(SendOutcome.RETRY_LATER, detail="no access token")
        return result

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _send_with(self, token: str, payload: dict[str, Any]) -> SendResult:
        answer = await json_answer(
            self._http.post(
                self._url, params={"access_token": token}, json=payload, timeout=self._timeout_s
            )
        )
        # After a timeout WeChat may have delivered it already: a retry can show the message
        # twice, which beats losing it. The subscribe_msg_sent_event push tells what happened.
        return _retry_later(answer) if isinstance(answer, str) else _result_of(answer)


def _result_of(body: dict[str, Any]) -> SendResult:
    errcode = body.get("errcode", 0)
    if errcode == 0:
        msg_id = body.get("msgid")
        return SendResult(SendOutcome.SENT, msg_id=None if msg_id is None else str(msg_id))
    detail = str(body.get("errmsg", ""))
    if not isinstance(errcode, int):
        return _retry_later(f"errcode is not a number: {errcode!r}")
    outcome = _OUTCOMES.get(errcode)
    if outcome is None:
        logger.warning("subscribeMessage.send: unexpected errcode %r: %r", errcode, detail)
        outcome = SendOutcome.RETRY_LATER
    return SendResult(outcome, errcode=errcode, detail=detail)


def _retry_later(reason: str) -> SendResult:
    logger.warning("subscribeMessage.send failed: %s", reason)
    return SendResult(SendOutcome.RETRY_LATER, detail=reason)


@dataclass(frozen=True)
class SentMessage:
    openid: str
    template_id: str
    data: dict[str, dict[str, str]]
    page: str | None
    miniprogram_state: MiniprogramState
    lang: Lang


class RecordingSender:
    """Dev mode's sender: keeps in `sent` what would have gone to WeChat, and reports it SENT.

    Values are checked as for WeChat, so dev mode meets BAD_DATA where production would."""

    def __init__(self, keep: int = 1000) -> None:
        # The latest `keep` only: a dev server runs for days.
        self.sent: deque[SentMessage] = deque(maxlen=keep)
        self._count = 0

    async def send(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        page: str | None = None,
        miniprogram_state: MiniprogramState = "formal",
        lang: Lang = "zh_CN",
    ) -> SendResult:
        try:
            checked = check_data(data)
        except TemplateValueRejected as rejected:
            return SendResult(SendOutcome.BAD_DATA, detail=str(rejected))
        self.sent.append(SentMessage(openid, template_id, checked, page, miniprogram_state, lang))
        self._count += 1
        # The template and its fields only: the values are users' words.
        logger.info(
            "dev mode: would send subscribe message %s (%s) to %s",
            template_id,
            ", ".join(checked),
            openid,
        )
        return SendResult(SendOutcome.SENT, msg_id=f"dev-{self._count}")

    async def aclose(self) -> None:
        return None
