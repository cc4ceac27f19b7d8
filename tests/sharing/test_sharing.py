"""Joining the group of a WeChat chat with what wx.getShareInfo / wx.getGroupEnterInfo gave."""

import asyncio
import time

from groupql.wechat.crypto import encrypt_wechat_data
from tests.actors import JOIN, join, login
from tests.conftest import TEST_APPID, Api
from tests.fakes.wechat import FAKE_APPID, FakeWeChat

GROUP = "query($id: ID!) { group(id: $id) { id openGId memberCount } }"
MEMBERS = (
    "query($id: ID!) { group(id: $id) { members(first: 100) { edges { node { user { id } } } } } }"
)


def _watermark(appid: str = TEST_APPID, age_s: int = 0) -> dict[str, object]:
    return {"appid": appid, "timestamp": int(time.time()) - age_s}


async def test_first_user_to_open_a_shared_card_creates_the_group_and_owns_it(api: Api) -> None:
    joined = (await join(api, "alice", "G123")).joined
    assert joined["groupCreated"] is True
    assert joined["group"]["openGId"] == "G123"
    assert joined["group"]["kind"] == "WECHAT_GROUP"
    assert joined["group"]["memberCount"] == 1
    assert joined["member"]["role"] == "OWNER"
    assert joined["member"]["status"] == "ACTIVE"


async def test_later_users_join_the_same_group_as_members(api: Api) -> None:
    alice = await join(api, "alice", "G123")
    bob = (await join(api, "bob", "G123")).joined
    assert bob["groupCreated"] is False
    assert bob["group"]["id"] == alice.group_id
    assert bob["group"]["memberCount"] == 2
    assert bob["member"]["role"] == "MEMBER"


async def test_joining_twice_changes_nothing(api: Api) -> None:
    first = await join(api, "alice", "G123")
    again = (await first.join("G123")).joined
    assert again["groupCreated"] is False
    assert again["member"] == first.joined["member"]
    assert again["group"]["memberCount"] == 1


async def test_fifty_users_joining_a_new_group_at_once_make_one_group_of_fifty(api: Api) -> None:
    users = await asyncio.gather(*(login(api, f"user-{n}") for n in range(50)))
    members = await asyncio.gather(*(user.join("G-RUSH") for user in users))
    joins = [member.joined for member in members]
    assert len({join["group"]["id"] for join in joins}) == 1
    assert sum(join["groupCreated"] for join in joins) == 1
    assert [join["member"]["role"] for join in joins].count("OWNER") == 1
    group = (await members[0].data(GROUP, id=members[0].group_id))["group"]
    assert group["memberCount"] == 50
    edges = (await members[0].data(MEMBERS, id=group["id"]))["group"]["members"]["edges"]
    assert len({edge["node"]["user"]["id"] for edge in edges}) == 50


async def test_group_enter_info_of_a_one_to_one_chat_makes_a_single_chat_group(api: Api) -> None:
    alice = await login(api, "alice")
    payload = {
        "open_single_roomid": "ROOM-1",
        "opengid": "",
        "chat_type": 1,
        "group_openid": "member-scoped-1",
        "watermark": _watermark(),
    }
    body = await alice.data(JOIN.replace("status", "status groupOpenid"), **alice.encrypt(payload))
    joined = body["resolveShareTicket"]
    assert joined["group"]["kind"] == "SINGLE_CHAT"
    assert joined["group"]["openGId"] == "ROOM-1"
    assert joined["group"]["chatType"] == 1
    assert joined["member"]["groupOpenid"] == "member-scoped-1"


async def test_group_enter_info_of_a_group_chat_joins_that_group(api: Api) -> None:
    alice = await join(api, "alice", "G-ENTER")
    bob = await login(api, "bob")
    payload = {"opengid": "G-ENTER", "chat_type": 3, "watermark": _watermark()}
    joined = (await bob.data(JOIN, **bob.encrypt(payload)))["resolveShareTicket"]
    assert joined["group"]["id"] == alice.group_id
    assert joined["group"]["kind"] == "WECHAT_GROUP"


async def test_joining_needs_a_login(api: Api) -> None:
    alice = await login(api, "alice")
    assert await api.error_code(JOIN, alice.share_ticket("G1")) == "UNAUTHENTICATED"


async def test_malformed_encrypted_data_is_refused(api: Api) -> None:
    alice = await login(api, "alice")
    ticket = alice.share_ticket("G1")
    for bad in [
        {**ticket, "encryptedData": "not base64!"},
        {**ticket, "iv": "c2hvcnQ="},
        {**ticket, "encryptedData": ticket["encryptedData"][:-8]},
        {**ticket, "encryptedData": ""},
    ]:
        assert await alice.error_code(JOIN, **bad) == "INVALID_ENCRYPTED_DATA"


async def test_space_mangled_base64_still_joins(api: Api) -> None:
    alice = await login(api, "alice")
    ticket = alice.share_ticket("G1")
    mangled = {key: value.replace("+", " ") for key, value in ticket.items()}
    assert (await alice.data(JOIN, **mangled))["resolveShareTicket"]["groupCreated"]


async def test_share_info_decrypted_for_another_user_says_session_key_stale(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    body = await alice.send(JOIN, **bob.share_ticket("G1"))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SESSION_KEY_STALE"
    assert "wx.login" in error["message"]


async def test_share_info_read_before_a_new_login_is_stale(
    live_wechat_api: Api, fake_wechat: FakeWeChat
) -> None:
    old = fake_wechat.add_code("code-1", openid="o-alice")
    fake_wechat.add_code("code-2", openid="o-alice")
    await login(live_wechat_api, "code-1")
    payload = {"openGId": "G1", "watermark": _watermark(FAKE_APPID)}
    encrypted_data, iv = encrypt_wechat_data(payload, old.session_key)
    alice = await login(live_wechat_api, "code-2")  # a new session key replaces the old one
    code = await alice.error_code(JOIN, encryptedData=encrypted_data, iv=iv)
    assert code == "SESSION_KEY_STALE"


async def test_share_info_of_another_mini_program_is_refused(api: Api) -> None:
    alice = await login(api, "alice")
    payload = {"openGId": "G1", "watermark": _watermark(appid="wxsomeoneelse")}
    assert await alice.error_code(JOIN, **alice.encrypt(payload)) == "APPID_MISMATCH"


async def test_share_info_older_than_the_max_age_is_expired(api: Api) -> None:
    alice = await login(api, "alice")
    max_age = api.settings.share_max_age
    stale = {"openGId": "G1", "watermark": _watermark(age_s=max_age + 60)}
    assert await alice.error_code(JOIN, **alice.encrypt(stale)) == "PAYLOAD_EXPIRED"
    fresh = {"openGId": "G1", "watermark": _watermark(age_s=max_age - 60)}
    assert (await alice.data(JOIN, **alice.encrypt(fresh)))["resolveShareTicket"]


async def test_share_info_without_watermark_or_group_is_refused(api: Api) -> None:
    alice = await login(api, "alice")
    for payload in [{"openGId": "G1"}, {"watermark": _watermark()}]:
        assert await alice.error_code(JOIN, **alice.encrypt(payload)) == "INVALID_ENCRYPTED_DATA"


async def test_refused_joins_leave_no_group_behind(api: Api) -> None:
    alice = await login(api, "alice")
    stale = {"openGId": "G1", "watermark": _watermark(age_s=10**6)}
    assert await alice.error_code(JOIN, **alice.encrypt(stale)) == "PAYLOAD_EXPIRED"
    assert (await join(api, "bob", "G1")).joined["groupCreated"] is True
