"""WeChat's message push: signatures, safe-mode decryption, the subscription events and the
media checks' verdicts."""

import hashlib
import hmac
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from groupql.records import SubscriptionStatus
from groupql.wechat.content_security import MediaCheckResult, Verdict, label_of, verdict_of

# Re-exported: the push API is read from here.
from groupql.wechat.push_crypto import PushRejected as PushRejected
from groupql.wechat.push_crypto import decrypt_push as decrypt_push
from groupql.wechat.push_crypto import encrypt_push as encrypt_push

logger = logging.getLogger(__name__)

# Subscription events are well under 1 KiB; a popup lists at most a handful of templates.
MAX_PUSH_BYTES = 64 * 1024
# How far a push's timestamp may be from our clock: WeChat retries within seconds.
MAX_PUSH_AGE_S = 300
_MAX_ID_CHARS = 128

SUBSCRIBE_MSG_POPUP_EVENT = "subscribe_msg_popup_event"
SUBSCRIBE_MSG_CHANGE_EVENT = "subscribe_msg_change_event"
SUBSCRIBE_MSG_SENT_EVENT = "subscribe_msg_sent_event"
WXA_MEDIA_CHECK_EVENT = "wxa_media_check"
# A wxa_media_check's errcode when WeChat could not download the media.
_MEDIA_DOWNLOAD_FAILED = -1008


# SubscribeStatusString as WeChat writes it.
_STATUSES = {"accept": SubscriptionStatus.ACCEPT, "reject": SubscriptionStatus.REJECT}


@dataclass(frozen=True)
class SubscriptionChange:
    template_id: str
    status: SubscriptionStatus


@dataclass(frozen=True)
class Delivery:
    """What became of one subscribeMessage.send: error_code 0 means delivered."""

    template_id: str
    msg_id: str
    error_code: int
    error_status: str


