"""Who may do what in a group: one table (action x standing), read by one function."""

from dataclasses import replace
from datetime import datetime
from enum import Enum

from groupql.errors import Banned, Forbidden
from groupql.records import Group, Member, MemberStatus, Role


class Standing(Enum):
    """Where a user stands in a group, as far as permissions go."""

    OWNER = "the owner"
    ADMIN = "an admin"
    MEMBER = "a member"
    MUTED = "a muted member"
    PENDING = "waiting for approval"
    BANNED = "banned"
    FORMER = "a former member"
    OUTSIDER = "not a member"


class Action(Enum):
    VIEW_GROUP_SUMMARY = "see the group's title, settings and size"
    VIEW_GROUP = "see the group"
    POST = "post"
    POST_WHEN_ADMINS_ONLY = "post while only admins may post"
    EDIT_OWN_ITEM = "edit your item"
    DELETE_OWN_ITEM = "delete your item"
    DELETE_ANY_ITEM = "delete others' items"
    VOTE = "vote"
    ACCEPT_OWN_QUESTION_ANSWER = "accept an answer to your question"
    ACCEPT_ANY_ANSWER = "accept an answer to others' questions"
    MENTION_ALL = "@all"
    MENTION_ALL_WHEN_MEMBERS_MAY = "@all while the group lets members (mentionAllRoles)"
    REPORT_ITEM = "report items to the admins"
    REVIEW_CONTENT = "see held and reported items, and decide them"
    PIN = "pin items"
    PIN_WHEN_MEMBERS_CAN_PIN = "pin items while members may pin"
    UPDATE_GROUP = "change the group's settings"
    SET_MEMBER_ROLE = "change members' roles"
    TRANSFER_OWNERSHIP = "transfer ownership"
    REMOVE_MEMBER = "remove members"
    BAN_MEMBER = "ban members"
    UNBAN_MEMBER = "unban members"
    MUTE_MEMBER = "mute members"
    APPROVE_MEMBER = "approve or reject members"
    VIEW_MODERATION = "see pending, former and banned members, and invites"
    INVITE = "create invitations"
    INVITE_WHEN_MEMBERS_CAN_INVITE = "create invitations while members may invite"
    REVOKE_OWN_INVITE = "revoke your invitations"
    REVOKE_ANY_INVITE = "revoke others' invitations"
    LEAVE = "leave the group"
    RANK = "take part in the group's rankings (steps, scores)"
    DEFINE_METRIC = "define the group's ranking metrics"
    RECORD_SCORE_FOR_OTHERS = "record others' scores"


_OWNER = frozenset({Standing.OWNER})
_ADMINS = frozenset({Standing.OWNER, Standing.ADMIN})
_VOICED = frozenset({Standing.OWNER, Standing.ADMIN, Standing.MEMBER})
_MEMBERS = _VOICED | {Standing.MUTED}

PERMISSIONS: dict[Action, frozenset[Standing]] = {
    # What a join-request screen needs: a pending member sees the group's face, not its life.
    Action.VIEW_GROUP_SUMMARY: _MEMBERS | {Standing.PENDING},
    Action.VIEW_GROUP: _MEMBERS,
    Action.POST: _VOICED,
    Action.POST_WHEN_ADMINS_ONLY: _ADMINS,
    Action.EDIT_OWN_ITEM: _VOICED,
    Action.DELETE_OWN_ITEM: _MEMBERS,
    Action.DELETE_ANY_ITEM: _ADMINS,
    Action.VOTE: _MEMBERS,
    Action.ACCEPT_OWN_QUESTION_ANSWER: _MEMBERS,
    Action.ACCEPT_ANY_ANSWER: _ADMINS,
    # As the default mentionAllRoles (OWNER, ADMIN) say; a group may narrow or widen them.
    Action.MENTION_ALL: _ADMINS,
    Action.MENTION_ALL_WHEN_MEMBERS_MAY: _VOICED,
    Action.REPORT_ITEM: _MEMBERS,
    Action.REVIEW_CONTENT: _ADMINS,
    Action.PIN: _ADMINS,
    Action.PIN_WHEN_MEMBERS_CAN_PIN: _VOICED,
    Action.UPDATE_GROUP: _ADMINS,
    Action.SET_MEMBER_ROLE: _OWNER,
    Action.TRANSFER_OWNERSHIP: _OWNER,
    Action.REMOVE_MEMBER: _ADMINS,
    Action.BAN_MEMBER: _ADMINS,
    Action.UNBAN_MEMBER: _ADMINS,
    Action.MUTE_MEMBER: _ADMINS,
    Action.APPROVE_MEMBER: _ADMINS,
    Action.VIEW_MODERATION: _ADMINS,
    Action.INVITE: _ADMINS,
    Action.INVITE_WHEN_MEMBERS_CAN_INVITE: _VOICED,
    Action.REVOKE_OWN_INVITE: _MEMBERS,
    Action.REVOKE_ANY_INVITE: _ADMINS,
    Action.LEAVE: _MEMBERS | {Standing.PENDING},
    Action.RANK: _MEMBERS,
    Action.DEFINE_METRIC: _ADMINS,
    Action.RECORD_SCORE_FOR_OTHERS: _ADMINS,
}

_FORMER = frozenset({MemberStatus.LEFT, MemberStatus.REMOVED, MemberStatus.REJECTED})


def standing(group: Group, member: Member | None, now: datetime) -> Standing:
    if member is None or member.status in _FORMER:
        return Standing.OUTSIDER if member is None else Standing.FORMER
    if member.status is MemberStatus.PENDING:
        return Standing.PENDING
    if member.status is MemberStatus.BANNED:
        return Standing.BANNED
    if member.user_id == group.owner_id:
        return Standing.OWNER
    if member.muted_until is not None and member.muted_until > now:
        return Standing.MUTED
    return Standing.ADMIN if member.role is Role.ADMIN else Standing.MEMBER


def is_allowed(who: Standing, action: Action) -> bool:
    return who in PERMISSIONS[action]


def require(who: Standing, action: Action) -> None:
    """Refuse `action` to `who` with the error that tells them why."""
    if is_allowed(who, action):
        return
    if who is Standing.BANNED:
        raise Banned()
    if who in (Standing.OUTSIDER, Standing.FORMER):
        raise Forbidden(f"Only members may {action.value}; join the group first.")
    raise Forbidden(f"As {who.value} you may not {action.value}.")


def rank(group: Group, member: Member) -> Role:
    return Role.OWNER if member.user_id == group.owner_id else member.role


def as_seen(group: Group, member: Member) -> Member:
    """The member with the role clients see: the group's owner is the one whose id it holds."""
    role = rank(group, member)
    return member if member.role is role else replace(member, role=role)


def require_outranks(actor: Standing, target: Role) -> None:
    """Moderating a member (remove, ban, mute, role): admins act on members, the owner on admins
    too, and nobody on the owner."""
    if target is Role.OWNER:
        raise Forbidden("Nobody may do that to the group's owner.")
    if target is Role.ADMIN and actor is not Standing.OWNER:
        raise Forbidden("Only the owner may do that to an admin.")
