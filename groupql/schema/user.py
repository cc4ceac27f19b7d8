"""User types: anyone as other members see them, and the viewer as they see themselves."""

from datetime import datetime

import strawberry

from groupql.store import records


@strawberry.type(description="A user as other members see them.")
class User:
    id: strawberry.ID

    @classmethod
    def of(cls, user: records.User) -> "User":
        return cls(id=strawberry.ID(user.id))


@strawberry.type(description="The logged-in user.")
class Viewer:
    id: strawberry.ID
    openid: str = strawberry.field(description="The user's openid in this mini-program.")
    unionid: str | None
    created_at: datetime

    @classmethod
    def of(cls, user: records.User) -> "Viewer":
        return cls(
            id=strawberry.ID(user.id),
            openid=user.openid,
            unionid=user.unionid,
            created_at=user.created_at,
        )
