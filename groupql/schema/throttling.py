"""Rate limits on mutations, as a field extension every root mutation carries: logins count per
client address (before anyone is known), every other write per user."""

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension

from groupql.context import Info


class Counted(FieldExtension):
    def __init__(self, *, per_client_address: bool) -> None:
        self._per_client_address = per_client_address

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        context = info.context
        if self._per_client_address:
            await context.count("login", by=context.client_address, rate=context.rate_limits.logins)
        else:
            viewer = await context.viewer()
            await context.count("write", by=viewer.id, rate=context.rate_limits.writes)
        return await next_(source, info, **kwargs)


def count_mutations(mutation_type: type, *, per_client_address: frozenset[str]) -> None:
    """Give every root mutation its count: those named (by Python name) per client address."""
    for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        field.extensions.append(Counted(per_client_address=field.python_name in per_client_address))
