"""The feed's items with their media and links; posting, editing and deleting them."""

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from groupql import records
from groupql.changes import UNCHANGED
from groupql.context import Context, Info
from groupql.errors import NotFound
from groupql.schema.connection import Connection
from groupql.schema.context_fields import context_field
from groupql.schema.media_urls import file_url
from groupql.schema.serving import build, builds, serve, serve_all, serves
from groupql.schema.users import User, user_of, users
from groupql.services import items as item_service
from groupql.services.item_content import ItemDraft
from groupql.services.permissions import Action

if TYPE_CHECKING:
    from groupql.schema.polls import Poll
    from groupql.schema.review import ItemReport

strawberry.enum(records.ItemType, description="What an item holds.")
strawberry.enum(records.ReviewStatus, description="Whether an item's content is shown.")


def media_url(context: Context, media: records.Media) -> str:
    return media.url if media.key is None else file_url(context, media.key)


@serves(records.Media)
@strawberry.type(
    description="An image, video or file: uploaded here (createUpload, completeUpload), or at an "
    "https:// URL or WeChat cloud fileID the client gave."
)
class Media:
    mime: str
    size: int = strawberry.field(description="Bytes.", deprecation_reason="Use `bytes`.")
    width: int | None
    height: int | None
    duration_s: float | None = strawberry.field(
        name="duration", description="Seconds.", deprecation_reason="Use `durationS`."
    )
    name: str | None
    bytes: int = strawberry.field(resolver=lambda root: root.size, description="Its size.")
    duration_seconds: float | None = strawberry.field(
        name="durationS", resolver=lambda root: root.duration_s, description="Seconds."
    )
    id: strawberry.ID | None = strawberry.field(
        resolver=lambda root: root.media_id, description="The uploaded file's id (null: a URL)."
    )

    @strawberry.field(
        description="An uploaded photo's content check: PENDING_REVIEW until WeChat's verdict, "
        "then PUBLISHED or REJECTED (media given by URL: PUBLISHED)."
    )
    @staticmethod
    async def status(root: strawberry.Parent[records.Media], info: Info) -> records.ReviewStatus:
        if root.media_id is None:
            return records.ReviewStatus.PUBLISHED
        stored = await info.context.loaders.media.load(root.media_id)
        return records.ReviewStatus.PUBLISHED if stored is None else stored.review

    url: str = strawberry.field(
        description="Where to load it. An uploaded file's URL is signed and works for a while "
        "(GROUPQL_MEDIA_URL_TTL_S): read it again rather than keep it.",
        resolver=context_field(media_url),
    )

    @strawberry.field(
        description="A JPEG of an uploaded image no larger than `maxSide` (240 or 720) on its "
        "longest side, or the closest there is; null for other media."
    )
    @staticmethod
    def thumbnail_url(
        root: strawberry.Parent[records.Media], info: Info, max_side: int = 240
    ) -> str | None:
        if not root.thumbnails:
            return None
        fitting = [one for one in root.thumbnails if one.side <= max_side]
        chosen = max(fitting, key=lambda one: one.side) if fitting else root.thumbnails[0]
        return file_url(info.context, chosen.key)


@serves(records.Link)
@strawberry.type
class Link:
    url: str
    title: str | None


def text_of(context: Context, item: records.Item) -> str | Awaitable[str | None] | None:
    """An item's text as the viewer may see it: at once for a published item (most are), else
    to come (who the viewer is decides). A resolver's value may be either: graphql-core and
    planned runs await what is awaitable."""
    if item.review is records.ReviewStatus.PUBLISHED:
        return item.content.text
    return _text_shown(context, item)


async def _text_shown(context: Context, item: records.Item) -> str | None:
    return (await shown(context, item)).text


