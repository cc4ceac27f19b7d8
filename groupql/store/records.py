"""Domain records: the plain dataclasses that cross from the store to the services."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class Role(Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class MemberStatus(Enum):
    ACTIVE = "ACTIVE"


class GroupKind(Enum):
    WECHAT_GROUP = "WECHAT_GROUP"
    SINGLE_CHAT = "SINGLE_CHAT"


class ItemType(Enum):
    TEXT = "TEXT"


@dataclass(frozen=True)
class User:
    id: str
    openid: str
    unionid: str | None
    created_at: datetime
    encrypted_session_key: bytes = field(repr=False)


@dataclass(frozen=True)
class Session:
    user_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Group:
    id: str
    appid: str
    open_gid: str | None
    kind: GroupKind
    chat_type: int | None
    title: str | None
    owner_id: str
    created_at: datetime


@dataclass(frozen=True)
class Member:
    id: str
    group_id: str
    user_id: str
    role: Role
    status: MemberStatus
    joined_at: datetime
    group_openid: str | None


@dataclass(frozen=True)
class Item:
    id: str
    group_id: str
    seq: int
    type: ItemType
    author_id: str
    text: str | None
    created_at: datetime
