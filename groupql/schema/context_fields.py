"""Context fields: fields whose value is a function of their parent and the request's context
alone, `(context, parent) -> value` (no arguments, no other part of the resolver's info).

A user's avatar URL is one: the URL the user gave, or a signed URL of the uploaded picture,
made by the request's services. Declared with `context_field`, such a field's resolver is made
from the function, and a planned run (planned.py) calls the function itself: no Info built for
each object, no resolver between. Both call the one function, so they cannot drift apart.
"""

import typing
from collections.abc import Callable
from typing import Any

from groupql.context import Context, Info

_BY_CONTEXT: dict[Callable[..., Any], Callable[[Context, Any], Any]] = {}


def context_field(
    function: Callable[[Context, Any], Any], returns: Any = None
) -> Callable[..., Any]:
    """The resolver of a field whose value is `function(context, parent)`, of the function's
    return type, or `returns` (for a function that may return an awaitable of it)."""

    def resolve(root: Any, info: Info) -> Any:
        return function(info.context, root)

    # What strawberry reads of a resolver: `root` by its name, `info` by its type, and the
    # field's type from the function's own (resolved where it was written).
    if returns is None:
        returns = function.__annotations__["return"]
        if isinstance(returns, str):
            returns = typing.get_type_hints(function)["return"]
    resolve.__annotations__ = {"root": Any, "info": Info, "return": returns}
    resolve.__name__ = resolve.__qualname__ = function.__name__
    _BY_CONTEXT[resolve] = function
    return resolve


def context_function_of(resolver: Callable[..., Any]) -> Callable[[Context, Any], Any] | None:
    return _BY_CONTEXT.get(resolver)
