"""The mini-program's access_token: fetched from WeChat's stable_token API, shared by a cache."""

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeGuard

import httpx

from groupql.errors import WeChatUnavailable
from groupql.records import CachedToken
from groupql.wechat.http import json_answer

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# In normal mode stable_token hands out a new token once the current one has 5 minutes left, and
# the old one keeps working until it expires. Refreshing earlier than that would only get the old
# token back with less time on it, and every caller would keep asking again.
_WECHAT_REFRESH_AHEAD_S = 300
_POLL_INTERVAL_S = 0.05
_SYSTEM_BUSY = -1

_UNAVAILABLE_MESSAGE = "WeChat did not give us an access token; try again shortly."


class TokenCache(Protocol):
    """Where every instance of the app finds the one current access_token, and the lock that lets
    one of them at a time ask WeChat for a new one.

    All of it fits in one document, each method one conditional write on it:
    `{token, expires_at, lock_holder, lock_until}`.
    - get: the token and its expiry, or None when there is none.
    - put: set token and expires_at, whatever was there.
    - try_lock: set lock_holder and lock_until = now + ttl_s only where there is no lock or
      lock_until has passed; True when this call set it. Not reentrant: a holder that asks again
      while its lock stands is refused like anyone else.
    - unlock: clear the lock only where lock_holder is still `holder`.
    - invalidate_if: clear the token only where it is still `token` (compare-and-delete), so an
      instance that saw an old token fail never throws away the one another just fetched.
    """

    async def get(self) -> CachedToken | None: ...

    async def put(self, token: str, expires_at: datetime) -> None: ...

    async def try_lock(self, holder: str, ttl_s: float) -> bool: ...

    async def unlock(self, holder: str) -> None: ...

    async def invalidate_if(self, token: str) -> bool: ...


class InMemoryTokenCache:
    """A TokenCache for one process: enough for dev and a single instance."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._token: CachedToken | None = None
        self._lock_holder: str | None = None
        self._lock_until: datetime | None = None

    # No method awaits before it has read and written, so each is atomic on the event loop.
    async def get(self) -> CachedToken | None:
        return self._token

    async def put(self, token: str, expires_at: datetime) -> None:
        self._token = CachedToken(token=token, expires_at=expires_at)

    async def try_lock(self, holder: str, ttl_s: float) -> bool:
        now = self._clock()
        if self._lock_until is not None and self._lock_until > now:
            return False
        self._lock_holder = holder
        self._lock_until = now + timedelta(seconds=ttl_s)
        return True

    async def unlock(self, holder: str) -> None:
        if self._lock_holder == holder:
            self._lock_holder = None
            self._lock_until = None

    async def invalidate_if(self, token: str) -> bool:
        if self._token is None or self._token.token != token:
            return False
        self._token = None
        return True


class TokenFetcher(Protocol):
    async def fetch(self, force_refresh: bool = False) -> tuple[str, int]:
        """A token from WeChat and the seconds it is valid for."""
        ...


# The request body holds the secret and the answer holds the token: neither is ever logged or put
# in an exception, and httpx exceptions are dropped (`from None`) because they hold the request.
class StableTokenClient:
    """WeChat's getStableAccessToken (POST /cgi-bin/stable_token)."""

    def __init__(
        self,
        api_base: str,
        appid: str,
        secret: str,
        timeout_s: float = 5.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = f"{api_base.rstrip('/')}/cgi-bin/stable_token"
        self._appid = appid
        self._secret = secret
        self._timeout_s = timeout_s
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient()

    async def fetch(self, force_refresh: bool = False) -> tuple[str, int]:
        """Normal mode returns the current token while it has more than 5 minutes left.
        force_refresh revokes the current token at once (WeChat allows it 20 times a day, 30 s
        apart): for a leaked token only, never to recover from an error."""
        body = await self._call(force_refresh)
        errcode = body.get("errcode", 0)
        if errcode != 0:
            # 40013 "invalid appid", 40125 "invalid appsecret", 40164 "invalid ip ..., not in
            # whitelist" are configuration; 45009 "reach max api daily quota limit" and
            # -1 "system error" pass. All of them leave us without a token for now.
            kind = "busy" if errcode == _SYSTEM_BUSY else "refused"
            raise self._unavailable(f"{kind}: errcode {errcode!r}: {body.get('errmsg')!r}")
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not (isinstance(token, str) and token):
            raise self._unavailable("success answer without access_token")
        if not (
            isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0
        ):
            raise self._unavailable("success answer without a positive expires_in")
        return token, expires_in

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _call(self, force_refresh: bool) -> dict[str, Any]:
        payload = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret,
            "force_refresh": force_refresh,
        }
        answer = await json_answer(
            self._http.post(self._url, json=payload, timeout=self._timeout_s)
        )
        if isinstance(answer, str):
            raise self._unavailable(answer)
        return answer

    def _unavailable(self, reason: str) -> WeChatUnavailable:
        # The replace is a last guard in case WeChat ever echoes the secret in an errmsg.
        logger.warning("stable_token failed: %s", reason.replace(self._secret, "<secret>"))
        return WeChatUnavailable(_UNAVAILABLE_MESSAGE)


