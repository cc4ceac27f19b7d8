"""Users as other members see them: who posted, who was mentioned, who is a member."""

from collections.abc import Sequence

import strawberry

from groupql import records
from groupql.context import Info
from groupql.errors import NotFound
from groupql.schema.serving import serve_all, serves

NICKNAME = "The name the user chose (WeChat no longer tells apps their WeChat nickname)."
AVATAR = "The picture the user chose: an https:// URL or a WeChat cloud fileID (cloud://...)."


@serves(records.User)
@strawberry.type(description="A user as other members see them.")
class User:
    id: strawberry.ID
    nickname: str | None = strawberry.field(description=NICKNAME)
    avatar_url: str | None = strawberry.field(description=AVATAR)


async def user(info: Info, user_id: str) -> User:
    [found] = await users(info, [user_id])
    return found


async def users(info: Info, user_ids: Sequence[str]) -> list[User]:
    """Users by id, in one batch (one round trip with every other user loaded meanwhile)."""
    found = await info.context.loaders.users.load_many(list(user_ids))
    if any(one is None for one in found):
        raise NotFound("That user no longer exists.")
    return serve_all(User, found)
