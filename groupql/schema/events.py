"""Live event types: what groupFeed and myEvents stream."""

from typing import Annotated

import strawberry

from groupql.schema.group import Group, Member
from groupql.schema.item import GroupItem
from groupql.services.events import EventType
from groupql.services.live import LiveEvent


@strawberry.interface(description="An event about one item, which carries the item's seq.")
class ItemEvent:
    seq: int
    item: GroupItem


@strawberry.type(description="A new item (also replayed after afterSeq).")
class ItemPosted(ItemEvent):
    pass


@strawberry.type(description="An item's text changed, or a question got its accepted answer.")
class ItemEdited(ItemEvent):
    pass


@strawberry.type(description="An item was deleted; it stays as a tombstone.")
class ItemDeleted(ItemEvent):
    pass


@strawberry.type(description="An item was pinned (pinned: true) or unpinned.")
class ItemPinned(ItemEvent):
    pinned: bool


@strawberry.type(description="A poll's votes changed; item.poll has the new counts.")
class PollUpdated(ItemEvent):
    pass


@strawberry.interface(description="An event about one membership.")
class MemberEvent:
    member: Member


@strawberry.type(description="Someone joined (status ACTIVE), or asked to (status PENDING).")
class MemberJoined(MemberEvent):
    pass


@strawberry.type
class MemberLeft(MemberEvent):
    pass


@strawberry.type(description="A member was removed or banned (or, for moderators, turned away).")
class MemberRemoved(MemberEvent):
    pass


@strawberry.type
class MemberRoleChanged(MemberEvent):
    pass


@strawberry.type(description="The group's settings, title, announcement or owner changed.")
class GroupUpdated:
    group: Group


GroupEvent = Annotated[
    ItemPosted
    | ItemEdited
    | ItemDeleted
    | ItemPinned
    | PollUpdated
    | MemberJoined
    | MemberLeft
    | MemberRemoved
    | MemberRoleChanged
    | GroupUpdated,
    strawberry.union("GroupEvent"),
]


@strawberry.type(description="The viewer joined a group, or asked to.")
class JoinedGroup:
    group: Group
    member: Member


@strawberry.type(description="The viewer was removed, banned or turned away.")
class RemovedFromGroup:
    group: Group
    member: Member


MyEvent = Annotated[JoinedGroup | RemovedFromGroup, strawberry.union("MyEvent")]

_ITEM_EVENTS = {
    EventType.ITEM_POSTED: ItemPosted,
    EventType.ITEM_EDITED: ItemEdited,
    EventType.ITEM_DELETED: ItemDeleted,
    EventType.POLL_UPDATED: PollUpdated,
}
_MEMBER_EVENTS = {
    EventType.MEMBER_JOINED: MemberJoined,
    EventType.MEMBER_LEFT: MemberLeft,
    EventType.MEMBER_REMOVED: MemberRemoved,
    EventType.MEMBER_ROLE_CHANGED: MemberRoleChanged,
}


def group_event(event: LiveEvent) -> GroupEvent:
    if event.item is not None and event.seq is not None:
        item = GroupItem.of(event.item)
        if event.type in (EventType.ITEM_PINNED, EventType.ITEM_UNPINNED):
            return ItemPinned(seq=event.seq, item=item, pinned=event.type is EventType.ITEM_PINNED)
        return _ITEM_EVENTS[event.type](seq=event.seq, item=item)  # type: ignore[return-value]
    if event.member is not None:
        return _MEMBER_EVENTS[event.type](member=Member.of(event.member))  # type: ignore[return-value]
    return GroupUpdated(group=Group.of(event.group))


def my_event(event: LiveEvent) -> MyEvent:
    assert event.member is not None
    kind = JoinedGroup if event.type is EventType.JOINED_GROUP else RemovedFromGroup
    return kind(group=Group.of(event.group), member=Member.of(event.member))
