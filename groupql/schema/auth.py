"""Logging in, and the logged-in viewer."""

from datetime import datetime

import strawberry

from groupql.context import Info
from groupql.schema.viewer import Viewer, viewer


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as 'Authorization: Bearer <token>'.")
    expires_at: datetime
    viewer: Viewer


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The logged-in user.")
    async def viewer(self, info: Info) -> Viewer:
        return viewer(await info.context.viewer())


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Exchange a wx.login code for a bearer token.")
    async def login(self, info: Info, code: str) -> LoginPayload:
        result = await info.context.services.auth.login(code)
        return LoginPayload(
            token=result.token, expires_at=result.expires_at, viewer=viewer(result.user)
        )
