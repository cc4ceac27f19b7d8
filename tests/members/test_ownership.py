"""A group always has exactly one owner, an active member, whatever races for it."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tests.actors import Member, join
from tests.conftest import Api
from tests.members.documents import LEAVE, REMOVE, TRANSFER

OWNERS = """
query($id: ID!) {
  group(id: $id) {
    viewerMembership { role status isMuted }
    members(first: 100) { edges { node { role } } }
  }
}
"""


async def _seen_by(member: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await member.data(OWNERS, id=member.group_id))["group"]
    return group


async def _owner_count(member: Member) -> int:
    roles = [edge["node"]["role"] for edge in (await _seen_by(member))["members"]["edges"]]
    return roles.count("OWNER")


async def _rounds(api: Api, race: Callable[[list[Member]], Awaitable[None]], *roles: str) -> None:
    """Run a race eight times, each in a new group of people joining in the order given."""
    for round_ in range(8):
        people = [await join(api, f"{role}-{round_}", f"G-{round_}") for role in roles]
        await race(people)


async def test_the_next_joiner_takes_a_group_its_last_member_left_even_under_approval(
    api: Api,
) -> None:
    owner = await join(api, "owner")
    await owner.update_group(joinPolicy="APPROVAL")
    await owner.leave()
    newcomer = await join(api, "newcomer")
    mine = (await _seen_by(newcomer))["viewerMembership"]
    assert (mine["role"], mine["status"]) == ("OWNER", "ACTIVE")


async def test_a_transfer_racing_the_targets_leaving_never_leaves_a_departed_owner(
    api: Api,
) -> None:
    async def race(people: list[Member]) -> None:
        owner, bob = people
        await asyncio.gather(
            owner.send(TRANSFER, **owner.on(bob)), bob.send(LEAVE, groupId=bob.group_id)
        )
        assert await _owner_count(owner) == 1

    await _rounds(api, race, "owner", "bob")


async def test_a_removal_racing_a_transfer_to_the_same_member_never_removes_the_owner(
    api: Api,
) -> None:
    async def race(people: list[Member]) -> None:
        owner, admin, bob = people
        await owner.set_role(admin, "ADMIN")
        await asyncio.gather(
            owner.send(TRANSFER, **owner.on(bob)), admin.send(REMOVE, **admin.on(bob))
        )
        assert await _owner_count(admin) == 1

    await _rounds(api, race, "owner", "admin", "bob")


async def test_an_owner_leaving_while_the_successor_leaves_hands_to_the_next_in_line(
    api: Api,
) -> None:
    async def race(people: list[Member]) -> None:
        owner, first, second = people
        await asyncio.gather(
            owner.send(LEAVE, groupId=owner.group_id), first.send(LEAVE, groupId=first.group_id)
        )
        mine = (await _seen_by(second))["viewerMembership"]
        assert (mine["role"], mine["status"]) == ("OWNER", "ACTIVE")

    await _rounds(api, race, "owner", "first", "second")


async def test_a_member_who_leaves_and_comes_back_is_no_longer_muted(api: Api) -> None:
    owner, bob = await join(api, "owner"), await join(api, "bob")
    await owner.mute(bob, until=datetime(2999, 1, 1, tzinfo=UTC))
    assert (await _seen_by(bob))["viewerMembership"]["isMuted"] is True
    await bob.leave()
    back = await bob.join()
    assert (await _seen_by(back))["viewerMembership"] == {
        "role": "MEMBER",
        "status": "ACTIVE",
        "isMuted": False,
    }
