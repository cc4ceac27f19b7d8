"""Content security: WeChat's msgSecCheck and mediaCheckAsync (v2), live or in dev."""

import enum
import itertools
import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from groupql.errors import WeChatUnavailable
from groupql.wechat.access_token import AccessTokens
from groupql.wechat.http import json_answer

logger = logging.getLogger(__name__)

# msgSecCheck checks "at most 2500 字" per call.
MAX_TEXT_CHARS = 2500
# Consecutive chunks of a long text share this many characters, so a phrase that a chunk boundary
# cuts is still whole in one of them; what WeChat flags is far shorter.
_CHUNK_OVERLAP_CHARS = 50


class Verdict(enum.Enum):
    PASS = "PASS"
    REVIEW = "REVIEW"
    RISKY = "RISKY"
    UNKNOWN = "UNKNOWN"
    """WeChat did not answer, or not with a verdict: the caller fails open or closed."""


# How much a verdict holds content back: the worst one of a long text's chunks wins. UNKNOWN is
# below REVIEW, so a fail-open caller still holds a text that one chunk made REVIEW.
_SEVERITY = {Verdict.PASS: 0, Verdict.UNKNOWN: 1, Verdict.REVIEW: 2, Verdict.RISKY: 3}
_SUGGESTS = {"pass": Verdict.PASS, "review": Verdict.REVIEW, "risky": Verdict.RISKY}


def verdict_of(suggest: object) -> Verdict:
    """The verdict of WeChat's `suggest`; UNKNOWN for anything but pass, review and risky."""
    return _SUGGESTS.get(suggest, Verdict.UNKNOWN) if isinstance(suggest, str) else Verdict.UNKNOWN


class Scene(enum.IntEnum):
    """Where the content appears; WeChat tunes its checks to it."""

    PROFILE = 1  # 资料: nicknames, display names, profiles
    COMMENT = 2  # 评论
    FORUM = 3  # 论坛: posts in a group
    SOCIAL_LOG = 4  # 社交日志


MediaType = Literal["image", "audio"]
_MEDIA_TYPES: dict[MediaType, int] = {"audio": 1, "image": 2}


@dataclass(frozen=True)
class TextCheck:
    verdict: Verdict
    label: int | None = None
    """WeChat's label: 100 normal, 10001 ads, 20001 politics, 20002 porn, 20003 abuse, 20006
    crime, 20008 fraud, 20012 vulgar, 20013 copyright, 21000 other."""
    trace_id: str | None = None


@dataclass(frozen=True)
class MediaCheckResult:
    """WeChat's verdict on one mediaCheckAsync, pushed as a wxa_media_check event within 30
    minutes. WeChat pushes again when not answered in time: applying it twice must be harmless."""

    trace_id: str
    verdict: Verdict
    label: int | None
    appid: str


class ContentSecurity(Protocol):
    async def check_text(
        self,
        *,
        openid: str,
        content: str,
        scene: Scene,
        title: str | None = None,
        nickname: str | None = None,
    ) -> TextCheck:
        """The verdict on `content` by `openid` (who must have opened the mini-program in the
        last two hours). Blank content passes unasked: to check a title alone, pass it as the
        content."""
        ...

    async def check_media(
        self, *, openid: str, media_url: str, media_type: MediaType, scene: Scene
    ) -> str | None:
        """The trace_id of the check WeChat took on, or None when it did not. `media_url` must
        stay downloadable by WeChat until the verdict is pushed (up to 30 minutes)."""
        ...

    async def aclose(self) -> None: ...


# What each errcode means, with WeChat's errmsg. All of them but 87014 leave the content
# unchecked (UNKNOWN); those marked "ours" are a bug or a configuration to fix, not bad luck.
# "risky content": v1's answer to a text that breaks the rules, taken at its word if it comes.
_RISKY_CONTENT = 87014
_TOKEN_REFUSED = frozenset({40001, 42001, 40014})
_UNCHECKED = {
    -1: "busy",  # "system error"
    # Only after one retry with a new token: "invalid credential, access_token is invalid or
    # not latest", "access_token expired", "invalid access_token".
    **dict.fromkeys(_TOKEN_REFUSED, "access token refused twice"),
    40003: "openid unknown to WeChat",  # "invalid openid"
    40004: "ours: media_type",  # "invalid media type"
    40129: "ours: scene",  # "invalid scene"
    43104: "openid of another mini-program",  # "The openid does not match the appid"
    44002: "ours: empty request",  # "empty post data"
    44991: "minute quota spent",  # "reach max api minute frequence"
    45009: "daily quota spent",  # "reach max api daily quota limit"
    47001: "ours: request malformed",  # "data format error"
    48001: "ours: API not enabled for the mini-program",  # "api unauthorized"
    # "code is expired": the user has not opened the mini-program in the last two hours, so
    # WeChat will not check for them until they do.
    61010: "user not seen for two hours",
    87020: "same media asked too often",  # "repeat request limit exceeded"
}


