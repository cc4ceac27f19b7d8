"""Approvals and closed groups: who waits, who is let in, who is kept out."""

import asyncio

from tests.conftest import JOIN, Api
from tests.members import APPROVE, CHAT, MEMBER_COUNT, SET_ROLE, Member, join_in_order
from tests.schema.moderation import (
    FEED,
    GROUP,
    member_count,
    ok,
    post_error,
    posts,
    refusal,
    rejoin_status,
    set_join_policy,
    viewer_membership,
)

ANNOUNCE = """
mutation($groupId: ID!) {
  updateGroup(input: {groupId: $groupId, announcement: "Members only: the gate code is 4711."}) {
    id
  }
}
"""
ANNOUNCEMENT = "query($id: ID!) { group(id: $id) { announcement { text } } }"
REJECT = """
mutation($groupId: ID!, $userId: ID!) {
  rejectMember(groupId: $groupId, userId: $userId) { status }
}
"""


async def test_under_approval_a_newcomer_waits_pending_and_is_not_counted(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert (await viewer_membership(api, carol))["status"] == "PENDING"
    assert await member_count(api, owner) == 2
    assert await rejoin_status(api, bob) == "ACTIVE"


async def test_a_pending_member_sees_only_their_own_membership(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await posts(api, owner)
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert (await viewer_membership(api, carol))["status"] == "PENDING"
    for query in [FEED, GROUP]:
        assert await api.error_code(query, {"id": carol.group_id}, token=carol.token) == "FORBIDDEN"
    assert await post_error(api, carol) == "FORBIDDEN"


async def test_a_pending_member_sees_the_head_count_but_not_the_announcement(
    api: Api,
) -> None:
    owner = await Member.join(api, "owner")
    await api.data(ANNOUNCE, {"groupId": owner.group_id}, token=owner.token)
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    variables = {"id": carol.group_id}
    assert await api.error_code(ANNOUNCEMENT, variables, token=carol.token) == "FORBIDDEN"
    counted = await api.data(MEMBER_COUNT, variables, token=carol.token)
    assert counted == {"group": {"memberCount": 1}}


async def test_admins_list_pending_members_and_plain_members_cannot(api: Api) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await ok(api, SET_ROLE, owner, admin, role="ADMIN")
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    pending = {"id": owner.group_id, "status": "PENDING"}
    listed = (await api.data(GROUP, pending, token=admin.token))["group"]["members"]["edges"]
    assert [edge["node"] for edge in listed] == [
        {"role": "MEMBER", "status": "PENDING", "user": {"id": carol.user_id}}
    ]
    assert await api.error_code(GROUP, pending, token=bob.token) == "FORBIDDEN"


async def test_an_approved_member_becomes_active(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert (await ok(api, APPROVE, owner, carol))["status"] == "ACTIVE"
    assert await member_count(api, owner) == 2
    await api.data(FEED, {"id": carol.group_id}, token=carol.token)
    await posts(api, carol)


async def test_a_rejected_user_may_ask_again(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert (await ok(api, REJECT, owner, carol))["status"] == "REJECTED"
    assert await member_count(api, owner) == 1
    assert await rejoin_status(api, carol) == "PENDING"


async def test_a_member_cannot_approve(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await set_join_policy(api, owner, "APPROVAL")
    carol = await Member.join(api, "carol")
    assert await refusal(api, APPROVE, bob, carol) == "FORBIDDEN"
    assert await refusal(api, REJECT, bob, carol) == "FORBIDDEN"
    assert (await viewer_membership(api, carol))["status"] == "PENDING"


async def test_a_closed_group_refuses_newcomers_and_keeps_its_members(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await set_join_policy(api, owner, "CLOSED")
    carol_token = await api.login_as("carol")
    refused = await api.error_code(JOIN, api.share_ticket("carol", CHAT), token=carol_token)
    assert refused == "FORBIDDEN"
    assert await rejoin_status(api, bob) == "ACTIVE"
    await posts(api, bob)
    assert await member_count(api, owner) == 2


async def test_twenty_requests_at_once_under_approval_all_wait(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await set_join_policy(api, owner, "APPROVAL")
    codes = [f"user-{n}" for n in range(20)]
    tokens = await asyncio.gather(*(api.login_as(code) for code in codes))
    results = await asyncio.gather(
        *(
            api.data(JOIN, api.share_ticket(code, CHAT), token=token)
            for code, token in zip(codes, tokens, strict=True)
        )
    )
    statuses = [result["resolveShareTicket"]["member"]["status"] for result in results]
    assert statuses == ["PENDING"] * 20
    assert await member_count(api, owner) == 1
    pending = {"id": owner.group_id, "status": "PENDING"}
    listed = (await api.data(GROUP, pending, token=owner.token))["group"]["members"]["edges"]
    assert len({edge["node"]["user"]["id"] for edge in listed}) == 20
