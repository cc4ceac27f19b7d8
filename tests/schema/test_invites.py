"""App groups made in the mini-program, and the invitations that let people into them."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.conftest import LOGIN, Api, Clock

CREATE_GROUP = """
mutation($title: String!) {
  createGroup(input: {title: $title}) {
    id kind openGId title joinPolicy memberCount
    viewerMembership { role status user { id } }
  }
}
"""
CREATE_APPROVAL_GROUP = """
mutation($title: String!) {
  createGroup(input: {title: $title, joinPolicy: APPROVAL}) { id joinPolicy }
}
"""
MY_GROUPS = "{ myGroups { edges { node { id kind title } } } }"
CREATE_INVITE = """
mutation($groupId: ID!, $maxUses: Int, $expiresAt: DateTime) {
  createInvite(groupId: $groupId, maxUses: $maxUses, expiresAt: $expiresAt) {
    id code maxUses uses expiresAt revokedAt createdAt createdBy { id }
  }
}
"""
JOIN_BY_INVITE = """
mutation($code: String!) {
  joinByInvite(code: $code) {
    groupCreated
    group { id kind memberCount }
    member { id role status user { id } }
  }
}
"""
REVOKE_INVITE = """
mutation($inviteId: ID!) { revokeInvite(inviteId: $inviteId) { id revokedAt } }
"""
INVITES = """
query($id: ID!) {
  group(id: $id) { invites { edges { node { id code uses maxUses revokedAt } } } }
}
"""
INVITES_PAGE = """
query($id: ID!, $first: Int, $after: String) {
  group(id: $id) {
    invites(first: $first, after: $after) {
      edges { node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
GROUP = "query($id: ID!) { group(id: $id) { memberCount } }"
UPDATE_GROUP = "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }"
SET_ROLE = """
mutation($groupId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: $role) { role }
}
"""
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { status } }"
UNBAN = """
mutation($groupId: ID!, $userId: ID!) { unbanMember(groupId: $groupId, userId: $userId) { status } }
"""
BAN = """
mutation($groupId: ID!, $userId: ID!) {
  removeMember(groupId: $groupId, userId: $userId, ban: true) { status }
}
"""


@dataclass
class Person:
    token: str
    id: str


async def _person(api: Api, code: str) -> Person:
    login = (await api.data(LOGIN, {"code": code}))["login"]
    return Person(login["token"], login["viewer"]["id"])


async def _group(api: Api, owner: Person, title: str = "Hiking club") -> str:
    group = (await api.data(CREATE_GROUP, {"title": title}, token=owner.token))["createGroup"]
    group_id: str = group["id"]
    return group_id


async def _invite(api: Api, creator: Person, group_id: str, **limits: Any) -> dict[str, Any]:
    data = await api.data(CREATE_INVITE, {"groupId": group_id, **limits}, token=creator.token)
    invite: dict[str, Any] = data["createInvite"]
    return invite


async def _join(api: Api, person: Person, code: str) -> dict[str, Any]:
    data = await api.data(JOIN_BY_INVITE, {"code": code}, token=person.token)
    joined: dict[str, Any] = data["joinByInvite"]
    return joined


async def _uses(api: Api, admin: Person, group_id: str, invite_id: str) -> int:
    edges = (await api.data(INVITES, {"id": group_id}, token=admin.token))["group"]["invites"]
    [uses] = [edge["node"]["uses"] for edge in edges["edges"] if edge["node"]["id"] == invite_id]
    return int(uses)


async def _member_count(api: Api, member: Person, group_id: str) -> int:
    data = await api.data(GROUP, {"id": group_id}, token=member.token)
    return int(data["group"]["memberCount"])


async def _update(api: Api, admin: Person, group_id: str, **settings: Any) -> None:
    await api.data(UPDATE_GROUP, {"input": {"groupId": group_id, **settings}}, token=admin.token)


async def test_a_user_creates_an_app_group_and_owns_it(api: Api) -> None:
    alice = await _person(api, "alice")
    created = (await api.data(CREATE_GROUP, {"title": "Hiking club"}, token=alice.token))[
        "createGroup"
    ]
    assert (created["kind"], created["openGId"], created["title"]) == (
        "APP_GROUP",
        None,
        "Hiking club",
    )
    assert created["joinPolicy"] == "OPEN"
    assert created["memberCount"] == 1
    assert created["viewerMembership"] == {
        "role": "OWNER",
        "status": "ACTIVE",
        "user": {"id": alice.id},
    }
    groups = (await api.data(MY_GROUPS, token=alice.token))["myGroups"]["edges"]
    assert [edge["node"]["id"] for edge in groups] == [created["id"]]


async def test_an_app_group_title_has_1_to_64_characters(api: Api) -> None:
    alice = await _person(api, "alice")
    for title in ["", "x" * 65]:
        code = await api.error_code(CREATE_GROUP, {"title": title}, token=alice.token)
        assert code == "BAD_USER_INPUT", title
    at_limit = (await api.data(CREATE_GROUP, {"title": "x" * 64}, token=alice.token))["createGroup"]
    assert at_limit["title"] == "x" * 64


async def test_creating_a_group_needs_a_login(api: Api) -> None:
    assert await api.error_code(CREATE_GROUP, {"title": "Hiking club"}) == "UNAUTHENTICATED"


async def test_a_friend_joins_by_the_owners_invitation(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    assert invite["code"]
    assert (invite["uses"], invite["maxUses"], invite["expiresAt"]) == (0, None, None)
    assert invite["createdBy"] == {"id": alice.id}
    joined = await _join(api, bob, invite["code"])
    assert joined["groupCreated"] is False
    assert joined["group"] == {"id": group_id, "kind": "APP_GROUP", "memberCount": 2}
    assert joined["member"]["role"] == "MEMBER"
    assert joined["member"]["status"] == "ACTIVE"
    assert joined["member"]["user"] == {"id": bob.id}
    assert await _uses(api, alice, group_id, invite["id"]) == 1


async def test_joining_again_by_the_same_invitation_changes_nothing_and_is_not_counted(
    api: Api,
) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id, maxUses=2)
    first = await _join(api, bob, invite["code"])
    again = await _join(api, bob, invite["code"])
    assert again["member"] == first["member"]
    assert again["groupCreated"] is False
    assert again["group"]["memberCount"] == 2
    assert await _uses(api, alice, group_id, invite["id"]) == 1


async def test_an_invitation_used_up_is_not_found(api: Api) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id, maxUses=2)
    for code in ["bob", "carol"]:
        await _join(api, await _person(api, code), invite["code"])
    dave = await _person(api, "dave")
    assert await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=dave.token) == (
        "NOT_FOUND"
    )
    assert await _member_count(api, alice, group_id) == 3
    assert await _uses(api, alice, group_id, invite["id"]) == 2


async def test_an_expired_invitation_is_not_found(api: Api, clock: Clock) -> None:
    alice, bob, carol = [await _person(api, code) for code in ["alice", "bob", "carol"]]
    group_id = await _group(api, alice)
    expires_at = (clock.now + timedelta(hours=1)).isoformat()
    invite = await _invite(api, alice, group_id, expiresAt=expires_at)
    await _join(api, bob, invite["code"])
    clock.advance(hours=1, seconds=1)
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=carol.token)
    assert code == "NOT_FOUND"


