"""One timer pings every socket of an app (groupql/pings.py): each once an interval, a slice of
them at a time, none once discarded, and no timer left running without sockets. What is
asserted of time is only that nothing comes early: a busy machine makes timers late."""

import asyncio
import time
from collections.abc import Callable
from itertools import pairwise

from groupql.pings import SLICES, Pings

INTERVAL_S = 0.16


class Socket:
    """Notes its pings: when, and the how-manieth ping of the whole app each was."""

    count = 0

    def __init__(self) -> None:
        self.pinged_at: list[float] = []
        self.pinged_as: list[int] = []

    def ping(self) -> None:
        self.pinged_at.append(time.monotonic())
        self.pinged_as.append(Socket.count)
        Socket.count += 1


async def _until(done: Callable[[], bool], timeout_s: float = 10) -> None:
    # A shared machine may pause the timer; what is checked is the order of the pings and that
    # none comes early, so waiting longer changes nothing.
    async with asyncio.timeout(timeout_s):
        while not done():  # noqa: ASYNC110 (what is awaited is plain state, no event to wait on)
            await asyncio.sleep(0.01)


async def test_each_socket_is_pinged_once_an_interval_a_slice_at_a_time() -> None:
    pings = Pings(INTERVAL_S)
    sockets = [Socket() for _ in range(SLICES * 3)]
    added_at = time.monotonic()
    for socket in sockets:
        pings.add(socket)

    await _until(lambda: all(len(socket.pinged_at) >= 3 for socket in sockets))
    for socket in sockets:
        pings.discard(socket)

    # One slice a tick: in the order of their first pings, the sockets come three by three, each
    # three of one slice (they joined the slices in turn), a tick apart at the least.
    tick_s = INTERVAL_S / SLICES
    by_first = sorted(range(len(sockets)), key=lambda index: sockets[index].pinged_as[0])
    for start in range(0, len(sockets), 3):
        assert len({index % SLICES for index in by_first[start : start + 3]}) == 1
        if start:
            came = sockets[by_first[start]].pinged_at[0]
            assert came - sockets[by_first[start - 1]].pinged_at[0] >= tick_s * 0.9
    # Every socket had its first ping before any had its second, its second before any third.
    for round_ in (0, 1):
        assert max(socket.pinged_as[round_] for socket in sockets) < min(
            socket.pinged_as[round_ + 1] for socket in sockets
        )
    # None early: a slice's first ping a tick after the sockets came at the soonest, and each
    # socket's pings a whole interval apart at the least (a timer may fire late, never early).
    assert sockets[by_first[0]].pinged_at[0] - added_at >= tick_s * 0.9
    for socket in sockets:
        gaps = [later - earlier for earlier, later in pairwise(socket.pinged_at)]
        assert all(gap >= INTERVAL_S * 0.9 for gap in gaps), gaps


async def test_a_discarded_socket_is_not_pinged_and_no_timer_is_left() -> None:
    pings = Pings(INTERVAL_S)
    kept, gone = Socket(), Socket()
    pings.add(kept)
    pings.add(gone)
    assert pings.ticking
    pings.discard(gone)

    await _until(lambda: len(kept.pinged_at) >= 2)
    assert not gone.pinged_at
    pings.discard(kept)
    assert len(pings) == 0 and not pings.ticking
    pinged = len(kept.pinged_at)
    await asyncio.sleep(INTERVAL_S * 1.5)
    assert len(kept.pinged_at) == pinged


async def test_without_an_interval_nothing_is_pinged() -> None:
    pings = Pings(None)
    socket = Socket()
    pings.add(socket)
    await asyncio.sleep(0.05)
    assert not socket.pinged_at and len(pings) == 0
