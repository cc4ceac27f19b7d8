"""Resolvers of login and of the viewer."""

from groupql.resolvers import Info
from groupql.services.auth import LoginResult
from groupql.store.records import User


async def login(info: Info, code: str) -> LoginResult:
    return await info.context.services.auth.login(code)


async def viewer(info: Info) -> User:
    return await info.context.viewer()
