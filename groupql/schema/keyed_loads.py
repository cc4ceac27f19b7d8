"""Keyed loads: fields whose value is one DataLoader's answer for a key their parent holds.

Most fields that lead from one record to another (an item's author, a member's user) are one
look-up: take an id from the parent, load it through the request's DataLoader, serve what came
back. Declared as a `KeyedLoad`, such a field's resolver is made from it, and a planned run
(planned.py) makes the same look-up without calling the resolver: no Info, no coroutine, the
loader's future waited on directly. Both read the one `KeyedLoad`, so they cannot drift apart.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.exceptions import WrongNumberOfResultsReturned

from groupql.context import Context


@dataclass(frozen=True)
class KeyedLoad:
    loader: Callable[[Context], DataLoader[Any, Any]]  # the request's loader
    key: Callable[[Any], Any]  # the key, from the parent
    # What was loaded, as the field's value; raises (NotFound) when nothing was.
    finish: Callable[[Any], Any]

    def load(self, context: Context, parent: Any) -> Awaitable[Any]:
        return self.loader(context).load(self.key(parent))

    async def resolve(self, context: Context, parent: Any) -> Any:
        return self.finish(await self.load(context, parent))


F = TypeVar("F", bound=Callable[..., Any])

_KEYED: dict[Callable[..., Any], KeyedLoad] = {}


def keyed(load: KeyedLoad, resolver: F) -> F:
    """Declare `resolver` (which must do just what `load` does) as `load`, for planned runs."""
    _KEYED[resolver] = load
    return resolver


def keyed_load_of(resolver: Callable[..., Any]) -> KeyedLoad | None:
    return _KEYED.get(resolver)


class Batches:
    """The keyed loads of one planned run's wave, made as their loaders would make them, with
    less: each key's future is made and cached in its loader (so any resolver asking for it
    meanwhile waits on it, as on the loader's own), and each loader's keys are loaded by one
    task when the wave is waited on, which alone is waited on (a loader's own batch adds a
    callback to every future, and the wave one more)."""

    __slots__ = ("_keys", "_ours")

    def __init__(self) -> None:
        self._keys: dict[DataLoader[Any, Any], dict[Any, asyncio.Future[Any]]] = {}
        self._ours: set[asyncio.Future[Any]] = set()

    def future_of(self, loader: DataLoader[Any, Any], key: Any) -> asyncio.Future[Any]:
        """The loader's answer for `key` to come: the one it has (cached: answered, or on its
        way), else one this run's batch of the loader will answer."""
        if loader.cache:
            found = loader.cache_map.get(key)
            if found is not None and not found.cancelled():
                return found
        keys = self._keys.get(loader)
        if keys is None:
            keys = self._keys[loader] = {}
        future = keys.get(key)  # a loader without a cache: a key is still loaded once a batch
        if future is None:
            future = keys[key] = loader.loop.create_future()
            self._ours.add(future)
            if loader.cache:
                loader.cache_map.set(key, future)
        return future

    def dispatch(self, futures: set[Any]) -> set[Any]:
        """What to wait on for `futures`: a task for each loader's keys (up to its
        max_batch_size a task), now running, in place of the futures those answer."""
        futures -= self._ours
        for loader, keys in self._keys.items():
            pairs = list(keys.items())
            size = loader.max_batch_size or len(pairs)
            for start in range(0, len(pairs), size):
                futures.add(asyncio.ensure_future(_answer(loader, pairs[start : start + size])))
        self._keys.clear()
        self._ours.clear()
        return futures

    def cancel(self) -> None:
        """Cancel what was never dispatched (the run was cancelled): nobody waits forever."""
        for keys in self._keys.values():
            for future in keys.values():
                future.cancel()
        self._keys.clear()
        self._ours.clear()


Pending = list[tuple[Any, "asyncio.Future[Any]"]]  # keys and their answers to come


async def _answer(loader: DataLoader[Any, Any], pairs: Pending) -> None:
    """One batch of keys, answered as strawberry's dispatch answers a loader's batch: each
    future its value (an exception, raised), or, if the batch fails, the batch's error."""
    futures = [future for _, future in pairs]
    try:
        values = list(await loader.load_fn([key for key, _ in pairs]))
        if len(values) != len(pairs):
            raise WrongNumberOfResultsReturned(expected=len(pairs), received=len(values))
    except BaseException as error:
        for future in futures:
            if not future.done():
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
        if not isinstance(error, Exception):
            raise
        return
    for future, value in zip(futures, values, strict=True):
        if future.cancelled():
            continue
        if isinstance(value, BaseException):
            future.set_exception(value)
        else:
            future.set_result(value)
