"""Roles: the owner promotes and demotes admins, and hands the group over by transfer."""

import asyncio

from tests.actors import join_in_order
from tests.conftest import Api
from tests.members.documents import MEMBERS, SET_ROLE, TRANSFER


async def test_the_owner_promotes_a_member_to_admin_and_demotes_them_back(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    promoted = await owner.set_role(bob, "ADMIN")
    assert (promoted["role"], promoted["status"]) == ("ADMIN", "ACTIVE")
    assert (await owner.roles())[bob.user_id] == "ADMIN"
    demoted = await owner.set_role(bob, "MEMBER")
    assert demoted["role"] == "MEMBER"
    assert (await owner.roles())[bob.user_id] == "MEMBER"


async def test_an_admin_cannot_change_roles(api: Api) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await owner.set_role(admin, "ADMIN")
    assert await admin.error_code(SET_ROLE, **admin.on(bob), role="ADMIN") == "FORBIDDEN"
    assert (await owner.roles())[bob.user_id] == "MEMBER"


async def test_making_someone_owner_by_role_is_refused_in_favour_of_transfer(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    assert await owner.error_code(SET_ROLE, **owner.on(bob), role="OWNER") == "BAD_USER_INPUT"
    assert (await owner.roles())[bob.user_id] == "MEMBER"


async def test_transferring_ownership_makes_the_old_owner_an_admin(api: Api) -> None:
    owner, bob, carol = await join_in_order(api, "owner", "bob", "carol")
    await owner.transfer_ownership(bob)
    roles = await bob.roles()
    assert roles == {owner.user_id: "ADMIN", bob.user_id: "OWNER", carol.user_id: "MEMBER"}


async def test_after_a_transfer_the_old_owner_can_no_longer_change_roles(api: Api) -> None:
    owner, bob, carol = await join_in_order(api, "owner", "bob", "carol")
    await owner.transfer_ownership(bob)
    assert await owner.error_code(SET_ROLE, **owner.on(carol), role="ADMIN") == "FORBIDDEN"
    assert await owner.error_code(TRANSFER, **owner.on(carol)) == "FORBIDDEN"


async def test_two_transfers_at_once_leave_exactly_one_owner(api: Api) -> None:
    owner, bob, carol = await join_in_order(api, "owner", "bob", "carol")
    bodies = await asyncio.gather(
        owner.send(TRANSFER, **owner.on(bob)), owner.send(TRANSFER, **owner.on(carol))
    )
    succeeded = [body for body in bodies if not body.get("errors")]
    refused = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(succeeded) == 1, bodies
    assert refused[0] in {"FORBIDDEN", "CONFLICT"}
    roles = await owner.roles()
    assert list(roles.values()).count("OWNER") == 1
    assert roles[owner.user_id] == "ADMIN"


async def test_concurrent_role_flips_leave_the_member_with_one_valid_role(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    bodies = await asyncio.gather(
        *(owner.send(SET_ROLE, **owner.on(bob), role=("ADMIN", "MEMBER")[n % 2]) for n in range(10))
    )
    for body in bodies:
        assert not body.get("errors") or body["errors"][0]["extensions"]["code"] == "CONFLICT"
    group = (await owner.data(MEMBERS, id=owner.group_id))["group"]
    bobs = [
        edge["node"]
        for edge in group["members"]["edges"]
        if edge["node"]["user"]["id"] == bob.user_id
    ]
    assert len(bobs) == 1
    assert bobs[0]["role"] in {"ADMIN", "MEMBER"}
    assert bobs[0]["status"] == "ACTIVE"
    assert (await bob.membership())["role"] == bobs[0]["role"]
    assert group["memberCount"] == 2
