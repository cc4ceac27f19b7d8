"""Joining the group of a WeChat chat with what wx.getShareInfo / wx.getGroupEnterInfo gave."""

import asyncio
import time

from groupql.wechat.code2session import dev_session_for_code
from groupql.wechat.crypto import encrypt_wechat_data
from tests.conftest import JOIN, TEST_APPID, Api, Clock, api_on_test_store
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, FakeWeChat

GROUP = "query($id: ID!) { group(id: $id) { id openGId memberCount } }"


def _ticket(code: str, payload: dict[str, object], appid: str = TEST_APPID) -> dict[str, str]:
    encrypted_data, iv = encrypt_wechat_data(payload, dev_session_for_code(code, appid).session_key)
    return {"encryptedData": encrypted_data, "iv": iv}


def _watermark(appid: str = TEST_APPID, age_s: int = 0) -> dict[str, object]:
    return {"appid": appid, "timestamp": int(time.time()) - age_s}


async def test_first_user_to_open_a_shared_card_creates_the_group_and_owns_it(api: Api) -> None:
    joined = await api.join("alice", "G123")
    assert joined["groupCreated"] is True
    assert joined["group"]["openGId"] == "G123"
    assert joined["group"]["kind"] == "WECHAT_GROUP"
    assert joined["group"]["memberCount"] == 1
    assert joined["member"]["role"] == "OWNER"
    assert joined["member"]["status"] == "ACTIVE"


async def test_later_users_join_the_same_group_as_members(api: Api) -> None:
    alice = await api.join("alice", "G123")
    bob = await api.join("bob", "G123")
    assert bob["groupCreated"] is False
    assert bob["group"]["id"] == alice["group"]["id"]
    assert bob["group"]["memberCount"] == 2
    assert bob["member"]["role"] == "MEMBER"


async def test_joining_twice_changes_nothing(api: Api) -> None:
    first = await api.join("alice", "G123")
    again = await api.join("alice", "G123")
    assert again["groupCreated"] is False
    assert again["member"] == first["member"]
    assert again["group"]["memberCount"] == 1


async def test_fifty_users_joining_a_new_group_at_once_make_one_group_of_fifty(api: Api) -> None:
    codes = [f"user-{n}" for n in range(50)]
    tokens = await asyncio.gather(*(api.login_as(code) for code in codes))
    results = await asyncio.gather(
        *(
            api.data(JOIN, api.share_ticket(code, "G-RUSH"), token=token)
            for code, token in zip(codes, tokens, strict=True)
        )
    )
    joins = [result["resolveShareTicket"] for result in results]
    assert len({join["group"]["id"] for join in joins}) == 1
    assert sum(join["groupCreated"] for join in joins) == 1
    assert [join["member"]["role"] for join in joins].count("OWNER") == 1
    group = (await api.data(GROUP, {"id": joins[0]["group"]["id"]}, token=tokens[0]))["group"]
    assert group["memberCount"] == 50
    members = (
        await api.data(
            "query($id: ID!) { group(id: $id) { members(first: 100) { edges { node { user { id } } } } } }",  # noqa: E501
            {"id": group["id"]},
            token=tokens[0],
        )
    )["group"]["members"]["edges"]
    assert len({edge["node"]["user"]["id"] for edge in members}) == 50


async def test_group_enter_info_of_a_one_to_one_chat_makes_a_single_chat_group(api: Api) -> None:
    token = await api.login_as("alice")
    payload = {
        "open_single_roomid": "ROOM-1",
        "opengid": "",
        "chat_type": 1,
        "group_openid": "member-scoped-1",
        "watermark": _watermark(),
    }
    body = await api.data(
        JOIN.replace("status", "status groupOpenid"), _ticket("alice", payload), token=token
    )
    joined = body["resolveShareTicket"]
    assert joined["group"]["kind"] == "SINGLE_CHAT"
    assert joined["group"]["openGId"] == "ROOM-1"
    assert joined["group"]["chatType"] == 1
    assert joined["member"]["groupOpenid"] == "member-scoped-1"


