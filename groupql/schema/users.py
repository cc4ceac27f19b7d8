"""User types: anyone as other members see them, and the viewer as they see themselves."""

from collections.abc import Sequence
from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.errors import NotFound
from groupql.schema.serving import serve, serve_all, serves


@serves(records.User)
@strawberry.type(description="A user as other members see them.")
class User:
    id: strawberry.ID


@serves(records.User)
@strawberry.type(description="The logged-in user.")
class Viewer:
    id: strawberry.ID
    openid: str = strawberry.field(description="The user's openid in this mini-program.")
    unionid: str | None
    created_at: datetime


async def user(info: Info, user_id: str) -> User:
    [found] = await users(info, [user_id])
    return found


async def users(info: Info, user_ids: Sequence[str]) -> list[User]:
    """Users by id, in one batch (one round trip with every other user loaded meanwhile)."""
    found = await info.context.loaders.users.load_many(list(user_ids))
    if any(one is None for one in found):
        raise NotFound("That user no longer exists.")
    return serve_all(User, found)


def viewer(record: records.User) -> Viewer:
    return serve(Viewer, record)
