"""Running a query by its plan (`plans.py`), and graphql-core running it whenever that fails.

A planned run walks the plan depth first and calls the same resolvers with the same info and
arguments as graphql-core would, completing each value by the plan's completion of its type. A
resolver's coroutine runs at once up to its first wait (in a context of its own, as a task's
first step would) and is parked on the future it waits for, with what to do with its value; once
the walk is done, the parked ones resume together (one wave; their values may park more), so
that DataLoaders see every load of a level at once, as they do under graphql-core. The answer is
the same dict of the same keys in the same order.

A planned run covers only success. At the first error of any kind (a resolver raising, a null
in a non-null field, a value its type refuses), it lets every awaitable it started settle and
gives the operation back to graphql-core, which runs it from the start and reports the errors
with their paths as it always has. Only queries are planned, and a query's resolvers only read,
so running one twice changes nothing but the time it takes.
"""

import asyncio
from asyncio import ensure_future
from collections.abc import Awaitable, Callable
from contextlib import suppress
from contextvars import Context, copy_context
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import GraphQLObjectType, OperationType, Undefined
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, is_iterable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from groupql.schema.compiled_plans import compiled
from groupql.schema.keyed_loads import Batches, KeyedLoad
from groupql.schema.plans import (
    AbstractPlan,
    FieldPlan,
    Leaf,
    ListOf,
    NonNull,
    ObjectPlan,
    Plan,
    Planner,
    Unplanned,
    plan_of,
)

# graphql-core's Path (a NamedTuple) made as its own `__new__` makes it, without that call.
_path = tuple.__new__
# Types whose values are never awaitable (records, lists, strings...): a set look-up instead of
# a call to ask, for every value a resolver returns. Learned as they come, up to a bound.
_NEVER_AWAITABLE: set[type] = {str, int, float, bool, type(None), list, tuple, dict}
_MAX_LEARNED_TYPES = 1000


