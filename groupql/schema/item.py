"""The feed's types: items with their media, links, polls and replies; the inputs to post one."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import groups as group_resolvers
from groupql.resolvers import items as item_resolvers
from groupql.schema.connection import Connection
from groupql.schema.user import User
from groupql.services.item_content import ItemDraft, PollDraft
from groupql.store import records

strawberry.enum(records.ItemType, description="What an item holds.")


@strawberry.type(description="An image, video or file, by https:// URL or WeChat cloud fileID.")
class Media:
    url: str
    mime: str
    size: int = strawberry.field(description="Bytes.")
    width: int | None
    height: int | None
    duration: float | None = strawberry.field(description="Seconds.")
    name: str | None

    @classmethod
    def of(cls, media: records.Media) -> "Media":
        return cls(
            url=media.url,
            mime=media.mime,
            size=media.size,
            width=media.width,
            height=media.height,
            duration=media.duration_s,
            name=media.name,
        )


@strawberry.type
class Link:
    url: str
    title: str | None


@strawberry.type
class PollOption:
    id: strawberry.ID
    text: str
    vote_count: int
    voter_ids: strawberry.Private[tuple[str, ...] | None]

    @strawberry.field(description="Who chose this option; null for an anonymous poll.")
    async def voters(self, info: Info) -> list[User] | None:
        if self.voter_ids is None:
            return None
        return [User.of(user) for user in await group_resolvers.users(info, self.voter_ids)]


@strawberry.type
class Poll:
    is_multiple_choice: bool
    is_anonymous: bool
    closes_at: datetime | None
    item: strawberry.Private[records.Item]
    poll: strawberry.Private[records.Poll]

    @strawberry.field
    def is_closed(self, info: Info) -> bool:
        return info.context.services.polls.is_closed(self.poll)

    @strawberry.field
    async def options(self, info: Info) -> list[PollOption]:
        tally = await item_resolvers.poll_tally(info, self.item)
        by_option = {option.option_id: option for option in tally.options}
        return [
            PollOption(
                id=strawberry.ID(option.id),
                text=option.text,
                vote_count=by_option[option.id].votes if option.id in by_option else 0,
                voter_ids=None
                if self.is_anonymous
                else (by_option[option.id].voter_ids if option.id in by_option else ()),
            )
            for option in self.poll.options
        ]

    @strawberry.field(description="How many members have a ballot in this poll.")
    async def voter_count(self, info: Info) -> int:
        return (await item_resolvers.poll_tally(info, self.item)).voter_count

    @strawberry.field(description="The options the viewer chose ([] when none).")
    async def viewer_option_ids(self, info: Info) -> list[strawberry.ID]:
        return [strawberry.ID(o) for o in await item_resolvers.viewer_ballot(info, self.item)]


@strawberry.type(description="One entry of a group's feed.")
class GroupItem:
    id: strawberry.ID
    group_id: strawberry.ID
    seq: int = strawberry.field(description="Per-group, strictly increasing position.")
    type: records.ItemType
    text: str | None
    media: list[Media]
    link: Link | None
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    is_deleted: bool
    record: strawberry.Private[records.Item]

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.record.author_id))

    @strawberry.field
    def poll(self) -> Poll | None:
        poll = self.record.content.poll
        if poll is None:
            return None
        return Poll(
            is_multiple_choice=poll.is_multiple_choice,
            is_anonymous=poll.is_anonymous,
            closes_at=poll.closes_at,
            item=self.record,
            poll=poll,
        )

    @strawberry.field(description="The item this one replies to.")
    async def reply_to(self, info: Info) -> "GroupItem | None":
        if self.record.reply_to is None:
            return None
        return GroupItem.of(await item_resolvers.item(info, self.record.reply_to))

    @strawberry.field(description="How many replies, not counting deleted ones.")
    async def reply_count(self, info: Info) -> int:
        return await item_resolvers.reply_count(info, self.record)

    @strawberry.field(description="Replies, oldest first.")
    async def replies(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["GroupItem"]:
        page = await item_resolvers.replies(info, self.record, first, after)
        return Connection.of(page, GroupItem.of)

    @strawberry.field(description="The accepted answer of a QUESTION.")
    async def accepted_answer(self, info: Info) -> "GroupItem | None":
        answer = await item_resolvers.accepted_answer(info, self.record)
        return GroupItem.of(answer) if answer else None

    @strawberry.field
    async def is_pinned(self, info: Info) -> bool:
        return await item_resolvers.is_pinned(info, self.record)

    @classmethod
    def of(cls, item: records.Item) -> "GroupItem":
        content = item.content
        return cls(
            id=strawberry.ID(item.id),
            group_id=strawberry.ID(item.group_id),
            seq=item.seq,
            type=item.type,
            text=content.text,
            media=[Media.of(media) for media in content.media],
            link=Link(url=content.link.url, title=content.link.title) if content.link else None,
            created_at=item.created_at,
            edited_at=item.edited_at,
            deleted_at=item.deleted_at,
            is_deleted=item.is_deleted,
            record=item,
        )


@strawberry.type(description="One photo or video of the group album.")
class AlbumEntry:
    item: GroupItem
    media: Media
    index: int = strawberry.field(description="The media's position in its item.")


@strawberry.input
class MediaInput:
    url: str = strawberry.field(description="https://... or a WeChat cloud fileID cloud://...")
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    name: str | None = None


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

    def draft(self) -> ItemDraft:
        return ItemDraft(
            group_id=self.group_id,
            type=self.type,
            text=self.text,
            media=None
            if self.media is None
            else [
                records.Media(
                    url=m.url,
                    mime=m.mime,
                    size=m.size,
                    width=m.width,
                    height=m.height,
                    duration_s=m.duration,
                    name=m.name,
                )
                for m in self.media
            ],
            link=None if self.link is None else records.Link(self.link.url, self.link.title),
            poll=None
            if self.poll is None
            else PollDraft(
                options=self.poll.options,
                is_multiple_choice=self.poll.multiple_choice,
                is_anonymous=self.poll.anonymous,
                closes_at=self.poll.closes_at,
            ),
            reply_to=self.reply_to,
        )
