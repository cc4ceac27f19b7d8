"""Users as other members see them: who posted, who was mentioned, who is a member."""

from collections.abc import Awaitable, Callable, Sequence
from operator import attrgetter
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from groupql import records
from groupql.context import Context, Info
from groupql.errors import NotFound
from groupql.schema.context_fields import context_field
from groupql.schema.keyed_loads import KeyedLoad, keyed
from groupql.schema.media_urls import file_url
from groupql.schema.serving import serve, serve_all, serves

NICKNAME = "The name the user chose (WeChat no longer tells apps their WeChat nickname)."
AVATAR = (
    "The picture the user chose: uploaded (a signed URL that works for a while), an https:// URL "
    "or a WeChat cloud fileID (cloud://...)."
)


def avatar_url(context: Context, user: records.User) -> str | None:
    """An uploaded avatar's signed URL, or the URL the user gave."""
    return user.avatar_url if user.avatar_key is None else file_url(context, user.avatar_key)


@serves(records.User)
@strawberry.type(description="A user as other members see them.")
class User:
    id: strawberry.ID
    nickname: str | None = strawberry.field(description=NICKNAME)
    avatar_url: str | None = strawberry.field(
        description=AVATAR, resolver=context_field(avatar_url)
    )


async def user(info: Info, user_id: str) -> User:
    return _served(await info.context.loaders.users.load(user_id))


def user_of(attribute: str) -> Callable[..., Awaitable[User]]:
    """The resolver of a field that is the user whose id the parent holds in `attribute`: a
    keyed load, which planned runs make without calling it."""
    load = KeyedLoad(loader=_users, key=attrgetter(attribute), finish=_served)

    async def resolve(root: strawberry.Parent[Any], info: Info) -> User:
        return await load.resolve(info.context, root)  # type: ignore[no-any-return]

    return keyed(load, resolve)


def _users(context: Context) -> DataLoader[str, records.User | None]:
    return context.loaders.users


def _served(found: records.User | None) -> User:
    if found is None:
        raise NotFound("That user no longer exists.")
    return serve(User, found)


async def users(info: Info, user_ids: Sequence[str]) -> list[User]:
    """Users by id, in one batch (one round trip with every other user loaded meanwhile)."""
    found = await info.context.loaders.users.load_many(list(user_ids))
    if any(one is None for one in found):
        raise NotFound("That user no longer exists.")
    return serve_all(User, found)
