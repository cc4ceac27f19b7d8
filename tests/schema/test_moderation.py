"""Members, roles and moderation: promoting, transferring, removing, banning, muting, approving."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api, Clock

GID = "G-MOD"
SHARE = """
mutation($encryptedData: String!, $iv: String!) {
  resolveShareTicket(encryptedData: $encryptedData, iv: $iv) {
    group { id }
    member { role status user { id } }
  }
}
"""
GROUP = """
query($id: ID!, $status: MemberStatus = ACTIVE) {
  group(id: $id) {
    memberCount
    members(first: 100, status: $status) { edges { node { role status user { id } } } }
  }
}
"""
VIEWER_MEMBERSHIP = """
query($id: ID!) { group(id: $id) { viewerMembership { role status isMuted mutedUntil } } }
"""
FEED = "query($id: ID!) { group(id: $id) { items(first: 10) { edges { node { text } } } } }"
POST = """
mutation($groupId: ID!, $text: String) {
  postItem(input: {groupId: $groupId, text: $text}) { text }
}
"""
POST_POLL = """
mutation($groupId: ID!) {
  postItem(
    input: {groupId: $groupId, type: POLL, text: "Lunch?", poll: {options: ["rice", "noodles"]}}
  ) { id poll { options { id } } }
}
"""
VOTE = """
mutation($itemId: ID!, $optionIds: [ID!]!) {
  vote(itemId: $itemId, optionIds: $optionIds) { poll { voterCount viewerOptionIds } }
}
"""
UPDATE_JOIN_POLICY = """
mutation($groupId: ID!, $joinPolicy: JoinPolicy!) {
  updateGroup(input: {groupId: $groupId, joinPolicy: $joinPolicy}) { joinPolicy }
}
"""
ANNOUNCE = """
mutation($groupId: ID!) {
  updateGroup(input: {groupId: $groupId, announcement: "Members only: the gate code is 4711."}) {
    id
  }
}
"""
ANNOUNCEMENT = "query($id: ID!) { group(id: $id) { announcement { text } } }"
MEMBER_COUNT = "query($id: ID!) { group(id: $id) { memberCount } }"
SET_ROLE = """
mutation($groupId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: $role) { role status user { id } }
}
"""
TRANSFER = """
mutation($groupId: ID!, $userId: ID!) {
  transferOwnership(groupId: $groupId, userId: $userId) { id }
}
"""
REMOVE = """
mutation($groupId: ID!, $userId: ID!, $ban: Boolean! = false) {
  removeMember(groupId: $groupId, userId: $userId, ban: $ban) { status user { id } }
}
"""
UNBAN = """
mutation($groupId: ID!, $userId: ID!) {
  unbanMember(groupId: $groupId, userId: $userId) { status }
}
"""
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { status } }"
MUTE = """
mutation($groupId: ID!, $userId: ID!, $until: DateTime) {
  muteMember(groupId: $groupId, userId: $userId, until: $until) { isMuted mutedUntil }
}
"""
APPROVE = """
mutation($groupId: ID!, $userId: ID!) {
  approveMember(groupId: $groupId, userId: $userId) { status }
}
"""
REJECT = """
mutation($groupId: ID!, $userId: ID!) {
  rejectMember(groupId: $groupId, userId: $userId) { status }
}
"""


@dataclass(frozen=True)
class Person:
    code: str
    token: str
    user_id: str
    group_id: str


async def _join(api: Api, code: str) -> Person:
    token = await api.login_as(code)
    joined = (await api.data(SHARE, api.share_ticket(code, GID), token=token))["resolveShareTicket"]
    return Person(code, token, joined["member"]["user"]["id"], joined["group"]["id"])


async def _group(api: Api, *codes: str) -> list[Person]:
    """People joining one group in order: the first owns it."""
    return [await _join(api, code) for code in codes]


async def _rejoin_status(api: Api, person: Person) -> str:
    body = await api.data(SHARE, api.share_ticket(person.code, GID), token=person.token)
    status: str = body["resolveShareTicket"]["member"]["status"]
    return status


async def _rejoin_error(api: Api, person: Person) -> str:
    return await api.error_code(SHARE, api.share_ticket(person.code, GID), token=person.token)


async def _act(api: Api, document: str, by: Person, on: Person, **extra: Any) -> dict[str, Any]:
    """The raw response of `by` running a moderation mutation on `on`."""
    return await api.post(
        document, {"groupId": by.group_id, "userId": on.user_id, **extra}, token=by.token
    )


async def _ok(api: Api, document: str, by: Person, on: Person, **extra: Any) -> dict[str, Any]:
    body = await _act(api, document, by, on, **extra)
    assert "errors" not in body, body["errors"]
    [result] = body["data"].values()
    member: dict[str, Any] = result
    return member


async def _refused(api: Api, document: str, by: Person, on: Person, **extra: Any) -> str:
    body = await _act(api, document, by, on, **extra)
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def _roles(api: Api, viewer: Person) -> dict[str, str]:
    """Active members' roles by user id, as `viewer` lists them."""
    group = (await api.data(GROUP, {"id": viewer.group_id}, token=viewer.token))["group"]
    edges = group["members"]["edges"]
    return {edge["node"]["user"]["id"]: edge["node"]["role"] for edge in edges}


