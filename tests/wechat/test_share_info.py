from typing import Any

import pytest

from groupql.errors import AppidMismatch, InvalidEncryptedData, PayloadExpired
from groupql.wechat.share_info import ChatKind, SharedChat, read_shared_chat

APPID = "wx0123456789abcdef"
NOW_S = 1_700_000_000
MAX_AGE_S = 600


def _watermark(timestamp: object = NOW_S, appid: object = APPID) -> dict[str, object]:
    return {"appid": appid, "timestamp": timestamp}


def _share_info(**overrides: object) -> dict[str, Any]:
    """What wx.getShareInfo decrypts to."""
    return {"openGId": "tGshareGroup", "watermark": _watermark()} | overrides


def _group_enter_info(**overrides: object) -> dict[str, Any]:
    """What wx.getGroupEnterInfo and wx.getChatToolInfo decrypt to inside a group chat."""
    return {
        "opengid": "tGenterGroup",
        "open_single_roomid": "",
        "group_openid": "gOuserInGroup",
        "chat_type": 3,
        "watermark": _watermark(),
    } | overrides


def _read(payload: dict[str, Any], **overrides: Any) -> SharedChat:
    options: dict[str, Any] = {"appid": APPID, "now_s": NOW_S, "max_age_s": MAX_AGE_S}
    return read_shared_chat(payload, **(options | overrides))


def test_share_info_names_a_wechat_group() -> None:
    assert _read(_share_info()) == SharedChat(
        open_gid="tGshareGroup", kind=ChatKind.WECHAT_GROUP, chat_type=None, group_openid=None
    )


def test_group_enter_info_names_the_group_and_the_users_id_in_it() -> None:
    assert _read(_group_enter_info()) == SharedChat(
        open_gid="tGenterGroup",
        kind=ChatKind.WECHAT_GROUP,
        chat_type=3,
        group_openid="gOuserInGroup",
    )


def test_chat_tool_info_in_a_one_to_one_chat_names_a_single_chat() -> None:
    payload = _group_enter_info(opengid="", open_single_roomid="roomOfTwo", chat_type=1)

    assert _read(payload) == SharedChat(
        open_gid="roomOfTwo",
        kind=ChatKind.SINGLE_CHAT,
        chat_type=1,
        group_openid="gOuserInGroup",
    )


def test_group_enter_info_without_the_optional_fields_is_enough() -> None:
    chat = _read({"opengid": "tGbare"})

    assert chat == SharedChat("tGbare", ChatKind.WECHAT_GROUP, chat_type=None, group_openid=None)


def test_empty_group_openid_placeholder_means_none() -> None:
    assert _read(_group_enter_info(group_openid="")).group_openid is None


def test_share_info_without_a_watermark_is_refused() -> None:
    payload = _share_info()
    del payload["watermark"]

    with pytest.raises(InvalidEncryptedData, match="watermark"):
        _read(payload)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"watermark": _watermark()}, id="only a watermark"),
        pytest.param(_group_enter_info(opengid="", open_single_roomid=""), id="all ids empty"),
        pytest.param({"openId": "oUser", "watermark": _watermark()}, id="a user profile"),
    ],
)
def test_payload_naming_no_chat_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read(payload)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_group_enter_info(open_single_roomid="roomOfTwo"), id="group and room"),
        pytest.param(_share_info(opengid="tGshareGroup"), id="both spellings"),
    ],
)
def test_payload_naming_two_chats_is_refused(payload: dict[str, Any]) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read(payload)


@pytest.mark.parametrize("key", ["openGId", "opengid", "open_single_roomid"])
def test_chat_id_of_128_chars_is_accepted(key: str) -> None:
    chat_id = "g" * 128

    assert _read({key: chat_id, "watermark": _watermark()}).open_gid == chat_id


@pytest.mark.parametrize("key", ["openGId", "opengid", "open_single_roomid"])
@pytest.mark.parametrize(
    "chat_id",
    [
        pytest.param("g" * 129, id="129 chars"),
        pytest.param(None, id="null"),
        pytest.param(12345, id="number"),
        pytest.param(["tGgroup"], id="list"),
        pytest.param({"id": "tGgroup"}, id="object"),
    ],
)
def test_malformed_chat_id_is_refused(key: str, chat_id: object) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read({key: chat_id, "watermark": _watermark()})


@pytest.mark.parametrize("chat_type", [1, 2, 3, 4])
def test_each_documented_chat_type_is_kept(chat_type: int) -> None:
    assert _read(_group_enter_info(chat_type=chat_type)).chat_type == chat_type


@pytest.mark.parametrize("chat_type", [0, 5, -1, True, 3.0, "3"])
def test_unknown_chat_type_is_refused(chat_type: object) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read(_group_enter_info(chat_type=chat_type))


@pytest.mark.parametrize("group_openid", ["u" * 129, 42, ["gOuser"]])
def test_malformed_group_openid_is_refused(group_openid: object) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read(_group_enter_info(group_openid=group_openid))


@pytest.mark.parametrize(
    "appid",
    [
        pytest.param("wxsomeotherapp0000", id="another app"),
        pytest.param(APPID.upper(), id="different case"),
        pytest.param(None, id="missing"),
    ],
)
def test_payload_made_for_another_app_is_refused(appid: object) -> None:
    with pytest.raises(AppidMismatch):
        _read(_share_info(watermark=_watermark(appid=appid)))


def test_group_enter_info_for_another_app_is_refused_too() -> None:
    with pytest.raises(AppidMismatch):
        _read(_group_enter_info(watermark=_watermark(appid="wxsomeotherapp0000")))


def test_payload_exactly_max_age_old_is_accepted() -> None:
    assert _read(_share_info(watermark=_watermark(NOW_S - MAX_AGE_S))).open_gid == "tGshareGroup"


def test_payload_one_second_past_max_age_has_expired() -> None:
    with pytest.raises(PayloadExpired):
        _read(_share_info(watermark=_watermark(NOW_S - MAX_AGE_S - 1)))


def test_payload_from_the_future_within_clock_skew_is_accepted() -> None:
    assert _read(_share_info(watermark=_watermark(NOW_S + 300))).open_gid == "tGshareGroup"


def test_payload_from_beyond_clock_skew_has_expired() -> None:
    with pytest.raises(PayloadExpired):
        _read(_share_info(watermark=_watermark(NOW_S + 301)))


def test_clock_skew_allowance_is_configurable() -> None:
    payload = _share_info(watermark=_watermark(NOW_S + 1))

    with pytest.raises(PayloadExpired):
        _read(payload, max_skew_s=0)


def test_group_enter_info_past_max_age_has_expired_too() -> None:
    with pytest.raises(PayloadExpired):
        _read(_group_enter_info(watermark=_watermark(NOW_S - MAX_AGE_S - 1)))


@pytest.mark.parametrize(
    "watermark",
    [
        pytest.param("wx0123456789abcdef", id="a string"),
        pytest.param([APPID, NOW_S], id="a list"),
        pytest.param({"appid": APPID}, id="timestamp missing"),
        pytest.param(_watermark(timestamp=str(NOW_S)), id="timestamp a string"),
        pytest.param(_watermark(timestamp=float(NOW_S)), id="timestamp a float"),
        pytest.param(_watermark(timestamp=True), id="timestamp a bool"),
        pytest.param(_watermark(timestamp=None), id="timestamp null"),
    ],
)
def test_malformed_watermark_is_refused(watermark: object) -> None:
    with pytest.raises(InvalidEncryptedData):
        _read(_share_info(watermark=watermark))
