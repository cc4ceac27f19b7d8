"""Live events executed once per distinct reading, not once per socket (Hasura's multiplexing).

The sockets that read one event through the same operation (its text and name, the variables its
selection uses, this server's URL) get one execution's result, and the same serialized bytes.
What may be shared is found out by running the execution on a `SharedReading` of the context,
which refuses the viewer: a result that read the viewer is thrown away and made again once per
viewer, and one that read anything else of its socket is made per socket, as without sharing.
"""

from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Hashable
from contextlib import suppress
from contextvars import ContextVar
from copy import copy
from typing import Any, TypeVar

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.schema import BaseSchema
from strawberry.schema.schema import Schema, StrawberryGraphQLCoreExecutionContext

from groupql.context import Context
from groupql.realtime.once import Once
from groupql.schema.shared_reading import SharedReading, reading_key

T = TypeVar("T")

# Executions of shared events by who shares their result: "event" (every socket reading it the
# same way), "viewer" (one viewer's sockets), "socket" (not shared); and results sent straight
# to a socket ("sent directly"). For tests and benchmarks.
executions: Counter[str] = Counter()


class SharedData(dict[str, Any]):
    """The data of a result many sockets send: serialized once, by the first to send it."""

    __slots__ = ("json",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.json: str | None = None


SendShared = Callable[[SharedData], Awaitable[None]]
# How to send a shared result of the operation running in this task as it is, set by the
# WebSocket handler around each operation (None: through strawberry, like any other result).
direct_sender: ContextVar[SendShared | None] = ContextVar("direct_sender", default=None)

# The attribute by which the event object of a message carries the results made from it: on the
# event, not in a registry, so that they go with it (and a result's error, whose traceback holds
# the event, cannot keep it alive).
_RESULTS = "_groupql_shared_results"


def shared_event(event: T) -> T:
    """Mark `event` as the one object every local subscriber of a message resolves."""
    with suppress(AttributeError):  # a type with __slots__ is executed per socket
        setattr(event, _RESULTS, Once())
    return event


def _results_of(event: object) -> Once | None:
    results = getattr(event, _RESULTS, None)
    return results if isinstance(results, Once) else None


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, sharing the results of the events `shared_event` marked."""

    # Whether a shared result without errors may skip strawberry's handling of each result:
    # only while no extension of the schema adds to results (see `sharing`).
    sends_directly = True
    # The reading key of the subscription, made by the first event (see `reading_key`).
    _reading: tuple[Hashable, ...] | bool | None = False

    def cancellable_iterable(self, iterable: AsyncIterable[T]) -> AsyncIterable[T]:
        events = super().cancellable_iterable(iterable)
        send = direct_sender.get()
        if send is None or not self.sends_directly:
            return events
        return self._sending_shared(events, send)

    def build_per_event_executor(self, payload: Any) -> Any:
        shared = self._shared(payload)
        if shared is not None:
            return shared
        executions["socket"] += 1
        return super().build_per_event_executor(payload)

    async def _sending_shared(self, events: AsyncIterable[T], send: SendShared) -> AsyncIterator[T]:
        """The events, but for those whose shared result has no errors: those go straight to
        the socket, skipping graphql-core's and strawberry's handling of each result. The
        order holds: the subscription pulls the next event once the last one was sent."""
        iterator = aiter(events)
        try:
            async for event in iterator:
                shared = self._shared(event)
                result = None if shared is None else await shared.result()
                if result is None or result.errors or not isinstance(result.data, SharedData):
                    yield event
                    continue
                executions["sent directly"] += 1
                await send(result.data)
        finally:
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()

    def _shared(self, event: object) -> "_SharedEvent | None":
        results = _results_of(event)
        context = self.context_value
        if results is None or not isinstance(context, Context):
            return None
        if self._reading is False:
            variables = self.variable_values.coerced
            self._reading = reading_key(
                self.operation, self.fragment_definitions, variables, context
            )
        if not isinstance(self._reading, tuple):
            return None
        return _SharedEvent(self, event, results, self._reading, context)


class _SharedEvent:
    """One socket's execution of a shared event, as graphql-core runs it: looked up first."""

    def __init__(
        self,
        executor: SharedEventExecutor,
        event: object,
        results: Once,
        reading: tuple[Hashable, ...],
        context: Context,
    ) -> None:
        self._executor = executor
        self._event = event
        self._results = results
        self._reading = reading
        self._context = context

    async def result(self) -> ExecutionResult | None:
        """The result this socket shares with others, or None if it has to be its own."""
        results, reading = self._results, self._reading
        shared = await results.get(reading, lambda: self._execute_for("event"))
        if shared is None:
            by_viewer = (*reading, await self._context.viewer())
            shared = await results.get(by_viewer, lambda: self._execute_for("viewer"))
        return shared

    async def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        shared = await self.result()
        if shared is None:
            executions["socket"] += 1
            return await _executed(self._per_event_executor(), serially)
        # Strawberry puts each socket's errors through the schema's process_errors, which
        # rewrites the list in place: each socket gets a list of its own.
        return ExecutionResult(shared.data, list(shared.errors or ()) or None)

    async def _execute_for(self, sharers: str) -> ExecutionResult | None:
        executions[sharers] += 1
        reading = SharedReading(self._context, for_viewer=sharers == "viewer")
        executor = self._per_event_executor()
        executor.context_value = reading
        result = await _executed(executor, False)
        if reading.strayed:
            return None
        data = None if result.data is None else SharedData(result.data)
        return ExecutionResult(data, result.errors)

    def _per_event_executor(self) -> StrawberryGraphQLCoreExecutionContext:
        build = StrawberryGraphQLCoreExecutionContext.build_per_event_executor
        executor = build(self._executor, self._event)
        assert isinstance(executor, StrawberryGraphQLCoreExecutionContext)
        return executor


async def _executed(
    executor: StrawberryGraphQLCoreExecutionContext, serially: bool | None
) -> ExecutionResult:
    result = executor.execute_operation(serially)
    if isinstance(result, Awaitable):
        result = await result
    assert isinstance(result, ExecutionResult)
    return result


class _HandledByExtensions(SharedEventExecutor):
    sends_directly = False


def sharing(schema: BaseSchema) -> BaseSchema:
    """`schema`, executing live events with `SharedEventExecutor`: a copy that differs only in
    the executor class strawberry reads from it, so that only WebSockets use it (made once,
    and kept on the schema)."""
    made: BaseSchema | None = getattr(schema, "_groupql_sharing", None)
    if made is not None:
        return made
    found = copy(schema)
    adds_to_results = not isinstance(schema, Schema) or any(
        type(extension).get_results is not SchemaExtension.get_results
        or type(extension).on_stream_result is not SchemaExtension.on_stream_result
        for extension in schema.get_extensions()
    )
    executor = _HandledByExtensions if adds_to_results else SharedEventExecutor
    found.execution_context_class = executor  # type: ignore[attr-defined]
    setattr(schema, "_groupql_sharing", found)  # noqa: B010
    return found


def shared_json(data: SharedData, encode: Callable[[object], str | bytes]) -> str | None:
    """The JSON of a result's payload that carries only shared data, encoded once for all."""
    if data.json is None:
        encoded = encode({"data": data})
        if not isinstance(encoded, str):
            return None
        data.json = encoded
    return data.json
