"""Joining a user into the group of the WeChat chat a card was shared in."""

from groupql.records import GroupKind, User
from groupql.services.auth import AuthService
from groupql.services.clock import Clock
from groupql.services.membership import JoinResult, MembershipService
from groupql.store import Store
from groupql.wechat.share_info import read_shared_chat


class SharingService:
    def __init__(
        self,
        *,
        store: Store,
        auth: AuthService,
        membership: MembershipService,
        appid: str,
        max_age_s: int,
        clock: Clock,
    ) -> None:
        self._store = store
        self._auth = auth
        self._membership = membership
        self._appid = appid
        self._max_age_s = max_age_s
        self._clock = clock

    async def join_group_from_share(self, viewer: User, encrypted_data: str, iv: str) -> JoinResult:
        """Decrypt what wx.getShareInfo (or wx.getGroupEnterInfo) gave, then join its chat's group.

        Idempotent and race-free: the group and the membership are each upserted on a unique key,
        so concurrent joins of a new group make one group, and its creator is its one owner.
        """
        payload = self._auth.decrypt_for(viewer, encrypted_data, iv)
        now = self._clock()
        chat = read_shared_chat(
            payload, appid=self._appid, now_s=now.timestamp(), max_age_s=self._max_age_s
        )
        # The owner is fixed when the group is created, not by who inserts a membership first:
        # a creator whose request died half-way still becomes owner when it retries.
        group, group_created = await self._store.groups.find_or_create_for_chat(
            appid=self._appid,
            open_gid=chat.open_gid,
            kind=GroupKind(chat.kind.value),
            chat_type=chat.chat_type,
            creator_id=viewer.id,
            now=now,
        )
        member, _ = await self._membership.join(group, viewer.id, group_openid=chat.group_openid)
        return JoinResult(group=group, member=member, group_created=group_created)