@serves(records.Item)
@strawberry.type(description="One entry of a group's feed.")
class GroupItem:
    id: strawberry.ID
    group_id: strawberry.ID
    seq: int = strawberry.field(description="Per-group, strictly increasing position.")
    type: records.ItemType

    review_status: records.ReviewStatus = strawberry.field(
        resolver=lambda root: root.review,
        description="PUBLISHED; PENDING_REVIEW while its content is checked (only its author "
        "and the group's admins see the content meanwhile); REJECTED (only its author does).",
    )

    @strawberry.field(description="Members' reports of it (admins only; [] for others).")
    @staticmethod
    async def reports(
        root: strawberry.Parent[records.Item], info: Info
    ) -> list[Annotated["ItemReport", strawberry.lazy("groupql.schema.review")]]:
        if not root.report_count or not await may_review(info.context, root):
            return []
        found = await info.context.loaders.reports.load((root.group_id, root.id))
        return cast(list["ItemReport"], found)

    @strawberry.field(description="How many members reported it (admins only; null for others).")
    @staticmethod
    async def report_count(root: strawberry.Parent[records.Item], info: Info) -> int | None:
        return root.report_count if await may_review(info.context, root) else None

    @strawberry.field(description="WeChat's label of what its content check found (admins only).")
    @staticmethod
    async def review_label(root: strawberry.Parent[records.Item], info: Info) -> int | None:
        return root.review_label if await may_review(info.context, root) else None

    text: str | None = strawberry.field(resolver=context_field(text_of, returns=str | None))

    @strawberry.field
    @staticmethod
    async def media(root: strawberry.Parent[records.Item], info: Info) -> list[Media]:
        return serve_all(Media, (await shown(info.context, root)).media)

    @strawberry.field
    @staticmethod
    async def link(root: strawberry.Parent[records.Item], info: Info) -> Link | None:
        link = (await shown(info.context, root)).link
        return None if link is None else serve(Link, link)

    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    is_deleted: bool
    client_id: str | None = strawberry.field(
        description="The clientId its author's client posted it with, if any."
    )

    @strawberry.field(description="Whether it @mentions all.")
    @staticmethod
    async def mentions_all(root: strawberry.Parent[records.Item], info: Info) -> bool:
        return (await shown(info.context, root)).mentions_all

    @strawberry.field(description="The members it @mentions, in the order written.")
    @staticmethod
    async def mentions(root: strawberry.Parent[records.Item], info: Info) -> list[User]:
        return await users(info, (await shown(info.context, root)).mentions)

    @strawberry.field(description="Whether it @mentions the viewer, by name or by @all.")
    @staticmethod
    async def mentions_viewer(root: strawberry.Parent[records.Item], info: Info) -> bool:
        viewer = await info.context.viewer()
        content = await shown(info.context, root)
        return viewer.id in content.mentions or (
            content.mentions_all and root.author_id != viewer.id
        )

    author: User = strawberry.field(resolver=user_of("author_id"))

    @strawberry.field
    @staticmethod
    async def poll(
        root: strawberry.Parent[records.Item], info: Info
    ) -> Annotated["Poll", strawberry.lazy("groupql.schema.polls")] | None:
        # The poll is served from its item (its votes are keyed by the item's id).
        return None if (await shown(info.context, root)).poll is None else cast("Poll", root)

    @strawberry.field(description="The item this one replies to.")
    @staticmethod
    async def reply_to(root: strawberry.Parent[records.Item], info: Info) -> "GroupItem | None":
        if root.reply_to is None:
            return None
        return await item(info, root.reply_to)

    @strawberry.field(description="How many replies, not counting deleted ones.")
    @staticmethod
    async def reply_count(root: strawberry.Parent[records.Item], info: Info) -> int:
        return await info.context.loaders.reply_counts.load((root.group_id, root.id))

    @strawberry.field(description="Replies, oldest first.")
    @staticmethod
    async def replies(
        root: strawberry.Parent[records.Item],
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection["GroupItem"]:
        page = await info.context.services.items.replies(root, first=first, after=after)
        return Connection.of(page, GroupItem)

    @strawberry.field(description="The accepted answer of a QUESTION.")
    @staticmethod
    async def accepted_answer(
        root: strawberry.Parent[records.Item], info: Info
    ) -> "GroupItem | None":
        if root.accepted_answer_id is None:
            return None
        answer = await info.context.loaders.items.load(root.accepted_answer_id)
        shown = info.context.services.items.visible_answer(answer)
        return None if shown is None else serve(GroupItem, shown)

    @strawberry.field
    @staticmethod
    async def is_pinned(root: strawberry.Parent[records.Item], info: Info) -> bool:
        group = await info.context.loaders.groups.load(root.group_id)
        return info.context.services.items.is_pinned(group, root)


async def shown(context: Context, item: records.Item) -> records.ItemContent:
    """The content of an item as the viewer may see it: an item held for review shows nothing
    but to its author and the group's admins; a rejected one only to its author."""
    if item.review is records.ReviewStatus.PUBLISHED:
        return item.content
    viewer = await context.viewer()
    if item.author_id == viewer.id:
        return item.content
    if item.review is records.ReviewStatus.PENDING_REVIEW and await may_review(context, item):
        return item.content
    return records.ItemContent()


async def may_review(context: Context, item: records.Item) -> bool:
    """Whether the viewer is one of the admins who review the item's group."""
    group = await context.loaders.groups.load(item.group_id)
    return group is not None and (await context.access(group)).allows(Action.REVIEW_CONTENT)


async def item(info: Info, item_id: str) -> GroupItem:
    found = await info.context.loaders.items.load(item_id)
    if found is None:
        raise NotFound("That item no longer exists.")
    return serve(GroupItem, found)


@serves(item_service.AlbumEntry)
@strawberry.type(description="One photo or video of the group album.")
class AlbumEntry:
    item: GroupItem
    media: Media
    index: int = strawberry.field(description="The media's position in its item.")


@builds(records.Media)
@strawberry.input
class MediaInput:
    url: str = strawberry.field(description="https://... or a WeChat cloud fileID cloud://...")
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = strawberry.field(name="duration", default=None)
    name: str | None = None


@builds(records.Link)
@strawberry.input
class LinkInput:
    url: str = strawberry.field(description="https:// only.")
    title: str | None = None


@strawberry.input
class PollInput:
    options: list[str]
    multiple_choice: bool = False
    closes_at: datetime | None = None
    anonymous: bool = False


@strawberry.input
class PostItemInput:
    group_id: strawberry.ID
    type: records.ItemType = records.ItemType.TEXT
    text: str | None = None
    media: list[MediaInput] | None = None
    link: LinkInput | None = None
    poll: PollInput | None = None
    reply_to: strawberry.ID | None = None
    media_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Files you uploaded to this group (completeUpload's ids), shown before "
        "`media`.",
    )
    mentions: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Users to @mention (at most 30); only the group's active members are kept.",
    )
    mention_all: bool = strawberry.field(
        default=False,
        description="@all: notify every member. Only the roles in the group's mentionAllRoles "
        "may, a few times an hour (RATE_LIMITED beyond).",
    )
    client_id: str | None = strawberry.field(
        default=None,
        description=(
            "Your own id for this post (1-64 of A-Z a-z 0-9 - _ . :, e.g. a UUID): a retry with "
            "the same clientId returns the item the first attempt posted instead of posting again."
        ),
    )

    def draft(self) -> ItemDraft:
        poll, link = self.poll, self.link
        return ItemDraft(
            group_id=self.group_id,
            type=self.type,
            content=records.ItemContent(
                text=self.text,
                media=tuple(build(records.Media, media) for media in self.media or ()),
                link=None if link is None else build(records.Link, link),
                poll=None
                if poll is None
                else records.Poll(
                    options=records.Poll.numbered(poll.options),
                    is_multiple_choice=poll.multiple_choice,
                    is_anonymous=poll.anonymous,
                    closes_at=poll.closes_at,
                ),
                mentions=tuple(self.mentions or ()),
                mentions_all=self.mention_all,
            ),
            reply_to=self.reply_to,
            client_id=self.client_id,
            media_ids=tuple(self.media_ids or ()),
        )


