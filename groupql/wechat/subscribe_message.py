"""Subscribe messages: template values made to fit WeChat's rules, and sending, live or in dev."""

import enum
import json
import logging
import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from groupql.errors import WeChatUnavailable
from groupql.wechat.access_token import AccessTokens

logger = logging.getLogger(__name__)

MiniprogramState = Literal["developer", "trial", "formal"]
Lang = Literal["zh_CN", "en_US", "zh_HK", "zh_TW"]


class TemplateValueRejected(ValueError):
    """A template value WeChat would refuse and that cannot be shortened into one it accepts."""

    def __init__(self, key: str, reason: str) -> None:
        # The value is left out: it is often a user's text.
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def fit_value(key: str, text: str) -> str:
    """`text` as WeChat accepts it for template key `key` (e.g. "thing1", "time2").

    Free text is shortened to fit: a thing to 20 characters ending in "…", a name to 10 Chinese
    characters or 20 letters. Anything else that breaks its kind's rules is refused, because
    cutting a number, a time or a status word short would change what it says. Kinds this module
    does not know (e.g. enum) pass unchanged for WeChat to judge.
    """
    match = _KEY.fullmatch(key)
    if match is None:
        raise TemplateValueRejected(key, "is not a template key such as thing1 or time2")
    value = text.strip()
    if not value:
        raise TemplateValueRejected(key, "is empty")
    fit = _FITTERS.get(match["kind"])
    return value if fit is None else fit(key, value)


