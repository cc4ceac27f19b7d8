"""The domain: rules and permissions, independent of GraphQL."""

from dataclasses import dataclass
from datetime import timedelta

from groupql.config import Settings
from groupql.realtime.bus import EventBus
from groupql.services.auth import AuthService
from groupql.services.clock import Clock, utc_now
from groupql.services.events import Events
from groupql.services.groups import GroupService
from groupql.services.invites import InviteService
from groupql.services.item_content import ContentLimits
from groupql.services.items import ItemService
from groupql.services.live import LiveService
from groupql.services.membership import MembershipService
from groupql.services.moderation import ModerationService
from groupql.services.pins import PinService
from groupql.services.polls import PollService
from groupql.services.questions import QuestionService
from groupql.services.session_keys import SessionKeyCipher
from groupql.services.sharing import SharingService
from groupql.store import Store
from groupql.wechat.code2session import Code2Session


@dataclass(frozen=True)
class Services:
    store: Store
    auth: AuthService
    membership: MembershipService
    groups: GroupService
    moderation: ModerationService
    items: ItemService
    pins: PinService
    polls: PollService
    questions: QuestionService
    invites: InviteService
    live: LiveService
    sharing: SharingService

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        code2session: Code2Session,
        bus: EventBus,
        clock: Clock = utc_now,
    ) -> "Services":
        events = Events(bus)
        auth = AuthService(
            store=store,
            code2session=code2session,
            cipher=SessionKeyCipher(settings.secret_key_value()),
            appid=settings.wechat_appid,
            session_ttl=timedelta(days=settings.session_ttl_days),
            clock=clock,
        )
        membership = MembershipService(store=store, clock=clock, events=events)
        items = ItemService(
            store=store,
            membership=membership,
            clock=clock,
            limits=ContentLimits(
                max_text_length=settings.max_text_length,
                max_media_per_item=settings.max_media_per_item,
                max_poll_options=settings.max_poll_options,
            ),
            recall_window=timedelta(seconds=settings.recall_window_s),
            events=events,
        )
        return cls(
            store=store,
            auth=auth,
            membership=membership,
            groups=GroupService(
                store=store,
                membership=membership,
                appid=settings.wechat_appid,
                clock=clock,
                events=events,
            ),
            moderation=ModerationService(
                store=store, membership=membership, clock=clock, events=events
            ),
            items=items,
            pins=PinService(
                store=store, items=items, clock=clock, max_pins=settings.max_pins, events=events
            ),
            polls=PollService(store=store, items=items, clock=clock, events=events),
            questions=QuestionService(store=store, items=items, events=events),
            live=LiveService(store=store, membership=membership, bus=bus),
            invites=InviteService(store=store, membership=membership, clock=clock),
            sharing=SharingService(
                store=store,
                auth=auth,
                membership=membership,
                appid=settings.wechat_appid,
                max_age_s=settings.share_max_age,
                clock=clock,
            ),
        )
