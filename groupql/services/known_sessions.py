"""Sessions this instance has seen lately, so that a request need not read its session again.

A session never changes once made (a login makes a new one), and it ends at its `expires_at`,
which is checked on every use. So what a cached session says stays true until then, unless
someone deletes it from the database (an operator revoking tokens by hand): a cached session is
read again after RECHECK_AFTER, which bounds how long such a deletion takes to count. Only real
sessions are kept: a forged token is read (and refused) every time, and cannot fill the cache.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

RECHECK_AFTER = timedelta(seconds=30)
MAX_KNOWN = 20_000  # about 3 MB of hashes and ids: every user active in the last half minute


@dataclass(frozen=True)
class _Known:
    user_id: str
    expires_at: datetime
    recheck_at: datetime


class KnownSessions:
    def __init__(self, max_known: int = MAX_KNOWN) -> None:
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._max_known = max_known

    def user_of(self, token_hash: str, now: datetime) -> str | None:
        """The user of a session seen lately that has not expired, or None: read it again."""
        known = self._known.get(token_hash)
        if known is None:
            return None
        if now >= known.expires_at or now >= known.recheck_at:
            del self._known[token_hash]
            return None
        self._known.move_to_end(token_hash)
        return known.user_id

    def remember(self, token_hash: str, user_id: str, expires_at: datetime, now: datetime) -> None:
        self._known[token_hash] = _Known(user_id, expires_at, now + RECHECK_AFTER)
        self._known.move_to_end(token_hash)
        while len(self._known) > self._max_known:
            self._known.popitem(last=False)
