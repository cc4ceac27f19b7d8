"""Domain records: the plain dataclasses and enums that every layer speaks."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


class Role(Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class MemberStatus(Enum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    LEFT = "LEFT"
    REMOVED = "REMOVED"
    REJECTED = "REJECTED"
    BANNED = "BANNED"


class GroupKind(Enum):
    WECHAT_GROUP = "WECHAT_GROUP"
    SINGLE_CHAT = "SINGLE_CHAT"
    APP_GROUP = "APP_GROUP"


class JoinPolicy(Enum):
    OPEN = "OPEN"
    APPROVAL = "APPROVAL"
    CLOSED = "CLOSED"


class PostPolicy(Enum):
    ALL = "ALL"
    ADMINS = "ADMINS"


class NotificationLevel(Enum):
    """What a member hears of a group outside of it: every new item, only what concerns them
    (mentions, replies, answers...), or nothing."""

    ALL = "ALL"
    MENTIONS = "MENTIONS"
    NONE = "NONE"


class NotificationKind(Enum):
    MENTION = "MENTION"
    MENTION_ALL = "MENTION_ALL"
    REPLY = "REPLY"
    ANSWER = "ANSWER"
    ANSWER_ACCEPTED = "ANSWER_ACCEPTED"
    POLL_CLOSED = "POLL_CLOSED"
    ROLE_CHANGED = "ROLE_CHANGED"
    JOIN_REQUEST = "JOIN_REQUEST"
    APPROVED = "APPROVED"


class ReviewStatus(Enum):
    """Whether an item's content is shown: published, held while it is checked (its author and
    the group's admins see it), or refused (only its author sees it)."""

    PUBLISHED = "PUBLISHED"
    PENDING_REVIEW = "PENDING_REVIEW"
    REJECTED = "REJECTED"


class ItemType(Enum):
    TEXT = "TEXT"
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    FILE = "FILE"
    LINK = "LINK"
    POLL = "POLL"
    QUESTION = "QUESTION"


@dataclass(frozen=True)
class User:
    id: str
    openid: str
    unionid: str | None
    created_at: datetime
    encrypted_session_key: bytes = field(repr=False)
    # What the user chose to show (WeChat no longer gives mini-programs nicknames or avatars).
    nickname: str | None = None
    avatar_url: str | None = None
    # An avatar uploaded here (createUpload kind AVATAR), served by signed URLs, over avatar_url.
    avatar_key: str | None = None
    # Notifications up to this id are read (markNotificationsRead moves it, never back), since.
    notifications_read_up_to: str | None = None
    notifications_read_at: datetime | None = None
    # When the user last sent their WeChat steps (WeRun only updates when they open the app).
    steps_refreshed_at: datetime | None = None


@dataclass(frozen=True)
class Session:
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Announcement:
    text: str
    author_id: str
    updated_at: datetime


@dataclass(frozen=True)
class Pin:
    item_id: str
    pinned_by: str
    pinned_at: datetime


@dataclass(frozen=True)
class GroupSettings:
    join_policy: JoinPolicy = JoinPolicy.OPEN
    post_policy: PostPolicy = PostPolicy.ALL
    allowed_item_types: frozenset[ItemType] = frozenset(ItemType)
    members_can_invite: bool = True
    members_can_pin: bool = False
    # Who may @all: by default the owner and admins (as in Tencent Cloud IM).
    mention_all_roles: frozenset[Role] = frozenset({Role.OWNER, Role.ADMIN})


@dataclass(frozen=True)
class Group:
    id: str
    appid: str
    open_gid: str | None
    kind: GroupKind
    chat_type: int | None
    title: str | None
    owner_id: str | None
    created_at: datetime
    settings: GroupSettings = field(default_factory=GroupSettings)
    announcement: Announcement | None = None
    pins: tuple[Pin, ...] = ()


@dataclass(frozen=True)
class Member:
    id: str
    group_id: str
    user_id: str
    role: Role
    status: MemberStatus
    joined_at: datetime
    group_openid: str | None
    muted_until: datetime | None
    # The name the member goes by in this group (群昵称), over their nickname.
    display_name: str | None = None
    # The seq of the newest item the member has read: items after it are unread.
    last_read_seq: int = 0
    notification_level: NotificationLevel = NotificationLevel.MENTIONS
    # Whether the member's WeChat steps show in the group's rankings (they opt in).
    ranks_steps: bool = False


@dataclass(frozen=True)
class Media:
    """One photo, video or file of an item: at a URL the client gave (https://, cloud://), or
    uploaded here (`media_id`), whose URLs are signed when read."""

    url: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    name: str | None = None
    media_id: str | None = None
    # Where an uploaded file and its thumbnails (by longest side) are stored.
    key: str | None = None
    thumbnails: tuple["Thumbnail", ...] = ()


@dataclass(frozen=True)
class Thumbnail:
    side: int
    key: str


@dataclass(frozen=True)
class Link:
    url: str
    title: str | None = None


@dataclass(frozen=True)
class PollOption:
    id: str
    text: str


@dataclass(frozen=True)
class Poll:
    options: tuple[PollOption, ...]
    is_multiple_choice: bool = False
    is_anonymous: bool = False
    closes_at: datetime | None = None

    @staticmethod
    def numbered(texts: Sequence[str]) -> tuple[PollOption, ...]:
        """Options with the ids a poll gives them: "1", "2", ... in the order written."""
        return tuple(PollOption(id=str(n), text=text) for n, text in enumerate(texts, start=1))


@dataclass(frozen=True)
class ItemContent:
    """What an author writes; edits and deletions change only this."""

    text: str | None = None
    media: tuple[Media, ...] = ()
    link: Link | None = None
    poll: Poll | None = None
    # The users the author @mentioned (active members when posted), and whether they @all.
    mentions: tuple[str, ...] = ()
    mentions_all: bool = False


