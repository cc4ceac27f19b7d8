"""Read markers and unread counts: per group, over all the viewer's groups, and markRead."""

import strawberry

from groupql.context import Info
from groupql.schema.serving import serve, serves
from groupql.services import unread as unread_service


@serves(unread_service.Unread)
@strawberry.type(description="What the viewer has not read in a group.")
class Unread:
    count: int = strawberry.field(
        description="Items after the viewer's read marker, exact and uncapped; a deleted item "
        "counts (its tombstone still shows in the feed)."
    )
    mention_count: int = strawberry.field(
        description="Of those, the items that @mention the viewer or @all (deleted ones not)."
    )
    first_unread_seq: int | None = strawberry.field(
        description="Where to scroll to: the seq just after the marker (null: all read)."
    )


@serves(unread_service.UnreadTotals)
@strawberry.type(description="Unread over the viewer's groups, but those set to notify NONE.")
class UnreadTotals:
    count: int
    mention_count: int
    group_count: int = strawberry.field(description="How many groups have unread items.")


@strawberry.type
class UnreadMutation:
    @strawberry.mutation(
        description="Mark the group read up to `seq` (a later seq than the newest item means "
        "all of it). The marker only moves forward: an older seq changes nothing."
    )
    async def mark_read(self, info: Info, group_id: strawberry.ID, seq: int) -> Unread:
        viewer = await info.context.viewer()
        unread = await info.context.services.unread.mark_read(viewer, group_id, seq)
        return serve(Unread, unread)
