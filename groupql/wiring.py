"""The composition root: settings become a store, a WeChat client, an event bus and services."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pymongo
from pymongo.monitoring import CommandListener

from groupql.config import Settings, quiet_window
from groupql.realtime.bus import EventBus, InProcessBus
from groupql.realtime.redis_bus import RedisBus
from groupql.records import NotificationKind
from groupql.services.auth import AuthService
from groupql.services.background import Background, Job
from groupql.services.clock import Clock, utc_now
from groupql.services.events import Events
from groupql.services.groups import GroupService
from groupql.services.invites import InviteService
from groupql.services.item_content import ContentLimits
from groupql.services.items import ItemService
from groupql.services.live import LiveService
from groupql.services.membership import MembershipService
from groupql.services.moderation import ModerationService
from groupql.services.notifications import NotificationService
from groupql.services.outbox import OutboxService, QuietHours
from groupql.services.pins import PinService
from groupql.services.polls import PollService
from groupql.services.profiles import ProfileService
from groupql.services.questions import QuestionService
from groupql.services.session_keys import SessionKeyCipher
from groupql.services.sharing import SharingService
from groupql.services.subscriptions import SubscriptionService
from groupql.services.unread import UnreadService
from groupql.services.users import UserService
from groupql.store import Database, Store, connect, indexes
from groupql.store.outages import is_outage
from groupql.store.wechat_state import MongoTokenCache
from groupql.subscribe_templates import NEW_ITEMS, Template, read_templates
from groupql.throttle import Rate, RateLimits, Throttle, in_process
from groupql.throttle.redis_throttle import RedisThrottle
from groupql.wechat.access_token import AccessTokens, StableTokenClient
from groupql.wechat.code2session import Code2Session, DevCode2Session, LiveCode2Session
from groupql.wechat.subscribe_message import (
    RecordingSender,
    SubscribeMessageClient,
    SubscribeMessageSender,
)

logger = logging.getLogger("groupql")

# How long start-up waits for the database before serving without it.
START_CHECK_S = 5.0


@dataclass(frozen=True)
class Services:
    """Every domain service of one running app, built once and shared by all requests."""

    auth: AuthService
    users: UserService
    profiles: ProfileService
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
    unread: UnreadService
    notifications: NotificationService
    outbox: OutboxService
    subscriptions: SubscriptionService


@dataclass
class Running:
    """What an app holds while it runs, and closes when it stops."""

    database: Database
    services: Services
    code2session: Code2Session
    sender: SubscribeMessageSender
    bus: EventBus
    throttle: Throttle
    rate_limits: RateLimits
    background: Background
    # False while the database has not answered since start-up: readiness checks them then.
    indexes_checked: bool = False

    async def check_ready(self) -> None:
        """Raise unless the database answers and its indexes are current."""
        await self.database.ping()
        if not self.indexes_checked:
            await prepare_indexes(self.database)
            self.indexes_checked = True

    async def close(self) -> None:
        await self.background.stop()
        await self.throttle.close()
        await self.bus.close()
        await self.code2session.aclose()
        await self.sender.aclose()
        await self.database.close()


async def start(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    mongo_listeners: Sequence[CommandListener] = (),
    indexes_checked: bool | None = None,
) -> Running:
    """Connect what `settings` name and build the services on them; `indexes_checked` says
    what a caller found already (True: current, False: unreachable), None to check here.

    A database that does not answer does not stop the start: requests answer UNAVAILABLE and
    /readyz says 503 until it does. Indexes that are not current do (StaleIndexes).
    """
    database = connect(settings.mongodb_url, settings.mongodb_db, event_listeners=mongo_listeners)
    code2session = _code2session(settings)
    sender = _sender(settings, database, clock)
    bus: EventBus | None = None
    try:
        bus = await _event_bus(settings)
        throttle = _throttle(settings)
        store = Store.on(database)
        services = build_services(
            settings,
            store,
            Outside(code2session=code2session, sender=sender, bus=bus, throttle=throttle),
            clock,
        )
        running = Running(
            database=database,
            services=services,
            background=Background(
                [
                    Job("telling voters of closed polls", services.notifications.polls_closed),
                    Job("sending subscribe messages", services.outbox.send_due),
                ],
                interval_s=settings.background_interval_s,
            ),
            code2session=code2session,
            sender=sender,
            bus=bus,
            throttle=throttle,
            rate_limits=RateLimits.per_minute(
                logins=settings.rate_logins_per_min,
                anonymous=settings.rate_anonymous_per_min,
                writes=settings.rate_writes_per_min,
                subscribes=settings.rate_subscribes_per_min,
            ),
        )
        running.indexes_checked = (
            await indexes_checked_at_start(database) if indexes_checked is None else indexes_checked
        )
        running.background.start()
    except BaseException:
        if bus is not None:
            await bus.close()
        await code2session.aclose()
        await sender.aclose()
        await database.close()
        raise
    return running


async def prepare_indexes(database: Database) -> None:
    """Create the indexes of a new database; check those of one with data (StaleIndexes)."""
    await indexes.prepare(database.collections(), is_empty=await database.is_empty())


async def indexes_checked_at_start(database: Database) -> bool:
    """Check the indexes, waiting for the database no longer than START_CHECK_S, or the URL's
    own timeoutMS if shorter (pymongo.timeout would otherwise replace the URL's bound)."""
    bound_s = min(START_CHECK_S, database.operation_timeout_s or START_CHECK_S)
    try:
        with pymongo.timeout(bound_s):
            await prepare_indexes(database)
    except Exception as error:
        if not is_outage(error):
            raise
        logger.warning(
            "the database did not answer at start-up (%s): serving anyway; /readyz says 503 "
            "until it answers",
            error,
        )
        return False
    return True


@dataclass(frozen=True)
class Outside:
    """What the services reach beyond the store: WeChat, the event bus, the throttle."""

    code2session: Code2Session
    sender: SubscribeMessageSender
    bus: EventBus
    throttle: Throttle


def build_services(settings: Settings, store: Store, outside: Outside, clock: Clock) -> Services:
    code2session, bus, throttle = outside.code2session, outside.bus, outside.throttle
    events = Events(bus)
    auth = AuthService(
        store=store,
        code2session=code2session,
        cipher=SessionKeyCipher(settings.secret_key_value()),
        appid=settings.wechat_appid,
        session_ttl=timedelta(days=settings.session_ttl_days),
        clock=clock,
    )
    outbox = OutboxService(
        store=store,
        templates=_templates(settings),
        sender=outside.sender,
        clock=clock,
        digest=timedelta(seconds=settings.subscribe_digest_s),
        quiet_hours=None
        if settings.quiet_hours is None
        else QuietHours(*quiet_window(settings.quiet_hours), tz=settings.tz),
        tz=settings.tz,
        miniprogram_state=settings.miniprogram_state,
    )
    notifications = NotificationService(store=store, events=events, outbox=outbox, clock=clock)
    membership = MembershipService(
        store=store, clock=clock, events=events, notifications=notifications
    )
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
        throttle=throttle,
        notifications=notifications,
        mention_all_rate=(
            Rate(settings.rate_mention_all_per_hour, period_s=3600)
            if settings.rate_mention_all_per_hour
            else None
        ),
    )
    return Services(
        auth=auth,
        users=UserService(store=store),
        profiles=ProfileService(store=store, membership=membership, events=events),
        membership=membership,
        groups=GroupService(
            store=store,
            membership=membership,
            appid=settings.wechat_appid,
            clock=clock,
            events=events,
        ),
        moderation=ModerationService(
            store=store,
            membership=membership,
            clock=clock,
            events=events,
            notifications=notifications,
        ),
        items=items,
        pins=PinService(
            store=store, items=items, clock=clock, max_pins=settings.max_pins, events=events
        ),
        polls=PollService(store=store, items=items, clock=clock, events=events),
        questions=QuestionService(
            store=store, items=items, events=events, notifications=notifications
        ),
        live=LiveService(
            store=store, membership=membership, bus=bus, buffer_size=settings.subscriber_buffer
        ),
        invites=InviteService(store=store, membership=membership, clock=clock),
        sharing=SharingService(
            store=store,
            auth=auth,
            membership=membership,
            appid=settings.wechat_appid,
            max_age_s=settings.share_max_age,
            clock=clock,
        ),
        unread=UnreadService(store=store, membership=membership, events=events),
        notifications=notifications,
        outbox=outbox,
        subscriptions=SubscriptionService(
            store=store,
            outbox=outbox,
            appid=settings.wechat_appid,
            trusts_push=settings.wechat_push_token is not None,
            clock=clock,
        ),
    )