@dataclass(frozen=True)
class Item:
    id: str
    group_id: str
    seq: int
    type: ItemType
    author_id: str
    content: ItemContent
    reply_to: str | None
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    accepted_answer_id: str | None = None
    # The author's client's own id for the item: a retried post with it finds this item.
    client_id: str | None = None
    review: ReviewStatus = ReviewStatus.PUBLISHED
    # WeChat's label of what its content check found (e.g. 20001 politics), for the audit.
    review_label: int | None = None
    # In the admins' review queue: held by the content check, or reported by members.
    queued: bool = False
    report_count: int = 0
    # Uploaded media whose check WeChat has not answered yet: the item waits for them.
    awaiting_media: tuple[str, ...] = ()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True)
class OptionTally:
    option_id: str
    votes: int
    voter_ids: tuple[str, ...]


@dataclass(frozen=True)
class PollTally:
    voter_count: int
    options: tuple[OptionTally, ...]


@dataclass(frozen=True)
class Invite:
    id: str
    code: str
    group_id: str
    created_by: str
    max_uses: int | None
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Notification:
    """Something that happened to a user in one of their groups."""

    id: str
    kind: NotificationKind
    group_id: str
    created_at: datetime
    item_id: str | None = None
    # Who did it: the author who mentioned or replied, the admin who approved...
    actor_id: str | None = None


class SubscriptionStatus(Enum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


@dataclass(frozen=True)
class Subscription:
    """What a user let the mini-program send them with one subscribe-message template: each
    one-time accept is one credit (one message), used up by sending."""

    user_id: str
    template_id: str
    status: SubscriptionStatus
    credits: int
    updated_at: datetime


@dataclass(frozen=True)
class CachedToken:
    """The mini-program's access_token for WeChat's server APIs, as every instance shares it."""

    token: str = field(repr=False)
    expires_at: datetime


class OutboxState(Enum):
    PENDING = "PENDING"  # waiting for its digest window (or quiet hours, or a retry) to end
    SENDING = "SENDING"  # claimed by a sender until `send_at`, its lease
    SENT = "SENT"
    DROPPED = "DROPPED"  # not sent, and never will be: no credit, no longer wanted, bad data
    FAILED = "FAILED"  # WeChat refused it, or kept failing


@dataclass(frozen=True)
class OutboxMessage:
    """A subscribe message on its way: one recipient's notifications of one group that one
    template tells, or a whole audience's (an address such as "group:<id>") to fan out."""

    id: str
    to: str
    group_id: str
    kind: str
    template_id: str
    state: OutboxState
    send_at: datetime
    count: int = 1
    notification_ids: tuple[str, ...] = ()
    # Who caused it: a digest of new items leaves out a member who only reads their own posts.
    actor_ids: tuple[str, ...] = ()
    attempts: int = 0
    # The sender's claim: only its holder finishes the message.
    claim: str | None = None


class MediaKind(Enum):
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    FILE = "FILE"
    AVATAR = "AVATAR"


@dataclass(frozen=True)
class Upload:
    """A one-time ticket to upload one file: what the client said it would send, and where it
    went once sent."""

    id: str
    user_id: str
    group_id: str | None  # None for an avatar
    kind: MediaKind
    mime: str
    size: int
    sha256: str
    token_hash: str = field(repr=False)
    created_at: datetime
    expires_at: datetime
    received_at: datetime | None = None
    media_id: str | None = None


@dataclass(frozen=True)
class StoredMedia:
    """An uploaded file, checked and stored: its real type and size, and its thumbnails."""

    id: str
    owner_id: str
    group_id: str | None
    kind: MediaKind
    mime: str
    size: int
    sha256: str
    key: str
    created_at: datetime
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    name: str | None = None
    thumbnails: tuple[Thumbnail, ...] = ()
    # WeChat's check of an image (mediaCheckAsync): held until its verdict, by `trace_id`.
    review: ReviewStatus = ReviewStatus.PUBLISHED
    trace_id: str | None = None


@dataclass(frozen=True)
class Report:
    """A member's report of an item to the group's admins."""

    id: str
    group_id: str
    item_id: str
    reporter_id: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class SearchFilters:
    """What a search keeps to besides its words: item types, an author, a time (from `since`,
    before `until`)."""

    types: frozenset[ItemType] | None = None
    author_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class RankingPeriod(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    ALL = "ALL"


class Aggregation(Enum):
    """How a metric's values make a score: their sum, or the highest."""

    SUM = "SUM"
    MAX = "MAX"


@dataclass(frozen=True)
class Metric:
    """What a ranking ranks by: one of the built-in metrics (no group), or one a group's admins
    defined."""

    key: str
    name: str
    aggregation: Aggregation
    unit: str | None = None
    group_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Score:
    """A member's score in a group's ranking of one metric over one period (its key: D2026-12-01,
    W2026-11-30, M2026-12-01, ALL). `version` orders racing writes: the newer one stays."""

    group_id: str
    metric: str
    period: str
    user_id: str
    score: float
    updated_at: datetime
    version: int = 0


@dataclass(frozen=True)
class ScoreRecord:
    """One value recorded for a member in a group-defined metric, once per clientId; it counts
    for the membership it was recorded in (`member_since`: when it began)."""

    group_id: str
    metric: str
    user_id: str
    client_id: str
    value: float
    day: date
    recorded_by: str
    created_at: datetime
    member_since: datetime


@dataclass(frozen=True)
class StepDay:
    """A user's WeChat steps of one calendar day; `version` is when WeChat made the upload."""

    user_id: str
    day: date
    steps: int
    version: int
