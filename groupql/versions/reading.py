"""What one answer read: the scopes of the store it depends on, and whether it depends on time.

The response cache starts a Reading before it runs an operation; the store notes each read's
scopes on the Reading of the running task (a context variable, so the tasks an operation spawns
note on it too), and each write as a reason not to keep the answer.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Reading:
    # The latest version before anything was read: a scope past it was written meanwhile.
    started_at: int
    # Moves lost before it (groupql.versions.Versions.lost): one lost while it read may be of
    # something it read, and then its answer is not kept.
    lost: int = 0
    scopes: set[str] = field(default_factory=set)
    # The operation wrote to the store: its answer is not one to keep.
    wrote: bool = False
    # It asked the time (an expiry, a poll's close, a signed URL): its answer ages by the clock.
    asked_time: bool = False
    # The first moment the clock changes it, when the code that asked said so (changes_at).
    changes_at: datetime | None = None


_current: ContextVar[Reading | None] = ContextVar("groupql_reading", default=None)


@contextmanager
def reading(started: Reading) -> Iterator[Reading]:
    """Note what the code in this block (and the tasks it starts) reads on `started`."""
    token = _current.set(started)
    try:
        yield started
    finally:
        _current.reset(token)


def is_reading() -> bool:
    """Whether an answer is being read here: else there is nothing to note (spare the work)."""
    return _current.get() is not None


def note_read(scopes: Iterable[str]) -> None:
    """The answer being read depends on these scopes."""
    if (current := _current.get()) is not None:
        current.scopes.update(scopes)


def note_write() -> None:
    """The operation being read wrote to the store: its answer is not one to keep."""
    if (current := _current.get()) is not None:
        current.wrote = True


def asked_time() -> None:
    """The answer being read holds something that the passing of time changes."""
    if (current := _current.get()) is not None:
        current.asked_time = True


def changes_at(moment: datetime) -> None:
    """The answer being read changes when the clock reaches `moment` (a mute ends...)."""
    if (current := _current.get()) is not None and (
        current.changes_at is None or moment < current.changes_at
    ):
        current.changes_at = moment


class TimedClock:
    """A clock that notes on the current Reading that its answer depends on the time."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def __call__(self) -> datetime:
        asked_time()
        return self._clock()

    def without_asking(self) -> datetime:
        """The time, for code that says itself when its answer changes (changes_at)."""
        return self._clock()


def untimed(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """`clock` without the note, where it is a TimedClock: for code that calls changes_at."""
    return clock.without_asking if isinstance(clock, TimedClock) else clock