@dataclass(frozen=True)
class PushEvent:
    """One push. WeChat sends a push again (up to three times) when it got no answer within
    5 seconds: dedupe on (openid, event, create_time) before counting a subscription twice."""

    openid: str
    event: str
    create_time: int
    subscriptions: tuple[SubscriptionChange, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    media_check: MediaCheckResult | None = None


@dataclass(frozen=True)
class PushKeys:
    """The message push settings of the mini-program's console. With an EncodingAESKey, only
    encrypted (safe or compatible mode) pushes are accepted."""

    token: str = field(repr=False)
    appid: str
    encoding_aes_key: str | None = field(default=None, repr=False)


def push_signature(token: str, timestamp: str, nonce: str, encrypt: str = "") -> str:
    """`signature` (without `encrypt`) or safe mode's `msg_signature` (with it)."""
    parts = sorted([token, timestamp, nonce, encrypt])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def verify_signature(token: str, timestamp: str, nonce: str, signature: str) -> bool:
    return _same(push_signature(token, timestamp, nonce), signature)


def verification_echo(token: str, params: Mapping[str, str]) -> str | None:
    """The `echostr` to answer WeChat's GET that checks the push URL, or None if not WeChat's."""
    signature = params.get("signature", "")
    if not verify_signature(token, params.get("timestamp", ""), params.get("nonce", ""), signature):
        return None
    return params.get("echostr")


def read_push(
    body: bytes, params: Mapping[str, str], keys: PushKeys, *, now_s: float | None = None
) -> PushEvent:
    """The event in a POSTed push, once its signature (and in safe mode its encryption) is
    checked; `params` is the request's query. With `now_s`, a timestamp more than
    MAX_PUSH_AGE_S away is refused too (a signed query seen once cannot be replayed later).
    Raises PushRejected."""
    if len(body) > MAX_PUSH_BYTES:
        raise PushRejected("body too large")
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    if now_s is not None and not _is_recent(timestamp, now_s):
        raise PushRejected("timestamp missing or not recent")
    if keys.encoding_aes_key is None:
        if params.get("encrypt_type") == "aes":
            raise PushRejected("encrypted push, but no EncodingAESKey is configured")
        # In plain mode the signature covers only the query, not the body: safe mode is the one
        # that proves the body is WeChat's. Checked before the body is even read.
        if not verify_signature(keys.token, timestamp, nonce, params.get("signature", "")):
            raise PushRejected("signature mismatch")
        fields = _parse(body)
        if "Encrypt" in fields:
            raise PushRejected("encrypted push, but no EncodingAESKey is configured")
        return _event_of(fields)
    fields = _parse(body)
    encrypt = fields.get("Encrypt")
    if not isinstance(encrypt, str) or not encrypt:
        raise PushRejected("plain push, but safe mode is configured")
    expected = push_signature(keys.token, timestamp, nonce, encrypt)
    if not _same(expected, params.get("msg_signature", "")):
        raise PushRejected("msg_signature mismatch")
    message = decrypt_push(encrypt, encoding_aes_key=keys.encoding_aes_key, appid=keys.appid)
    return _event_of(_parse(message))


def _same(expected: str, given: str) -> bool:
    # compare_digest refuses str with non-ASCII characters, which a query can hold.
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def _is_recent(timestamp: str, now_s: float) -> bool:
    return (
        timestamp.isascii()
        and timestamp.isdecimal()
        and abs(int(timestamp) - now_s) <= MAX_PUSH_AGE_S
    )


def _parse(document: bytes) -> dict[str, Any]:
    """A push's fields in the JSON shape, whichever format the console chose."""
    try:
        text = document.decode("utf-8")
    except UnicodeDecodeError:
        raise PushRejected("body is not UTF-8") from None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            fields = json.loads(text)
        except (ValueError, RecursionError):
            raise PushRejected("body is not valid JSON") from None
        if not isinstance(fields, dict):
            raise PushRejected("body is not a JSON object")
        return fields
    if stripped.startswith("<"):
        return _parse_xml(text)
    raise PushRejected("body is neither JSON nor XML")


def _parse_xml(text: str) -> dict[str, Any]:
    # Entities can only be declared in a DTD, so refusing DTDs refuses entity expansion bombs and
    # external entities; WeChat never sends one. Checked on the decoded text and parsed from it,
    # so an encoding declaration cannot hide a DOCTYPE.
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise PushRejected("XML with a DTD is refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise PushRejected("body is not valid XML") from None
    fields: dict[str, Any] = {}
    entries: list[dict[str, str]] = []
    for child in root:
        if child.tag == "List":
            entries.append(_leaves(child))
        elif child.find(".//List") is not None:
            # The events' lists sit in a wrapper (SubscribeMsgPopupEvent...), one <List> each.
            entries.extend(_leaves(entry) for entry in child.iter("List"))
        elif len(child):
            # An object as in JSON (wxa_media_check's <result>); of a repeated one (its <detail>,
            # one per strategy) the first is kept, which nothing reads.
            fields.setdefault(child.tag, _leaves(child))
        else:
            fields[child.tag] = child.text or ""
    if entries:
        fields["List"] = entries
    return fields


def _leaves(element: ET.Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in element}


def _event_of(fields: Mapping[str, Any]) -> PushEvent:
    openid = fields.get("FromUserName")
    event = fields.get("Event")
    header = PushEvent(
        openid=openid if isinstance(openid, str) else "",
        event=event if isinstance(event, str) else "",
        create_time=_as_int(fields.get("CreateTime")) or 0,
    )
    if header.event == WXA_MEDIA_CHECK_EVENT:
        # FromUserName is WeChat's push service here, not a user: the trace_id says whose it is.
        return PushEvent(
            header.openid, header.event, header.create_time, media_check=_media_check(fields)
        )
    if header.event not in (
        SUBSCRIBE_MSG_POPUP_EVENT,
        SUBSCRIBE_MSG_CHANGE_EVENT,
        SUBSCRIBE_MSG_SENT_EVENT,
    ):
        return header  # answered "success" and otherwise ignored
    if not _is_id(header.openid):
        raise PushRejected("subscription event without FromUserName")
    entries = _entries(fields.get("List"))
    if header.event == SUBSCRIBE_MSG_SENT_EVENT:
        deliveries = tuple(_delivery(entry) for entry in entries)
        return PushEvent(header.openid, header.event, header.create_time, deliveries=deliveries)
    changes = (_change(entry) for entry in entries)
    subscriptions = tuple(change for change in changes if change is not None)
    return PushEvent(header.openid, header.event, header.create_time, subscriptions=subscriptions)


def _entries(value: object) -> list[Mapping[str, Any]]:
    # With a single template, JSON pushes carry "List" as an object rather than an array.
    items: list[object] = value if isinstance(value, list) else [value]
    entries = [item for item in items if isinstance(item, Mapping)]
    if not entries or len(entries) != len(items):
        raise PushRejected("subscription event without a List of templates")
    return entries


def _change(entry: Mapping[str, Any]) -> SubscriptionChange | None:
    template_id = _template_id(entry)
    status = entry.get("SubscribeStatusString")
    found = _STATUSES.get(status) if isinstance(status, str) else None
    if found is None:
        # Documented values are accept and reject; anything newer changes no credit we keep.
        logger.info("push: ignored subscription status %r", status)
        return None
    return SubscriptionChange(template_id, found)


def _delivery(entry: Mapping[str, Any]) -> Delivery:
    msg_id, error_code = entry.get("MsgID"), _as_int(entry.get("ErrorCode"))
    if isinstance(msg_id, int) and not isinstance(msg_id, bool):
        msg_id = str(msg_id)
    if not _is_id(msg_id) or error_code is None:
        raise PushRejected("subscribe_msg_sent_event entry without MsgID or ErrorCode")
    status = entry.get("ErrorStatus")
    return Delivery(
        _template_id(entry), msg_id, error_code, status if isinstance(status, str) else ""
    )


def _media_check(fields: Mapping[str, Any]) -> MediaCheckResult:
    trace_id, appid = fields.get("trace_id"), fields.get("appid")
    if not _is_id(trace_id):
        raise PushRejected("wxa_media_check event without a trace_id")
    result = fields.get("result")
    result = result if isinstance(result, Mapping) else {}
    errcode = _as_int(fields.get("errcode", 0))
    if errcode != 0:
        # The result is only valid with errcode 0.
        why = "WeChat could not download it" if errcode == _MEDIA_DOWNLOAD_FAILED else "failed"
        logger.warning("push: media check %s %s: errcode %r", trace_id, why, errcode)
        verdict = Verdict.UNKNOWN
    else:
        verdict = verdict_of(result.get("suggest"))
        if verdict is Verdict.UNKNOWN:
            logger.warning("push: media check %s without a verdict", trace_id)
    return MediaCheckResult(
        trace_id=trace_id,
        verdict=verdict,
        label=label_of(result.get("label")),
        appid=appid if isinstance(appid, str) else "",
    )


def _template_id(entry: Mapping[str, Any]) -> str:
    template_id = entry.get("TemplateId")
    if not _is_id(template_id):
        raise PushRejected("subscription event entry without a TemplateId")
    return template_id


def _is_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_ID_CHARS


def _as_int(value: object) -> int | None:
    # JSON pushes give CreateTime and ErrorCode as numbers or as strings, XML always as text.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,19}\s*", value):
        return int(value)
    return None
