"""Groups: the group and its settings, reading groups, creating and changing them."""

from datetime import date, datetime
from operator import attrgetter
from typing import Annotated

import strawberry

from groupql import records
from groupql.changes import UNCHANGED, Changes
from groupql.context import Info
from groupql.schema.connection import Connection
from groupql.schema.guard import members_only
from groupql.schema.invites import Invite
from groupql.schema.items import AlbumEntry, GroupItem
from groupql.schema.keyed_loads import KeyedLoad, keyed
from groupql.schema.members import Member
from groupql.schema.rankings import PERIODS, Metric, Ranking
from groupql.schema.search import HOW_SEARCH_READS, SearchHit
from groupql.schema.serving import serve, serve_all, serves
from groupql.schema.unread import Unread
from groupql.schema.users import User, user_of
from groupql.services.unread import unread_of

strawberry.enum(records.GroupKind, description="What kind of chat the group is for.")
strawberry.enum(records.JoinPolicy, description="Who may join: anyone, with approval, nobody.")
strawberry.enum(records.PostPolicy, description="Who may post: every member, or admins only.")


@serves(records.Announcement)
@strawberry.type
class Announcement:
    text: str
    updated_at: datetime

    author: User = strawberry.field(resolver=user_of("author_id"))


# The group's member count: a keyed load (keyed_loads.py), which planned runs make directly.
MEMBER_COUNT = KeyedLoad(
    loader=lambda context: context.loaders.member_counts, key=attrgetter("id"), finish=int
)


async def _member_count(root: strawberry.Parent[records.Group], info: Info) -> int:
    return await MEMBER_COUNT.resolve(info.context, root)  # type: ignore[no-any-return]


keyed(MEMBER_COUNT, _member_count)


# What a join-request screen needs: a pending member sees the group's face, not its life.
SUMMARY = (
    "id", "open_gid", "kind", "chat_type", "title", "join_policy", "post_policy",
    "allowed_item_types", "members_can_invite", "members_can_pin", "created_at", "member_count",
    "viewer_membership",
)  # fmt: skip


