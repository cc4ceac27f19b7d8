"""What the app reaches beyond its store, built from settings: WeChat (logins and subscribe
messages), the event bus and the rate-limit throttle; dev-mode stand-ins where no WeChat is."""

import hashlib
from dataclasses import dataclass

from groupql.config import Settings
from groupql.media.s3 import S3MediaStore
from groupql.media.storage import LocalMediaStore, MediaStore
from groupql.realtime.bus import EventBus, InProcessBus
from groupql.realtime.redis_bus import RedisBus
from groupql.records import NotificationKind
from groupql.services.clock import Clock
from groupql.store import Database
from groupql.store.wechat_state import MongoTokenCache
from groupql.subscribe_templates import NEW_ITEMS, Template, read_templates
from groupql.throttle import Throttle, in_process
from groupql.throttle.redis_throttle import RedisThrottle
from groupql.wechat.access_token import AccessTokens, StableTokenClient
from groupql.wechat.code2session import Code2Session, DevCode2Session, LiveCode2Session
from groupql.wechat.content_security import (
    ContentSecurity,
    DevContentSecurity,
    WeChatContentSecurity,
)
from groupql.wechat.subscribe_message import (
    RecordingSender,
    SubscribeMessageClient,
    SubscribeMessageSender,
)


@dataclass(frozen=True)
class Outside:
    code2session: Code2Session
    sender: SubscribeMessageSender
    bus: EventBus
    throttle: Throttle
    media: MediaStore
    security: ContentSecurity

    @classmethod
    async def reach(cls, settings: Settings, database: Database, clock: Clock) -> "Outside":
        code2session = _code2session(settings)
        sender, security = _wechat_apis(settings, database, clock)
        try:
            bus = await _event_bus(settings)
        except BaseException:
            await code2session.aclose()
            await sender.aclose()
            await security.aclose()
            raise
        return cls(
            code2session=code2session,
            sender=sender,
            bus=bus,
            throttle=_throttle(settings),
            media=_media_store(settings, clock),
            security=security,
        )

    async def aclose(self) -> None:
        await self.throttle.close()
        await self.bus.close()
        await self.code2session.aclose()
        await self.sender.aclose()
        await self.security.aclose()


def subscribe_templates(settings: Settings) -> dict[str, Template]:
    """The subscribe-message templates by kind; ValueError naming a kind there is not."""
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


def _wechat_apis(
    settings: Settings, database: Database, clock: Clock
) -> tuple[SubscribeMessageSender, ContentSecurity]:
    """Live: WeChat's subscribeMessage.send and content checks, with one access_token all
    instances share. Dev: a sender that keeps what it would have sent, and checks that pass
    but for their markers ("dev-risky", "dev-review")."""
    if settings.is_dev:
        return RecordingSender(), DevContentSecurity()
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
    return (
        SubscribeMessageClient(
            settings.wechat_api_base, tokens, timeout_s=settings.wechat_timeout_s
        ),
        WeChatContentSecurity(
            settings.wechat_api_base, tokens, timeout_s=settings.wechat_timeout_s
        ),
    )


def _media_store(settings: Settings, clock: Clock) -> MediaStore:
    if settings.media_store == "s3":
        assert settings.media_s3_bucket and settings.media_s3_access_key
        assert settings.media_s3_secret_key
        return S3MediaStore(
            settings.media_s3_bucket,
            endpoint_url=settings.media_s3_endpoint,
            region=settings.media_s3_region,
            access_key=settings.media_s3_access_key.get_secret_value(),
            secret_key=settings.media_s3_secret_key.get_secret_value(),
            addressing_style=settings.media_s3_addressing,
        )
    # The URL signing key is derived from the app's secret, for this use only.
    secret = hashlib.sha256(b"groupql media urls\n" + settings.secret_key_value().encode()).digest()
    return LocalMediaStore(
        settings.media_dir, secret, base_url=settings.public_url.rstrip("/"), clock=clock
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
