"""What a subscribe message says: the values of its template's placeholders."""

from zoneinfo import ZoneInfo

from groupql.records import Group, Notification, NotificationKind, OutboxMessage
from groupql.services.clock import Clock
from groupql.store import Store
from groupql.subscribe_templates import NEW_ITEMS

# What a message says a notification is, where the template has a {kind}.
KIND_LABELS = {
    NotificationKind.MENTION.value: "有人@了你",
    NotificationKind.MENTION_ALL.value: "@所有人",
    NotificationKind.REPLY.value: "回复了你",
    NotificationKind.ANSWER.value: "回答了你的问题",
    NotificationKind.ANSWER_ACCEPTED.value: "你的回答被采纳了",
    NotificationKind.POLL_CLOSED.value: "投票已结束",
    NotificationKind.ROLE_CHANGED.value: "你的群角色变了",
    NotificationKind.JOIN_REQUEST.value: "有新的入群申请",
    NotificationKind.APPROVED.value: "入群申请已通过",
    NEW_ITEMS: "群里有新消息",
}


class MessageWording:
    def __init__(self, *, store: Store, clock: Clock, tz: ZoneInfo) -> None:
        self._store = store
        self._clock = clock
        self._tz = tz

    async def values(self, message: OutboxMessage) -> dict[str, str]:
        """What the placeholders say: the group, who, what, when."""
        notes = [
            note
            for note in await self._store.notifications.get_many(list(message.notification_ids))
            if note is not None
        ]
        first = notes[0] if notes else None
        [group] = await self._store.groups.get_many([message.group_id])
        item = None
        if first is not None and first.item_id is not None and message.count == 1:
            [item] = await self._store.items.get_many([first.item_id])
        actor = "" if first is None or first.actor_id is None else await self._name(first)
        label = KIND_LABELS.get(message.kind, "新通知")
        text = (
            (item.content.text or label)
            if item is not None and not item.is_deleted
            else (label if message.count == 1 else f"{message.count}条新消息")
        )
        when = (first.created_at if first is not None else self._clock()).astimezone(self._tz)
        return {
            "group": _title(group),
            "actor": actor or "群成员",
            "text": " ".join(text.split()),
            "time": when.strftime("%Y-%m-%d %H:%M"),
            "kind": label,
            "count": str(message.count),
            "groupId": message.group_id,
            "itemId": "" if first is None or first.item_id is None else first.item_id,
        }

    async def _name(self, notification: Notification) -> str:
        assert notification.actor_id is not None
        member = await self._store.members.get(
            group_id=notification.group_id, user_id=notification.actor_id
        )
        if member is not None and member.display_name:
            return member.display_name
        [user] = await self._store.users.get_many([notification.actor_id])
        return "" if user is None or user.nickname is None else user.nickname


def _title(group: Group | None) -> str:
    return "群聊" if group is None or not group.title else group.title