@members_only(summary=SUMMARY)
@serves(records.Group)
@strawberry.type(
    description=(
        "A group's shared space. WeChat never tells servers a group's name: render it with "
        '<open-data type="groupName" open-gid="{openGId}">, or show `title`.'
    )
)
class Group:
    id: strawberry.ID
    open_gid: str | None = strawberry.field(
        name="openGId", description="The WeChat chat's openGId (null for app groups)."
    )
    kind: records.GroupKind
    chat_type: int | None = strawberry.field(description="WeChat's chat_type, when it gave one.")
    title: str | None

    join_policy: records.JoinPolicy = strawberry.field(
        resolver=lambda root: root.settings.join_policy
    )
    post_policy: records.PostPolicy = strawberry.field(
        resolver=lambda root: root.settings.post_policy
    )
    allowed_item_types: list[records.ItemType] = strawberry.field(
        resolver=lambda root: [t for t in records.ItemType if t in root.settings.allowed_item_types]
    )
    members_can_invite: bool = strawberry.field(
        resolver=lambda root: root.settings.members_can_invite
    )
    members_can_pin: bool = strawberry.field(resolver=lambda root: root.settings.members_can_pin)
    mention_all_roles: list[records.Role] = strawberry.field(
        resolver=lambda root: [r for r in records.Role if r in root.settings.mention_all_roles],
        description="Who may @all (default OWNER and ADMIN).",
    )
    created_at: datetime

    announcement: Announcement | None = strawberry.field(
        description="The admins' announcement (members only)."
    )

    member_count: int = strawberry.field(
        description="How many active members the group has.", resolver=_member_count
    )

    @strawberry.field(description="The seq of the newest item (0 when there is none).")
    @staticmethod
    async def last_seq(root: strawberry.Parent[records.Group], info: Info) -> int:
        return await info.context.loaders.last_seqs.load(root.id)

    @strawberry.field(
        description="How many members an @all by the viewer would notify: the active members "
        "but the viewer and those who turned the group's notifications off."
    )
    @staticmethod
    async def mention_all_reach(root: strawberry.Parent[records.Group], info: Info) -> int:
        access = await info.context.access(root)
        return await info.context.services.items.mention_all_reach(access)

    @strawberry.field(description="What the viewer has not read here.")
    @staticmethod
    async def viewer_unread(root: strawberry.Parent[records.Group], info: Info) -> Unread:
        access = await info.context.access(root)
        member = access.member
        assert member is not None, "the members-only guard let a non-member through"
        last_seq = await info.context.loaders.last_seqs.load(root.id)
        loaders = await info.context.viewer_loaders()
        mentions = await loaders.mention_counts.load((root.id, member.last_read_seq, last_seq))
        return serve(Unread, unread_of(member, last_seq, mentions))

    @strawberry.field(description="The viewer's own membership (also while it is pending).")
    @staticmethod
    async def viewer_membership(
        root: strawberry.Parent[records.Group], info: Info
    ) -> Member | None:
        access = await info.context.access(root)
        member = info.context.services.groups.viewer_membership(access)
        return None if member is None else serve(Member, member)

    @strawberry.field(description="Members in join order; only admins list other statuses.")
    @staticmethod
    async def members(
        root: strawberry.Parent[records.Group],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: records.MemberStatus = records.MemberStatus.ACTIVE,
    ) -> Connection[Member]:
        access = await info.context.access(root)
        page = await info.context.services.groups.members(
            access, status=status, first=first, after=after
        )
        return Connection.of(page, Member)

    @strawberry.field(description="The feed, newest first; deleted items stay as tombstones.")
    @staticmethod
    async def items(
        root: strawberry.Parent[records.Group],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        types: list[records.ItemType] | None = None,
        before_seq: int | None = None,
    ) -> Connection[GroupItem]:
        page = await info.context.services.items.feed(
            root, first=first, after=after, types=types, before_seq=before_seq
        )
        return Connection.of(page, GroupItem)

    @strawberry.field(
        description="The group's items that match `query`, newest first (by seq). "
        + HOW_SEARCH_READS
        + " A query of single Chinese characters only reads the group's newest items "
        "(GROUPQL_SEARCH_SCAN_DEPTH, 2,000 by default)."
    )
    @staticmethod
    async def search(
        root: strawberry.Parent[records.Group],
        info: Info,
        query: str,
        types: list[records.ItemType] | None = None,
        author_id: strawberry.ID | None = None,
        from_: Annotated[
            datetime | None,
            strawberry.argument(name="from", description="Items created at or after this time."),
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Items created before this time.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        filters = records.SearchFilters(
            types=None if types is None else frozenset(types),
            author_id=author_id,
            since=from_,
            until=to,
        )
        page = await info.context.services.search.in_group(
            root, query, filters, first=first, after=after
        )
        return Connection.of(page, SearchHit)

    @strawberry.field(
        description="The group's members ranked by `metric` (Group.metrics) over the `period` "
        "that holds `date` (today when null). " + PERIODS
    )
    @staticmethod
    async def ranking(
        root: strawberry.Parent[records.Group],
        info: Info,
        metric: str,
        period: records.RankingPeriod = records.RankingPeriod.DAY,
        day: Annotated[
            date | None, strawberry.argument(name="date", description="Today when null.")
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Ranking:
        access = await info.context.access(root)
        viewer = await info.context.viewer()
        ranking = await info.context.services.rankings.ranking(
            access, viewer, metric_key=metric, period=period, day=day, first=first, after=after
        )
        return serve(Ranking, ranking)

    @strawberry.field(
        description="What the group can be ranked by: steps, posts, acceptedAnswers, then the "
        "metrics its admins defined."
    )
    @staticmethod
    async def metrics(root: strawberry.Parent[records.Group], info: Info) -> list[Metric]:
        return serve_all(Metric, await info.context.services.metrics.metrics(root))

    @strawberry.field(description="Pinned items, in the order they were pinned.")
    @staticmethod
    async def pinned_items(root: strawberry.Parent[records.Group], info: Info) -> list[GroupItem]:
        found = await info.context.loaders.items.load_many([pin.item_id for pin in root.pins])
        return serve_all(GroupItem, [item for item in found if item is not None])

    @strawberry.field(description="The photos and videos of the group, newest first.")
    @staticmethod
    async def album(
        root: strawberry.Parent[records.Group],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AlbumEntry]:
        page = await info.context.services.items.album(root, first=first, after=after)
        return Connection.of(page, AlbumEntry)

    @strawberry.field(
        description="Items held for review by the content check, newest first (admins)."
    )
    @staticmethod
    async def review_queue(
        root: strawberry.Parent[records.Group],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GroupItem]:
        access = await info.context.access(root)
        page = await info.context.services.review.queue(access, first=first, after=after)
        return Connection.of(page, GroupItem)

    @strawberry.field(description="Invitations, newest first (admins).")
    @staticmethod
    async def invites(
        root: strawberry.Parent[records.Group],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Invite]:
        access = await info.context.access(root)
        page = await info.context.services.invites.page(access, first=first, after=after)
        return Connection.of(page, Invite)


@strawberry.input(description="Only the fields given change; null clears title or announcement.")
class UpdateGroupInput:
    group_id: strawberry.ID
    title: str | None = strawberry.UNSET
    announcement: str | None = strawberry.UNSET
    join_policy: records.JoinPolicy | None = None
    post_policy: records.PostPolicy | None = None
    allowed_item_types: list[records.ItemType] | None = None
    members_can_invite: bool | None = None
    members_can_pin: bool | None = None
    mention_all_roles: list[records.Role] | None = strawberry.field(
        default=None, description="Who may @all; [] lets nobody."
    )


@strawberry.input
class CreateGroupInput:
    title: str
    join_policy: records.JoinPolicy = records.JoinPolicy.OPEN


@strawberry.type
class GroupQuery:
    @strawberry.field(description="A group the viewer is a member of (or waits to join).")
    async def group(self, info: Info, id: strawberry.ID) -> Group:
        viewer = await info.context.viewer()
        access = await info.context.services.groups.get_group(viewer, id)
        await info.context.remember_access(access)
        return serve(Group, access.group)

    @strawberry.field(description="The viewer's groups, most recently joined first.")
    async def my_groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Group]:
        viewer = await info.context.viewer()
        page = await info.context.services.groups.my_groups(viewer, first=first, after=after)
        return Connection.of(page, Group)


@strawberry.type
class GroupMutation:
    @strawberry.mutation(description="Create a group not tied to a WeChat chat.")
    async def create_group(self, info: Info, input: CreateGroupInput) -> Group:
        viewer = await info.context.viewer()
        group, _ = await info.context.services.groups.create_group(
            viewer, title=input.title, join_policy=input.join_policy
        )
        return serve(Group, group)

    @strawberry.mutation(description="Change a group's settings (admins).")
    async def update_group(self, info: Info, input: UpdateGroupInput) -> Group:
        viewer = await info.context.viewer()
        updated = await info.context.services.groups.update_group(
            viewer,
            input.group_id,
            title=UNCHANGED if input.title is strawberry.UNSET else input.title,
            announcement=UNCHANGED
            if input.announcement is strawberry.UNSET
            else input.announcement,
            settings=Changes.given(records.GroupSettings, input),
        )
        return serve(Group, updated)
