"""Subscribe messages (订阅消息): notifications that reach users outside the mini-program.

A notification whose kind has a template joins its recipient's waiting message for that group;
the message goes out when its digest window closes (several notifications, one message), never
in quiet hours, and only while the user holds a credit for the template (one per accept in
wx.requestSubscribeMessage). A background job sends what is due on every instance; each
message is claimed by one of them.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from groupql.records import (
    Group,
    Item,
    Member,
    MemberStatus,
    Notification,
    NotificationLevel,
    OutboxMessage,
    OutboxState,
    Role,
)
from groupql.services.clock import Clock
from groupql.services.message_wording import MessageWording
from groupql.services.permissions import rank
from groupql.services.quiet_hours import QuietHours
from groupql.store import Store
from groupql.store.notifications import Audience, audience_of, to_all
from groupql.subscribe_templates import NEW_ITEMS, Template
from groupql.wechat.subscribe_message import MiniprogramState, SendOutcome, SubscribeMessageSender

logger = logging.getLogger(__name__)

# A send takes seconds at most (WeChat's timeout, a token refresh): the lease outlasts it.
_LEASE = timedelta(minutes=2)
# Messages one run of the job handles before the next job's turn.
_PER_RUN = 200
_MAX_ATTEMPTS = 5
_FIRST_RETRY = timedelta(seconds=30)
_MAX_RETRY = timedelta(hours=1)
_FAN_OUT_PAGE = 500


class OutboxService:
    """Gathers notifications into subscribe messages, and sends those that are due."""

    def __init__(
        self,
        *,
        store: Store,
        templates: Mapping[str, Template],
        sender: SubscribeMessageSender,
        clock: Clock,
        digest: timedelta,
        quiet_hours: QuietHours | None,
        tz: ZoneInfo,
        miniprogram_state: MiniprogramState,
    ) -> None:
        self._store = store
        self._templates = templates
        self._sender = sender
        self._clock = clock
        self._digest = digest
        self._quiet = quiet_hours
        self._wording = MessageWording(store=store, clock=clock, tz=tz)
        self._state = miniprogram_state

    def template_ids(self) -> dict[str, str]:
        """The template id of each kind that has one."""
        return {kind: template.template_id for kind, template in self._templates.items()}

    async def gather(self, addressed: Sequence[tuple[str, Notification]]) -> None:
        """Queue the notifications whose kind has a template (one write each)."""
        now = self._clock()
        for to, notification in addressed:
            template = self._templates.get(notification.kind.value)
            if template is not None:
                await self._store.outbox.gather(
                    to=to,
                    group_id=notification.group_id,
                    kind=notification.kind.value,
                    template_id=template.template_id,
                    notification_ids=[notification.id],
                    actor_ids=[] if notification.actor_id is None else [notification.actor_id],
                    now=now,
                    send_at=self._due(now),
                )

    async def new_item(self, item: Item) -> None:
        """Members who set the group to ALL get a digest of its new items: one write per post,
        whatever the group's size (the message is fanned out to them when it is due)."""
        template = self._templates.get(NEW_ITEMS)
        if template is not None:
            now = self._clock()
            await self._store.outbox.gather(
                to=to_all(item.group_id),
                group_id=item.group_id,
                kind=NEW_ITEMS,
                template_id=template.template_id,
                notification_ids=[],
                actor_ids=[item.author_id],
                now=now,
                send_at=self._due(now),
            )

    async def send_due(self) -> int:
        """Send the messages due now, one claim at a time; how many were handled."""
        handled = 0
        while handled < _PER_RUN and (
            message := await self._store.outbox.claim_next(now=self._clock(), lease=_LEASE)
        ):
            await self._handle(message)
            handled += 1
        return handled

    def _due(self, now: datetime) -> datetime:
        due = now + self._digest
        quiet_end = None if self._quiet is None else self._quiet.end_after(due)
        return due if quiet_end is None else quiet_end

    async def _handle(self, message: OutboxMessage) -> None:
        audience = audience_of(message.to)
        if audience is not None:
            await self._fan_out(message, audience[0])
            return
        quiet_end = None if self._quiet is None else self._quiet.end_after(self._clock())
        if quiet_end is not None:
            await self._store.outbox.postpone(
                message, until=quiet_end, detail="quiet hours", attempt=False
            )
            return
        outcome, detail = await self._send(message)
        now = self._clock()
        if outcome is SendOutcome.RETRY_LATER and message.attempts + 1 < _MAX_ATTEMPTS:
            wait = min(_MAX_RETRY, _FIRST_RETRY * 2**message.attempts)
            await self._store.outbox.postpone(
                message, until=now + wait, detail=detail, attempt=True
            )
            return
        await self._store.outbox.finish(message, _FINAL[outcome], now=now, detail=detail)

    async def _send(self, message: OutboxMessage) -> tuple[SendOutcome | None, str]:
        """One attempt; None when it is not sent at all (no longer wanted, no credit, a
        template that cannot be filled). The credit is taken only once the message is ready
        (two senders never spend one twice), and given back when WeChat took nothing."""
        template = self._templates.get(message.kind)
        [user] = await self._store.users.get_many([message.to])
        member = await self._store.members.get(group_id=message.group_id, user_id=message.to)
        if template is None or user is None or not _still_wants(member, message.kind):
            return None, "no longer wanted"
        data, page = template.fill(await self._wording.values(message))
        if not await self._store.subscriptions.consume(
            user_id=user.id, template_id=template.template_id
        ):
            return None, "no credit"
        try:
            result = await self._sender.send(
                user.openid, template.template_id, data, page, miniprogram_state=self._state
            )
        except BaseException:
            await self._refund(user.id, template)
            raise
        if result.outcome is SendOutcome.BAD_DATA:
            # 47003: WeChat names the field; the template or its mapping needs fixing.
            logger.warning(
                "subscribe message %s (template %s) refused: %s",
                message.kind,
                template.template_id,
                result.detail,
            )
        if result.outcome in (SendOutcome.BAD_DATA, SendOutcome.RETRY_LATER, SendOutcome.FAILED):
            await self._refund(user.id, template)
        return result.outcome, result.detail

    async def _refund(self, user_id: str, template: Template) -> None:
        await self._store.subscriptions.refund(user_id=user_id, template_id=template.template_id)

    async def _fan_out(self, message: OutboxMessage, audience: Audience) -> None:
        """A whole audience's message becomes each wanting member's own, joining what waits
        for them (in the background: a request never writes per member). A member who caused
        all of it (their own @all, their own posts) is left out."""
        [group] = await self._store.groups.get_many([message.group_id])
        after_id = None
        while group is not None:
            members = await self._store.members.page_of_group(
                group.id, MemberStatus.ACTIVE, after_id=after_id, limit=_FAN_OUT_PAGE
            )
            now = self._clock()
            for member in members:
                if (
                    (message.actor_ids and set(message.actor_ids) <= {member.user_id})
                    or not _in_audience(audience, group, member)
                    or not _still_wants(member, message.kind)
                ):
                    continue
                await self._store.outbox.gather(
                    to=member.user_id,
                    group_id=group.id,
                    kind=message.kind,
                    template_id=message.template_id,
                    notification_ids=message.notification_ids,
                    actor_ids=message.actor_ids,
                    now=now,
                    send_at=now,
                    count=message.count,
                )
            if len(members) < _FAN_OUT_PAGE:
                break
            after_id = members[-1].id
        await self._store.outbox.finish(
            message, OutboxState.SENT, now=self._clock(), detail="fanned out"
        )


# Where a message ends after its last attempt.
_FINAL: dict[SendOutcome | None, OutboxState] = {
    SendOutcome.SENT: OutboxState.SENT,
    SendOutcome.RETRY_LATER: OutboxState.FAILED,
    SendOutcome.FAILED: OutboxState.FAILED,
    SendOutcome.NO_CREDIT: OutboxState.DROPPED,  # 43101: WeChat spent the credit
    SendOutcome.BAD_DATA: OutboxState.DROPPED,  # 47003: logged; the template needs fixing
    None: OutboxState.DROPPED,
}


def _in_audience(audience: Audience, group: Group, member: Member) -> bool:
    if audience is Audience.ADMINS:
        return rank(group, member) in (Role.OWNER, Role.ADMIN)
    return True


def _still_wants(member: Member | None, kind: str) -> bool:
    """An active member who has not turned the group off (the NEW_ITEMS digest: set to ALL)."""
    if member is None or member.status is not MemberStatus.ACTIVE:
        return False
    if kind == NEW_ITEMS:
        return member.notification_level is NotificationLevel.ALL
    return member.notification_level is not NotificationLevel.NONE
