"""Removing and banning members, and who may come back."""

from tests.actors import JOIN, join, join_in_order
from tests.conftest import Api
from tests.items.documents import FEED
from tests.members.documents import REMOVE


async def test_a_removed_member_loses_the_group_and_may_join_again(api: Api) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await owner.set_role(admin, "ADMIN")
    removed = await admin.remove(bob)
    assert removed == {"status": "REMOVED", "user": {"id": bob.user_id}}
    assert await owner.member_count() == 2
    assert bob.user_id not in await owner.roles()
    assert await bob.error_code(FEED, id=bob.group_id) == "FORBIDDEN"
    assert (await bob.join()).joined["member"]["status"] == "ACTIVE"
    assert await owner.member_count() == 3


async def test_an_admin_cannot_remove_another_admin_but_the_owner_can(api: Api) -> None:
    owner, ann, ben = await join_in_order(api, "owner", "ann", "ben")
    await owner.set_role(ann, "ADMIN")
    await owner.set_role(ben, "ADMIN")
    assert await ann.error_code(REMOVE, **ann.on(ben)) == "FORBIDDEN"
    assert (await owner.roles())[ben.user_id] == "ADMIN"
    assert (await owner.remove(ben))["status"] == "REMOVED"


async def test_nobody_can_remove_the_owner(api: Api) -> None:
    owner, admin = await join_in_order(api, "owner", "admin")
    await owner.set_role(admin, "ADMIN")
    assert await admin.error_code(REMOVE, **admin.on(owner)) == "FORBIDDEN"
    assert await admin.error_code(REMOVE, **admin.on(owner), ban=True) == "FORBIDDEN"
    assert await owner.error_code(REMOVE, **owner.on(owner)) in {"FORBIDDEN", "BAD_USER_INPUT"}
    assert (await owner.roles())[owner.user_id] == "OWNER"


async def test_a_member_cannot_remove_anyone(api: Api) -> None:
    _, bob, carol = await join_in_order(api, "owner", "bob", "carol")
    assert await bob.error_code(REMOVE, **bob.on(carol)) == "FORBIDDEN"


async def test_a_banned_member_cannot_rejoin_by_share_ticket(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    assert (await owner.remove(bob, ban=True))["status"] == "BANNED"
    assert await owner.member_count() == 1
    assert await bob.error_code(JOIN, **bob.share_ticket()) == "BANNED"
    assert await owner.member_count() == 1


async def test_an_unbanned_user_may_join_again(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.remove(bob, ban=True)
    assert (await owner.unban(bob))["status"] == "REMOVED"
    assert (await bob.join()).joined["member"]["status"] == "ACTIVE"
    assert await owner.member_count() == 2


async def test_a_removed_admin_who_rejoins_is_a_plain_member(api: Api) -> None:
    owner, ann = await join_in_order(api, "owner", "ann")
    await owner.set_role(ann, "ADMIN")
    await owner.remove(ann)
    assert (await ann.join()).joined["member"]["status"] == "ACTIVE"
    assert (await owner.roles())[ann.user_id] == "MEMBER"


async def test_former_and_pending_members_can_still_be_banned(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await bob.leave()
    assert (await owner.remove(bob, ban=True))["status"] == "BANNED"
    assert await bob.error_code(JOIN, **bob.share_ticket()) == "BANNED"
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert (await owner.remove(carol, ban=True))["status"] == "BANNED"
    assert await carol.error_code(JOIN, **carol.share_ticket()) == "BANNED"
