"""WeChat steps (微信运动): what wx.getWeRunData gives, decrypted with the sender's session key and
kept per calendar day, then ranked in the groups where the sender opted in."""

from dataclasses import dataclass
from datetime import datetime

from groupql.records import StepDay, User
from groupql.services.auth import AuthService
from groupql.services.clock import Clock
from groupql.services.rankings import RankingService
from groupql.store import Store
from groupql.wechat.werun import read_steps

# The groups a user's steps are ranked in, at most (their most recently joined).
MAX_RANKED_GROUPS = 200


@dataclass(frozen=True)
class StepsReceived:
    days: list[StepDay]
    refreshed_at: datetime


class StepsService:
    def __init__(
        self,
        *,
        store: Store,
        auth: AuthService,
        rankings: RankingService,
        appid: str,
        max_age_s: int,
        clock: Clock,
    ) -> None:
        self._store = store
        self._auth = auth
        self._rankings = rankings
        self._appid = appid
        self._max_age_s = max_age_s
        self._clock = clock

    async def submit(self, viewer: User, encrypted_data: str, iv: str) -> StepsReceived:
        """Keep each day's steps (a day already kept from a newer upload stays) and rank them
        where the viewer opted in. Sending the same upload again changes nothing."""
        payload = self._auth.decrypt_for(viewer, encrypted_data, iv)
        now = self._clock()
        upload = read_steps(
            payload,
            appid=self._appid,
            now_s=now.timestamp(),
            max_age_s=self._max_age_s,
            zone=self._rankings.zone,
        )
        days = [
            StepDay(viewer.id, day, steps, upload.made_at)
            for day, steps in sorted(upload.days.items())
        ]
        if days:
            await self._store.step_days.put(days)
            await self._store.users.steps_refreshed(viewer.id, now)
        ranked = await self._store.members.ranking_steps(viewer.id, limit=MAX_RANKED_GROUPS)
        if days and ranked:
            await self._rankings.put_steps(
                viewer.id, [member.group_id for member in ranked], since=days[0].day
            )
        return StepsReceived(days=days, refreshed_at=now)
