"""Who may do what in a group: one table (action x role), read by one function."""

from enum import Enum

from groupql.errors import Forbidden
from groupql.store.records import Member, MemberStatus, Role


class Action(Enum):
    VIEW_GROUP = "view the group"
    POST_ITEM = "post in the group"


_EVERYONE = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_GROUP: _EVERYONE,
    Action.POST_ITEM: _EVERYONE,
}


def is_allowed(member: Member | None, action: Action) -> bool:
    return (
        member is not None
        and member.status is MemberStatus.ACTIVE
        and member.role in PERMISSIONS[action]
    )


def require(member: Member | None, action: Action) -> Member:
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise Forbidden(
            f"Only members may {action.value}; open a card shared in the group to join it."
        )
    if not is_allowed(member, action):
        raise Forbidden(f"Your role may not {action.value}.")
    return member