async def test_a_revoked_invitation_is_not_found(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    revoked = (await api.data(REVOKE_INVITE, {"inviteId": invite["id"]}, token=alice.token))[
        "revokeInvite"
    ]
    assert revoked["revokedAt"] is not None
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "NOT_FOUND"
    assert await _member_count(api, alice, group_id) == 1


async def test_an_unknown_invitation_code_is_not_found(api: Api) -> None:
    bob = await _person(api, "bob")
    code = await api.error_code(JOIN_BY_INVITE, {"code": "no-such-code"}, token=bob.token)
    assert code == "NOT_FOUND"


async def test_joining_by_invitation_needs_a_login(api: Api) -> None:
    alice = await _person(api, "alice")
    invite = await _invite(api, alice, await _group(api, alice))
    assert await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}) == "UNAUTHENTICATED"


async def test_a_banned_user_cannot_come_back_by_invitation_and_uses_nothing(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    await _join(api, bob, invite["code"])
    await api.data(BAN, {"groupId": group_id, "userId": bob.id}, token=alice.token)
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "BANNED"
    assert await _uses(api, alice, group_id, invite["id"]) == 1
    assert await _member_count(api, alice, group_id) == 1


async def test_an_invitation_to_an_approval_group_makes_a_pending_member(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    created = await api.data(CREATE_APPROVAL_GROUP, {"title": "Book club"}, token=alice.token)
    group_id = created["createGroup"]["id"]
    assert created["createGroup"]["joinPolicy"] == "APPROVAL"
    invite = await _invite(api, alice, group_id)
    joined = await _join(api, bob, invite["code"])
    assert joined["member"]["status"] == "PENDING"
    assert await _uses(api, alice, group_id, invite["id"]) == 1
    assert await _member_count(api, alice, group_id) == 1


async def test_an_invitation_to_a_closed_group_is_forbidden_and_uses_nothing(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    await _update(api, alice, group_id, joinPolicy="CLOSED")
    code = await api.error_code(JOIN_BY_INVITE, {"code": invite["code"]}, token=bob.token)
    assert code == "FORBIDDEN"
    assert await _uses(api, alice, group_id, invite["id"]) == 0


async def test_members_invite_friends_until_the_owner_turns_it_off(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    await _join(api, bob, (await _invite(api, alice, group_id))["code"])
    by_bob = await _invite(api, bob, group_id)
    assert by_bob["createdBy"] == {"id": bob.id}
    await _update(api, alice, group_id, membersCanInvite=False)
    code = await api.error_code(CREATE_INVITE, {"groupId": group_id}, token=bob.token)
    assert code == "FORBIDDEN"


async def test_a_member_revokes_their_own_invitation_but_not_an_admins(api: Api) -> None:
    alice, bob, carol = [await _person(api, code) for code in ["alice", "bob", "carol"]]
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    for person in [bob, carol]:
        await _join(api, person, invite["code"])
    await api.data(
        SET_ROLE, {"groupId": group_id, "userId": carol.id, "role": "ADMIN"}, token=alice.token
    )
    by_carol = await _invite(api, carol, group_id)
    by_bob = await _invite(api, bob, group_id)
    code = await api.error_code(REVOKE_INVITE, {"inviteId": by_carol["id"]}, token=bob.token)
    assert code == "FORBIDDEN"
    revoked = await api.data(REVOKE_INVITE, {"inviteId": by_bob["id"]}, token=bob.token)
    assert revoked["revokeInvite"]["revokedAt"] is not None
    dave = await _person(api, "dave")
    code = await api.error_code(JOIN_BY_INVITE, {"code": by_bob["code"]}, token=dave.token)
    assert code == "NOT_FOUND"
    assert (await _join(api, dave, by_carol["code"]))["member"]["status"] == "ACTIVE"


async def test_admins_list_the_groups_invitations_newest_first_and_members_may_not(
    api: Api, clock: Clock
) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    first = await _invite(api, alice, group_id)
    await _join(api, bob, first["code"])
    clock.advance(seconds=1)
    second = await _invite(api, bob, group_id, maxUses=3)
    edges = (await api.data(INVITES, {"id": group_id}, token=alice.token))["group"]["invites"]
    assert [edge["node"]["id"] for edge in edges["edges"]] == [second["id"], first["id"]]
    assert [edge["node"]["uses"] for edge in edges["edges"]] == [0, 1]
    assert await api.error_code(INVITES, {"id": group_id}, token=bob.token) == "FORBIDDEN"


async def test_invitation_limits_must_make_sense(api: Api, clock: Clock) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    past = (clock.now - timedelta(seconds=1)).isoformat()
    for limits in [{"maxUses": 0}, {"maxUses": -1}, {"maxUses": 10001}, {"expiresAt": past}]:
        variables = {"groupId": group_id, **limits}
        code = await api.error_code(CREATE_INVITE, variables, token=alice.token)
        assert code == "BAD_USER_INPUT", limits
    assert (await _invite(api, alice, group_id, maxUses=10000))["maxUses"] == 10000


async def test_twenty_friends_rushing_an_invitation_for_five_let_exactly_five_in(api: Api) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id, maxUses=5)
    friends = [await _person(api, f"friend-{n}") for n in range(20)]
    bodies = await asyncio.gather(
        *(api.post(JOIN_BY_INVITE, {"code": invite["code"]}, token=f.token) for f in friends)
    )
    joined = [body for body in bodies if not body.get("errors")]
    refused = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(joined) == 5
    assert refused == ["NOT_FOUND"] * 15
    assert await _uses(api, alice, group_id, invite["id"]) == 5
    assert await _member_count(api, alice, group_id) == 6


async def test_one_friend_tapping_join_ten_times_at_once_uses_the_invitation_once(
    api: Api,
) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id, maxUses=3)
    joins = await asyncio.gather(*(_join(api, bob, invite["code"]) for _ in range(10)))
    assert {join["member"]["id"] for join in joins} == {joins[0]["member"]["id"]}
    assert await _uses(api, alice, group_id, invite["id"]) == 1
    assert await _member_count(api, alice, group_id) == 2


async def test_a_member_who_left_comes_back_by_invitation_and_that_counts(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    await _join(api, bob, invite["code"])
    await api.data(LEAVE, {"groupId": group_id}, token=bob.token)
    back = await _join(api, bob, invite["code"])
    assert (back["member"]["status"], back["group"]["memberCount"]) == ("ACTIVE", 2)
    assert await _uses(api, alice, group_id, invite["id"]) == 2


async def test_an_unbanned_user_may_join_again_by_invitation(api: Api) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    await _join(api, bob, invite["code"])
    await api.data(BAN, {"groupId": group_id, "userId": bob.id}, token=alice.token)
    await api.data(UNBAN, {"groupId": group_id, "userId": bob.id}, token=alice.token)
    assert (await _join(api, bob, invite["code"]))["member"]["status"] == "ACTIVE"
    assert await _uses(api, alice, group_id, invite["id"]) == 2


async def test_a_pending_member_asking_again_stays_pending_and_uses_nothing_more(
    api: Api,
) -> None:
    alice, bob = await _person(api, "alice"), await _person(api, "bob")
    created = await api.data(CREATE_APPROVAL_GROUP, {"title": "Book club"}, token=alice.token)
    group_id = created["createGroup"]["id"]
    invite = await _invite(api, alice, group_id)
    first = await _join(api, bob, invite["code"])
    again = await _join(api, bob, invite["code"])
    assert again["member"] == first["member"]
    assert again["member"]["status"] == "PENDING"
    assert await _uses(api, alice, group_id, invite["id"]) == 1


async def test_an_invitation_must_expire_in_the_future(api: Api, clock: Clock) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    variables = {"groupId": group_id, "expiresAt": clock.now.isoformat()}
    assert await api.error_code(CREATE_INVITE, variables, token=alice.token) == "BAD_USER_INPUT"
    later = (clock.now + timedelta(seconds=1)).isoformat()
    assert (await _invite(api, alice, group_id, expiresAt=later))["expiresAt"] is not None


async def test_admins_page_through_invitations(api: Api, clock: Clock) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    made = []
    for _ in range(3):
        made.append((await _invite(api, alice, group_id))["id"])
        clock.advance(seconds=1)
    seen: list[str] = []
    after = None
    while True:
        variables = {"id": group_id, "first": 2, "after": after}
        page = (await api.data(INVITES_PAGE, variables, token=alice.token))["group"]["invites"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == made[::-1]


async def test_managing_invitations_needs_a_login(api: Api) -> None:
    alice = await _person(api, "alice")
    group_id = await _group(api, alice)
    invite = await _invite(api, alice, group_id)
    assert await api.error_code(CREATE_INVITE, {"groupId": group_id}) == "UNAUTHENTICATED"
    assert await api.error_code(REVOKE_INVITE, {"inviteId": invite["id"]}) == "UNAUTHENTICATED"
