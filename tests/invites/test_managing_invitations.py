"""Managing invitations: who may create, revoke and list them, and the limits they carry."""

from datetime import timedelta

from tests.actors import create_group, login
from tests.conftest import Api, Clock
from tests.invites.documents import CREATE_INVITE, INVITES, JOIN_BY_INVITE, REVOKE_INVITE

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
    alice = await create_group(api, "alice")
    bob = await (await login(api, "bob")).join_by_invite((await alice.create_invite())["code"])
    by_bob = await bob.create_invite()
    assert by_bob["createdBy"] == {"id": bob.user_id}
    await alice.update_group(membersCanInvite=False)
    assert await bob.error_code(CREATE_INVITE, groupId=bob.group_id) == "FORBIDDEN"


async def test_a_member_revokes_their_own_invitation_but_not_an_admins(api: Api) -> None:
    alice = await create_group(api, "alice")
    invite = await alice.create_invite()
    bob, carol = [
        await (await login(api, code)).join_by_invite(invite["code"]) for code in ["bob", "carol"]
    ]
    await alice.set_role(carol, "ADMIN")
    by_carol = await carol.create_invite()
    by_bob = await bob.create_invite()
    assert await bob.error_code(REVOKE_INVITE, inviteId=by_carol["id"]) == "FORBIDDEN"
    revoked = await bob.data(REVOKE_INVITE, inviteId=by_bob["id"])
    assert revoked["revokeInvite"]["revokedAt"] is not None
    dave = await login(api, "dave")
    assert await dave.error_code(JOIN_BY_INVITE, code=by_bob["code"]) == "NOT_FOUND"
    assert (await dave.join_by_invite(by_carol["code"])).joined["member"]["status"] == "ACTIVE"


async def test_admins_list_the_groups_invitations_newest_first_and_members_may_not(
    api: Api, clock: Clock
) -> None:
    alice = await create_group(api, "alice")
    first = await alice.create_invite()
    bob = await (await login(api, "bob")).join_by_invite(first["code"])
    clock.advance(seconds=1)
    second = await bob.create_invite(maxUses=3)
    edges = (await alice.data(INVITES, id=alice.group_id))["group"]["invites"]
    assert [edge["node"]["id"] for edge in edges["edges"]] == [second["id"], first["id"]]
    assert [edge["node"]["uses"] for edge in edges["edges"]] == [0, 1]
    assert await bob.error_code(INVITES, id=bob.group_id) == "FORBIDDEN"


async def test_invitation_limits_must_make_sense(api: Api, clock: Clock) -> None:
    alice = await create_group(api, "alice")
    past = (clock.now - timedelta(seconds=1)).isoformat()
    for limits in [{"maxUses": 0}, {"maxUses": -1}, {"maxUses": 10001}, {"expiresAt": past}]:
        code = await alice.error_code(CREATE_INVITE, groupId=alice.group_id, **limits)
        assert code == "BAD_USER_INPUT", limits
    assert (await alice.create_invite(maxUses=10000))["maxUses"] == 10000


async def test_an_invitation_must_expire_in_the_future(api: Api, clock: Clock) -> None:
    alice = await create_group(api, "alice")
    now = clock.now.isoformat()
    code = await alice.error_code(CREATE_INVITE, groupId=alice.group_id, expiresAt=now)
    assert code == "BAD_USER_INPUT"
    later = (clock.now + timedelta(seconds=1)).isoformat()
    assert (await alice.create_invite(expiresAt=later))["expiresAt"] is not None


async def test_admins_page_through_invitations(api: Api, clock: Clock) -> None:
    alice = await create_group(api, "alice")
    made = []
    for _ in range(3):
        made.append((await alice.create_invite())["id"])
        clock.advance(seconds=1)
    seen: list[str] = []
    after = None
    while True:
        group = (await alice.data(INVITES_PAGE, id=alice.group_id, first=2, after=after))["group"]
        page = group["invites"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == made[::-1]


async def test_managing_invitations_needs_a_login(api: Api) -> None:
    alice = await create_group(api, "alice")
    invite = await alice.create_invite()
    assert await api.error_code(CREATE_INVITE, {"groupId": alice.group_id}) == "UNAUTHENTICATED"
    assert await api.error_code(REVOKE_INVITE, {"inviteId": invite["id"]}) == "UNAUTHENTICATED"
