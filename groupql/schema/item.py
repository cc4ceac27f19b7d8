"""The feed's types: items and the input to post one."""

from datetime import datetime

import strawberry

from groupql.resolvers import Info
from groupql.resolvers import groups as group_resolvers
from groupql.schema.user import User
from groupql.store import records

strawberry.enum(records.ItemType, description="What an item holds.")


@strawberry.type(description="One entry of a group's feed.")
class GroupItem:
    id: strawberry.ID
    group_id: strawberry.ID
    seq: int = strawberry.field(description="Per-group, strictly increasing position.")
    type: records.ItemType
    text: str | None
    created_at: datetime
    author_id: strawberry.Private[str]

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(await group_resolvers.user(info, self.author_id))

    @classmethod
    def of(cls, item: records.Item) -> "GroupItem":
        return cls(
            id=strawberry.ID(item.id),
            group_id=strawberry.ID(item.group_id),
            seq=item.seq,
            type=item.type,
            text=item.text,
            created_at=item.created_at,
            author_id=item.author_id,
        )


@strawberry.input
class PostItemInput:
    group_id: strawberry.ID
    type: records.ItemType = records.ItemType.TEXT
    text: str | None = None
