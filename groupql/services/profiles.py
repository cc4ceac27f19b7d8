"""How people show themselves: a nickname and avatar everywhere, a display name per group.

WeChat no longer gives mini-programs a user's nickname or avatar: users pick them with
`<button open-type="chooseAvatar">` and `<input type="nickname">`, and the app sends them here.
"""

import unicodedata

from groupql.changes import UNCHANGED, Changes, Unchanged
from groupql.errors import BadUserInput, ContentRejected, NotFound
from groupql.records import MediaKind, Member, MemberStatus, NotificationLevel, ReviewStatus, User
from groupql.services.content_checks import ContentChecks
from groupql.services.events import Events, EventType
from groupql.services.item_content import check_url
from groupql.services.membership import MembershipService
from groupql.services.permissions import Action, as_seen
from groupql.store import Store

MAX_NICKNAME_LENGTH = 32
MAX_DISPLAY_NAME_LENGTH = 32
# Avatars live on a CDN (https) or in WeChat cloud storage (cloud:// fileIDs).
AVATAR_SCHEMES = ("https://", "cloud://")

# Characters that would let a name pose as another or break the lines around it: controls, line
# and paragraph separators, and the bidirectional overrides and isolates. Other format
# characters stay (the zero-width joiner builds emoji such as 👨‍👩‍👧).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs", "Co", "Cn"})


class ProfileService:
    def __init__(
        self,
        *,
        store: Store,
        membership: MembershipService,
        events: Events,
        checks: ContentChecks,
    ) -> None:
        self._store = store
        self._checks = checks
        self._membership = membership
        self._events = events

    async def update_profile(
        self,
        viewer: User,
        *,
        nickname: str | Unchanged | None = UNCHANGED,
        avatar_url: str | Unchanged | None = UNCHANGED,
        avatar_media_id: str | Unchanged = UNCHANGED,
    ) -> User:
        """Change what the viewer shows; a field left out stays, None clears it. An avatar is
        a URL, or an AVATAR the viewer uploaded (which replaces the URL)."""
        changes: dict[str, str | None] = {}
        if nickname is not UNCHANGED:
            changes["nickname"] = checked_name(nickname, MAX_NICKNAME_LENGTH, "nickname")
            await self._checks.name(viewer, changes["nickname"])
        if avatar_url is not UNCHANGED:
            if avatar_url is not None:
                check_url(avatar_url, AVATAR_SCHEMES, "profile picture URL (avatarUrl)")
            changes["avatar_url"] = avatar_url
            changes["avatar_key"] = None
        if avatar_media_id is not UNCHANGED:
            if avatar_url is not UNCHANGED:
                raise BadUserInput("Give 'avatarUrl' or 'avatarMediaId', not both.")
            changes["avatar_key"] = await self._avatar_key(viewer, avatar_media_id)
            changes["avatar_url"] = None
        if not changes:
            return viewer
        changed = await self._store.users.change(viewer.id, Changes(User, **changes))
        if changed is None:
            raise NotFound("That user no longer exists.")
        return changed

    async def _avatar_key(self, viewer: User, media_id: str) -> str:
        found = await self._store.media.get_many([media_id]) if self._store.is_id(media_id) else []
        media = found[0] if found else None
        if media is None or media.owner_id != viewer.id or media.kind is not MediaKind.AVATAR:
            raise NotFound("'avatarMediaId' names no AVATAR you uploaded.")
        if media.review is ReviewStatus.REJECTED:
            raise ContentRejected("That picture was refused by the content check.")
        return media.key

    async def set_display_name(
        self, viewer: User, group_id: str, display_name: str | None
    ) -> Member:
        """The viewer's name in one group (群昵称); None goes back to their nickname."""
        name = checked_name(display_name, MAX_DISPLAY_NAME_LENGTH, "displayName")
        access = (await self._membership.access(viewer, group_id)).require(Action.VIEW_GROUP)
        await self._checks.name(viewer, name)
        changed = await self._store.members.change(
            Changes(Member, display_name=name),
            group_id=group_id,
            user_id=viewer.id,
            when_status=[MemberStatus.ACTIVE],
        )
        if changed is None:
            raise NotFound("You are no longer a member of this group.")
        await self._events.member(EventType.MEMBER_UPDATED, changed)
        return as_seen(access.group, changed)

    async def set_notification_level(
        self, viewer: User, group_id: str, level: NotificationLevel
    ) -> Member:
        """What the viewer hears of a group: ALL (every new item, as a digest), MENTIONS (what
        concerns them) or NONE."""
        access = (await self._membership.access(viewer, group_id)).require(Action.VIEW_GROUP)
        changed = await self._store.members.change(
            Changes(Member, notification_level=level),
            group_id=group_id,
            user_id=viewer.id,
            when_status=[MemberStatus.ACTIVE],
        )
        if changed is None:
            raise NotFound("You are no longer a member of this group.")
        await self._events.own_settings(changed)
        return as_seen(access.group, changed)


def checked_name(name: str | None, max_length: int, what: str) -> str | None:
    """A name as shown: trimmed, 1 to `max_length` characters, nothing that hides or fakes
    text; None (or only spaces) clears it."""
    if name is None or not name.strip():
        return None
    name = unicodedata.normalize("NFC", name.strip())
    if len(name) > max_length:
        raise BadUserInput(f"'{what}' may have at most {max_length} characters.")
    if any(
        char in _BIDI_CONTROLS or unicodedata.category(char) in _REFUSED_CATEGORIES for char in name
    ):
        raise BadUserInput(f"'{what}' may not contain control or direction characters.")
    return name
