"""Logging in with a wx.login code, and recognising the bearer tokens that login hands out."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groupql.errors import Unauthenticated
from groupql.records import User
from groupql.services.clock import Clock
from groupql.services.known_sessions import KnownSessions
from groupql.services.session_keys import SessionKeyCipher
from groupql.store import Store
from groupql.wechat.code2session import Code2Session
from groupql.wechat.crypto import decrypt_wechat_data

_TOKEN_BYTES = 32


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: User


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    def __init__(
        self,
        *,
        store: Store,
        code2session: Code2Session,
        cipher: SessionKeyCipher,
        appid: str,
        session_ttl: timedelta,
        clock: Clock,
    ) -> None:
        self._store = store
        self._code2session = code2session
        self._cipher = cipher
        self._appid = appid
        self._session_ttl = session_ttl
        self._clock = clock
        self._known_sessions = KnownSessions()

    async def login(self, code: str) -> LoginResult:
        wechat = await self._code2session.exchange(code.strip())
        now = self._clock()
        user = await self._store.users.record_login(
            appid=self._appid,
            openid=wechat.openid,
            unionid=wechat.unionid,
            encrypted_session_key=self._cipher.encrypt(
                wechat.session_key, owner=self._owner(wechat.openid)
            ),
            now=now,
        )
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        expires_at = now + self._session_ttl
        token_hash = _token_hash(token)
        await self._store.sessions.create(
            token_hash=token_hash, user_id=user.id, created_at=now, expires_at=expires_at
        )
        self._known_sessions.remember(token_hash, user.id, expires_at, now)
        return LoginResult(token=token, expires_at=expires_at, user=user)

    async def authenticate(self, token: str) -> User:
        """The user a token stands for: its session read from the store, or remembered from a
        recent request (groupql.services.known_sessions: expiry still counts on every use)."""
        token_hash, now = _token_hash(token), self._clock()
        user_id = self._known_sessions.user_of(token_hash, now)
        if user_id is None:
            session = await self._store.sessions.find_unexpired(token_hash, now)
            if session is None:
                raise Unauthenticated("The token is unknown or expired; log in again.")
            self._known_sessions.remember(token_hash, session.user_id, session.expires_at, now)
            user_id = session.user_id
        [user] = await self._store.users.get_many([user_id])
        if user is None:
            raise Unauthenticated("The token's user no longer exists; log in again.")
        return user

    def remembered_user_id(self, token: str) -> str | None:
        """The user of a session this instance saw lately and that has not expired, without
        reading the store; None when `authenticate` must read it."""
        return self._known_sessions.user_of(_token_hash(token), self._clock())

    def decrypt_for(self, user: User, encrypted_data: str, iv: str) -> dict[str, Any]:
        """What WeChat encrypted for this user's session (wx.getShareInfo, wx.getWeRunData...):
        SESSION_KEY_STALE when another session key made it."""
        session_key = self._cipher.decrypt(
            user.encrypted_session_key, owner=self._owner(user.openid)
        )
        return decrypt_wechat_data(encrypted_data, iv, session_key)

    def _owner(self, openid: str) -> str:
        return f"{self._appid}:{openid}"
