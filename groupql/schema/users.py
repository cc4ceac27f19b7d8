"""User types: anyone as other members see them, the viewer as they see themselves, and the
viewer's profile."""

from collections.abc import Sequence
from datetime import datetime

import strawberry

from groupql import records
from groupql.changes import UNCHANGED
from groupql.context import Info
from groupql.errors import NotFound
from groupql.schema.serving import serve, serve_all, serves
from groupql.schema.unread import UnreadTotals

_NICKNAME = "The name the user chose (WeChat no longer tells apps their WeChat nickname)."
_AVATAR = "The picture the user chose: an https:// URL or a WeChat cloud fileID (cloud://...)."


@serves(records.User)
@strawberry.type(description="A user as other members see them.")
class User:
    id: strawberry.ID
    nickname: str | None = strawberry.field(description=_NICKNAME)
    avatar_url: str | None = strawberry.field(description=_AVATAR)


@serves(records.User)
@strawberry.type(description="The logged-in user.")
class Viewer:
    id: strawberry.ID
    openid: str = strawberry.field(description="The user's openid in this mini-program.")
    unionid: str | None
    created_at: datetime
    nickname: str | None = strawberry.field(description=_NICKNAME)
    avatar_url: str | None = strawberry.field(description=_AVATAR)

    @strawberry.field(description="Unread items and mentions over all the viewer's groups.")
    @staticmethod
    async def unread(info: Info) -> UnreadTotals:
        totals = await info.context.services.unread.totals(await info.context.viewer())
        return serve(UnreadTotals, totals)


@strawberry.input(description="Only the fields given change; null clears one.")
class UpdateProfileInput:
    nickname: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='1-32 characters, e.g. from <input type="nickname">.',
    )
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='https:// or cloud://, e.g. the file <button open-type="chooseAvatar"> '
        "gave, once uploaded.",
    )


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(description="Change the viewer's nickname or avatar.")
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> Viewer:
        user = await info.context.viewer()
        changed = await info.context.services.profiles.update_profile(
            user,
            nickname=UNCHANGED if input.nickname is strawberry.UNSET else input.nickname,
            avatar_url=UNCHANGED if input.avatar_url is strawberry.UNSET else input.avatar_url,
        )
        return viewer(changed)


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