def _templates(settings: Settings) -> dict[str, Template]:
    if settings.subscribe_templates is None:
        return {}
    templates = read_templates(settings.subscribe_templates)
    known = {kind.value for kind in NotificationKind} | {NEW_ITEMS}
    unknown = sorted(set(templates) - known)
    if unknown:
        raise ValueError(
            f"GROUPQL_SUBSCRIBE_TEMPLATES names no such kind {unknown} "
            f"(known: {', '.join(sorted(known))})"
        )
    return templates


def _sender(settings: Settings, database: Database, clock: Clock) -> SubscribeMessageSender:
    """Live: WeChat's subscribeMessage.send, with an access_token all instances share. Dev: a
    sender that keeps what it would have sent."""
    if settings.is_dev:
        return RecordingSender()
    tokens = AccessTokens(
        MongoTokenCache(database.wechat_state, f"access_token:{settings.wechat_appid}", clock),
        StableTokenClient(
            settings.wechat_api_base,
            settings.wechat_appid,
            settings.wechat_secret_value(),
            timeout_s=settings.wechat_timeout_s,
        ),
        clock,
    )
    return SubscribeMessageClient(
        settings.wechat_api_base, tokens, timeout_s=settings.wechat_timeout_s
    )


def _code2session(settings: Settings) -> Code2Session:
    if settings.is_dev:
        return DevCode2Session(settings.wechat_appid)
    return LiveCode2Session(
        settings.wechat_api_base,
        settings.wechat_appid,
        settings.wechat_secret_value(),
        timeout_s=settings.wechat_timeout_s,
    )


async def _event_bus(settings: Settings) -> EventBus:
    if settings.redis_url is None:
        return InProcessBus(settings.subscriber_buffer)
    bus = RedisBus(settings.redis_url, settings.subscriber_buffer)
    await bus.start()
    return bus


def _throttle(settings: Settings) -> Throttle:
    # With Redis, every instance counts against the same limits.
    return in_process() if settings.redis_url is None else RedisThrottle(settings.redis_url)