class AccessTokens:
    """The current access_token, refreshed ahead of expiry by one caller across all instances.

    A token with more than `refresh_ahead_s` left is served from the cache. Past that, one caller
    takes the cache's lock and fetches while everyone else keeps using the old token, which
    WeChat honours until it expires. Only with no valid token at all do callers wait, polling
    the cache until the lock holder has stored a new one or `lock_ttl_s` has passed; the lock
    expires after `lock_ttl_s` so a crashed holder cannot block the others, which is why it must
    outlast the fetcher's timeout.
    """

    def __init__(
        self,
        cache: TokenCache,
        fetcher: TokenFetcher,
        clock: Clock,
        refresh_ahead_s: float = 300,
        lock_ttl_s: float = 10,
    ) -> None:
        if not 0 <= refresh_ahead_s <= _WECHAT_REFRESH_AHEAD_S:
            raise ValueError(
                f"refresh_ahead_s must be 0 to {_WECHAT_REFRESH_AHEAD_S}: WeChat renews "
                "the token no earlier"
            )
        self._cache = cache
        self._fetcher = fetcher
        self._clock = clock
        self._refresh_ahead = timedelta(seconds=refresh_ahead_s)
        self._lock_ttl_s = lock_ttl_s
        self._holder = uuid.uuid4().hex
        # One refresh at a time in this process: its callers share its outcome, so they neither
        # poll the shared cache nor, when WeChat fails, each ask it again in turn.
        self._refreshing: asyncio.Task[str] | None = None

    async def token(self) -> str:
        cached = await self._cache.get()
        if self._is_fresh(cached):
            return cached.token
        refreshing = self._refreshing
        if refreshing is None:
            refreshing = self._refreshing = asyncio.create_task(self._refresh())
            refreshing.add_done_callback(self._refresh_done)
        elif cached is not None and self._is_valid(cached):
            return cached.token
        # Shielded: a caller that gives up must not cancel the refresh others are waiting for.
        return await asyncio.shield(refreshing)

    async def invalidate(self, token: str) -> bool:
        """Forget `token` after WeChat refused it, unless the cache already moved on; True when
        it was forgotten."""
        return await self._cache.invalidate_if(token)

    async def _refresh(self) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_ttl_s
        while True:
            cached = await self._cache.get()
            if self._is_fresh(cached):
                return cached.token
            if await self._cache.try_lock(self._holder, self._lock_ttl_s):
                try:
                    return await self._fetch_and_store()
                finally:
                    await self._cache.unlock(self._holder)
            if cached is not None and self._is_valid(cached):
                return cached.token
            if loop.time() >= deadline:
                logger.warning("no access token: another instance held the refresh lock")
                raise WeChatUnavailable(_UNAVAILABLE_MESSAGE)
            await asyncio.sleep(_POLL_INTERVAL_S)

    async def _fetch_and_store(self) -> str:
        # Whoever held the lock before us may have stored a token since we last looked.
        stale = await self._cache.get()
        if self._is_fresh(stale):
            return stale.token
        # Counted from before the request, so the stored expiry is never later than WeChat's.
        asked_at = self._clock()
        try:
            token, expires_in_s = await self._fetcher.fetch()
        except WeChatUnavailable:
            if stale is not None and self._is_valid(stale):
                return stale.token
            raise
        await self._cache.put(token, asked_at + timedelta(seconds=expires_in_s))
        return token

    def _refresh_done(self, task: asyncio.Task[str]) -> None:
        self._refreshing = None
        if not task.cancelled():
            task.exception()  # retrieved, even when every caller gave up waiting for it

    def _is_fresh(self, cached: CachedToken | None) -> TypeGuard[CachedToken]:
        return cached is not None and cached.expires_at - self._clock() > self._refresh_ahead

    def _is_valid(self, cached: CachedToken) -> bool:
        return cached.expires_at > self._clock()
