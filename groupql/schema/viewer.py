"""The logged-in viewer as they see themselves: their profile, unread counts and notifications."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.changes import UNCHANGED
from groupql.context import Info
from groupql.schema.connection import Connection
from groupql.schema.context_fields import context_field
from groupql.schema.notifications import Notification
from groupql.schema.search import HOW_SEARCH_READS, SearchHit
from groupql.schema.serving import serve, serve_all, serves
from groupql.schema.subscriptions import MessageSubscription
from groupql.schema.unread import UnreadTotals
from groupql.schema.users import AVATAR, NICKNAME, avatar_url


@serves(records.User)
@strawberry.type(description="The logged-in user.")
class Viewer:
    id: strawberry.ID
    openid: str = strawberry.field(description="The user's openid in this mini-program.")
    unionid: str | None
    created_at: datetime
    nickname: str | None = strawberry.field(description=NICKNAME)
    avatar_url: str | None = strawberry.field(
        description=AVATAR, resolver=context_field(avatar_url)
    )

    @strawberry.field(description="Unread items and mentions over all the viewer's groups.")
    @staticmethod
    async def unread(root: strawberry.Parent[records.User], info: Info) -> UnreadTotals:
        totals = await info.context.services.unread.totals(root)
        return serve(UnreadTotals, totals)

    @strawberry.field(
        description="What happened to the viewer in their groups, newest first (groups they "
        "left, or set to NONE, are left out)."
    )
    @staticmethod
    async def notifications(
        root: strawberry.Parent[records.User],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification]:
        # The viewer as served: after markNotificationsRead, with its new read marker.
        page = await info.context.services.notifications.page(
            root, first=first, after=after, unread_only=unread_only
        )
        return Connection.of(page, Notification)

    @strawberry.field(
        description="The items that match `query` in the viewer's groups (the 200 most "
        "recently joined), newest first by creation time; each hit has its group. "
        + HOW_SEARCH_READS
        + " A word of two or more characters is needed here: search one group for a single "
        "Chinese character."
    )
    @staticmethod
    async def search(
        root: strawberry.Parent[records.User],
        info: Info,
        query: str,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        page = await info.context.services.search.across(root, query, first=first, after=after)
        return Connection.of(page, SearchHit)

    @strawberry.field(description="What the viewer let the mini-program send them, by template.")
    @staticmethod
    async def message_subscriptions(
        root: strawberry.Parent[records.User], info: Info
    ) -> list[MessageSubscription]:
        ledger = await info.context.services.subscriptions.ledger(root)
        return serve_all(MessageSubscription, ledger)


@strawberry.input(description="Only the fields given change; null clears one.")
class UpdateProfileInput:
    nickname: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='1-32 characters, e.g. from <input type="nickname">.',
    )
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='https:// or cloud://, e.g. the file <button open-type="chooseAvatar"> '
        "gave, once uploaded elsewhere.",
    )
    avatar_media_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="An AVATAR you uploaded (createUpload kind AVATAR, completeUpload's id).",
    )


@strawberry.type
class ViewerMutation:
    @strawberry.mutation(description="Change the viewer's nickname or avatar.")
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> Viewer:
        user = await info.context.viewer()
        changed = await info.context.services.profiles.update_profile(
            user,
            nickname=UNCHANGED if input.nickname is strawberry.UNSET else input.nickname,
            avatar_url=UNCHANGED if input.avatar_url is strawberry.UNSET else input.avatar_url,
            avatar_media_id=UNCHANGED
            if input.avatar_media_id is strawberry.UNSET or input.avatar_media_id is None
            else input.avatar_media_id,
        )
        return viewer(changed)

    @strawberry.mutation(
        description="Mark notifications read up to this one (null: all so far); the marker "
        "never moves back."
    )
    async def mark_notifications_read(
        self, info: Info, up_to: strawberry.ID | None = None
    ) -> Viewer:
        user = await info.context.viewer()
        return viewer(await info.context.services.notifications.mark_read(user, up_to))


def viewer(record: records.User) -> Viewer:
    return serve(Viewer, record)