def planned_executor(note: Callable[[str], None]) -> type["PlannedExecutor"]:
    """The executor of one schema, telling `note` how each query ran: "planned", "fell_back"
    (its plan met an error; graphql-core ran it) or "unplanned"."""
    return type("PlannedExecutor", (PlannedExecutor,), {"note": staticmethod(note)})


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, running a query by its plan when it has one."""

    note: Callable[[str], None]

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = self._plan()
        if plan is None:
            if self.operation.operation == OperationType.QUERY:
                self.note("unplanned")
            return super().execute_operation(serially)
        run = PlannedRun(self)
        try:
            data = run.object(plan.root, self.root_value, None)
        except Exception:
            if not run.pending:
                self.note("fell_back")
                return super().execute_operation(serially)
            return self._settle_then_fall_back(run, serially)
        if not run.pending:
            self.note("planned")
            return self.build_response(data)
        return self._finish(run, data, serially)

    def _plan(self) -> Plan | None:
        # Strawberry hands every operation a middleware manager, empty unless an extension
        # resolves fields itself; a plan calls the resolvers as they are.
        middleware = self.middleware_manager.middlewares if self.middleware_manager else ()
        if self.abort_signal is not None or self.hooks is not None or middleware:
            return None
        planner = Planner(
            self.schema, self.fragments, self.variable_values, self.operation, self.field_resolver
        )
        return plan_of(planner, self.fragment_definitions)

    async def _finish(self, run: "PlannedRun", data: dict[str, Any], serially: bool | None) -> Any:
        if not await run.waves():
            return await self._fall_back(serially)
        self.note("planned")
        return self.build_response(data)

    async def _settle_then_fall_back(self, run: "PlannedRun", serially: bool | None) -> Any:
        await run.settle()
        return await self._fall_back(serially)

    async def _fall_back(self, serially: bool | None) -> Any:
        self.note("fell_back")
        result = super().execute_operation(serially)
        return await result if self.is_awaitable(result) else result


class Parked:
    """A resolver's value to come: the coroutine (with its own context) waiting on a future,
    or a plain future (a keyed load's, with what its answer becomes); and where its completed
    value goes (`into[key]`; nowhere once None)."""

    __slots__ = (
        "completion",
        "context",
        "coroutine",
        "field",
        "future",
        "info",
        "into",
        "key",
        "path",
        "then",
    )

    def __init__(
        self, into: Any, key: Any, completion: Any, field: FieldPlan, info: Any, path: Path
    ) -> None:
        self.into = into
        self.key = key
        self.completion = completion
        self.field = field
        self.info = info
        self.path = path
        self.coroutine: CoroutineType[Any, Any, Any] | None = None
        self.context: Context | None = None
        self.future: asyncio.Future[Any] | None = None
        # What a keyed load's answer becomes, before it is completed.
        self.then: Callable[[Any], Any] | None = None


class PlannedRun:
    """One execution of a plan: the answer built in place, and the awaitables still to settle."""

    __slots__ = (
        "arguments",
        "batches",
        "build_info",
        "executor",
        "is_awaitable",
        "loaders",
        "pending",
    )

    def __init__(self, executor: PlannedExecutor) -> None:
        self.executor = executor
        self.build_info = executor.build_resolve_info
        self.is_awaitable = executor.is_awaitable
        self.pending: list[Parked] = []
        self.arguments: dict[int, dict[str, Any]] = {}
        self.batches = Batches()  # the keyed loads the next wave loads
        self.loaders: dict[int, Any] = {}  # each keyed load's loader, by the load's id

    def object(self, plan: ObjectPlan, source: Any, path: Path | None) -> dict[str, Any]:
        if plan.build is None:
            plan.build = compiled(plan)
        return plan.build(self, source, path)

    def field(self, data: dict[str, Any], step: tuple[Any, ...], source: Any, path: Any) -> None:
        """One field of an object (`FieldPlan.step`) into its answer, `data`."""
        (
            key,
            typename,
            leaf,
            attribute,
            required,
            needs_info,
            takes_arguments,
            resolve,
            completion,
            keyed,
            by_context,
            field,
        ) = step
        if typename is not None:
            data[key] = typename
            return
        if leaf is not None:
            # A scalar attribute: read and coerced, as graphql-core would complete it.
            value = attribute(source)
            if value is None:
                if required:
                    raise Unplanned("null in a non-null field")
                data[key] = None
                return
            if isinstance(value, Exception):
                raise value
            coerced = leaf(value)
            if coerced is None or coerced is Undefined:
                raise Unplanned("a value its type refuses")
            data[key] = coerced
            return
        parent_type = field.parent_type
        field_path = _path(Path, (path, key, parent_type.name))
        if keyed is not None:
            data[key] = None
            self._load(keyed, source, Parked(data, key, completion, field, None, field_path))
            return
        info = None
        if by_context is not None:
            value = by_context(self.executor.context_value, source)
        else:
            if needs_info:
                info = self.build_info(field.definition, field.nodes, parent_type, field_path)
            if attribute is not None:
                value = attribute(source)
            elif takes_arguments:
                value = resolve(source, info, **self._arguments(field))
            else:
                value = resolve(source, info)
        if type(value) not in _NEVER_AWAITABLE and self._is_awaitable(value):
            data[key] = None
            self._start(value, Parked(data, key, completion, field, info, field_path))
        else:
            data[key] = self.complete(completion, value, field, info, field_path)

    def complete(self, completion: Any, value: Any, field: FieldPlan, info: Any, path: Path) -> Any:
        # One call per value (the object case inlined): this runs for every object of a page.
        if isinstance(value, Exception):
            raise value
        kind = type(completion)
        required = kind is NonNull
        if required:
            completion = completion.inner
            kind = type(completion)
        if value is None or value is Undefined:
            if required:
                raise Unplanned("null in a non-null field")
            return None
        if kind is ObjectPlan:
            if completion.type.is_type_of:
                return self._object_value(completion, value, info, path)
            build = completion.build
            if build is None:
                build = completion.build = compiled(completion)
            return build(self, value, path)
        if kind is Leaf:
            coerced = completion.coerce(value)
            if coerced is None or coerced is Undefined:
                raise Unplanned("a value its type refuses")
            return coerced
        if kind is ListOf:
            return self._list(completion, value, field, info, path)
        assert kind is AbstractPlan
        resolve_type = completion.type.resolve_type or self.executor.type_resolver
        runtime_name = resolve_type(value, info, completion.type)
        if self.is_awaitable(runtime_name) or not isinstance(runtime_name, str):
            raise Unplanned("a runtime type not named at once")
        runtime_type = self.executor.schema.get_type(runtime_name)
        if not isinstance(runtime_type, GraphQLObjectType) or not self.executor.schema.is_sub_type(
            completion.type, runtime_type
        ):
            raise Unplanned("not a possible type")
        return self._object_value(completion.plan_for(runtime_type), value, info, path)

    def _object_value(self, plan: ObjectPlan, value: Any, info: Any, path: Path) -> dict[str, Any]:
        if plan.type.is_type_of:
            is_type = plan.type.is_type_of(value, info)
            if self.is_awaitable(is_type) or not is_type:
                raise Unplanned("not of its type")
        return self.object(plan, value, path)

    def _list(self, completion: ListOf, value: Any, field: FieldPlan, info: Any, path: Path) -> Any:
        if not is_iterable(value):
            raise Unplanned("not a list")
        items: list[Any] = []
        inner = completion.inner
        for index, item in enumerate(value):
            item_path = _path(Path, (path, index, None))
            if type(item) not in _NEVER_AWAITABLE and self._is_awaitable(item):
                items.append(None)
                self._start(item, Parked(items, index, inner, field, info, item_path))
            else:
                items.append(self.complete(inner, item, field, info, item_path))
        return items

    def _is_awaitable(self, value: Any) -> bool:
        """graphql-core's question (strawberry's answer), its no learned for the value's type
        when the answer cannot differ for another value of that type."""
        if self.is_awaitable(value):
            return True
        kind = type(value)
        if (
            kind is not GeneratorType  # a generator's answer is its own
            and not hasattr(kind, "__await__")
            and len(_NEVER_AWAITABLE) < _MAX_LEARNED_TYPES
        ):
            _NEVER_AWAITABLE.add(kind)
        return False

    def _settle(self, parked: "Parked", value: Any) -> None:
        """Complete a resolver's value into its place in the answer."""
        if parked.into is not None:
            parked.into[parked.key] = self.complete(
                parked.completion, value, parked.field, parked.info, parked.path
            )

    def _arguments(self, field: FieldPlan) -> dict[str, Any]:
        # graphql-core works a field's arguments out for every object; they are the same for
        # every object of one request.
        arguments = self.arguments.get(id(field))
        if arguments is None:
            executor = self.executor
            arguments = get_argument_values(
                field.definition,
                field.nodes[0],
                executor.variable_values,
                None,
                executor.hide_suggestions,
            )
            self.arguments[id(field)] = arguments
        return arguments

    def _load(self, keyed: KeyedLoad, source: Any, parked: Parked) -> None:
        """A keyed load's future, settled at once when the loader has the answer already."""
        loader = self.loaders.get(id(keyed))  # the request's loader, asked once a run
        if loader is None:
            loader = self.loaders[id(keyed)] = keyed.loader(self.executor.context_value)
        future = self.batches.future_of(loader, keyed.key(source))
        if future.done():
            self._settle(parked, keyed.finish(future.result()))
        else:
            parked.future, parked.then = future, keyed.finish
            self.pending.append(parked)

    def _start(self, awaitable: Awaitable[Any], parked: "Parked") -> None:
        """Run a resolver's coroutine up to its first wait, as a task's first step would (in a
        context of its own): what ends there is settled at once, without a task; what waits
        (on a DataLoader's future) is parked until that future is done."""
        if type(awaitable) is CoroutineType:
            parked.coroutine = awaitable
            parked.context = copy_context()
            self._step(parked)
        else:
            parked.future = ensure_future(awaitable)
            self.pending.append(parked)

    def _step(self, parked: "Parked") -> None:
        coroutine, context = parked.coroutine, parked.context
        try:
            waits_on = context.run(coroutine.send, None)  # type: ignore[union-attr]
        except StopIteration as done:
            self._settle(parked, done.value)
            return
        if waits_on is None:  # a bare yield (asyncio.sleep(0)): resumed in the next wave
            parked.future = None
        elif getattr(waits_on, "_asyncio_future_blocking", False):
            waits_on._asyncio_future_blocking = False  # as a task does before it waits
            parked.future = waits_on
        else:
            coroutine.close()  # type: ignore[union-attr]
            raise Unplanned(f"a resolver yielded {waits_on!r}")
        self.pending.append(parked)

    async def waves(self) -> bool:
        """Await what the walk left, wave after wave; False at the first error."""
        try:
            while self.pending:
                await self._next_wave(self._resume)
        except Exception:
            await self.settle()
            return False
        finally:
            self._close()
        return True

    async def settle(self) -> None:
        """Let every parked resolver finish, so none is left unawaited or unread."""
        try:
            while self.pending:
                await self._next_wave(self._resume_quietly)
        finally:
            self._close()

    async def _next_wave(self, resume: Callable[[Parked], None]) -> None:
        wave, self.pending = self.pending, []
        futures = self.batches.dispatch(
            {parked.future for parked in wave if parked.future is not None}
        )
        if futures:
            await asyncio.wait(futures)
        else:
            await asyncio.sleep(0)
        for index, parked in enumerate(wave):
            try:
                resume(parked)
            except BaseException:
                self.pending.extend(wave[index + 1 :])
                raise

    def _resume(self, parked: Parked) -> None:
        if parked.coroutine is None:
            value = parked.future.result()  # type: ignore[union-attr]
            self._settle(parked, value if parked.then is None else parked.then(value))
        else:
            self._step(parked)

    def _resume_quietly(self, parked: Parked) -> None:
        parked.into = None  # its value goes nowhere
        with suppress(Exception):
            self._resume(parked)

    def _close(self) -> None:
        """Close what is still parked (the request was cancelled)."""
        for parked in self.pending:
            if parked.coroutine is not None:
                parked.coroutine.close()
        self.pending = []
        self.batches.cancel()
