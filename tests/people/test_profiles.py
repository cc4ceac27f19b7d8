"""Profiles: the nickname and avatar a user chose, shown wherever they appear, and a display
name per group."""

import asyncio

import pytest

from tests.actors import join, join_in_order, login
from tests.conftest import Api
from tests.people.documents import AUTHORS, SET_DISPLAY_NAME, UPDATE_PROFILE

AVATAR = "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132"
CLOUD_AVATAR = "cloud://prod-4g1a.7072-prod-4g1a-1300000000/avatars/alice.png"


async def test_the_nickname_and_avatar_a_user_chose_show_wherever_they_appear(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("hello")
    profile = (await alice.data(UPDATE_PROFILE, input={"nickname": "爱丽丝", "avatarUrl": AVATAR}))[
        "updateProfile"
    ]
    assert profile == {"id": alice.user_id, "nickname": "爱丽丝", "avatarUrl": AVATAR}

    group = (await bob.data(AUTHORS, id=bob.group_id))["group"]
    [item] = group["items"]["edges"]
    assert item["node"]["author"] == {
        "id": alice.user_id,
        "nickname": "爱丽丝",
        "avatarUrl": AVATAR,
    }
    nicknames = {
        e["node"]["user"]["id"]: e["node"]["user"]["nickname"] for e in group["members"]["edges"]
    }
    assert nicknames == {alice.user_id: "爱丽丝", bob.user_id: None}


async def test_only_the_fields_given_change_and_null_clears_one(api: Api) -> None:
    alice = await login(api, "alice")
    await alice.data(UPDATE_PROFILE, input={"nickname": "Alice", "avatarUrl": CLOUD_AVATAR})
    kept = await alice.data(UPDATE_PROFILE, input={"nickname": "Al"})
    assert kept["updateProfile"]["avatarUrl"] == CLOUD_AVATAR
    cleared = await alice.data(UPDATE_PROFILE, input={"avatarUrl": None})
    assert cleared["updateProfile"] == {"id": alice.user_id, "nickname": "Al", "avatarUrl": None}
    spaces = await alice.data(UPDATE_PROFILE, input={"nickname": "   "})
    assert spaces["updateProfile"]["nickname"] is None


async def test_concurrent_profile_changes_of_different_fields_all_stay(api: Api) -> None:
    alice = await login(api, "alice")
    for wave in range(3):
        await asyncio.gather(
            *[
                alice.data(UPDATE_PROFILE, input={"nickname": f"Alice {wave}.{n}"})
                for n in range(10)
            ],
            *[
                alice.data(UPDATE_PROFILE, input={"avatarUrl": f"{AVATAR}?v={wave}.{n}"})
                for n in range(10)
            ],
        )
        profile = (await alice.data(UPDATE_PROFILE, input={}))["updateProfile"]
        assert profile["nickname"].startswith(f"Alice {wave}.")
        assert profile["avatarUrl"].startswith(f"{AVATAR}?v={wave}.")


@pytest.mark.parametrize(
    "field, value",
    [
        ("nickname", "x" * 33),
        ("nickname", "line\nbreak"),
        ("nickname", "tab\there"),
        ("nickname", "admin\u202eevil"),  # a right-to-left override that fakes the text after it
        ("nickname", "sep\u2028arator"),
        ("avatarUrl", "http://insecure.example/a.png"),
        ("avatarUrl", "javascript:alert(1)"),
        ("avatarUrl", "https://"),
        ("avatarUrl", "https://cdn.example/a b.png"),
        ("avatarUrl", "https://cdn.example/" + "a" * 2100),
    ],
)
async def test_a_profile_that_breaks_a_rule_is_refused_and_nothing_changes(
    api: Api, field: str, value: str
) -> None:
    alice = await login(api, "alice")
    await alice.data(UPDATE_PROFILE, input={"nickname": "Alice", "avatarUrl": AVATAR})
    assert await alice.error_code(UPDATE_PROFILE, input={field: value}) == "BAD_USER_INPUT"
    profile = (await alice.data(UPDATE_PROFILE, input={}))["updateProfile"]
    assert (profile["nickname"], profile["avatarUrl"]) == ("Alice", AVATAR)


async def test_emoji_built_with_joiners_are_names_too(api: Api) -> None:
    alice = await login(api, "alice")
    family = "一家人👨\u200d👩\u200d👧"
    profile = (await alice.data(UPDATE_PROFILE, input={"nickname": family}))["updateProfile"]
    assert profile["nickname"] == family


async def test_a_display_name_is_per_group_and_null_clears_it(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    other = await alice.join("G2")
    named = (await bob.data(SET_DISPLAY_NAME, groupId=bob.group_id, displayName=" 小明 "))[
        "setDisplayName"
    ]
    assert named["displayName"] == "小明" and named["user"]["id"] == bob.user_id

    group = (await alice.data(AUTHORS, id=alice.group_id))["group"]
    names = {e["node"]["user"]["id"]: e["node"]["displayName"] for e in group["members"]["edges"]}
    assert names == {alice.user_id: None, bob.user_id: "小明"}
    elsewhere = (await alice.data(AUTHORS, id=other.group_id))["group"]["members"]["edges"]
    assert [e["node"]["displayName"] for e in elsewhere] == [None]

    cleared = await bob.data(SET_DISPLAY_NAME, groupId=bob.group_id, displayName=None)
    assert cleared["setDisplayName"]["displayName"] is None


async def test_only_members_set_a_display_name_and_only_a_valid_one(api: Api) -> None:
    alice = await join(api, "alice")
    outsider = await login(api, "mallory")
    code = await outsider.error_code(SET_DISPLAY_NAME, groupId=alice.group_id, displayName="x")
    assert code == "FORBIDDEN"
    too_long = await alice.error_code(
        SET_DISPLAY_NAME, groupId=alice.group_id, displayName="名" * 33
    )
    assert too_long == "BAD_USER_INPUT"
    control = await alice.error_code(SET_DISPLAY_NAME, groupId=alice.group_id, displayName="a\x00b")
    assert control == "BAD_USER_INPUT"
    await alice.leave()
    gone = await alice.error_code(SET_DISPLAY_NAME, groupId=alice.group_id, displayName="back")
    assert gone == "FORBIDDEN"
