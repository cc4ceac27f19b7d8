"""A group always has exactly one owner, an active member, whatever races for it."""

import asyncio

from tests.conftest import Api

SET_POLICY = "mutation($g: ID!) { updateGroup(input: {groupId: $g, joinPolicy: APPROVAL}) { id } }"
LEAVE = "mutation($g: ID!) { leaveGroup(groupId: $g) { status } }"
TRANSFER = "mutation($g: ID!, $u: ID!) { transferOwnership(groupId: $g, userId: $u) { id } }"
REMOVE = "mutation($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) { status } }"
PROMOTE = (
    "mutation($g: ID!, $u: ID!) { setMemberRole(groupId: $g, userId: $u, role: ADMIN) { id } }"
)
OWNERS = """
query($g: ID!) {
  group(id: $g) { viewerMembership { role status } members(first: 100) { edges { node { role } } } }
}
"""


async def _join(api: Api, code: str, gid: str) -> tuple[str, str, str]:
    joined = await api.join(code, gid)
    return await api.login_as(code), joined["group"]["id"], joined["member"]["user"]["id"]


async def _owner_count(api: Api, token: str, group_id: str) -> int:
    group = (await api.data(OWNERS, {"g": group_id}, token=token))["group"]
    return [edge["node"]["role"] for edge in group["members"]["edges"]].count("OWNER")


async def test_the_next_joiner_takes_a_group_its_last_member_left_even_under_approval(
    api: Api,
) -> None:
    owner, group_id, _ = await _join(api, "owner", "G1")
    await api.data(SET_POLICY, {"g": group_id}, token=owner)
    await api.data(LEAVE, {"g": group_id}, token=owner)
    newcomer, _, _ = await _join(api, "newcomer", "G1")
    seen = (await api.data(OWNERS, {"g": group_id}, token=newcomer))["group"]
    assert seen["viewerMembership"] == {"role": "OWNER", "status": "ACTIVE"}


async def test_a_transfer_racing_the_targets_leaving_never_leaves_a_departed_owner(
    api: Api,
) -> None:
    for round_ in range(8):
        gid = f"G-{round_}"
        owner, group_id, _ = await _join(api, f"owner-{round_}", gid)
        bob, _, bob_id = await _join(api, f"bob-{round_}", gid)
        await asyncio.gather(
            api.post(TRANSFER, {"g": group_id, "u": bob_id}, token=owner),
            api.post(LEAVE, {"g": group_id}, token=bob),
        )
        assert await _owner_count(api, owner, group_id) == 1


async def test_a_removal_racing_a_transfer_to_the_same_member_never_removes_the_owner(
    api: Api,
) -> None:
    for round_ in range(8):
        gid = f"G-{round_}"
        owner, group_id, _ = await _join(api, f"owner-{round_}", gid)
        admin, _, admin_id = await _join(api, f"admin-{round_}", gid)
        _, _, bob_id = await _join(api, f"bob-{round_}", gid)
        await api.data(PROMOTE, {"g": group_id, "u": admin_id}, token=owner)
        await asyncio.gather(
            api.post(TRANSFER, {"g": group_id, "u": bob_id}, token=owner),
            api.post(REMOVE, {"g": group_id, "u": bob_id}, token=admin),
        )
        owners = await _owner_count(api, admin, group_id)
        assert owners == 1


async def test_an_owner_leaving_while_the_successor_leaves_hands_to_the_next_in_line(
    api: Api,
) -> None:
    for round_ in range(8):
        gid = f"G-{round_}"
        owner, group_id, _ = await _join(api, f"owner-{round_}", gid)
        first, _, _ = await _join(api, f"first-{round_}", gid)
        second, _, _ = await _join(api, f"second-{round_}", gid)
        await asyncio.gather(
            api.post(LEAVE, {"g": group_id}, token=owner),
            api.post(LEAVE, {"g": group_id}, token=first),
        )
        seen = (await api.data(OWNERS, {"g": group_id}, token=second))["group"]
        assert seen["viewerMembership"] == {"role": "OWNER", "status": "ACTIVE"}


async def test_a_member_who_leaves_and_comes_back_is_no_longer_muted(api: Api) -> None:
    owner, group_id, _ = await _join(api, "owner", "G1")
    bob, _, bob_id = await _join(api, "bob", "G1")
    await api.data(
        "mutation($g: ID!, $u: ID!) { muteMember(groupId: $g, userId: $u, "
        'until: "2999-01-01T00:00:00Z") { isMuted } }',
        {"g": group_id, "u": bob_id},
        token=owner,
    )
    await api.data(LEAVE, {"g": group_id}, token=bob)
    back = await api.join("bob", "G1")
    assert back["member"]["status"] == "ACTIVE"
    mine = await api.data(
        OWNERS.replace("role status", "role status isMuted"), {"g": group_id}, token=bob
    )
    assert mine["group"]["viewerMembership"]["isMuted"] is False
