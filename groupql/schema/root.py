"""The root types: Query and Mutation."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import auth as auth_resolvers
from groupql.resolvers import groups as group_resolvers
from groupql.resolvers import items as item_resolvers
from groupql.resolvers import sharing as sharing_resolvers
from groupql.schema.connection import Connection
from groupql.schema.group import Group, Member
from groupql.schema.item import GroupItem, PostItemInput
from groupql.schema.user import Viewer


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime
    viewer: Viewer


@strawberry.type
class ShareTicketResult:
    group: Group
    member: Member = strawberry.field(description="The viewer's membership of the group.")
    group_created: bool = strawberry.field(description="True for the one join that made the group.")


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in user.")
    async def viewer(self, info: Info) -> Viewer:
        return Viewer.of(await auth_resolvers.viewer(info))

    @strawberry.field(description="A group the viewer is a member of.")
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
    async def resolve_share_ticket(
        self, info: Info, encrypted_data: str, iv: str
    ) -> ShareTicketResult:
        result = await sharing_resolvers.resolve_share_ticket(info, encrypted_data, iv)
        return ShareTicketResult(
            group=Group.of(result.group),
            member=Member.of(result.member),
            group_created=result.group_created,
        )

    @strawberry.mutation(description="Post an item to a group's feed.")
    async def post_item(self, info: Info, input: PostItemInput) -> GroupItem:
        item = await item_resolvers.post_item(info, input.group_id, input.type, input.text)
        return GroupItem.of(item)
