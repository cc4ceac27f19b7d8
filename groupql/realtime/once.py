"""Values made once per key for many tasks: by the first task to ask, the others waiting for it."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class _Making:
    """A value being made, and the tasks waiting for it."""

    __slots__ = ("error", "is_done", "value", "waiters")

    def __init__(self) -> None:
        self.is_done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self.waiters: list[asyncio.Future[None]] = []

    def wake(self) -> None:
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()


class Once:
    """Each key's value is made by the first caller, in its own task, and kept.

    Made in the caller rather than in a task of its own, a value that needs no round trip is
    ready before the next caller comes: a thousand subscribers of one event then take turns
    instead of each suspending once more. The first caller being cancelled cancels nothing
    for the others: one of them makes the value again.
    """

    def __init__(self) -> None:
        self._made: dict[Hashable, _Making] = {}

    async def get(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        while True:
            making = self._made.get(key)
            if making is None:
                return await self._make(key, make)
            if making.is_done:
                if making.error is not None:
                    raise making.error
                value: T = making.value
                return value
            waiter = asyncio.get_running_loop().create_future()
            making.waiters.append(waiter)
            await waiter

    async def _make(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        making = self._made[key] = _Making()
        try:
            value = await make()
        except Exception as error:
            making.error, making.is_done = error, True
            raise
        except BaseException:
            # Cancelled with its task: the next caller makes the value instead.
            del self._made[key]
            raise
        else:
            making.value, making.is_done = value, True
            return value
        finally:
            making.wake()
