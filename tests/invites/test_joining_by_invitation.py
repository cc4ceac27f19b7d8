"""Joining an app group by invitation: who gets in, and what each join uses up."""

import asyncio
from datetime import timedelta
from typing import Any

from tests.actors import Member, create_group, login
from tests.conftest import Api, Clock
from tests.invites.documents import INVITES, JOIN_BY_INVITE, REVOKE_INVITE


async def _uses(admin: Member, invite: dict[str, Any]) -> int:
    """How many joins `invite` counted, as an admin lists the group's invitations."""
    edges = (await admin.data(INVITES, id=admin.group_id))["group"]["invites"]["edges"]
    [uses] = [edge["node"]["uses"] for edge in edges if edge["node"]["id"] == invite["id"]]
    return int(uses)


async def _approval_group_owner(api: Api) -> Member:
    """Alice, the owner of an app group whose newcomers wait for approval."""
    alice = await create_group(api, "alice", "Book club", joinPolicy="APPROVAL")
    assert alice.joined["joinPolicy"] == "APPROVAL"
    return alice


async def test_a_friend_joins_by_the_owners_invitation(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    assert invite["code"]
    assert (invite["uses"], invite["maxUses"], invite["expiresAt"]) == (0, None, None)
    assert invite["createdBy"] == {"id": alice.user_id}
    joined = (await bob.join_by_invite(invite["code"])).joined
    assert joined["groupCreated"] is False
    assert joined["group"] == {"id": alice.group_id, "kind": "APP_GROUP", "memberCount": 2}
    assert joined["member"]["role"] == "MEMBER"
    assert joined["member"]["status"] == "ACTIVE"
    assert joined["member"]["user"] == {"id": bob.user_id}
    assert await _uses(alice, invite) == 1


async def test_joining_again_by_the_same_invitation_changes_nothing_and_is_not_counted(
    api: Api,
) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite(maxUses=2)
    first = (await bob.join_by_invite(invite["code"])).joined
    again = (await bob.join_by_invite(invite["code"])).joined
    assert again["member"] == first["member"]
    assert again["groupCreated"] is False
    assert again["group"]["memberCount"] == 2
    assert await _uses(alice, invite) == 1


async def test_an_invitation_used_up_is_not_found(api: Api) -> None:
    alice = await create_group(api, "alice")
    invite = await alice.create_invite(maxUses=2)
    for code in ["bob", "carol"]:
        await (await login(api, code)).join_by_invite(invite["code"])
    dave = await login(api, "dave")
    assert await dave.error_code(JOIN_BY_INVITE, code=invite["code"]) == "NOT_FOUND"
    assert await alice.member_count() == 3
    assert await _uses(alice, invite) == 2


async def test_an_expired_invitation_is_not_found(api: Api, clock: Clock) -> None:
    alice = await create_group(api, "alice")
    bob, carol = await login(api, "bob"), await login(api, "carol")
    invite = await alice.create_invite(expiresAt=(clock.now + timedelta(hours=1)).isoformat())
    await bob.join_by_invite(invite["code"])
    clock.advance(hours=1, seconds=1)
    assert await carol.error_code(JOIN_BY_INVITE, code=invite["code"]) == "NOT_FOUND"


async def test_a_revoked_invitation_is_not_found(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    revoked = (await alice.data(REVOKE_INVITE, inviteId=invite["id"]))["revokeInvite"]
    assert revoked["revokedAt"] is not None
    assert await bob.error_code(JOIN_BY_INVITE, code=invite["code"]) == "NOT_FOUND"
    assert await alice.member_count() == 1


async def test_an_unknown_invitation_code_is_not_found(api: Api) -> None:
    bob = await login(api, "bob")
    assert await bob.error_code(JOIN_BY_INVITE, code="no-such-code") == "NOT_FOUND"


async def test_joining_by_invitation_needs_a_login(api: Api) -> None:
    invite = await (await create_group(api, "alice")).create_invite()
    assert await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}) == "UNAUTHENTICATED"


async def test_a_banned_user_cannot_come_back_by_invitation_and_uses_nothing(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    await bob.join_by_invite(invite["code"])
    await alice.remove(bob, ban=True)
    assert await bob.error_code(JOIN_BY_INVITE, code=invite["code"]) == "BANNED"
    assert await _uses(alice, invite) == 1
    assert await alice.member_count() == 1


async def test_an_invitation_to_an_approval_group_makes_a_pending_member(api: Api) -> None:
    alice, bob = await _approval_group_owner(api), await login(api, "bob")
    invite = await alice.create_invite()
    joined = (await bob.join_by_invite(invite["code"])).joined
    assert joined["member"]["status"] == "PENDING"
    assert await _uses(alice, invite) == 1
    assert await alice.member_count() == 1


async def test_an_invitation_to_a_closed_group_is_forbidden_and_uses_nothing(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    await alice.update_group(joinPolicy="CLOSED")
    assert await bob.error_code(JOIN_BY_INVITE, code=invite["code"]) == "FORBIDDEN"
    assert await _uses(alice, invite) == 0


async def test_twenty_friends_rushing_an_invitation_for_five_let_exactly_five_in(api: Api) -> None:
    alice = await create_group(api, "alice")
    invite = await alice.create_invite(maxUses=5)
    friends = [await login(api, f"friend-{n}") for n in range(20)]
    bodies = await asyncio.gather(
        *(friend.send(JOIN_BY_INVITE, code=invite["code"]) for friend in friends)
    )
    joined = [body for body in bodies if not body.get("errors")]
    refused = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(joined) == 5
    assert refused == ["NOT_FOUND"] * 15
    assert await _uses(alice, invite) == 5
    assert await alice.member_count() == 6


async def test_one_friend_tapping_join_ten_times_at_once_uses_the_invitation_once(
    api: Api,
) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite(maxUses=3)
    joins = await asyncio.gather(*(bob.join_by_invite(invite["code"]) for _ in range(10)))
    assert {join.joined["member"]["id"] for join in joins} == {joins[0].joined["member"]["id"]}
    assert await _uses(alice, invite) == 1
    assert await alice.member_count() == 2


async def test_a_member_who_left_comes_back_by_invitation_and_that_counts(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    await (await bob.join_by_invite(invite["code"])).leave()
    back = (await bob.join_by_invite(invite["code"])).joined
    assert (back["member"]["status"], back["group"]["memberCount"]) == ("ACTIVE", 2)
    assert await _uses(alice, invite) == 2


async def test_an_unbanned_user_may_join_again_by_invitation(api: Api) -> None:
    alice, bob = await create_group(api, "alice"), await login(api, "bob")
    invite = await alice.create_invite()
    await bob.join_by_invite(invite["code"])
    await alice.remove(bob, ban=True)
    await alice.unban(bob)
    assert (await bob.join_by_invite(invite["code"])).joined["member"]["status"] == "ACTIVE"
    assert await _uses(alice, invite) == 2


async def test_a_pending_member_asking_again_stays_pending_and_uses_nothing_more(
    api: Api,
) -> None:
    alice, bob = await _approval_group_owner(api), await login(api, "bob")
    invite = await alice.create_invite()
    first = (await bob.join_by_invite(invite["code"])).joined
    again = (await bob.join_by_invite(invite["code"])).joined
    assert again["member"] == first["member"]
    assert again["member"]["status"] == "PENDING"
    assert await _uses(alice, invite) == 1
