"""Polls: the poll of a POLL item, its options and votes, and voting."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.items import GroupItem
from groupql.schema.serving import serve, serve_all, serves
from groupql.schema.users import User, users
from groupql.services.polls import OptionResult


@serves(OptionResult)
@strawberry.type
class PollOption:
    id: strawberry.ID
    text: str
    vote_count: int

    @strawberry.field(description="Who chose this option; null for an anonymous poll.")
    @staticmethod
    async def voters(root: strawberry.Parent[OptionResult], info: Info) -> list[User] | None:
        return None if root.voter_ids is None else await users(info, root.voter_ids)


def _poll(item: records.Item) -> records.Poll:
    assert item.content.poll is not None, "Poll serves POLL items only"
    return item.content.poll


@serves(records.Item)
@strawberry.type
class Poll:
    """The poll of a POLL item: served from the item, whose id keys its votes."""

    @strawberry.field
    @staticmethod
    def is_multiple_choice(root: strawberry.Parent[records.Item]) -> bool:
        return _poll(root).is_multiple_choice

    @strawberry.field
    @staticmethod
    def is_anonymous(root: strawberry.Parent[records.Item]) -> bool:
        return _poll(root).is_anonymous

    @strawberry.field
    @staticmethod
    def closes_at(root: strawberry.Parent[records.Item]) -> datetime | None:
        return _poll(root).closes_at

    @strawberry.field
    @staticmethod
    def is_closed(root: strawberry.Parent[records.Item], info: Info) -> bool:
        return info.context.services.polls.is_closed(_poll(root))

    @strawberry.field
    @staticmethod
    async def options(root: strawberry.Parent[records.Item], info: Info) -> list[PollOption]:
        tally = await info.context.loaders.poll_tallies.load(root.id)
        return serve_all(PollOption, info.context.services.polls.results(_poll(root), tally))

    @strawberry.field(description="How many members have a ballot in this poll.")
    @staticmethod
    async def voter_count(root: strawberry.Parent[records.Item], info: Info) -> int:
        return (await info.context.loaders.poll_tallies.load(root.id)).voter_count

    @strawberry.field(description="The options the viewer chose ([] when none).")
    @staticmethod
    async def viewer_option_ids(
        root: strawberry.Parent[records.Item], info: Info
    ) -> list[strawberry.ID]:
        chosen = await (await info.context.viewer_loaders()).votes.load(root.id)
        return [strawberry.ID(option_id) for option_id in chosen]


@strawberry.type
class PollMutation:
    @strawberry.mutation(description="Cast, replace or ([]) withdraw your ballot in a poll.")
    async def vote(
        self, info: Info, item_id: strawberry.ID, option_ids: list[strawberry.ID]
    ) -> GroupItem:
        viewer = await info.context.viewer()
        voted = await info.context.services.polls.vote(viewer, item_id, option_ids)
        return serve(GroupItem, voted)
