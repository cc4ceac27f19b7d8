"""Approvals and closed groups: who waits, who is let in, who is kept out."""

import asyncio

from tests.actors import JOIN, join, join_in_order, login
from tests.conftest import Api
from tests.groups.documents import MEMBER_COUNT
from tests.items.documents import FEED
from tests.members.documents import APPROVE, MEMBERS, REJECT

ANNOUNCEMENT = "query($id: ID!) { group(id: $id) { announcement { text } } }"


async def test_under_approval_a_newcomer_waits_pending_and_is_not_counted(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert (await carol.membership())["status"] == "PENDING"
    assert await owner.member_count() == 2
    assert (await bob.join()).joined["member"]["status"] == "ACTIVE"


async def test_a_pending_member_sees_only_their_own_membership(api: Api) -> None:
    owner = await join(api, "owner")
    await owner.say("hello")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert (await carol.membership())["status"] == "PENDING"
    for query in [FEED, MEMBERS]:
        assert await carol.error_code(query, id=carol.group_id) == "FORBIDDEN"
    assert await carol.post_error(text="hello") == "FORBIDDEN"


async def test_a_pending_member_sees_the_head_count_but_not_the_announcement(
    api: Api,
) -> None:
    owner = await join(api, "owner")
    await owner.update_group(announcement="Members only: the gate code is 4711.")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert await carol.error_code(ANNOUNCEMENT, id=carol.group_id) == "FORBIDDEN"
    counted = await carol.data(MEMBER_COUNT, id=carol.group_id)
    assert counted == {"group": {"memberCount": 1}}


async def test_admins_list_pending_members_and_plain_members_cannot(api: Api) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await owner.set_role(admin, "ADMIN")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    pending = {"id": owner.group_id, "status": "PENDING"}
    listed = (await admin.data(MEMBERS, **pending))["group"]["members"]["edges"]
    assert [edge["node"] for edge in listed] == [
        {"role": "MEMBER", "status": "PENDING", "user": {"id": carol.user_id}}
    ]
    assert await bob.error_code(MEMBERS, **pending) == "FORBIDDEN"


async def test_an_approved_member_becomes_active(api: Api) -> None:
    owner = await join(api, "owner")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert (await owner.approve(carol))["status"] == "ACTIVE"
    assert await owner.member_count() == 2
    await carol.feed()
    await carol.say("hello")


async def test_a_rejected_user_may_ask_again(api: Api) -> None:
    owner = await join(api, "owner")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert (await owner.reject(carol))["status"] == "REJECTED"
    assert await owner.member_count() == 1
    assert (await carol.join()).joined["member"]["status"] == "PENDING"


async def test_a_member_cannot_approve(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.update_group(joinPolicy="APPROVAL")
    carol = await join(api, "carol")
    assert await bob.error_code(APPROVE, **bob.on(carol)) == "FORBIDDEN"
    assert await bob.error_code(REJECT, **bob.on(carol)) == "FORBIDDEN"
    assert (await carol.membership())["status"] == "PENDING"


async def test_a_closed_group_refuses_newcomers_and_keeps_its_members(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.update_group(joinPolicy="CLOSED")
    carol = await login(api, "carol")
    assert await carol.error_code(JOIN, **carol.share_ticket()) == "FORBIDDEN"
    assert (await bob.join()).joined["member"]["status"] == "ACTIVE"
    await bob.say("hello")
    assert await owner.member_count() == 2


async def test_twenty_requests_at_once_under_approval_all_wait(api: Api) -> None:
    owner = await join(api, "owner")
    await owner.update_group(joinPolicy="APPROVAL")
    users = await asyncio.gather(*(login(api, f"user-{n}") for n in range(20)))
    members = await asyncio.gather(*(user.join() for user in users))
    assert [member.joined["member"]["status"] for member in members] == ["PENDING"] * 20
    assert await owner.member_count() == 1
    pending = await owner.data(MEMBERS, id=owner.group_id, status="PENDING")
    listed = pending["group"]["members"]["edges"]
    assert len({edge["node"]["user"]["id"] for edge in listed}) == 20
