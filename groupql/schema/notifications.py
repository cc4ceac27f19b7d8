"""Notifications: the viewer's feed of what happened to them, read markers and levels."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.groups import Group
from groupql.schema.items import GroupItem
from groupql.schema.items import item as item_by_id
from groupql.schema.serving import serve, serves
from groupql.schema.users import User, user
from groupql.services.notifications import NotificationRead

strawberry.enum(
    records.NotificationKind,
    description=(
        "MENTION: you were @mentioned; MENTION_ALL: someone @all; REPLY: a reply to your item; "
        "ANSWER: an answer to your question; ANSWER_ACCEPTED: your answer was accepted; "
        "POLL_CLOSED: a poll you voted in closed; ROLE_CHANGED: your role changed; "
        "JOIN_REQUEST: someone asks to join a group you run; APPROVED: your request was approved."
    ),
)


@serves(NotificationRead)
@strawberry.type(description="Something that happened to the viewer in one of their groups.")
class Notification:
    id: strawberry.ID = strawberry.field(resolver=lambda root: root.notification.id)
    kind: records.NotificationKind = strawberry.field(resolver=lambda root: root.notification.kind)
    created_at: datetime = strawberry.field(resolver=lambda root: root.notification.created_at)
    read_at: datetime | None = strawberry.field(
        description="When markNotificationsRead last covered it (null: unread)."
    )

    @strawberry.field
    @staticmethod
    async def group(root: strawberry.Parent[NotificationRead], info: Info) -> Group:
        found = await info.context.loaders.groups.load(root.notification.group_id)
        return serve(Group, found)

    @strawberry.field(description="The item it is about (a mention, a reply, a poll...).")
    @staticmethod
    async def item(root: strawberry.Parent[NotificationRead], info: Info) -> GroupItem | None:
        item_id = root.notification.item_id
        return None if item_id is None else await item_by_id(info, item_id)

    @strawberry.field(description="Who did it.")
    @staticmethod
    async def actor(root: strawberry.Parent[NotificationRead], info: Info) -> User | None:
        actor_id = root.notification.actor_id
        return None if actor_id is None else await user(info, actor_id)
