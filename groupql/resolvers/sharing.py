"""Resolver of joining a group by shareTicket."""

from groupql.resolvers import Info
from groupql.services.sharing import JoinResult


async def resolve_share_ticket(info: Info, encrypted_data: str, iv: str) -> JoinResult:
    viewer = await info.context.viewer()
    return await info.context.services.sharing.join_group_from_share(viewer, encrypted_data, iv)
