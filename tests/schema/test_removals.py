"""Removing and banning members, and who may come back."""

from tests.conftest import Api
from tests.members import LEAVE, REMOVE, SET_ROLE, UNBAN, Member, join_in_order
from tests.schema.moderation import (
    FEED,
    member_count,
    ok,
    refusal,
    rejoin_error,
    rejoin_status,
    roles_seen_by,
    set_join_policy,
)


async def test_a_removed_member_loses_the_group_and_may_join_again(api: Api) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await ok(api, SET_ROLE, owner, admin, role="ADMIN")
    removed = await ok(api, REMOVE, admin, bob)
    assert removed == {"status": "REMOVED", "user": {"id": bob.user_id}}
    assert await member_count(api, owner) == 2
    assert bob.user_id not in await roles_seen_by(api, owner)
    assert await api.error_code(FEED, {"id": bob.group_id}, token=bob.token) == "FORBIDDEN"
    assert await rejoin_status(api, bob) == "ACTIVE"
    assert await member_count(api, owner) == 3


async def test_an_admin_cannot_remove_another_admin_but_the_owner_can(api: Api) -> None:
    owner, ann, ben = await join_in_order(api, "owner", "ann", "ben")
    await ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await ok(api, SET_ROLE, owner, ben, role="ADMIN")
    assert await refusal(api, REMOVE, ann, ben) == "FORBIDDEN"
    assert (await roles_seen_by(api, owner))[ben.user_id] == "ADMIN"
    assert (await ok(api, REMOVE, owner, ben))["status"] == "REMOVED"


async def test_nobody_can_remove_the_owner(api: Api) -> None:
    owner, admin = await join_in_order(api, "owner", "admin")
    await ok(api, SET_ROLE, owner, admin, role="ADMIN")
    assert await refusal(api, REMOVE, admin, owner) == "FORBIDDEN"
    assert await refusal(api, REMOVE, admin, owner, ban=True) == "FORBIDDEN"
    assert await refusal(api, REMOVE, owner, owner) in {"FORBIDDEN", "BAD_USER_INPUT"}
    assert (await roles_seen_by(api, owner))[owner.user_id] == "OWNER"


async def test_a_member_cannot_remove_anyone(api: Api) -> None:
    _, bob, carol = await join_in_order(api, "owner", "bob", "carol")
    assert await refusal(api, REMOVE, bob, carol) == "FORBIDDEN"


async def test_a_banned_member_cannot_rejoin_by_share_ticket(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    assert (await ok(api, REMOVE, owner, bob, ban=True))["status"] == "BANNED"
    assert await member_count(api, owner) == 1
    assert await rejoin_error(api, bob) == "BANNED"
    assert await member_count(api, owner) == 1


async def test_an_unbanned_user_may_join_again(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await ok(api, REMOVE, owner, bob, ban=True)
    assert (await ok(api, UNBAN, owner, bob))["status"] == "REMOVED"
    assert await rejoin_status(api, bob) == "ACTIVE"
    assert await member_count(api, owner) == 2


async def test_a_removed_admin_who_rejoins_is_a_plain_member(api: Api) -> None:
    owner, ann = await join_in_order(api, "owner", "ann")
    await ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await ok(api, REMOVE, owner, ann)
    assert await rejoin_status(api, ann) == "ACTIVE"
    assert (await roles_seen_by(api, owner))[ann.user_id] == "MEMBER"


async def test_former_and_pending_members_can_still_be_banned(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await api.data(LEAVE, {"groupId": bob.group_id}, token=bob.token)
    assert (await ok(api, REMOVE, owner, bob, ban=True))["status"] == "BANNED"
    assert await rejoin_error(api, bob) == "BANNED"
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert (await ok(api, REMOVE, owner, carol, ban=True))["status"] == "BANNED"
    assert await rejoin_error(api, carol) == "BANNED"