async def _member_count(api: Api, viewer: Person) -> int:
    group = (await api.data(GROUP, {"id": viewer.group_id}, token=viewer.token))["group"]
    count: int = group["memberCount"]
    return count


async def _membership(api: Api, viewer: Person) -> dict[str, Any]:
    data = await api.data(VIEWER_MEMBERSHIP, {"id": viewer.group_id}, token=viewer.token)
    membership: dict[str, Any] = data["group"]["viewerMembership"]
    return membership


async def _post_error(api: Api, author: Person) -> str:
    variables = {"groupId": author.group_id, "text": "hello"}
    return await api.error_code(POST, variables, token=author.token)


async def _posts(api: Api, author: Person) -> None:
    await api.data(POST, {"groupId": author.group_id, "text": "hello"}, token=author.token)


async def _set_join_policy(api: Api, admin: Person, policy: str) -> None:
    variables = {"groupId": admin.group_id, "joinPolicy": policy}
    await api.data(UPDATE_JOIN_POLICY, variables, token=admin.token)


# Roles


async def test_the_owner_promotes_a_member_to_admin_and_demotes_them_back(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    promoted = await _ok(api, SET_ROLE, owner, bob, role="ADMIN")
    assert (promoted["role"], promoted["status"]) == ("ADMIN", "ACTIVE")
    assert (await _roles(api, owner))[bob.user_id] == "ADMIN"
    demoted = await _ok(api, SET_ROLE, owner, bob, role="MEMBER")
    assert demoted["role"] == "MEMBER"
    assert (await _roles(api, owner))[bob.user_id] == "MEMBER"


async def test_an_admin_cannot_change_roles(api: Api) -> None:
    owner, admin, bob = await _group(api, "owner", "admin", "bob")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    assert await _refused(api, SET_ROLE, admin, bob, role="ADMIN") == "FORBIDDEN"
    assert (await _roles(api, owner))[bob.user_id] == "MEMBER"


async def test_making_someone_owner_by_role_is_refused_in_favour_of_transfer(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    assert await _refused(api, SET_ROLE, owner, bob, role="OWNER") == "BAD_USER_INPUT"
    assert (await _roles(api, owner))[bob.user_id] == "MEMBER"


async def test_transferring_ownership_makes_the_old_owner_an_admin(api: Api) -> None:
    owner, bob, carol = await _group(api, "owner", "bob", "carol")
    await _ok(api, TRANSFER, owner, bob)
    roles = await _roles(api, bob)
    assert roles == {owner.user_id: "ADMIN", bob.user_id: "OWNER", carol.user_id: "MEMBER"}


async def test_after_a_transfer_the_old_owner_can_no_longer_change_roles(api: Api) -> None:
    owner, bob, carol = await _group(api, "owner", "bob", "carol")
    await _ok(api, TRANSFER, owner, bob)
    assert await _refused(api, SET_ROLE, owner, carol, role="ADMIN") == "FORBIDDEN"
    assert await _refused(api, TRANSFER, owner, carol) == "FORBIDDEN"


async def test_two_transfers_at_once_leave_exactly_one_owner(api: Api) -> None:
    owner, bob, carol = await _group(api, "owner", "bob", "carol")
    bodies = await asyncio.gather(
        _act(api, TRANSFER, owner, bob), _act(api, TRANSFER, owner, carol)
    )
    succeeded = [body for body in bodies if not body.get("errors")]
    refused = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(succeeded) == 1, bodies
    assert refused[0] in {"FORBIDDEN", "CONFLICT"}
    roles = await _roles(api, owner)
    assert list(roles.values()).count("OWNER") == 1
    assert roles[owner.user_id] == "ADMIN"


async def test_concurrent_role_flips_leave_the_member_with_one_valid_role(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    bodies = await asyncio.gather(
        *(_act(api, SET_ROLE, owner, bob, role=("ADMIN", "MEMBER")[n % 2]) for n in range(10))
    )
    for body in bodies:
        assert not body.get("errors") or body["errors"][0]["extensions"]["code"] == "CONFLICT"
    group = (await api.data(GROUP, {"id": owner.group_id}, token=owner.token))["group"]
    bobs = [
        edge["node"]
        for edge in group["members"]["edges"]
        if edge["node"]["user"]["id"] == bob.user_id
    ]
    assert len(bobs) == 1
    assert bobs[0]["role"] in {"ADMIN", "MEMBER"}
    assert bobs[0]["status"] == "ACTIVE"
    assert (await _membership(api, bob))["role"] == bobs[0]["role"]
    assert group["memberCount"] == 2


# Removing and banning


async def test_a_removed_member_loses_the_group_and_may_join_again(api: Api) -> None:
    owner, admin, bob = await _group(api, "owner", "admin", "bob")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    removed = await _ok(api, REMOVE, admin, bob)
    assert removed == {"status": "REMOVED", "user": {"id": bob.user_id}}
    assert await _member_count(api, owner) == 2
    assert bob.user_id not in await _roles(api, owner)
    assert await api.error_code(FEED, {"id": bob.group_id}, token=bob.token) == "FORBIDDEN"
    assert await _rejoin_status(api, bob) == "ACTIVE"
    assert await _member_count(api, owner) == 3


async def test_an_admin_cannot_remove_another_admin_but_the_owner_can(api: Api) -> None:
    owner, ann, ben = await _group(api, "owner", "ann", "ben")
    await _ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await _ok(api, SET_ROLE, owner, ben, role="ADMIN")
    assert await _refused(api, REMOVE, ann, ben) == "FORBIDDEN"
    assert (await _roles(api, owner))[ben.user_id] == "ADMIN"
    assert (await _ok(api, REMOVE, owner, ben))["status"] == "REMOVED"


async def test_nobody_can_remove_the_owner(api: Api) -> None:
    owner, admin = await _group(api, "owner", "admin")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    assert await _refused(api, REMOVE, admin, owner) == "FORBIDDEN"
    assert await _refused(api, REMOVE, admin, owner, ban=True) == "FORBIDDEN"
    assert await _refused(api, REMOVE, owner, owner) in {"FORBIDDEN", "BAD_USER_INPUT"}
    assert (await _roles(api, owner))[owner.user_id] == "OWNER"


async def test_a_member_cannot_remove_anyone(api: Api) -> None:
    _, bob, carol = await _group(api, "owner", "bob", "carol")
    assert await _refused(api, REMOVE, bob, carol) == "FORBIDDEN"


async def test_a_banned_member_cannot_rejoin_by_share_ticket(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    assert (await _ok(api, REMOVE, owner, bob, ban=True))["status"] == "BANNED"
    assert await _member_count(api, owner) == 1
    assert await _rejoin_error(api, bob) == "BANNED"
    assert await _member_count(api, owner) == 1


async def test_an_unbanned_user_may_join_again(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _ok(api, REMOVE, owner, bob, ban=True)
    assert (await _ok(api, UNBAN, owner, bob))["status"] == "REMOVED"
    assert await _rejoin_status(api, bob) == "ACTIVE"
    assert await _member_count(api, owner) == 2


async def test_a_removed_admin_who_rejoins_is_a_plain_member(api: Api) -> None:
    owner, ann = await _group(api, "owner", "ann")
    await _ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await _ok(api, REMOVE, owner, ann)
    assert await _rejoin_status(api, ann) == "ACTIVE"
    assert (await _roles(api, owner))[ann.user_id] == "MEMBER"


async def test_former_and_pending_members_can_still_be_banned(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await api.data(LEAVE, {"groupId": bob.group_id}, token=bob.token)
    assert (await _ok(api, REMOVE, owner, bob, ban=True))["status"] == "BANNED"
    assert await _rejoin_error(api, bob) == "BANNED"
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert (await _ok(api, REMOVE, owner, carol, ban=True))["status"] == "BANNED"
    assert await _rejoin_error(api, carol) == "BANNED"


# Leaving


async def test_a_member_who_leaves_is_gone_and_may_come_back(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    left = await api.data(LEAVE, {"groupId": bob.group_id}, token=bob.token)
    assert left["leaveGroup"]["status"] == "LEFT"
    assert await _member_count(api, owner) == 1
    assert await _rejoin_status(api, bob) == "ACTIVE"
    assert await _member_count(api, owner) == 2


async def test_an_owner_who_leaves_hands_the_group_to_the_longest_standing_admin(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben", "cat"]:
        people.append(await _join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben, cat = people
    # Promoted in reverse join order: the admin who joined first wins, not the first promoted.
    await _ok(api, SET_ROLE, owner, cat, role="ADMIN")
    await _ok(api, SET_ROLE, owner, ben, role="ADMIN")
    await api.data(LEAVE, {"groupId": owner.group_id}, token=owner.token)
    roles = await _roles(api, ann)
    assert roles == {ann.user_id: "MEMBER", ben.user_id: "OWNER", cat.user_id: "ADMIN"}


async def test_an_owner_without_admins_who_leaves_hands_the_group_to_the_longest_member(
    api: Api, clock: Clock
) -> None:
    people = []
    for code in ["owner", "ann", "ben"]:
        people.append(await _join(api, code))
        clock.advance(seconds=1)
    owner, ann, ben = people
    await api.data(LEAVE, {"groupId": owner.group_id}, token=owner.token)
    assert await _roles(api, ben) == {ann.user_id: "OWNER", ben.user_id: "MEMBER"}


# Muting


async def test_a_muted_member_cannot_post_until_the_mute_ends(api: Api, clock: Clock) -> None:
    owner, admin, bob = await _group(api, "owner", "admin", "bob")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    until = clock.now + timedelta(hours=1)
    muted = await _ok(api, MUTE, admin, bob, until=until.isoformat())
    assert muted["isMuted"] is True
    assert datetime.fromisoformat(muted["mutedUntil"]) == until
    assert await _post_error(api, bob) == "FORBIDDEN"
    membership = await _membership(api, bob)
    assert membership["isMuted"] is True
    assert datetime.fromisoformat(membership["mutedUntil"]) == until
    clock.advance(hours=2)
    assert (await _membership(api, bob))["isMuted"] is False
    await _posts(api, bob)


async def test_muting_until_null_unmutes(api: Api, clock: Clock) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    unmuted = await _ok(api, MUTE, owner, bob, until=None)
    assert unmuted == {"isMuted": False, "mutedUntil": None}
    await _posts(api, bob)


async def test_muting_until_a_past_time_is_refused(api: Api, clock: Clock) -> None:
    owner, bob = await _group(api, "owner", "bob")
    past = (clock.now - timedelta(minutes=1)).isoformat()
    assert await _refused(api, MUTE, owner, bob, until=past) == "BAD_USER_INPUT"
    assert (await _membership(api, bob))["isMuted"] is False


async def test_a_mute_end_without_a_timezone_is_refused(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    code = await _refused(api, MUTE, owner, bob, until="2099-01-01T00:00:00")
    assert code == "BAD_USER_INPUT"


async def test_an_admin_cannot_mute_another_admin_but_the_owner_can(api: Api, clock: Clock) -> None:
    owner, ann, ben = await _group(api, "owner", "ann", "ben")
    await _ok(api, SET_ROLE, owner, ann, role="ADMIN")
    await _ok(api, SET_ROLE, owner, ben, role="ADMIN")
    until = (clock.now + timedelta(hours=1)).isoformat()
    assert await _refused(api, MUTE, ann, ben, until=until) == "FORBIDDEN"
    assert (await _membership(api, ben))["isMuted"] is False
    assert (await _ok(api, MUTE, owner, ben, until=until))["isMuted"] is True


async def test_nobody_can_mute_the_owner(api: Api, clock: Clock) -> None:
    owner, admin = await _group(api, "owner", "admin")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    until = (clock.now + timedelta(hours=1)).isoformat()
    assert await _refused(api, MUTE, admin, owner, until=until) == "FORBIDDEN"


async def test_a_muted_member_still_reads_the_feed(api: Api, clock: Clock) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _posts(api, owner)
    await _ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    feed = (await api.data(FEED, {"id": bob.group_id}, token=bob.token))["group"]["items"]
    assert [edge["node"]["text"] for edge in feed["edges"]] == ["hello"]


async def test_a_muted_member_still_votes(api: Api, clock: Clock) -> None:
    owner, bob = await _group(api, "owner", "bob")
    poll = (await api.data(POST_POLL, {"groupId": owner.group_id}, token=owner.token))["postItem"]
    await _ok(api, MUTE, owner, bob, until=(clock.now + timedelta(hours=1)).isoformat())
    option_id = poll["poll"]["options"][0]["id"]
    variables = {"itemId": poll["id"], "optionIds": [option_id]}
    voted = (await api.data(VOTE, variables, token=bob.token))["vote"]["poll"]
    assert voted == {"voterCount": 1, "viewerOptionIds": [option_id]}


# Approvals and closed groups


async def test_under_approval_a_newcomer_waits_pending_and_is_not_counted(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert (await _membership(api, carol))["status"] == "PENDING"
    assert await _member_count(api, owner) == 2
    assert await _rejoin_status(api, bob) == "ACTIVE"


async def test_a_pending_member_sees_only_their_own_membership(api: Api) -> None:
    owner = await _join(api, "owner")
    await _posts(api, owner)
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert (await _membership(api, carol))["status"] == "PENDING"
    for query in [FEED, GROUP]:
        assert await api.error_code(query, {"id": carol.group_id}, token=carol.token) == "FORBIDDEN"
    assert await _post_error(api, carol) == "FORBIDDEN"


async def test_a_pending_member_sees_the_head_count_but_not_the_announcement(
    api: Api,
) -> None:
    owner = await _join(api, "owner")
    await api.data(ANNOUNCE, {"groupId": owner.group_id}, token=owner.token)
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    variables = {"id": carol.group_id}
    assert await api.error_code(ANNOUNCEMENT, variables, token=carol.token) == "FORBIDDEN"
    counted = await api.data(MEMBER_COUNT, variables, token=carol.token)
    assert counted == {"group": {"memberCount": 1}}


async def test_admins_list_pending_members_and_plain_members_cannot(api: Api) -> None:
    owner, admin, bob = await _group(api, "owner", "admin", "bob")
    await _ok(api, SET_ROLE, owner, admin, role="ADMIN")
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    pending = {"id": owner.group_id, "status": "PENDING"}
    listed = (await api.data(GROUP, pending, token=admin.token))["group"]["members"]["edges"]
    assert [edge["node"] for edge in listed] == [
        {"role": "MEMBER", "status": "PENDING", "user": {"id": carol.user_id}}
    ]
    assert await api.error_code(GROUP, pending, token=bob.token) == "FORBIDDEN"


async def test_an_approved_member_becomes_active(api: Api) -> None:
    owner = await _join(api, "owner")
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert (await _ok(api, APPROVE, owner, carol))["status"] == "ACTIVE"
    assert await _member_count(api, owner) == 2
    await api.data(FEED, {"id": carol.group_id}, token=carol.token)
    await _posts(api, carol)


async def test_a_rejected_user_may_ask_again(api: Api) -> None:
    owner = await _join(api, "owner")
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert (await _ok(api, REJECT, owner, carol))["status"] == "REJECTED"
    assert await _member_count(api, owner) == 1
    assert await _rejoin_status(api, carol) == "PENDING"


async def test_a_member_cannot_approve(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _set_join_policy(api, owner, "APPROVAL")
    carol = await _join(api, "carol")
    assert await _refused(api, APPROVE, bob, carol) == "FORBIDDEN"
    assert await _refused(api, REJECT, bob, carol) == "FORBIDDEN"
    assert (await _membership(api, carol))["status"] == "PENDING"


async def test_a_closed_group_refuses_newcomers_and_keeps_its_members(api: Api) -> None:
    owner, bob = await _group(api, "owner", "bob")
    await _set_join_policy(api, owner, "CLOSED")
    carol_token = await api.login_as("carol")
    refused = await api.error_code(SHARE, api.share_ticket("carol", GID), token=carol_token)
    assert refused == "FORBIDDEN"
    assert await _rejoin_status(api, bob) == "ACTIVE"
    await _posts(api, bob)
    assert await _member_count(api, owner) == 2


async def test_twenty_requests_at_once_under_approval_all_wait(api: Api) -> None:
    owner = await _join(api, "owner")
    await _set_join_policy(api, owner, "APPROVAL")
    codes = [f"user-{n}" for n in range(20)]
    tokens = await asyncio.gather(*(api.login_as(code) for code in codes))
    results = await asyncio.gather(
        *(
            api.data(SHARE, api.share_ticket(code, GID), token=token)
            for code, token in zip(codes, tokens, strict=True)
        )
    )
    statuses = [result["resolveShareTicket"]["member"]["status"] for result in results]
    assert statuses == ["PENDING"] * 20
    assert await _member_count(api, owner) == 1
    pending = {"id": owner.group_id, "status": "PENDING"}
    listed = (await api.data(GROUP, pending, token=owner.token))["group"]["members"]["edges"]
    assert len({edge["node"]["user"]["id"] for edge in listed}) == 20
