"""Deciding items the content check held (admins)."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.items import GroupItem
from groupql.schema.serving import serve, serves
from groupql.schema.users import User, user_of
from groupql.services.review import ReviewAction

strawberry.enum(
    ReviewAction,
    description="KEEP publishes the item; REMOVE rejects it (only its author still sees it); "
    "REMOVE_AND_BAN also bans its author.",
)


@serves(records.Report)
@strawberry.type(description="A member's report of an item (admins see them).")
class ItemReport:
    reason: str
    created_at: datetime

    reporter: User = strawberry.field(resolver=user_of("reporter_id"))


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Report an item to the group's admins (it joins their reviewQueue); false "
        "when you had reported it already."
    )
    async def report_item(self, info: Info, item_id: strawberry.ID, reason: str) -> bool:
        viewer = await info.context.viewer()
        return await info.context.services.review.report(viewer, item_id, reason)

    @strawberry.mutation(description="Decide an item held for review (admins).")
    async def resolve_review(
        self, info: Info, item_id: strawberry.ID, action: ReviewAction
    ) -> GroupItem:
        viewer = await info.context.viewer()
        decided = await info.context.services.review.resolve(viewer, item_id, action)
        return serve(GroupItem, decided)
