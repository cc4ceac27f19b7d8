"""Subscribe messages as clients see them: the templates to ask for, and the viewer's credits."""

from datetime import datetime

import strawberry

from groupql import records
from groupql.context import Info
from groupql.schema.serving import serve_all, serves
from groupql.services.subscriptions import SubscribeResult

strawberry.enum(
    records.SubscriptionStatus,
    name="MessageSubscriptionStatus",
    description="ACCEPT: messages may be sent while credits last; REJECT: none may.",
)
strawberry.enum(
    SubscribeResult,
    name="SubscribeResult",
    description="What wx.requestSubscribeMessage answered for a template "
    "(accept, reject, ban, filter).",
)


@serves(records.Subscription)
@strawberry.type(description="What the viewer let the mini-program send with one template.")
class MessageSubscription:
    template_id: str
    status: records.SubscriptionStatus
    credits: int = strawberry.field(
        description="Messages that may still be sent: one per accept of a one-time template."
    )
    updated_at: datetime


@strawberry.type(description="The subscribe-message template that tells one kind of notice.")
class SubscribeTemplate:
    kind: str = strawberry.field(
        description="A NotificationKind, or NEW_ITEMS: the digest of new items of groups set to "
        "ALL."
    )
    template_id: str


@strawberry.input
class SubscribeResultInput:
    template_id: str
    status: SubscribeResult


@strawberry.type
class SubscriptionQuery:
    @strawberry.field(
        description="The templates to pass to wx.requestSubscribeMessage, by kind (empty when "
        "the server sends no subscribe messages)."
    )
    def subscribe_templates(self, info: Info) -> list[SubscribeTemplate]:
        ids = info.context.services.outbox.template_ids()
        return [SubscribeTemplate(kind=kind, template_id=ids[kind]) for kind in sorted(ids)]


@strawberry.type
class SubscriptionMutation:
    @strawberry.mutation(
        description="Report what wx.requestSubscribeMessage answered; returns the viewer's "
        "subscriptions. Where WeChat's message push is set up, its events are what count."
    )
    async def record_subscription(
        self, info: Info, results: list[SubscribeResultInput]
    ) -> list[MessageSubscription]:
        viewer = await info.context.viewer()
        ledger = await info.context.services.subscriptions.record(
            viewer, [(one.template_id, one.status) for one in results]
        )
        return serve_all(MessageSubscription, ledger)
