"""Which chat a decrypted share or group-enter payload names, once its watermark is checked."""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from groupql.errors import AppidMismatch, InvalidEncryptedData, PayloadExpired

_MAX_ID_CHARS = 128
# chat_type per wx.getGroupEnterInfo: 1 WeChat 1:1, 2 WeCom 1:1, 3 WeChat group, 4 WeCom group.
_CHAT_TYPES = range(1, 5)


class ChatKind(enum.Enum):
    WECHAT_GROUP = "WECHAT_GROUP"
    SINGLE_CHAT = "SINGLE_CHAT"


# Which key names the chat: wx.getShareInfo says openGId; wx.getGroupEnterInfo and
# wx.getChatToolInfo say opengid in a group and open_single_roomid in a 1:1 chat.
_CHAT_ID_KINDS = {
    "openGId": ChatKind.WECHAT_GROUP,
    "opengid": ChatKind.WECHAT_GROUP,
    "open_single_roomid": ChatKind.SINGLE_CHAT,
}


@dataclass(frozen=True)
class SharedChat:
    open_gid: str
    kind: ChatKind
    chat_type: int | None
    group_openid: str | None


def read_shared_chat(
    payload: Mapping[str, Any],
    *,
    appid: str,
    now_s: float,
    max_age_s: int,
    max_skew_s: int = 300,
) -> SharedChat:
    """The chat in a decrypted payload, refused if made for another app, stale or malformed."""
    watermark = payload.get("watermark")
    if watermark is not None:
        check_watermark(
            watermark, appid=appid, now_s=now_s, max_age_s=max_age_s, max_skew_s=max_skew_s
        )
    elif "openGId" in payload:
        # wx.getShareInfo always signs its payload with a watermark; one without is not WeChat's.
        raise InvalidEncryptedData(
            "The share info has no watermark; read it again with wx.getShareInfo."
        )
    open_gid, kind = _chat_id(payload)
    return SharedChat(
        open_gid=open_gid,
        kind=kind,
        chat_type=_chat_type(payload),
        group_openid=_group_openid(payload),
    )


def check_watermark(
    watermark: object,
    *,
    appid: str,
    now_s: float,
    max_age_s: int,
    max_skew_s: int = 300,
    what: str = "share info",
) -> int:
    """When WeChat made a payload (its watermark's timestamp), refused if made for another app
    or too long ago (or ahead of our clock by more than `max_skew_s`)."""
    if not isinstance(watermark, Mapping):
        raise InvalidEncryptedData(f"The {what}'s watermark is malformed.")
    timestamp = watermark.get("timestamp")
    if not _is_json_int(timestamp):
        raise InvalidEncryptedData(f"The {what}'s watermark has no valid timestamp.")
    if watermark.get("appid") != appid:
        raise AppidMismatch()
    if now_s - timestamp > max_age_s or timestamp > now_s + max_skew_s:
        raise PayloadExpired(f"The {what} is too old (or from the future); read it again, retry.")
    return timestamp


def _chat_id(payload: Mapping[str, Any]) -> tuple[str, ChatKind]:
    # WeChat's documented payload shows the id that does not apply as "", so "" means absent.
    present = [(key, payload[key]) for key in _CHAT_ID_KINDS if payload.get(key, "") != ""]
    if not present:
        raise InvalidEncryptedData(
            "The share info names no chat; share the mini-program in a chat."
        )
    if len(present) > 1:
        raise InvalidEncryptedData("The share info names more than one chat.")
    key, chat_id = present[0]
    if not _is_sane_id(chat_id):
        raise InvalidEncryptedData("The share info's chat id is malformed.")
    return chat_id, _CHAT_ID_KINDS[key]


def _chat_type(payload: Mapping[str, Any]) -> int | None:
    chat_type = payload.get("chat_type")
    if chat_type is None:
        return None
    if not _is_json_int(chat_type) or chat_type not in _CHAT_TYPES:
        raise InvalidEncryptedData("The share info's chat_type is malformed.")
    return chat_type


def _group_openid(payload: Mapping[str, Any]) -> str | None:
    group_openid = payload.get("group_openid")
    # As with chat ids, WeChat's documented payload shows "" when the client did not ask for it.
    if group_openid is None or group_openid == "":
        return None
    if not _is_sane_id(group_openid):
        raise InvalidEncryptedData("The share info's group_openid is malformed.")
    return group_openid


def _is_sane_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_ID_CHARS


def _is_json_int(value: object) -> TypeGuard[int]:
    # bool is an int to Python, but JSON's true is not a number.
    return isinstance(value, int) and not isinstance(value, bool)
