"""Invitation types."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import groups as group_resolvers
from groupql.schema.user import User
from groupql.store import records


@strawberry.type(description="A code that lets people join a group.")
class Invite:
    id: strawberry.ID
    code: str
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    created_by_id: strawberry.Private[str]

    @strawberry.field
    async def created_by(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.created_by_id))

    @classmethod
    def of(cls, invite: records.Invite) -> "Invite":
        return cls(
            id=strawberry.ID(invite.id),
            code=invite.code,
            max_uses=invite.max_uses,
            uses=invite.uses,
            expires_at=invite.expires_at,
            revoked_at=invite.revoked_at,
            created_at=invite.created_at,
            created_by_id=invite.created_by,
        )
