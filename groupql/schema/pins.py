"""Pinning items to the top of a group."""

import strawberry

from groupql.context import Info
from groupql.schema.groups import Group
from groupql.schema.serving import serve


@strawberry.type
class PinMutation:
    @strawberry.mutation(description="Pin an item to the top of its group, or unpin it.")
    async def pin_item(self, info: Info, item_id: strawberry.ID, pinned: bool = True) -> Group:
        viewer = await info.context.viewer()
        pins = info.context.services.pins
        group = await (pins.pin(viewer, item_id) if pinned else pins.unpin(viewer, item_id))
        return serve(Group, group)
