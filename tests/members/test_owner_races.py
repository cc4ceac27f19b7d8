"""The owner and the admins next in line leave at the same instant, in many groups at once: every
group still has exactly one owner, an active member (or none when nobody is left)."""

import asyncio
import random

from tests.actors import Member, join
from tests.conftest import Api
from tests.members.documents import REMOVE

GROUPS = 100
WAVE = 20


async def a_group(api: Api, number: int) -> list[Member]:
    """An owner, two admins and two members, joined in that order."""
    people = [await join(api, f"g{number}-{role}", f"G-{number}") for role in range(5)]
    owner, first_admin, second_admin = people[:3]
    await owner.set_role(second_admin, "ADMIN")
    await owner.set_role(first_admin, "ADMIN")
    return people


async def leave_after(person: Member, ticks: int) -> None:
    """Leave after `ticks` turns of the event loop: each round trip of the in-memory store is
    one turn, so varied ticks interleave the leavers' reads and writes in every order."""
    for _ in range(ticks):
        await asyncio.sleep(0)
    await person.leave()


async def owners_seen_by(member: Member) -> list[str]:
    roles = await member.roles()
    return [user_id for user_id, role in roles.items() if role == "OWNER"]


async def test_owners_and_admins_leaving_together_never_leave_a_group_without_an_owner(
    api: Api,
) -> None:
    ownerless = []
    for start in range(0, GROUPS, WAVE):
        groups = await asyncio.gather(*(a_group(api, n) for n in range(start, start + WAVE)))
        # Owner and both admins of every group of the wave leave in the same instant, each a
        # few round trips before or after the others.
        turns = random.Random(start)
        await asyncio.gather(
            *(leave_after(person, turns.randrange(8)) for people in groups for person in people[:3])
        )
        for people in groups:
            remaining = people[3:]
            owners = await owners_seen_by(remaining[0])
            if len(owners) != 1 or owners[0] not in {person.user_id for person in remaining}:
                ownerless.append((people[0].group_id, owners))

    assert ownerless == []


async def test_everyone_leaving_together_leaves_no_owner_and_the_next_joiner_takes_it(
    api: Api,
) -> None:
    for number in range(20):
        people = await a_group(api, number)
        await asyncio.gather(*(person.leave() for person in people))

        newcomer = await join(api, f"newcomer-{number}", f"G-{number}")

        assert await owners_seen_by(newcomer) == [newcomer.user_id]


async def test_a_removal_racing_the_owner_leaving_still_leaves_an_active_owner(api: Api) -> None:
    for number in range(20):
        people = await a_group(api, number)
        owner, first_admin = people[:2]
        # The owner removes the admin next in line and leaves, both at once: the removal may
        # come too late (FORBIDDEN: the owner has left), but never leaves a departed owner.
        removal, _ = await asyncio.gather(
            owner.send(REMOVE, **owner.on(first_admin)), owner.leave()
        )
        removed = "errors" not in removal
        still_here = [
            person.user_id for person in people[1:] if not (removed and person is first_admin)
        ]

        owners = await owners_seen_by(people[-1])

        assert len(owners) == 1 and owners[0] in still_here, (removal, owners)
