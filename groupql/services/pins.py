"""Pinning items to the top of a group."""

from groupql.errors import BadUserInput, Conflict
from groupql.records import Group, Item, Pin, User
from groupql.services.clock import Clock
from groupql.services.events import Events, EventType
from groupql.services.items import ItemService
from groupql.services.membership import Access
from groupql.services.permissions import Action
from groupql.store import Store
from groupql.store.groups import PinOutcome


class PinService:
    def __init__(
        self, *, store: Store, items: ItemService, clock: Clock, max_pins: int, events: Events
    ) -> None:
        self._store = store
        self._events = events
        self._items = items
        self._clock = clock
        self._max_pins = max_pins

    async def pin(self, viewer: User, item_id: str) -> Group:
        """Pin an item to the top of its group; pinning a pinned item changes nothing."""
        item, access = await self._pinnable(viewer, item_id)
        if item.is_deleted:
            raise BadUserInput("A deleted item cannot be pinned.")
        pin = Pin(item_id=item.id, pinned_by=viewer.id, pinned_at=self._clock())
        outcome = await self._store.groups.pin(item.group_id, pin, max_pins=self._max_pins)
        if outcome is PinOutcome.FULL:
            raise Conflict(f"A group holds at most {self._max_pins} pins; unpin one first.")
        if outcome is PinOutcome.PINNED:
            # A delete that raced this pin may have unpinned before the pin landed.
            [now] = await self._store.items.get_many([item.id])
            if now is None or now.is_deleted:
                await self._store.groups.unpin(item.group_id, item_id=item.id)
                raise BadUserInput("A deleted item cannot be pinned.")
            await self._events.item(EventType.ITEM_PINNED, item)
        return await self._group_after(access)

    async def unpin(self, viewer: User, item_id: str) -> Group:
        """Unpin an item; unpinning an item that is not pinned changes nothing."""
        item, access = await self._pinnable(viewer, item_id)
        if await self._store.groups.unpin(item.group_id, item_id=item.id):
            await self._events.item(EventType.ITEM_UNPINNED, item)
        return await self._group_after(access)

    async def _pinnable(self, viewer: User, item_id: str) -> tuple[Item, Access]:
        item, access = await self._items.item_with_access(viewer, item_id)
        settings = access.group.settings
        access.require(Action.PIN_WHEN_MEMBERS_CAN_PIN if settings.members_can_pin else Action.PIN)
        return item, access

    async def _group_after(self, access: Access) -> Group:
        [group] = await self._store.groups.get_many([access.group.id])
        return group or access.group
