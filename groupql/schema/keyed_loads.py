"""Keyed loads: fields whose value is one DataLoader's answer for a key their parent holds.

Most fields that lead from one record to another (an item's author, a member's user) are one
look-up: take an id from the parent, load it through the request's DataLoader, serve what came
back. Declared as a `KeyedLoad`, such a field's resolver is made from it, and a planned run
(planned.py) makes the same look-up without calling the resolver: no Info, no coroutine, the
loader's future waited on directly. Both read the one `KeyedLoad`, so they cannot drift apart.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

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
