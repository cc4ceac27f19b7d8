"""Leaving a group: a member may come back; an owner who leaves hands the group on."""

from tests.conftest import Api, Clock
from tests.members import LEAVE, SET_ROLE, Member, join_in_order
from tests.schema.moderation import member_count, ok, rejoin_status, roles_seen_by


async def test_a_member_who_leaves_is_gone_and_may_come_back(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    left = await api.data(LEAVE, {"groupId": bob.group_id}, token=bob.token)
    assert left["leaveGroup"]["status"] == "LEFT"
    assert await member_count(api, owner) == 1
    assert await rejoin_status(api, bob) == "ACTIVE"
    assert await member_count(api, owner) == 2


async def test_an_owner_who_leaves_hands_the_group_to_the_longest_standing_admin(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben", "cat"]:
        people.append(await Member.join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben, cat = people
    # Promoted in reverse join order: the admin who joined first wins, not the first promoted.
    await ok(api, SET_ROLE, owner, cat, role="ADMIN")
    await ok(api, SET_ROLE, owner, ben, role="ADMIN")
    await api.data(LEAVE, {"groupId": owner.group_id}, token=owner.token)
    roles = await roles_seen_by(api, ann)
    assert roles == {ann.user_id: "MEMBER", ben.user_id: "OWNER", cat.user_id: "ADMIN"}


async def test_an_owner_without_admins_who_leaves_hands_the_group_to_the_longest_member(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben"]:
        people.append(await Member.join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben = people
    await api.data(LEAVE, {"groupId": owner.group_id}, token=owner.token)
    assert await roles_seen_by(api, ben) == {ann.user_id: "OWNER", ben.user_id: "MEMBER"}
