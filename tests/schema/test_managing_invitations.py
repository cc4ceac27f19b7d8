"""Managing invitations: who may create, revoke and list them, and the limits they carry."""

from datetime import timedelta

from tests.conftest import Api, Clock
from tests.members import SET_ROLE, login, update_group
from tests.schema.invites import (
    CREATE_INVITE,
    INVITES,
    JOIN_BY_INVITE,
    REVOKE_INVITE,
    create_group,
    create_invite,
    join_by_invite,
)

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


async def test_members_invite_friends_until_the_owner_turns_it_off(api: Api) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    await join_by_invite(api, bob, (await create_invite(api, alice, group_id))["code"])
    by_bob = await create_invite(api, bob, group_id)
    assert by_bob["createdBy"] == {"id": bob.user_id}
    await update_group(api, alice, group_id, membersCanInvite=False)
    code = await api.error_code(CREATE_INVITE, {"groupId": group_id}, token=bob.token)
    assert code == "FORBIDDEN"


async def test_a_member_revokes_their_own_invitation_but_not_an_admins(api: Api) -> None:
    alice, bob, carol = [await login(api, code) for code in ["alice", "bob", "carol"]]
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    for person in [bob, carol]:
        await join_by_invite(api, person, invite["code"])
    await api.data(
        SET_ROLE, {"groupId": group_id, "userId": carol.user_id, "role": "ADMIN"}, token=alice.token
    )
    by_carol = await create_invite(api, carol, group_id)
    by_bob = await create_invite(api, bob, group_id)
    code = await api.error_code(REVOKE_INVITE, {"inviteId": by_carol["id"]}, token=bob.token)
    assert code == "FORBIDDEN"
    revoked = await api.data(REVOKE_INVITE, {"inviteId": by_bob["id"]}, token=bob.token)
    assert revoked["revokeInvite"]["revokedAt"] is not None
    dave = await login(api, "dave")
    code = await api.error_code(JOIN_BY_INVITE, {"code": by_bob["code"]}, token=dave.token)
    assert code == "NOT_FOUND"
    assert (await join_by_invite(api, dave, by_carol["code"]))["member"]["status"] == "ACTIVE"


async def test_admins_list_the_groups_invitations_newest_first_and_members_may_not(
    api: Api, clock: Clock
) -> None:
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group_id = await create_group(api, alice)
    first = await create_invite(api, alice, group_id)
    await join_by_invite(api, bob, first["code"])
    clock.advance(seconds=1)
    second = await create_invite(api, bob, group_id, maxUses=3)
    edges = (await api.data(INVITES, {"id": group_id}, token=alice.token))["group"]["invites"]
    assert [edge["node"]["id"] for edge in edges["edges"]] == [second["id"], first["id"]]
    assert [edge["node"]["uses"] for edge in edges["edges"]] == [0, 1]
    assert await api.error_code(INVITES, {"id": group_id}, token=bob.token) == "FORBIDDEN"


async def test_invitation_limits_must_make_sense(api: Api, clock: Clock) -> None:
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    past = (clock.now - timedelta(seconds=1)).isoformat()
    for limits in [{"maxUses": 0}, {"maxUses": -1}, {"maxUses": 10001}, {"expiresAt": past}]:
        variables = {"groupId": group_id, **limits}
        code = await api.error_code(CREATE_INVITE, variables, token=alice.token)
        assert code == "BAD_USER_INPUT", limits
    assert (await create_invite(api, alice, group_id, maxUses=10000))["maxUses"] == 10000


async def test_an_invitation_must_expire_in_the_future(api: Api, clock: Clock) -> None:
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    variables = {"groupId": group_id, "expiresAt": clock.now.isoformat()}
    assert await api.error_code(CREATE_INVITE, variables, token=alice.token) == "BAD_USER_INPUT"
    later = (clock.now + timedelta(seconds=1)).isoformat()
    assert (await create_invite(api, alice, group_id, expiresAt=later))["expiresAt"] is not None


async def test_admins_page_through_invitations(api: Api, clock: Clock) -> None:
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    made = []
    for _ in range(3):
        made.append((await create_invite(api, alice, group_id))["id"])
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
    alice = await login(api, "alice")
    group_id = await create_group(api, alice)
    invite = await create_invite(api, alice, group_id)
    assert await api.error_code(CREATE_INVITE, {"groupId": group_id}) == "UNAUTHENTICATED"
    assert await api.error_code(REVOKE_INVITE, {"inviteId": invite["id"]}) == "UNAUTHENTICATED"
