"""What the sockets that share a live event's result have in common, and what an execution made
for them may read of the one socket's context it runs with."""

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, NoReturn

from graphql import FieldNode, FragmentDefinitionNode, Node, OperationDefinitionNode, VariableNode

from groupql.context import Context, Loaders, ViewerLoaders
from groupql.records import Group, User
from groupql.services.membership import Access
from groupql.wiring import Services


def reading_key(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    context: Context,
) -> tuple[Hashable, ...] | None:
    """The operation (its text and name), the variables an event's execution reads, and the
    URL the socket reached this server by; None when there is nothing to share by."""
    if operation.loc is None:
        return None
    try:
        read = _frozen(
            {name: variables.get(name) for name in _read_by_events(operation, fragments)}
        )
        hash(read)
    except TypeError:
        return None
    name = operation.name.value if operation.name is not None else None
    return (operation.loc.source.body, name, read, context.public_url)


def _read_by_events(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> set[str]:
    """The variables an event's execution may read: all but those only in the root fields'
    arguments, which chose the stream (strawberry resolves a subscription's root field of each
    event to the event itself, whatever its arguments); every fragment's, used or not."""
    names: set[str] = set()
    _variables_in(operation.directives or (), names)
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            _variables_in(selection.directives or (), names)
            _variables_in([selection.selection_set], names)
        else:
            _variables_in([selection], names)
    _variables_in(fragments.values(), names)
    return names


def _variables_in(nodes: Iterable[Any], names: set[str]) -> None:
    for node in nodes:
        if isinstance(node, VariableNode):
            names.add(node.name.value)
        elif isinstance(node, Node):
            _variables_in((getattr(node, key) for key in node.keys), names)
        elif isinstance(node, (list, tuple)):
            _variables_in(node, names)


def _frozen(value: Any) -> Hashable:
    """A hashable stand-in of a coerced value that tells 1, 1.0 and True apart."""
    if isinstance(value, dict):
        return (dict, tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    if isinstance(value, (list, tuple)):
        return (list, tuple(_frozen(item) for item in value))
    return (type(value), value)


class SocketStateRead(Exception):
    """A resolver read what differs between the sockets sharing an execution."""


class SharedReading:
    """A socket's context as a resolver sees it when its result goes to other sockets too.

    It answers only with what those sockets have in common: the services, the event's loaders
    (one set per bus message), this server's URL (in the reading key) and, when the result is
    shared by one viewer's sockets only, the viewer. Any other read is noted in `strayed` and
    fails: the execution is then thrown away and done again per viewer or per socket, so that
    a field nobody proved viewer-independent can never leak.
    """

    def __init__(self, context: Context, *, for_viewer: bool) -> None:
        self._context = context
        self._for_viewer = for_viewer
        self.strayed = False

    @property
    def services(self) -> Services:
        return self._context.services

    @property
    def loaders(self) -> Loaders:
        return self._context.loaders

    @property
    def public_url(self) -> str:
        return self._context.public_url

    async def viewer(self) -> User:
        self._require_viewer("viewer")
        return await self._context.viewer()

    async def viewer_loaders(self) -> ViewerLoaders:
        self._require_viewer("viewer_loaders")
        return await self._context.viewer_loaders()

    async def access(self, group: Group) -> Access:
        self._require_viewer("access")
        return await self._context.access(group)

    async def remember_access(self, access: Access) -> None:
        self._require_viewer("remember_access")
        await self._context.remember_access(access)

    def known_user_id(self) -> str | None:
        self._require_viewer("known_user_id")
        return self._context.known_user_id()

    def __getattr__(self, name: str) -> Any:
        self._stray(name)

    def _require_viewer(self, name: str) -> None:
        if not self._for_viewer:
            self._stray(name)

    def _stray(self, name: str) -> NoReturn:
        self.strayed = True
        raise SocketStateRead(f"a shared execution read the socket's {name!r}")
