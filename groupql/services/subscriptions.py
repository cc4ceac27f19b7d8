"""The credit ledger of subscribe messages: what each user let the mini-program send them.

Each accept in wx.requestSubscribeMessage of a one-time template allows one message. WeChat
tells the server itself through its message push (subscribe_msg_popup_event, and
subscribe_msg_change_event when the user turns a template off in settings); the client can say
so too (recordSubscription). When the push is set up, only WeChat's word adds credits: a client
cannot mint them, and one accept, told both ways, is never counted twice. Without it, the
client's word does.
"""

import logging
from collections.abc import Sequence
from enum import Enum

from groupql.errors import BadUserInput
from groupql.records import Subscription, SubscriptionStatus, User
from groupql.services.clock import Clock
from groupql.services.outbox import OutboxService
from groupql.store import Store
from groupql.wechat.push import (
    SUBSCRIBE_MSG_CHANGE_EVENT,
    SUBSCRIBE_MSG_POPUP_EVENT,
    SUBSCRIBE_MSG_SENT_EVENT,
    PushEvent,
)

logger = logging.getLogger(__name__)

# wx.requestSubscribeMessage asks for at most 3 templates at a time; a few calls' worth.
MAX_RESULTS = 20


class SubscribeResult(Enum):
    """What wx.requestSubscribeMessage said of one template."""

    ACCEPT = "accept"
    REJECT = "reject"
    BAN = "ban"  # the template was banned by WeChat
    FILTER = "filter"  # filtered out (e.g. its title is the same as another's)


class SubscriptionService:
    def __init__(
        self,
        *,
        store: Store,
        outbox: OutboxService,
        appid: str,
        trusts_push: bool,
        clock: Clock,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._appid = appid
        self._trusts_push = trusts_push
        self._clock = clock

    async def record(
        self, viewer: User, results: Sequence[tuple[str, SubscribeResult]]
    ) -> list[Subscription]:
        """What the client reports from wx.requestSubscribeMessage; the viewer's ledger after."""
        if len(results) > MAX_RESULTS:
            raise BadUserInput(f"Report at most {MAX_RESULTS} results at a time.")
        known = set(self._outbox.template_ids().values())
        unknown = sorted({template_id for template_id, _ in results} - known)
        if unknown:
            raise BadUserInput(
                f"No notification is sent with template {unknown[0][:64]!r}: ask for those "
                "in Query.subscribeTemplates."
            )
        if not self._trusts_push:
            for template_id, result in results:
                await self._apply(viewer.id, template_id, result)
        return await self.ledger(viewer)

    async def ledger(self, viewer: User) -> list[Subscription]:
        return await self._store.subscriptions.of_user(viewer.id)

    async def pushed(self, event: PushEvent) -> None:
        """WeChat's own word on a user's subscriptions; each push counted once (WeChat sends
        one again when the first answer was slow)."""
        if event.event == SUBSCRIBE_MSG_SENT_EVENT:
            for delivery in event.deliveries:
                if delivery.error_code != 0:
                    logger.warning(
                        "subscribe message %s (template %s) not delivered: %s %s",
                        delivery.msg_id,
                        delivery.template_id,
                        delivery.error_code,
                        delivery.error_status,
                    )
            return
        if event.event not in (SUBSCRIBE_MSG_POPUP_EVENT, SUBSCRIBE_MSG_CHANGE_EVENT):
            return
        if not event.subscriptions:
            return
        changes = ",".join(f"{one.template_id}={one.status.value}" for one in event.subscriptions)
        key = f"{event.openid}:{event.event}:{event.create_time}:{changes}"
        if not await self._store.push_receipts.first_time(key, self._clock()):
            return
        try:
            await self._count(event)
        except BaseException:
            # WeChat sends it again when not answered: let that one count.
            await self._store.push_receipts.forget(key)
            raise

    async def _count(self, event: PushEvent) -> None:
        user = await self._store.users.by_openid(appid=self._appid, openid=event.openid)
        if user is None:
            return
        for change in event.subscriptions:
            if change.status is SubscriptionStatus.REJECT:
                await self._apply(user.id, change.template_id, SubscribeResult.REJECT)
            elif event.event == SUBSCRIBE_MSG_POPUP_EVENT:
                # A change event's accept turns a template back on in settings: no new credit.
                await self._apply(user.id, change.template_id, SubscribeResult.ACCEPT)

    async def _apply(self, user_id: str, template_id: str, result: SubscribeResult) -> None:
        now = self._clock()
        if result is SubscribeResult.ACCEPT:
            await self._store.subscriptions.accept(
                user_id=user_id, template_id=template_id, now=now
            )
        elif result in (SubscribeResult.REJECT, SubscribeResult.BAN):
            await self._store.subscriptions.reject(
                user_id=user_id, template_id=template_id, now=now
            )