async def test_group_enter_info_of_a_group_chat_joins_that_group(api: Api) -> None:
    alice = await api.join("alice", "G-ENTER")
    token = await api.login_as("bob")
    payload = {"opengid": "G-ENTER", "chat_type": 3, "watermark": _watermark()}
    joined = (await api.data(JOIN, _ticket("bob", payload), token=token))["resolveShareTicket"]
    assert joined["group"]["id"] == alice["group"]["id"]
    assert joined["group"]["kind"] == "WECHAT_GROUP"


async def test_joining_needs_a_login(api: Api) -> None:
    assert await api.error_code(JOIN, api.share_ticket("alice", "G1")) == "UNAUTHENTICATED"


async def test_malformed_encrypted_data_is_refused(api: Api) -> None:
    token = await api.login_as("alice")
    ticket = api.share_ticket("alice", "G1")
    for bad in [
        {**ticket, "encryptedData": "not base64!"},
        {**ticket, "iv": "c2hvcnQ="},
        {**ticket, "encryptedData": ticket["encryptedData"][:-8]},
        {**ticket, "encryptedData": ""},
    ]:
        assert await api.error_code(JOIN, bad, token=token) == "INVALID_ENCRYPTED_DATA"


async def test_space_mangled_base64_still_joins(api: Api) -> None:
    token = await api.login_as("alice")
    ticket = api.share_ticket("alice", "G1")
    mangled = {key: value.replace("+", " ") for key, value in ticket.items()}
    assert (await api.data(JOIN, mangled, token=token))["resolveShareTicket"]["groupCreated"]


async def test_share_info_decrypted_for_another_user_says_session_key_stale(api: Api) -> None:
    token = await api.login_as("alice")
    body = await api.post(JOIN, api.share_ticket("bob", "G1"), token=token)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SESSION_KEY_STALE"
    assert "wx.login" in error["message"]


async def test_share_info_read_before_a_new_login_is_stale(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    old = fake_wechat.add_code("code-1", openid="o-alice")
    fake_wechat.add_code("code-2", openid="o-alice")
    async with api_on_test_store(
        clock,
        wechat_mode="live",
        wechat_appid=FAKE_APPID,
        wechat_secret=FAKE_SECRET,
        wechat_api_base=fake_wechat.base_url,
    ) as api:
        await api.login_as("code-1")
        payload = {"openGId": "G1", "watermark": _watermark(FAKE_APPID)}
        encrypted_data, iv = encrypt_wechat_data(payload, old.session_key)
        token = await api.login_as("code-2")  # a new session key replaces the old one
        variables = {"encryptedData": encrypted_data, "iv": iv}
        assert await api.error_code(JOIN, variables, token=token) == "SESSION_KEY_STALE"


async def test_share_info_of_another_mini_program_is_refused(api: Api) -> None:
    token = await api.login_as("alice")
    payload = {"openGId": "G1", "watermark": _watermark(appid="wxsomeoneelse")}
    assert await api.error_code(JOIN, _ticket("alice", payload), token=token) == "APPID_MISMATCH"


async def test_share_info_older_than_the_max_age_is_expired(api: Api) -> None:
    token = await api.login_as("alice")
    max_age = api.settings.share_max_age
    stale = {"openGId": "G1", "watermark": _watermark(age_s=max_age + 60)}
    assert await api.error_code(JOIN, _ticket("alice", stale), token=token) == "PAYLOAD_EXPIRED"
    fresh = {"openGId": "G1", "watermark": _watermark(age_s=max_age - 60)}
    assert (await api.data(JOIN, _ticket("alice", fresh), token=token))["resolveShareTicket"]


async def test_share_info_without_watermark_or_group_is_refused(api: Api) -> None:
    token = await api.login_as("alice")
    for payload in [{"openGId": "G1"}, {"watermark": _watermark()}]:
        code = await api.error_code(JOIN, _ticket("alice", payload), token=token)
        assert code == "INVALID_ENCRYPTED_DATA"


async def test_refused_joins_leave_no_group_behind(api: Api) -> None:
    token = await api.login_as("alice")
    stale = {"openGId": "G1", "watermark": _watermark(age_s=10**6)}
    assert await api.error_code(JOIN, _ticket("alice", stale), token=token) == "PAYLOAD_EXPIRED"
    assert (await api.join("bob", "G1"))["groupCreated"] is True
