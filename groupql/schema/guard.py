"""Members only: the one mechanism that keeps a group's life from those who are not its members.

`members_only(summary=...)` on the Group type guards each of its fields (the field's parent is the
group record) except the summary a join-request screen needs. A field added later is guarded unless
it is named in the summary, so it cannot be forgotten; tests/schema/test_members_only.py walks the
schema from Group and probes every field as a pending member.
"""

from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from strawberry.extensions import FieldExtension

from groupql.context import Info
from groupql.records import Group
from groupql.services.permissions import Action

T = TypeVar("T")


class MembersOnly(FieldExtension):
    """Resolve the field only for active members of the group it belongs to."""

    def resolve(self, next_: Callable[..., Any], source: Group, info: Info, **kwargs: Any) -> Any:
        # graphql-core awaits what a resolver returns: the check can be async for sync fields too.
        return self.resolve_async(_as_async(next_), source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Group, info: Info, **kwargs: Any
    ) -> Any:
        (await info.context.access(source)).require(Action.VIEW_GROUP)
        return await next_(source, info, **kwargs)


def members_only(*, summary: Collection[str]) -> Callable[[type[T]], type[T]]:
    """Guard every field of a group type but those named (by Python name) in `summary`."""

    def guard(graphql_type: type[T]) -> type[T]:
        definition = getattr(graphql_type, "__strawberry_definition__", None)
        if definition is None:
            raise TypeError(f"put @members_only above @strawberry.type on {graphql_type.__name__}")
        fields = definition.fields
        unknown = set(summary) - {field.python_name for field in fields}
        if unknown:
            raise TypeError(f"{graphql_type.__name__} has no field {sorted(unknown)}")
        for field in fields:
            if field.python_name not in summary:
                field.extensions.append(MembersOnly())
        return graphql_type

    return guard


def _as_async(next_: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        result = next_(*args, **kwargs)
        return await result if isinstance(result, Awaitable) else result

    return call