@strawberry.type
class ItemMutation:
    @strawberry.mutation(description="Post an item to a group's feed.")
    async def post_item(self, info: Info, input: PostItemInput) -> GroupItem:
        viewer = await info.context.viewer()
        posted = await info.context.services.items.post_item(viewer, input.draft())
        return serve(GroupItem, posted)

    @strawberry.mutation(
        description="Change the text of your TEXT, LINK or QUESTION item, and with `mentions` "
        "whom it @mentions (only the newly named are notified)."
    )
    async def edit_item(
        self,
        info: Info,
        item_id: strawberry.ID,
        text: str,
        mentions: list[strawberry.ID] | None = strawberry.UNSET,
    ) -> GroupItem:
        viewer = await info.context.viewer()
        edited = await info.context.services.items.edit_item(
            viewer,
            item_id,
            text=text,
            mentions=UNCHANGED if mentions is strawberry.UNSET else tuple(mentions or ()),
        )
        return serve(GroupItem, edited)

    @strawberry.mutation(description="Delete an item, leaving a tombstone that keeps its seq.")
    async def delete_item(self, info: Info, item_id: strawberry.ID) -> GroupItem:
        viewer = await info.context.viewer()
        return serve(GroupItem, await info.context.services.items.delete_item(viewer, item_id))
