"""One timer pings every socket of an app (groupql/pings.py): each once an interval, a slice of
them at a time, none once discarded, and no timer left running without sockets."""

import asyncio
import time
from itertools import pairwise

from groupql.pings import SLICES, Pings

INTERVAL_S = 0.16


class Socket:
    def __init__(self) -> None:
        self.pinged_at: list[float] = []

    def ping(self) -> None:
        self.pinged_at.append(time.monotonic())


async def test_each_socket_is_pinged_once_an_interval_in_slices() -> None:
    pings = Pings(INTERVAL_S)
    sockets = [Socket() for _ in range(SLICES * 3)]
    added_at = time.monotonic()
    for socket in sockets:
        pings.add(socket)

    await asyncio.sleep(INTERVAL_S * 3.5)

    for socket in sockets:
        assert len(socket.pinged_at) in (3, 4), socket.pinged_at
        assert socket.pinged_at[0] - added_at <= INTERVAL_S * 1.5
        gaps = [later - earlier for earlier, later in pairwise(socket.pinged_at)]
        assert all(INTERVAL_S * 0.5 < gap < INTERVAL_S * 1.5 for gap in gaps), gaps
    first_pings = sorted({round(socket.pinged_at[0], 2) for socket in sockets})
    assert len(first_pings) >= SLICES // 2, "every socket was pinged in one burst"
    for socket in sockets:
        pings.discard(socket)


async def test_a_discarded_socket_is_not_pinged_and_no_timer_is_left() -> None:
    pings = Pings(INTERVAL_S)
    kept, gone = Socket(), Socket()
    pings.add(kept)
    pings.add(gone)
    assert pings.ticking
    pings.discard(gone)

    await asyncio.sleep(INTERVAL_S * 1.5)
    assert kept.pinged_at and not gone.pinged_at
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
