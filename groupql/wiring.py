"""The composition root: settings become a store, a WeChat client, an event bus and services."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pymongo
from pymongo.monitoring import CommandListener

from groupql.blocklist import Blocklist
from groupql.config import Settings, quiet_window
from groupql.outside import Outside, subscribe_templates
from groupql.response_cache import TIMED_MAX_AGE_S, ResponseCache
from groupql.services.auth import AuthService
from groupql.services.background import Background, Job
from groupql.services.clock import Clock, utc_now
from groupql.services.content_checks import Budgeted, ContentChecks
from groupql.services.events import Events
from groupql.services.groups import GroupService
from groupql.services.invites import InviteService
from groupql.services.item_content import ContentLimits
from groupql.services.items import ItemService
from groupql.services.live import LiveService
from groupql.services.media_checks import MediaCheckService
from groupql.services.membership import MembershipService
from groupql.services.metrics import MetricService
from groupql.services.moderation import ModerationService
from groupql.services.notifications import NotificationService
from groupql.services.outbox import OutboxService
from groupql.services.pins import PinService
from groupql.services.polls import PollService
from groupql.services.profiles import ProfileService
from groupql.services.questions import QuestionService
from groupql.services.quiet_hours import QuietHours
from groupql.services.ranking_events import RankingEvents
from groupql.services.rankings import RankingService
from groupql.services.review import ReviewService
from groupql.services.search import SearchLimits, SearchService
from groupql.services.session_keys import SessionKeyCipher
from groupql.services.sharing import SharingService
from groupql.services.steps import StepsService
from groupql.services.subscriptions import SubscriptionService
from groupql.services.unread import UnreadService
from groupql.services.uploads import UploadService
from groupql.services.users import UserService
from groupql.store import Database, Store, connect, indexes
from groupql.store.outages import is_outage
from groupql.throttle import Rate, RateLimits, Throttle
from groupql.versions import Versions
from groupql.versions.reading import TimedClock
from groupql.versions.redis_versions import RedisVersions
from groupql.wechat.content_security import DevContentSecurity

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
    uploads: UploadService
    review: ReviewService
    media_checks: MediaCheckService
    search: SearchService
    rankings: RankingService
    metrics: MetricService
    steps: StepsService


@dataclass
class Running:
    """What an app holds while it runs, and closes when it stops."""

    database: Database
    services: Services
    outside: Outside
    rate_limits: RateLimits
    background: Background
    # Answers kept while nothing they read changes; None when GROUPQL_RESPONSE_CACHE is off
    # (or cannot be on: a MongoDB store without Redis).
    response_cache: ResponseCache | None = None
    # Redis's versions, closed with the app (the in-memory store's live with it).
    versions: Versions | None = None
    # False while the database has not answered since start-up: readiness checks them then.
    indexes_checked: bool = False

    async def check_ready(self) -> None:
        """Raise unless the database answers and its indexes are current."""
        await self.database.ping()
        if not self.indexes_checked:
            await prepare_indexes(self.database)
            self.indexes_checked = True

    @property
    def throttle(self) -> Throttle:
        return self.outside.throttle

    async def close(self) -> None:
        await self.background.stop()
        self.services.rankings.stop()
        await self.outside.aclose()
        await self.database.close()
        if self.versions is not None:
            await self.versions.close()


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
    shared = shared_versions(settings)
    database = connect(
        settings.mongodb_url,
        settings.mongodb_db,
        event_listeners=mongo_listeners,
        versions=shared,
    )
    versions = None if settings.response_cache == "off" else database.versions
    if versions is None and settings.response_cache == "on":
        # Other processes may write to the same MongoDB: only Redis would tell this one.
        logger.info("the response cache is off: with MongoDB it needs GROUPQL_REDIS_URL")
    try:
        outside = await Outside.reach(settings, database, clock)
    except BaseException:
        await database.close()
        if shared is not None:
            await shared.close()
        raise
    try:
        store = Store.on(database, keep_reads=settings.kept_reads == "on")
        services = build_services(settings, store, outside, clock)
        running = Running(
            database=database,
            services=services,
            outside=outside,
            background=Background(
                [
                    Job("telling voters of closed polls", services.notifications.polls_closed),
                    Job("sending subscribe messages", services.outbox.send_due),
                ],
                interval_s=settings.background_interval_s,
            ),
            versions=shared,
            response_cache=None
            if versions is None
            else ResponseCache(
                versions,
                max_age_s=settings.response_cache_max_age_s,
                timed_max_age_s=TIMED_MAX_AGE_S,
                max_bytes=settings.response_cache_mb * 1024 * 1024,
                # The app's clock: what it tells the services (a test's, moved) ages answers.
                clock=lambda: clock().timestamp(),
            ),
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
        await outside.aclose()
        await database.close()
        if shared is not None:
            await shared.close()
        raise
    return running


def shared_versions(settings: Settings) -> Versions | None:
    """The versions that writes to a MongoDB move for every instance (Redis's), or None: the
    in-memory store has its own; with MongoDB and no Redis, no instance can keep answers.
    Whatever writes to the store (the app, `groupql search reindex`) connects with these, also
    with its own cache off: other instances may keep answers."""
    if settings.uses_memory_store or settings.redis_url is None:
        return None
    return RedisVersions(settings.redis_url)


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


def build_services(settings: Settings, store: Store, outside: Outside, clock: Clock) -> Services:
    code2session, bus, throttle = outside.code2session, outside.bus, outside.throttle
    # An answer that asked the time is kept only briefly (groupql.response_cache).
    clock = TimedClock(clock)
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
        templates=subscribe_templates(settings),
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
    security = Budgeted(
        outside.security,
        throttle,
        texts=Rate(settings.content_checks_per_min),
        media=Rate(settings.media_checks_per_min),
    )
    checks = ContentChecks(
        security=security,
        blocklist=Blocklist.from_file(settings.blocklist) if settings.blocklist else Blocklist([]),
        fail_open=settings.content_check_failure == "publish",
    )
    membership = MembershipService(
        store=store, clock=clock, events=events, notifications=notifications
    )
    ranking_events = RankingEvents(events, interval_s=settings.ranking_event_interval_s)
    metrics = MetricService(
        store=store,
        membership=membership,
        clock=clock,
        zone=settings.tz,
        events=events,
        ranking_events=ranking_events,
    )
    rankings = RankingService(
        store=store,
        membership=membership,
        metrics=metrics,
        clock=clock,
        zone=settings.tz,
        ranking_events=ranking_events,
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
        checks=checks,
        rankings=rankings,
        mention_all_rate=(
            Rate(settings.rate_mention_all_per_hour, period_s=3600)
            if settings.rate_mention_all_per_hour
            else None
        ),
    )
    moderation = ModerationService(
        store=store,
        membership=membership,
        clock=clock,
        events=events,
        notifications=notifications,
    )
    review = ReviewService(
        store=store,
        items=items,
        moderation=moderation,
        notifications=notifications,
        events=events,
        clock=clock,
    )
    return Services(
        auth=auth,
        users=UserService(store=store),
        profiles=ProfileService(store=store, membership=membership, events=events, checks=checks),
        membership=membership,
        groups=GroupService(
            store=store,
            membership=membership,
            appid=settings.wechat_appid,
            clock=clock,
            events=events,
            checks=checks,
        ),
        moderation=moderation,
        items=items,
        pins=PinService(
            store=store, items=items, clock=clock, max_pins=settings.max_pins, events=events
        ),
        polls=PollService(store=store, items=items, clock=clock, events=events),
        questions=QuestionService(
            store=store,
            items=items,
            events=events,
            notifications=notifications,
            rankings=rankings,
        ),
        rankings=rankings,
        metrics=metrics,
        steps=StepsService(
            store=store,
            auth=auth,
            rankings=rankings,
            appid=settings.wechat_appid,
            max_age_s=settings.share_max_age,
            clock=clock,
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
        review=review,
        search=SearchService(
            store=store,
            candidates=store.item_search,
            limits=SearchLimits(
                scan_depth=settings.search_scan_depth,
                candidates_per_page=settings.search_candidates_per_page,
            ),
        ),
        media_checks=MediaCheckService(
            store=store,
            review=review,
            events=events,
            fail_open=settings.content_check_failure == "publish",
        ),
        uploads=UploadService(
            store=store,
            media_store=outside.media,
            membership=membership,
            clock=clock,
            url_ttl_s=settings.media_url_ttl_s,
            security=security,
            fail_open=settings.content_check_failure == "publish",
            public_url=settings.public_url,
            dev_verdicts=outside.security
            if isinstance(outside.security, DevContentSecurity)
            else None,
        ),
        subscriptions=SubscriptionService(
            store=store,
            outbox=outbox,
            appid=settings.wechat_appid,
            trusts_push=settings.wechat_push_token is not None,
            clock=clock,
        ),
    )
