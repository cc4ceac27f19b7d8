"""Settings, read once from GROUPQL_* environment variables."""

import base64
import re
import secrets
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from groupql.blocklist import Blocklist
from groupql.documents import read_manifest
from groupql.subscribe_templates import read_templates

DEV_APPID = "wx0000000000devapp"
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    # hide_input_in_errors: a malformed value must not print a secret in the start-up error.
    model_config = SettingsConfigDict(env_prefix="GROUPQL_", frozen=True, hide_input_in_errors=True)

    mongodb_url: str = "memory://"
    mongodb_db: str = "groupql"
    redis_url: str | None = None
    wechat_mode: Literal["dev", "live"] = "dev"
    wechat_appid: str = DEV_APPID
    wechat_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout_s: float = Field(default=5.0, gt=0)
    secret_key: SecretStr | None = None
    share_max_age: int = Field(default=7200, gt=0, description="seconds")
    session_ttl_days: int = Field(default=30, gt=0)
    max_text_length: int = Field(default=4000, gt=0)
    max_media_per_item: int = Field(default=9, gt=0)
    max_poll_options: int = Field(default=20, ge=2)
    max_pins: int = Field(default=10, gt=0)
    recall_window_s: int = Field(default=120, ge=0)
    max_request_bytes: int = Field(default=1_048_576, gt=0)
    subscriber_buffer: int = Field(default=256, gt=0)
    ws_ping_interval_s: float = Field(default=20.0, gt=0)
    ws_init_timeout_s: float = Field(default=10.0, gt=0)
    # How often each instance looks for background work (closed polls, messages to send).
    background_interval_s: float = Field(default=5.0, gt=0)
    # Rate limits, per minute (0 turns one off): logins per client address, requests without a
    # token per client address, writes (mutations) per user, subscribe messages per socket.
    rate_logins_per_min: int = Field(default=10, ge=0)
    rate_anonymous_per_min: int = Field(default=120, ge=0)
    rate_writes_per_min: int = Field(default=60, ge=0)
    rate_subscribes_per_min: int = Field(default=30, ge=0)
    # @all posts per group and hour (0 turns the limit off).
    rate_mention_all_per_hour: int = Field(default=10, ge=0)
    # Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = "127.0.0.1"
    # A manifest of the operations that may run ({"<sha256>": "<document>"}); unset: any may.
    trusted_documents: Path | None = None
    # WeChat's message push (the console's 消息推送): its Token, and its EncodingAESKey for
    # safe mode. With a token, /wechat/push takes WeChat's subscribe events.
    wechat_push_token: SecretStr | None = None
    wechat_push_aes_key: SecretStr | None = None
    # Subscribe messages: the templates by notification kind (see subscribe_templates.py);
    # unset, none are sent.
    subscribe_templates: Path | None = None
    # A user's notifications of one group within this many seconds go out as one message.
    subscribe_digest_s: int = Field(default=60, ge=0)
    # No subscribe message goes out between these times ("22:00-08:00"); they wait until after.
    quiet_hours: str | None = None
    timezone: str = "Asia/Shanghai"
    miniprogram_state: Literal["formal", "trial", "developer"] = "formal"
    # Content checks: words refused before any call to WeChat (one per line, # comments), and
    # what happens to an item when WeChat's check does not answer: held for review, or published.
    blocklist: Path | None = None
    content_check_failure: Literal["hold", "publish"] = "hold"
    # WeChat's quotas per mini-program and minute (msgSecCheck, mediaCheckAsync): checks past
    # them are not sent, and count as WeChat not answering.
    content_checks_per_min: int = Field(default=4000, gt=0)
    media_checks_per_min: int = Field(default=2000, gt=0)
    # Search: a query of single Chinese characters (no index term) reads this many of a group's
    # newest items; a page reads at most this many candidates before it ends short.
    search_scan_depth: int = Field(default=2000, gt=0)
    search_candidates_per_page: int = Field(default=500, ge=100)
    # Rankings: a leaderboard hears RankingChanged at most once per this many seconds per metric.
    ranking_event_interval_s: float = Field(default=3.0, ge=0)
    # Uploaded media: where the files are kept (local: a directory served by /media/...).
    media_store: Literal["local", "s3"] = "local"
    media_dir: Path = Path("media")
    # S3-compatible storage (Tencent COS: endpoint https://cos.<region>.myqcloud.com, virtual).
    media_s3_bucket: str | None = None
    media_s3_endpoint: str | None = None
    media_s3_region: str = "us-east-1"
    media_s3_access_key: SecretStr | None = None
    media_s3_secret_key: SecretStr | None = None
    media_s3_addressing: Literal["path", "virtual"] = "path"
    # How long a media URL served to a client works (it is signed afresh each time it is read).
    media_url_ttl_s: int = Field(default=3600, gt=0)
    # This server as clients reach it (https://api.example.com), to make absolute URLs of its
    # own routes (uploads, local media); unset, they are relative paths.
    public_url: str = ""
    # Logs: text as uvicorn prints them, or one JSON object per line with a line per GraphQL
    # operation (`groupql serve --log-format` overrides it).
    log_format: Literal["text", "json"] = "text"
    # GET /metrics (Prometheus) on the API's own port; "off" where the port is public and the
    # proxy cannot keep /metrics to the monitoring network.
    metrics: Literal["on", "off"] = "on"
    # Answers to queries kept per viewer and served again while nothing they read has changed
    # (groupql.response_cache): at most this many seconds, in at most this many MB per process.
    # It needs versions every writer moves: in-process with the in-memory store, through Redis
    # (GROUPQL_REDIS_URL) with MongoDB; with MongoDB and no Redis it stays off.
    response_cache: Literal["on", "off"] = "on"
    # Users, groups, memberships and a group's counts read by key, kept while the same versions hold
    # (groupql.store.kept_reads); "off" reads each from the store every time.
    kept_reads: Literal["on", "off"] = "on"
    # Queries run by a plan worked out once per document (groupql.schema.plans); "off" leaves
    # every operation to graphql-core's executor, as it answers the same.
    execution_plans: Literal["on", "off"] = "on"
    response_cache_max_age_s: float = Field(default=300.0, gt=0, le=3600)
    response_cache_mb: int = Field(default=64, gt=0)
    # GraphiQL loads its assets from here when they were not built into the package
    # (scripts/graphiql_assets.py): any base laid out as unpkg is, e.g. a mirror reachable in
    # mainland China.
    graphiql_cdn: str = "https://unpkg.com/"

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.wechat_mode == "live":
            for name in ("wechat_secret", "secret_key"):
                if not getattr(self, name):
                    raise ValueError(f"GROUPQL_{name.upper()} must be set in live mode")
            if self.wechat_appid == DEV_APPID:
                raise ValueError("GROUPQL_WECHAT_APPID must be set in live mode")
            if "mongodb_url" not in self.model_fields_set:
                # The default keeps data in memory: real users' groups would vanish at restart.
                raise ValueError(
                    "GROUPQL_MONGODB_URL must be set in live mode "
                    "(memory:// only if losing every group at restart is intended)"
                )
        if (
            self.secret_key is not None
            and len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                f"GROUPQL_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
            )
        if self.redis_url is not None and not self.redis_url.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError("GROUPQL_REDIS_URL must start with redis://, rediss:// or unix://")
        if self.media_store == "s3":
            for name in ("media_s3_bucket", "media_s3_access_key", "media_s3_secret_key"):
                if not getattr(self, name):
                    raise ValueError(
                        f"GROUPQL_{name.upper()} must be set with GROUPQL_MEDIA_STORE=s3"
                    )
        if (self.wechat_push_token is None) != (self.wechat_push_aes_key is None):
            # In plain mode WeChat signs the query but not the body: anyone who once saw a
            # signed push URL could forge subscription events.
            raise ValueError(
                "GROUPQL_WECHAT_PUSH_TOKEN and GROUPQL_WECHAT_PUSH_AES_KEY go together: set the "
                "message push to safe mode (安全模式) and give both"
            )
        if not self.mongodb_url.startswith(("memory://", "mongodb://", "mongodb+srv://")):
            raise ValueError(
                "GROUPQL_MONGODB_URL must start with memory://, mongodb:// or mongodb+srv://"
            )
        return self

    @property
    def is_dev(self) -> bool:
        return self.wechat_mode == "dev"

    @property
    def uses_memory_store(self) -> bool:
        return self.mongodb_url.startswith("memory://")

    @property
    def uses_generated_secret_key(self) -> bool:
        return self.secret_key is None

    def secret_key_value(self) -> str:
        return self.secret_key.get_secret_value() if self.secret_key else _GENERATED_SECRET_KEY

    def wechat_secret_value(self) -> str:
        if self.wechat_secret is None:
            raise ValueError("GROUPQL_WECHAT_SECRET is not set")
        return self.wechat_secret.get_secret_value()

    @field_validator("subscribe_templates")
    @classmethod
    def _check_subscribe_templates(cls, path: Path | None) -> Path | None:
        if path is not None:
            read_templates(path)
        return path

    @field_validator("blocklist")
    @classmethod
    def _check_blocklist(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                Blocklist.from_file(path)
            except OSError as error:
                raise ValueError(f"cannot read {path}: {error.strerror}") from None
        return path

    @field_validator("quiet_hours")
    @classmethod
    def _check_quiet_hours(cls, hours: str | None) -> str | None:
        if hours is not None:
            quiet_window(hours)
        return hours

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone such as Asia/Shanghai") from None
        return name

    @field_validator("wechat_push_aes_key")
    @classmethod
    def _check_push_aes_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            try:
                decoded = base64.b64decode(key.get_secret_value() + "=", validate=True)
            except ValueError:
                decoded = b""
            if len(key.get_secret_value()) != 43 or len(decoded) != 32:
                raise ValueError(
                    "the EncodingAESKey is 43 letters and digits (copy it from the console)"
                )
        return key

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("trusted_documents")
    @classmethod
    def _check_trusted_documents(cls, path: Path | None) -> Path | None:
        if path is not None:
            read_manifest(path)
        return path


def quiet_window(hours: str) -> tuple[time, time]:
    """The start and end of "HH:MM-HH:MM" (the end may come before the start: overnight)."""
    match = re.fullmatch(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})", hours.strip())
    if match is None:
        raise ValueError("quiet hours are HH:MM-HH:MM, e.g. 22:00-08:00")
    start_h, start_m, end_h, end_m = map(int, match.groups())
    try:
        start, end = time(start_h, start_m), time(end_h, end_m)
    except ValueError:
        raise ValueError("quiet hours are HH:MM-HH:MM, e.g. 22:00-08:00") from None
    if start == end:
        raise ValueError("quiet hours must end at another time than they start")
    return start, end


# One per process: in dev, tokens and stored session keys survive only as long as the process.
_GENERATED_SECRET_KEY = secrets.token_urlsafe(48)
