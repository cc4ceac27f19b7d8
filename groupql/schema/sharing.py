"""Joining the group of the WeChat chat a card was shared in."""

import strawberry

from groupql.context import Info
from groupql.schema.members import JoinResult
from groupql.schema.serving import serve


@strawberry.type
class SharingMutation:
    @strawberry.mutation(
        description="Join the group of the chat a card was shared in, from wx.getShareInfo."
    )
    async def resolve_share_ticket(self, info: Info, encrypted_data: str, iv: str) -> JoinResult:
        viewer = await info.context.viewer()
        joined = await info.context.services.sharing.join_group_from_share(
            viewer, encrypted_data, iv
        )
        return serve(JoinResult, joined)
