"""Joining an app group by invitation: who gets in, and what each join uses up."""

import asyncio
from datetime import timedelta

from tests.conftest import Api, Clock
from tests.members import LEAVE, REMOVE, UNBAN, login, update_group
from tests.schema.invites import (
    JOIN_BY_INVITE,
    REVOKE_INVITE,
    create_group,
    create_invite,
    invite_uses,
    join_by_invite,
    member_count,
)

CREATE_APPROVAL_GROUP = """
mutation($title: String!) {
  createGroup(input: {title: $title, joinPolicy: APPROVAL}) { id joinPolicy }
}
"""


async def test_a_friend_joins_by_the_owners_invitation(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    assert invite["code"]
    assert (invite["uses"], invite["maxUses"], invite["expiresAt"]) == (0, None, None)
    assert invite["createdBy"] == {"id": alice.user_id}
    joined = await join_by_invite(api, bob, invite["code"])
    assert joined["groupCreated"] is False
    assert joined["group"] == {"id": group_id, "kind": "APP_GROUP", "memberCount": 2}
    assert joined["member"]["role"] == "MEMBER"
    assert joined["member"]["status"] == "ACTIVE"
    assert joined["member"]["user"] == {"id": bob.user_id}
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1


async def test_joining_again_by_the_same_invitation_changes_nothing_and_is_not_counted(
    api: Api,
) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id, maxUses=2)
    first = await join_by_invite(api, bob, invite["code"])
    again = await join_by_invite(api, bob, invite["code"])
    assert again["member"] == first["member"]
    assert again["groupCreated"] is False
    assert again["group"]["memberCount"] == 2
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1


async def test_an_invitation_used_up_is_not_found(api: Api) -> None:
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id, maxUses=2)
    for code in ["bob", "carol"]:
        await join_by_invite(api, await login(api, code), invite["code"])
    dave = await login(api, "dave")
    assert await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=dave.token) == (
        "NOT_FOUND"
    )
    assert await member_count(api, alice, group_id) == 3
    assert await invite_uses(api, alice, group_id, invite["id"]) == 2


async def test_an_expired_invitation_is_not_found(api: Api, clock: Clock) -> None:
    alice, bob, carol = [await login(api, code) for code in ["alice", "bob", "carol"]]
    group_id = await create_group(api, alice)
    expires_at = (clock.now + timedelta(hours=1)).isoformat()
    invite = await create_invite(api, alice, group_id, expiresAt=expires_at)
    await join_by_invite(api, bob, invite["code"])
    clock.advance(hours=1, seconds=1)
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=carol.token)
    assert code == "NOT_FOUND"


async def test_a_revoked_invitation_is_not_found(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    revoked = (await api.data(REVOKE_INVITE, {"inviteId": invite["id"]}, token=alice.token))[
        "revokeInvite"
    ]
    assert revoked["revokedAt"] is not None
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "NOT_FOUND"
    assert await member_count(api, alice, group_id) == 1


async def test_an_unknown_invitation_code_is_not_found(api: Api) -> None:
    bob = await login(api, "bob")
    code = await api.error_code(JOIN_BY_INVITE, {"code": "no-such-code"}, token=bob.token)
    assert code == "NOT_FOUND"


async def test_joining_by_invitation_needs_a_login(api: Api) -> None:
    alice = await login(api, "alice")
    invite = await create_invite(api, alice, await create_group(api, alice))
    assert await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}) == "UNAUTHENTICATED"


async def test_a_banned_user_cannot_come_back_by_invitation_and_uses_nothing(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    await join_by_invite(api, bob, invite["code"])
    await api.data(
        REMOVE, {"groupId": group_id, "userId": bob.user_id, "ban": True}, token=alice.token
    )
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "BANNED"
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1
    assert await member_count(api, alice, group_id) == 1


async def test_an_invitation_to_an_approval_group_makes_a_pending_member(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    created = await api.data(CREATE_APPROVAL_GROUP, {"title": "Book club"}, token=alice.token)
    group_id = created["createGroup"]["id"]
    assert created["createGroup"]["joinPolicy"] == "APPROVAL"
    invite = await create_invite(api, alice, group_id)
    joined = await join_by_invite(api, bob, invite["code"])
    assert joined["member"]["status"] == "PENDING"
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1
    assert await member_count(api, alice, group_id) == 1


async def test_an_invitation_to_a_closed_group_is_forbidden_and_uses_nothing(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    await update_group(api, alice, group_id, joinPolicy="CLOSED")
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "FORBIDDEN"
    assert await invite_uses(api, alice, group_id, invite["id"]) == 0


async def test_twenty_friends_rushing_an_invitation_for_five_let_exactly_five_in(api: Api) -> None:
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id, maxUses=5)
    friends = [await login(api, f"friend-{n}") for n in range(20)]
    bodies = await asyncio.gather(
        *(api.post(JOIN_BY_INVITE, {"code": invite["code"]}, token=f.token) for f in friends)
    )
    joined = [body for body in bodies if not body.get("errors")]
    refused = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(joined) == 5
    assert refused == ["NOT_FOUND"] * 15
    assert await invite_uses(api, alice, group_id, invite["id"]) == 5
    assert await member_count(api, alice, group_id) == 6


async def test_one_friend_tapping_join_ten_times_at_once_uses_the_invitation_once(
    api: Api,
) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id, maxUses=3)
    joins = await asyncio.gather(*(join_by_invite(api, bob, invite["code"]) for _ in range(10)))
    assert {join["member"]["id"] for join in joins} == {joins[0]["member"]["id"]}
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1
    assert await member_count(api, alice, group_id) == 2


async def test_a_member_who_left_comes_back_by_invitation_and_that_counts(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    await join_by_invite(api, bob, invite["code"])
    await api.data(LEAVE, {"groupId": group_id}, token=bob.token)
    back = await join_by_invite(api, bob, invite["code"])
    assert (back["member"]["status"], back["group"]["memberCount"]) == ("ACTIVE", 2)
    assert await invite_uses(api, alice, group_id, invite["id"]) == 2


async def test_an_unbanned_user_may_join_again_by_invitation(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    await join_by_invite(api, bob, invite["code"])
    await api.data(
        REMOVE, {"groupId": group_id, "userId": bob.user_id, "ban": True}, token=alice.token
    )
    await api.data(UNBAN, {"groupId": group_id, "userId": bob.user_id}, token=alice.token)
    assert (await join_by_invite(api, bob, invite["code"]))["member"]["status"] == "ACTIVE"
    assert await invite_uses(api, alice, group_id, invite["id"]) == 2


async def test_a_pending_member_asking_again_stays_pending_and_uses_nothing_more(
    api: Api,
) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    created = await api.data(CREATE_APPROVAL_GROUP, {"title": "Book club"}, token=alice.token)
    group_id = created["createGroup"]["id"]
    invite = await create_invite(api, alice, group_id)
    first = await join_by_invite(api, bob, invite["code"])
    again = await join_by_invite(api, bob, invite["code"])
    assert again["member"] == first["member"]
    assert again["member"]["status"] == "PENDING"
    assert await invite_uses(api, alice, group_id, invite["id"]) == 1