# The access token rides in the URL: no request, URL or httpx exception is ever logged or kept.
class WeChatContentSecurity:
    """msgSecCheck (POST /wxa/msg_sec_check) and mediaCheckAsync (POST /wxa/media_check_async)."""

    def __init__(
        self,
        api_base: str,
        access_tokens: AccessTokens,
        timeout_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        base = api_base.rstrip("/")
        self._text_url = f"{base}/wxa/msg_sec_check"
        self._media_url = f"{base}/wxa/media_check_async"
        self._tokens = access_tokens
        self._timeout_s = timeout_s
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()

    async def check_text(
        self,
        *,
        openid: str,
        content: str,
        scene: Scene,
        title: str | None = None,
        nickname: str | None = None,
    ) -> TextCheck:
        if not content.strip():
            return TextCheck(Verdict.PASS)
        extra = {key: value for key, value in (("title", title), ("nickname", nickname)) if value}
        checks: list[TextCheck] = []
        # One call per chunk, in turn: a risky chunk spares the calls for the rest, and when
        # WeChat failed one it would most likely fail the next, each after a full timeout.
        for chunk in _chunks(content):
            payload = {"content": chunk, "version": 2, "scene": int(scene), "openid": openid}
            body = await self._ask("msgSecCheck", self._text_url, payload | extra)
            checks.append(_text_check_of(body))
            if checks[-1].verdict in (Verdict.RISKY, Verdict.UNKNOWN):
                break
        # The first of the worst: its label and trace_id explain the verdict.
        return max(checks, key=lambda check: _SEVERITY[check.verdict])

    async def check_media(
        self, *, openid: str, media_url: str, media_type: MediaType, scene: Scene
    ) -> str | None:
        if not media_url.startswith(("https://", "http://")):
            # WeChat downloads it: cloud:// fileIDs and local paths cannot be checked.
            logger.warning("mediaCheckAsync: not asked, media_url is not an http(s) URL")
            return None
        payload = {
            "media_url": media_url,
            "media_type": _MEDIA_TYPES[media_type],
            "version": 2,
            "scene": int(scene),
            "openid": openid,
        }
        # After a timeout WeChat may have taken it all the same: its push then names a trace_id
        # nobody waits for, which the push handler ignores.
        body = await self._ask("mediaCheckAsync", self._media_url, payload)
        if body is None or not _succeeded("mediaCheckAsync", body):
            return None
        trace_id = body.get("trace_id")
        if not (isinstance(trace_id, str) and trace_id):
            logger.warning("mediaCheckAsync: success answer without a trace_id")
            return None
        return trace_id

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _ask(self, api: str, url: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """WeChat's answer, asked again once with a new token if it refused ours; None when
        there was none to read."""
        try:
            token = await self._tokens.token()
            body = await self._post(api, url, token, payload)
            if body is not None and _errcode(body) in _TOKEN_REFUSED:
                # The cache keeps a token another instance already put in its place.
                await self._tokens.invalidate(token)
                body = await self._post(api, url, await self._tokens.token(), payload)
        except WeChatUnavailable:
            logger.warning("%s: not asked, no access token", api)
            return None
        return body

    async def _post(
        self, api: str, url: str, token: str, payload: dict[str, Any]
    ) -> dict[str, Any] | None:
        answer = await self._exchange(url, token, payload)
        if isinstance(answer, str):
            logger.warning("%s failed: %s", api, answer)
            return None
        return answer

    async def _exchange(
        self, url: str, token: str, payload: dict[str, Any]
    ) -> dict[str, Any] | str:
        """WeChat's answer, or why there is none to read."""
        return await json_answer(
            self._http.post(
                url, params={"access_token": token}, json=payload, timeout=self._timeout_s
            )
        )


def _text_check_of(body: dict[str, Any] | None) -> TextCheck:
    if body is None:
        return TextCheck(Verdict.UNKNOWN)
    trace_id = body.get("trace_id")
    trace_id = trace_id if isinstance(trace_id, str) and trace_id else None
    if _errcode(body) == _RISKY_CONTENT:
        return TextCheck(Verdict.RISKY, trace_id=trace_id)
    if not _succeeded("msgSecCheck", body):
        return TextCheck(Verdict.UNKNOWN, trace_id=trace_id)
    result = body.get("result")
    result = result if isinstance(result, dict) else {}
    verdict = verdict_of(result.get("suggest"))
    if verdict is Verdict.UNKNOWN:
        logger.warning("msgSecCheck: no verdict in the answer: %r", result.get("suggest"))
    return TextCheck(verdict, label_of(result.get("label")), trace_id)


def _succeeded(api: str, body: dict[str, Any]) -> bool:
    errcode = _errcode(body)
    if errcode == 0:
        return True
    reason = "unexpected" if errcode is None else _UNCHECKED.get(errcode, "unexpected")
    logger.warning("%s: errcode %r (%s): %r", api, body.get("errcode"), reason, body.get("errmsg"))
    return False


def _errcode(body: dict[str, Any]) -> int | None:
    """The answer's errcode (0 when absent, as WeChat leaves it out on success); None when it is
    not a number."""
    errcode = body.get("errcode", 0)
    return errcode if isinstance(errcode, int) and not isinstance(errcode, bool) else None


def label_of(value: object) -> int | None:
    """WeChat's label: a number in msgSecCheck's answer, sometimes a string in pushes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) < 10:
        return int(value)
    return None


def _chunks(text: str) -> list[str]:
    """`text` cut into pieces WeChat takes whole, overlapping by _CHUNK_OVERLAP_CHARS. Length is
    counted in UTF-16 code units, as JavaScript does: never fewer than characters, so a chunk
    fits whichever one WeChat counts."""
    chunks: list[str] = []
    start = 0
    while True:
        end, units = start, 0
        while end < len(text) and units + _utf16_units(text[end]) <= MAX_TEXT_CHARS:
            units += _utf16_units(text[end])
            end += 1
        chunks.append(text[start:end])
        if end == len(text):
            return chunks
        start = end - _CHUNK_OVERLAP_CHARS


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


class DevContentSecurity:
    """Dev mode's checks, with no network: text passes unless it holds a marker, so a developer
    can walk every flow. Media checks are only recorded: `pending()` lists them, and `settle()`
    gives the verdict a wxa_media_check push would carry (by the same markers, in the URL) to
    hand to whatever handles those pushes."""

    def __init__(
        self,
        *,
        risky_marker: str = "dev-risky",
        review_marker: str = "dev-review",
        appid: str = "dev",
    ) -> None:
        self._markers = {
            Verdict.RISKY: risky_marker.casefold(),
            Verdict.REVIEW: review_marker.casefold(),
        }
        self._appid = appid
        self._ids = itertools.count(1)
        self._pending: dict[str, str] = {}  # trace_id -> media_url

    async def check_text(
        self,
        *,
        openid: str,
        content: str,
        scene: Scene,
        title: str | None = None,
        nickname: str | None = None,
    ) -> TextCheck:
        verdict = self._verdict(" ".join(part for part in (content, title, nickname) if part))
        return TextCheck(verdict, _DEV_LABELS[verdict], f"dev-text-{next(self._ids)}")

    async def check_media(
        self, *, openid: str, media_url: str, media_type: MediaType, scene: Scene
    ) -> str | None:
        trace_id = f"dev-media-{next(self._ids)}"
        self._pending[trace_id] = media_url
        return trace_id

    def pending(self) -> tuple[str, ...]:
        """The trace_ids of media checks not settled yet, oldest first."""
        return tuple(self._pending)

    def settle(self, trace_id: str) -> MediaCheckResult:
        """The verdict on a pending media check, which stops being pending. KeyError if it is
        not pending."""
        verdict = self._verdict(self._pending.pop(trace_id))
        return MediaCheckResult(trace_id, verdict, _DEV_LABELS[verdict], self._appid)

    async def aclose(self) -> None:
        return None

    def _verdict(self, text: str) -> Verdict:
        folded = text.casefold()
        for verdict in (Verdict.RISKY, Verdict.REVIEW):
            if self._markers[verdict] in folded:
                return verdict
        return Verdict.PASS


_DEV_LABELS = {Verdict.PASS: 100, Verdict.REVIEW: 21000, Verdict.RISKY: 21000}
