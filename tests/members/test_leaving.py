"""Leaving a group: a member may come back; an owner who leaves hands the group on."""

from tests.actors import join, join_in_order
from tests.conftest import Api, Clock


async def test_a_member_who_leaves_is_gone_and_may_come_back(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    assert (await bob.leave())["status"] == "LEFT"
    assert await owner.member_count() == 1
    assert (await bob.join()).joined["member"]["status"] == "ACTIVE"
    assert await owner.member_count() == 2


async def test_an_owner_who_leaves_hands_the_group_to_the_longest_standing_admin(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben", "cat"]:
        people.append(await join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben, cat = people
    # Promoted in reverse join order: the admin who joined first wins, not the first promoted.
    await owner.set_role(cat, "ADMIN")
    await owner.set_role(ben, "ADMIN")
    await owner.leave()
    roles = await ann.roles()
    assert roles == {ann.user_id: "MEMBER", ben.user_id: "OWNER", cat.user_id: "ADMIN"}


async def test_an_owner_without_admins_who_leaves_hands_the_group_to_the_longest_member(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben"]:
        people.append(await join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben = people
    await owner.leave()
    assert await ben.roles() == {ann.user_id: "OWNER", ben.user_id: "MEMBER"}
