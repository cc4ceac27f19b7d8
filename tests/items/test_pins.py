"""Pins: admins, or members when the owner lets them, pin up to ten items in order."""

import asyncio

from tests.actors import join, join_in_order
from tests.conftest import Api
from tests.items.documents import DELETE, PIN, PINNED, ids

LET_MEMBERS_PIN = """
mutation($groupId: ID!) {
  updateGroup(input: {groupId: $groupId, membersCanPin: true}) { id membersCanPin }
}
"""
MAX_PINS = 10


async def test_an_admin_pins_items_and_the_group_lists_them_in_pin_order(api: Api) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    items = [await bob.say(f"m{n}") for n in range(3)]
    assert await olivia.pin(items[2]) == [items[2]["id"]]
    await olivia.pin(items[0])
    assert await olivia.pin(items[1]) == ids([items[2], items[0], items[1]])
    group = (await bob.data(PINNED, id=bob.group_id))["group"]
    pinned_in_order = [items[2], items[0], items[1]]
    assert group["pinnedItems"] == [
        {"id": item["id"], "isPinned": True} for item in pinned_in_order
    ]
    assert [item["isPinned"] for item in await bob.feed()] == [True, True, True]


async def test_pinning_twice_or_unpinning_an_unpinned_item_changes_nothing(api: Api) -> None:
    olivia = await join(api, "olivia")
    first, second, never = [await olivia.say(text) for text in ("a", "b", "never pinned")]
    await olivia.pin(first)
    await olivia.pin(second)
    assert await olivia.pin(first) == ids([first, second])
    assert await olivia.pin(never, pinned=False) == ids([first, second])


async def test_an_admin_unpins_an_item(api: Api) -> None:
    olivia = await join(api, "olivia")
    first, second = await olivia.say("a"), await olivia.say("b")
    await olivia.pin(first)
    await olivia.pin(second)
    assert await olivia.pin(first, pinned=False) == [second["id"]]
    assert [item["isPinned"] for item in await olivia.feed()] == [True, False]


async def test_members_pin_only_when_the_owner_lets_them(api: Api) -> None:
    olivia, bob = await join_in_order(api, "olivia", "bob")
    item = await bob.say("pin me")
    assert await bob.error_code(PIN, itemId=item["id"]) == "FORBIDDEN"
    assert await olivia.pinned_ids() == []
    changed = (await olivia.data(LET_MEMBERS_PIN, groupId=olivia.group_id))["updateGroup"]
    assert changed["membersCanPin"] is True
    assert await bob.pin(item) == [item["id"]]


async def test_the_eleventh_pin_is_a_conflict(api: Api) -> None:
    olivia = await join(api, "olivia")
    items = [await olivia.say(f"m{n}") for n in range(MAX_PINS + 1)]
    for item in items[:MAX_PINS]:
        await olivia.pin(item)
    assert await olivia.error_code(PIN, itemId=items[MAX_PINS]["id"]) == "CONFLICT"
    assert await olivia.pinned_ids() == ids(items[:MAX_PINS])
    await olivia.pin(items[0], pinned=False)
    assert (await olivia.pin(items[MAX_PINS]))[-1] == items[MAX_PINS]["id"]


async def test_concurrent_pins_never_exceed_the_limit(api: Api) -> None:
    olivia = await join(api, "olivia")
    items = [await olivia.say(f"m{n}") for n in range(15)]
    bodies = await asyncio.gather(*(olivia.send(PIN, itemId=item["id"]) for item in items))
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert codes == ["CONFLICT"] * 5
    pinned = await olivia.pinned_ids()
    assert len(pinned) == MAX_PINS
    succeeded = [
        item["id"] for item, body in zip(items, bodies, strict=True) if not body.get("errors")
    ]
    assert sorted(pinned) == sorted(succeeded)


async def test_deleting_a_pinned_item_unpins_it(api: Api) -> None:
    olivia = await join(api, "olivia")
    kept, recalled = await olivia.say("kept"), await olivia.say("recalled")
    await olivia.pin(recalled)
    await olivia.pin(kept)
    tombstone = await olivia.delete(recalled)
    assert tombstone["isPinned"] is False
    assert await olivia.pinned_ids() == [kept["id"]]


async def test_a_pin_racing_a_delete_never_leaves_a_pinned_tombstone(api: Api) -> None:
    olivia = await join(api, "olivia")
    for n in range(10):
        item = await olivia.say(f"m{n}")
        await asyncio.gather(
            olivia.send(PIN, itemId=item["id"]), olivia.send(DELETE, itemId=item["id"])
        )
    assert await olivia.pinned_ids() == []
    assert [item["isPinned"] for item in await olivia.feed()] == [False] * 10