def check_data(data: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The `data` of a subscribeMessage.send request: each value fitted by `fit_value`."""
    return {key: {"value": fit_value(key, text)} for key, text in data.items()}


# The rules are those of WeChat's "订阅消息参数值内容限制说明". WeChat does not say how it
# counts characters; UTF-16 units count an emoji as two, so a value that fits them fits
# however WeChat counts.
def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shorten(text: str, limit: int, ellipsis: str = "") -> str:
    if _units(text) <= limit:
        return text
    room = limit - _units(ellipsis)
    kept: list[str] = []
    for char in text:
        room -= _units(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ellipsis


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_symbol(char: str) -> bool:
    # WeChat: "symbols are common marks other than Chinese, letters and digits, no control
    # characters": Unicode punctuation and symbols.
    return unicodedata.category(char)[0] in "PS"


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _fit_thing(key: str, value: str) -> str:
    # 20 characters of anything but control characters: line breaks become spaces.
    flat = " ".join("".join(" " if _is_control(c) else c for c in value).split())
    return _shorten(flat, 20, "…")


def _fit_name(key: str, value: str) -> str:
    # A Chinese name has at most 10 characters, and letters mixed in count as Chinese; a name of
    # letters (and symbols) alone may have 20. Digits are not allowed at all.
    if not all(
        _is_chinese(c) or c in string.ascii_letters or c == " " or _is_symbol(c) for c in value
    ):
        raise TemplateValueRejected(key, "a name holds only Chinese characters, letters or symbols")
    limit = 10 if any(_is_chinese(c) for c in value) else 20
    return _shorten(value, limit)


def _rule(test: Callable[[str], bool], max_units: int, rule: str) -> Callable[[str, str], str]:
    def fit(key: str, value: str) -> str:
        if _units(value) > max_units or not test(value):
            raise TemplateValueRejected(key, rule)
        return value

    return fit


def _pattern(regex: str) -> Callable[[str], bool]:
    # ASCII: WeChat's digits are 0-9, not every script's.
    compiled = re.compile(regex, re.ASCII)
    return lambda value: compiled.fullmatch(value) is not None


def _fit_amount(key: str, value: str) -> str:
    # One currency symbol, at most 10 digits with an optional fraction, optionally ending in 元.
    number = value[1:] if unicodedata.category(value[0]) == "Sc" else value
    digits = sum(c in string.digits for c in number)
    if not (re.fullmatch(r"[0-9]+(\.[0-9]+)?元?", number) and digits <= 10):
        raise TemplateValueRejected(key, "an amount is a currency symbol and up to 10 digits")
    return value


_fit_phone_digits = _rule(
    lambda v: (
        any(c in string.digits for c in v) and all(c in string.digits or _is_symbol(c) for c in v)
    ),
    17,
    "a phone number is up to 17 digits and symbols, e.g. +86-0766-66888866",
)


def _fit_phone_number(key: str, value: str) -> str:
    # Spaces are not among WeChat's symbols, and dropping them keeps the number the same.
    return _fit_phone_digits(key, value.replace(" ", ""))


# Times are 24-hour HH:MM or HH:MM:SS; dates are y年m月d日, y年m月, m月d日, or joined by
# '-', '/' or '.'; a time may carry a date and a date a time; "~" joins two into a span.
_HM = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_Y, _M, _D = r"\d{4}", r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"
_DATE = (
    rf"(?:{_Y}年{_M}月{_D}日|{_Y}年{_M}月|{_M}月{_D}日"
    rf"|{_Y}-{_M}-{_D}|{_Y}/{_M}/{_D}|{_Y}\.{_M}\.{_D}|{_Y}-{_M}|{_M}-{_D})"
)
_TIME_POINT = rf"(?:{_DATE} ?)?{_HM}"
_DATE_POINT = rf"{_DATE}(?: ?{_HM})?"


def _span(point: str) -> str:
    return rf"{point}(?: ?~ ?{point})?"


_KEY = re.compile(r"(?P<kind>[a-z]+(?:_[a-z]+)*)\d+")
_FITTERS: dict[str, Callable[[str, str], str]] = {
    "thing": _fit_thing,
    "name": _fit_name,
    "amount": _fit_amount,
    "phone_number": _fit_phone_number,
    "number": _rule(_pattern(r"\d+(\.\d+)?"), 32, "a number is up to 32 digits, maybe a fraction"),
    "letter": _rule(_pattern(r"[A-Za-z]+"), 32, "letters only, up to 32"),
    "symbol": _rule(lambda v: all(map(_is_symbol, v)), 5, "symbols only, up to 5"),
    "character_string": _rule(
        lambda v: all(c in string.ascii_letters + string.digits or _is_symbol(c) for c in v),
        32,
        "letters, digits and symbols only, up to 32",
    ),
    "phrase": _rule(lambda v: all(map(_is_chinese, v)), 5, "Chinese characters only, up to 5"),
    "car_number": _rule(
        _pattern(r"[\u4e00-\u9fff]?[A-Za-z0-9]+[\u4e00-\u9fff]?"),
        8,
        "a plate is up to 8 letters and digits, first and last may be Chinese",
    ),
    "time": _rule(_pattern(_span(_TIME_POINT)), 64, "a 24-hour time such as 15:01"),
    "date": _rule(_pattern(_span(_DATE_POINT)), 64, "a date such as 2019年10月1日 or 2019-10-01"),
}


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
        try:
            response = await self._http.post(
                self._url, params={"access_token": token}, json=payload, timeout=self._timeout_s
            )
        except httpx.TimeoutException:
            # WeChat may have delivered it already: a retry can show the message twice, which
            # beats losing it. The subscribe_msg_sent_event push tells what happened.
            return _retry_later("timed out")
        except httpx.HTTPError as exc:
            return _retry_later(f"request failed ({type(exc).__name__})")
        if response.status_code != httpx.codes.OK:
            return _retry_later(f"HTTP {response.status_code}")
        try:
            body = json.loads(response.content)
        except ValueError:
            return _retry_later("body is not JSON")
        if not isinstance(body, dict):
            return _retry_later("body is not a JSON object")
        return _result_of(body)


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

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []

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
        return SendResult(SendOutcome.SENT, msg_id=f"dev-{len(self.sent)}")

    async def aclose(self) -> None:
        return None
