"""The root types: Query and Mutation."""

from collections.abc import AsyncIterator
from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import auth as auth_resolvers
from groupql.resolvers import groups as group_resolvers
from groupql.resolvers import invites as invite_resolvers
from groupql.resolvers import items as item_resolvers
from groupql.resolvers import live as live_resolvers
from groupql.resolvers import moderation as moderation_resolvers
from groupql.resolvers import sharing as sharing_resolvers
from groupql.schema.connection import Connection
from groupql.schema.events import GroupEvent, MyEvent, group_event, my_event
from groupql.schema.group import CreateGroupInput, Group, Member, UpdateGroupInput
from groupql.schema.invite import Invite
from groupql.schema.item import GroupItem, PostItemInput
from groupql.schema.user import Viewer
from groupql.services.sharing import JoinResult as JoinRecord
from groupql.store import records


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime
    viewer: Viewer


@strawberry.type
class JoinResult:
    group: Group
    member: Member = strawberry.field(description="The viewer's membership of the group.")
    group_created: bool = strawberry.field(description="True for the one join that made the group.")

    @classmethod
    def of(cls, result: JoinRecord) -> "JoinResult":
        return cls(
            group=Group.of(result.group),
            member=Member.of(result.member),
            group_created=result.group_created,
        )


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in user.")
    async def viewer(self, info: Info) -> Viewer:
        return Viewer.of(await auth_resolvers.viewer(info))

    @strawberry.field(description="A group the viewer is a member of (or waits to join).")
    async def group(self, info: Info, id: strawberry.ID) -> Group:
        return Group.of(await group_resolvers.group(info, id))

    @strawberry.field(description="The viewer's groups, most recently joined first.")
    async def my_groups(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Group]:
        return Connection.of(await group_resolvers.my_groups(info, first, after), Group.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Exchange a wx.login code for a bearer token.")
    async def login(self, info: Info, code: str) -> LoginPayload:
        result = await auth_resolvers.login(info, code)
        return LoginPayload(
            token=result.token, expires_at=result.expires_at, viewer=Viewer.of(result.user)
        )

    @strawberry.mutation(
        description="Join the group of the chat a card was shared in, from wx.getShareInfo."
    )
    async def resolve_share_ticket(self, info: Info, encrypted_data: str, iv: str) -> JoinResult:
        return JoinResult.of(await sharing_resolvers.resolve_share_ticket(info, encrypted_data, iv))

    @strawberry.mutation(description="Post an item to a group's feed.")
    async def post_item(self, info: Info, input: PostItemInput) -> GroupItem:
        return GroupItem.of(await item_resolvers.post_item(info, input.draft()))

    @strawberry.mutation(description="Change the text of your TEXT, LINK or QUESTION item.")
    async def edit_item(self, info: Info, item_id: strawberry.ID, text: str) -> GroupItem:
        return GroupItem.of(await item_resolvers.edit_item(info, item_id, text))

    @strawberry.mutation(description="Delete an item, leaving a tombstone that keeps its seq.")
    async def delete_item(self, info: Info, item_id: strawberry.ID) -> GroupItem:
        return GroupItem.of(await item_resolvers.delete_item(info, item_id))

    @strawberry.mutation(description="Pin an item to the top of its group, or unpin it.")
    async def pin_item(self, info: Info, item_id: strawberry.ID, pinned: bool = True) -> Group:
        return Group.of(await item_resolvers.pin_item(info, item_id, pinned))

    @strawberry.mutation(description="Cast, replace or ([]) withdraw your ballot in a poll.")
    async def vote(
        self, info: Info, item_id: strawberry.ID, option_ids: list[strawberry.ID]
    ) -> GroupItem:
        return GroupItem.of(await item_resolvers.vote(info, item_id, option_ids))

    @strawberry.mutation(description="Mark a reply to a QUESTION as its answer.")
    async def accept_answer(
        self, info: Info, question_id: strawberry.ID, answer_id: strawberry.ID
    ) -> GroupItem:
        return GroupItem.of(await item_resolvers.accept_answer(info, question_id, answer_id))

    @strawberry.mutation(description="Create a group not tied to a WeChat chat.")
    async def create_group(self, info: Info, input: CreateGroupInput) -> Group:
        group, _ = await group_resolvers.create_group(info, input.title, input.join_policy)
        return Group.of(group)

    @strawberry.mutation(description="Change a group's settings (admins).")
    async def update_group(self, info: Info, input: UpdateGroupInput) -> Group:
        return Group.of(await group_resolvers.update_group(info, input.group_id, input.changes()))

    @strawberry.mutation(description="Make an active member ADMIN or MEMBER (owner).")
    async def set_member_role(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID, role: records.Role
    ) -> Member:
        return Member.of(await moderation_resolvers.set_member_role(info, group_id, user_id, role))

    @strawberry.mutation(description="Hand the group to another active member (owner).")
    async def transfer_ownership(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Group:
        return Group.of(await moderation_resolvers.transfer_ownership(info, group_id, user_id))

    @strawberry.mutation(description="Remove (or ban) a member (admins).")
    async def remove_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID, ban: bool = False
    ) -> Member:
        return Member.of(await moderation_resolvers.remove_member(info, group_id, user_id, ban))

    @strawberry.mutation(description="Let a banned user join again (admins).")
    async def unban_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        return Member.of(await moderation_resolvers.unban_member(info, group_id, user_id))

    @strawberry.mutation(description="Keep a member from posting until a time; null unmutes.")
    async def mute_member(
        self,
        info: Info,
        group_id: strawberry.ID,
        user_id: strawberry.ID,
        until: datetime | None = None,
    ) -> Member:
        return Member.of(await moderation_resolvers.mute_member(info, group_id, user_id, until))

    @strawberry.mutation(description="Let a pending member in (admins).")
    async def approve_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        return Member.of(
            await moderation_resolvers.decide_member(info, group_id, user_id, approve=True)
        )

    @strawberry.mutation(description="Turn a pending member away (admins).")
    async def reject_member(
        self, info: Info, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Member:
        return Member.of(
            await moderation_resolvers.decide_member(info, group_id, user_id, approve=False)
        )

    @strawberry.mutation(description="Leave a group; an owner hands it to the next in line.")
    async def leave_group(self, info: Info, group_id: strawberry.ID) -> Member:
        return Member.of(await moderation_resolvers.leave_group(info, group_id))

    @strawberry.mutation(description="Create an invitation code for a group.")
    async def create_invite(
        self,
        info: Info,
        group_id: strawberry.ID,
        max_uses: int | None = None,
        expires_at: datetime | None = None,
    ) -> Invite:
        return Invite.of(await invite_resolvers.create_invite(info, group_id, max_uses, expires_at))

    @strawberry.mutation(description="Join a group with an invitation code.")
    async def join_by_invite(self, info: Info, code: str) -> JoinResult:
        return JoinResult.of(await invite_resolvers.join_by_invite(info, code))

    @strawberry.mutation(description="Revoke an invitation (admins, or its creator).")
    async def revoke_invite(self, info: Info, invite_id: strawberry.ID) -> Invite:
        return Invite.of(await invite_resolvers.revoke_invite(info, invite_id))


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "The group's events. With afterSeq, first every item after that seq, then live "
            "events, with no gap and no duplicate: pass the last seq you saw when you reconnect."
        )
    )
    async def group_feed(
        self, info: Info, group_id: strawberry.ID, after_seq: int | None = None
    ) -> AsyncIterator[GroupEvent]:
        async for event in live_resolvers.group_feed(info, group_id, after_seq):
            yield group_event(event)

    @strawberry.subscription(description="The viewer's own events: groups joined, removals.")
    async def my_events(self, info: Info) -> AsyncIterator[MyEvent]:
        async for event in live_resolvers.my_events(info):
            yield my_event(event)
