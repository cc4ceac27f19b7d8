"""A query run by its plan answers what graphql-core answers, on a schema with what the app's
queries do not have yet: interfaces, unions, lists of lists, awaitable list items, arguments
from literals, defaults and variables, fragments, aliases. Each document runs on two schemas of
the same types, one with plans, one without, and both answers (data and errors) must be equal;
the plan's note says which way it ran."""

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum
from operator import attrgetter
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.schema.config import StrawberryConfig

from groupql.schema.context_fields import context_field
from groupql.schema.keyed_loads import KeyedLoad, keyed
from groupql.schema.planned import planned_executor


@strawberry.interface
class Animal:
    name: str


@strawberry.type
class Dog(Animal):
    barks: bool


@strawberry.type
class Cat(Animal):
    lives: int


@strawberry.enum
class Size(Enum):
    SMALL = "small"
    LARGE = "large"


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


class Refuse(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        raise PermissionError("members only")


class Doubled(FieldExtension):
    """Reshapes the converted arguments and wraps the resolver, sync and async."""

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {**kwargs, "times": kwargs.get("times", 1) * 2}

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return f"<{next_(source, info, **kwargs)}>"

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return f"<{await next_(source, info, **kwargs)}>"


class Gate(FieldExtension):
    """An async check before the resolver, as the members-only guard is."""

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        if kwargs["word"] == "closed":
            raise PermissionError("closed")
        return f"[{info.field_name}] " + await next_(source, info, **kwargs)


@strawberry.input
class Shape:
    size: Size
    sides: int = 4


@strawberry.type
class Box:
    label: str
    size: Size = Size.SMALL
    # Attributes behind a field extension: strawberry's resolver must run them.
    loud: str = strawberry.field(default="quiet", extensions=[Shout()])
    secret: str = strawberry.field(default="4711", extensions=[Refuse()])

    @strawberry.field
    async def weight(self) -> int:
        await asyncio.sleep(0)
        return len(self.label)

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"{self.label} is broken")


@strawberry.type
class Odd:
    """Attributes holding what their types coerce (or refuse): a compiled plan's leaves."""

    name: str
    maybe: str | None
    count: int
    flag: bool
    ident: strawberry.ID


def _odd(**changes: Any) -> Odd:
    plain = {"name": "n", "maybe": "m", "count": 1, "flag": True, "ident": "i"}
    return Odd(**(plain | changes))


async def _later(value: int) -> int:
    await asyncio.sleep(0)
    return value


@strawberry.type
class Query:
    @strawberry.field
    def animals(self) -> list[Animal]:
        return [Dog(name="rex", barks=True), Cat(name="tom", lives=9)]

    @strawberry.field
    def pets(self) -> list[Dog | Cat]:
        return [Cat(name="kit", lives=3), Dog(name="ace", barks=False)]

    @strawberry.field
    async def grid(self) -> list[list[int | None]]:
        return [[1, None], [], [2]]

    @strawberry.field
    def later(self) -> list[int]:
        return [_later(1), _later(2)]  # type: ignore[list-item]

    @strawberry.field
    def promised(self) -> int:
        """A future, not a coroutine, as `DataLoader.load` returns."""
        future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(future.set_result, 7)
        return future  # type: ignore[return-value]

    @strawberry.field
    async def boxes(self, count: int = 2) -> list[Box]:
        return [Box(label="b" * (n + 1)) for n in range(count)]

    @strawberry.field
    def odds(self) -> list[Odd]:
        coerced = {"name": 12, "maybe": False, "flag": 0, "ident": 7, "count": 2.0}
        return [_odd(), _odd(maybe=None), _odd(**coerced), _odd(name="ü" * 3, ident="x" * 9)]

    @strawberry.field
    def odd_null(self) -> list[Odd]:
        return [_odd(), _odd(name=None)]

    @strawberry.field
    def odd_refused(self) -> list[Odd]:
        return [_odd(count=2**40)]

    @strawberry.field
    def odd_failed(self) -> list[Odd]:
        return [_odd(maybe=ValueError("it failed inside"))]

    @strawberry.field
    def echo(self, text: str = "hi") -> str:
        return text

    @strawberry.field(extensions=[Doubled()])
    def repeat(
        self, word: str, info: strawberry.Info, times: int = 1, sizes: list[Size] | None = None
    ) -> str:
        return f"{info.field_name}:" + word * times + "".join(s.value for s in sizes or [])

    @strawberry.field(extensions=[Gate(), Doubled()])
    async def gated(self, word: str, shape: Shape, inf: strawberry.Info, times: int = 1) -> str:
        await asyncio.sleep(0)
        return f"{word * times} {shape.size.value}/{shape.sides} {inf.path.key}"

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError("it failed")

    @strawberry.field
    async def fails_later(self) -> str:
        await asyncio.sleep(0)
        raise ValueError("it failed later")

    @strawberry.field
    def null_required(self) -> str:
        return None  # type: ignore[return-value]


SUCCEEDS = [
    ("{ animals { __typename name ... on Dog { barks } ... on Cat { lives } } }", {}),
    ("{ pets { __typename ... on Dog { name barks } ... on Cat { name lives } } }", {}),
    ('{ grid later promised e1: echo e2: echo(text: "yo") }', {}),
    (
        "query Boxes($n: Int!) { boxes(count: $n) { label w: weight } defaults: boxes { label } }",
        {"n": 3},
    ),
    ("fragment L on Box { label } { boxes { ...L weight size loud ... on Box { label } } }", {}),
    ("{ odds { __typename name maybe count flag ident again: name } }", {}),
    # Resolvers with arguments (enums, lists, input objects) and field extensions that reshape
    # the arguments and wrap the resolver, sync and async: called by the plan, as strawberry would.
    ('{ repeat(word: "ab") r2: repeat(word: "x", times: 2, sizes: [SMALL, LARGE]) }', {}),
    (
        'query($s: Shape!) { gated(word: "hi", shape: $s, times: 2) '
        'g2: gated(word: "yo", shape: {size: SMALL}) }',
        {"s": {"size": "LARGE", "sides": 3}},
    ),
]
FAILS = [
    ("{ echo fails }", {}),
    ("{ echo failsLater }", {}),
    ("{ nullRequired echo }", {}),
    ("{ boxes(count: 3) { label weight broken } }", {}),
    ("{ boxes { label secret } }", {}),
    ('{ echo gated(word: "closed", shape: {size: SMALL}) }', {}),
    ("{ boxes { label weight } failsLater }", {}),
    ("{ oddNull { name } }", {}),
    ("{ oddRefused { name count } }", {}),
    ("{ oddFailed { name maybe } }", {}),
]
UNPLANNED = [
    ("query($x: Boolean!) { echo @include(if: $x) grid }", {"x": False}),
    ("{ __schema { queryType { name } } echo }", {}),
]


def _answers(result: Any) -> tuple[Any, list[Any]]:
    return result.data, [error.formatted for error in result.errors or ()]


@pytest.mark.parametrize(
    ("document", "variables", "ran"),
    [(*one, "planned") for one in SUCCEEDS]
    + [(*one, "fell_back") for one in FAILS]
    + [(*one, "unplanned") for one in UNPLANNED],
)
async def test_a_plan_answers_what_graphql_core_answers(
    document: str, variables: dict[str, Any], ran: str
) -> None:
    notes: list[str] = []
    planned = strawberry.Schema(query=Query, execution_context_class=planned_executor(notes.append))
    plain = strawberry.Schema(query=Query)
    for _ in range(2):  # the second time from the plan kept for the document
        expected = _answers(await plain.execute(document, variable_values=variables))
        assert _answers(await planned.execute(document, variable_values=variables)) == expected
    assert notes == [ran, ran]
    if ran == "planned":
        assert not expected[1]
    if ran == "fell_back":
        assert expected[1]


async def test_many_planned_queries_at_once_answer_each_their_own() -> None:
    notes: list[str] = []
    planned = strawberry.Schema(query=Query, execution_context_class=planned_executor(notes.append))
    document = "query($n: Int!) { boxes(count: $n) { label weight } }"
    for wave in range(3):
        counts = [1 + (n + wave) % 7 for n in range(40)]
        results = await asyncio.gather(
            *(planned.execute(document, variable_values={"n": count}) for count in counts)
        )
        for count, result in zip(counts, results, strict=True):
            assert result.errors is None
            assert [box["weight"] for box in result.data["boxes"]] == list(range(1, count + 1))
    assert set(notes) == {"planned"}


# Keyed loads: a field that is one DataLoader look-up by a key of its parent.
class Lookups:
    def __init__(self, *, max_batch_size: int | None = None, cache: bool = True) -> None:
        self.batches: list[list[int]] = []
        self.loader = DataLoader(load_fn=self._load, max_batch_size=max_batch_size, cache=cache)

    async def _load(self, keys: list[int]) -> list[str | None]:
        self.batches.append(list(keys))
        if 13 in keys:
            raise Missing("the owners' store failed")
        return [None if key < 0 else f"owner-{key}" for key in keys]


class Missing(Exception):
    pass


def _finish(found: str | None) -> str:
    if found is None:
        raise Missing("no such owner")
    return found.upper()


OWNER = KeyedLoad(loader=lambda context: context.loader, key=attrgetter("number"), finish=_finish)


RESOLVED: list[int] = []  # the parents whose owner the resolver resolved


async def _owner(root: strawberry.Parent[Any], info: strawberry.Info) -> str:
    RESOLVED.append(root.number)
    return await OWNER.resolve(info.context, root)  # type: ignore[no-any-return]


def _seat(context: Any, ticket: "Ticket") -> str:
    """A context field: the ticket's seat, in the row its context gives."""
    if ticket.number < 0:
        raise Missing("no seat")
    return f"{context.row}{ticket.number}"


def _note(context: Any, ticket: "Ticket") -> str | Awaitable[str]:
    """A context field answered at once for an even ticket, later for an odd one."""
    if ticket.number % 2 == 0:
        return f"even {ticket.number}"

    async def later() -> str:
        await asyncio.sleep(0)
        return f"odd {ticket.number}"

    return later()


@strawberry.type
class Ticket:
    number: int
    owner: str = strawberry.field(resolver=keyed(OWNER, _owner))
    seat: str = strawberry.field(resolver=context_field(_seat))
    note: str = strawberry.field(resolver=context_field(_note, returns=str))


@strawberry.type
class TicketQuery:
    @strawberry.field
    def tickets(self, numbers: list[int]) -> list[Ticket]:
        return [Ticket(number=number) for number in numbers]

    @strawberry.field
    async def owner_of(self, number: int, info: strawberry.Info) -> str:
        """A resolver's own load, through the same loader as the tickets' keyed loads."""
        return _finish(await info.context.loader.load(number))


async def test_keyed_loads_answer_what_their_resolvers_answer_in_one_batch() -> None:
    notes: list[str] = []
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(notes.append)
    )
    plain = strawberry.Schema(query=TicketQuery)
    document = "query($n: [Int!]!) { tickets(numbers: $n) { number owner } }"
    for numbers in ([1, 2, 1, 3], [4], [], [5, -1, 6]):
        lookups = {"planned": Lookups(), "plain": Lookups()}
        ours, theirs = [
            _answers(
                await schema.execute(
                    document, variable_values={"n": numbers}, context_value=lookups[name]
                )
            )
            for name, schema in (("planned", planned), ("plain", plain))
        ]
        assert ours == theirs
        if -1 in numbers:
            assert ours[0] is None and ours[1][0]["message"] == "no such owner"
        else:
            assert ours == ({"tickets": [
                {"number": n, "owner": f"OWNER-{n}"} for n in numbers
            ]}, [])  # fmt: skip
            # One batch of the distinct keys, as the resolvers' loads give.
            assert lookups["planned"].batches == lookups["plain"].batches
            assert lookups["planned"].batches == ([list(dict.fromkeys(numbers))] if numbers else [])
    assert notes == ["planned", "planned", "planned", "fell_back"]


async def test_a_keyed_load_the_loader_already_holds_is_settled_at_once() -> None:
    """A second query on the same context finds every owner loaded: no batch, no wait; and
    the planned run loads them without calling the resolver."""
    RESOLVED.clear()
    notes: list[str] = []
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(notes.append)
    )
    lookups = Lookups()
    document = "query($n: [Int!]!) { tickets(numbers: $n) { owner } }"
    first = await planned.execute(document, variable_values={"n": [7, 8]}, context_value=lookups)
    again = await planned.execute(document, variable_values={"n": [8, 7]}, context_value=lookups)
    assert first.data == {"tickets": [{"owner": "OWNER-7"}, {"owner": "OWNER-8"}]}
    assert again.data == {"tickets": [{"owner": "OWNER-8"}, {"owner": "OWNER-7"}]}
    assert lookups.batches == [[7, 8]]
    assert notes == ["planned", "planned"]
    assert RESOLVED == []


class CountedInfo(strawberry.Info):  # type: ignore[type-arg]
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        CountedInfo.made += 1
        super().__init__(*args, **kwargs)


class Row(Lookups):
    row = "K"


async def test_a_context_field_answers_what_its_resolver_answers_without_an_info() -> None:
    notes: list[str] = []
    config = StrawberryConfig(info_class=CountedInfo)
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(notes.append), config=config
    )
    plain = strawberry.Schema(query=TicketQuery, config=config)
    document = "query($n: [Int!]!) { tickets(numbers: $n) { number seat } }"
    for numbers in ([1, 2, 3], [4, -1]):
        CountedInfo.made = 0
        ours = _answers(await planned.execute(document, {"n": numbers}, context_value=Row()))
        made_by_plan = CountedInfo.made
        theirs = _answers(await plain.execute(document, {"n": numbers}, context_value=Row()))
        assert ours == theirs
        if -1 in numbers:
            assert ours[0] is None and ours[1][0]["message"] == "no seat"
        else:
            assert ours[0] == {"tickets": [{"number": n, "seat": f"K{n}"} for n in numbers]}
            # One for `tickets` (its arguments are converted with one, as strawberry does),
            # none for the seats; the run of graphql-core makes one for each seat too.
            assert made_by_plan == 1
            assert CountedInfo.made == 1 + 1 + len(numbers)
    assert notes == ["planned", "fell_back"]


@pytest.mark.parametrize(
    ("lookups", "batches"),
    [
        (Lookups, [[1, 2, 3, 4, 5]]),
        (lambda: Lookups(max_batch_size=2), [[1, 2], [3, 4], [5]]),
        (lambda: Lookups(cache=False), [[1, 2, 3, 4, 5]]),
    ],
)
async def test_keyed_loads_keep_their_loaders_batch_size_and_cache(
    lookups: Any, batches: list[list[int]]
) -> None:
    notes: list[str] = []
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(notes.append)
    )
    document = (
        "query($n: [Int!]!) { tickets(numbers: $n) { owner } again: tickets(numbers: $n) "
        "{ owner } }"
    )
    context = lookups()
    result = await planned.execute(document, {"n": [1, 2, 3, 4, 5, 1]}, context_value=context)
    owners = [{"owner": f"OWNER-{n}"} for n in [1, 2, 3, 4, 5, 1]]
    assert result.errors is None and result.data == {"tickets": owners, "again": owners}
    assert sorted(context.batches) == batches  # each key once a batch, cached or not
    assert notes == ["planned"]


async def test_a_resolver_loading_a_key_a_keyed_load_loads_waits_for_the_same_answer() -> None:
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(lambda _: None)
    )
    lookups = Lookups()
    result = await planned.execute(
        "{ tickets(numbers: [1, 2]) { owner } ownerOf(number: 2) }", context_value=lookups
    )
    assert result.errors is None
    assert result.data == {
        "tickets": [{"owner": "OWNER-1"}, {"owner": "OWNER-2"}],
        "ownerOf": "OWNER-2",
    }
    assert sorted(key for batch in lookups.batches for key in batch) == [1, 2]  # 2 loaded once


async def _tickets_both_ways(
    document: str, context: Callable[[], Any]
) -> tuple[tuple[Any, list[Any]], tuple[Any, list[Any]], list[str]]:
    """The answers of a planned run and of graphql-core's, each on a context of its own, and
    how the planned one ran."""
    notes: list[str] = []
    planned = strawberry.Schema(
        query=TicketQuery, execution_context_class=planned_executor(notes.append)
    )
    plain = strawberry.Schema(query=TicketQuery)
    ours = _answers(await planned.execute(document, context_value=context()))
    theirs = _answers(await plain.execute(document, context_value=context()))
    return ours, theirs, notes


async def test_a_failed_batch_of_keyed_loads_answers_what_graphql_core_answers() -> None:
    document = "{ tickets(numbers: [12, 13]) { number owner } }"
    ours, theirs, notes = await _tickets_both_ways(document, Lookups)
    assert ours == theirs
    assert ours[1][0]["message"] == "the owners' store failed"
    assert notes == ["fell_back"]


async def test_a_context_field_may_answer_at_once_or_later() -> None:
    document = "{ tickets(numbers: [1, 2, 3, 4]) { note } }"
    ours, theirs, notes = await _tickets_both_ways(document, Row)
    assert ours == theirs
    assert ours[0] == {"tickets": [{"note": n} for n in ("odd 1", "even 2", "odd 3", "even 4")]}
    assert notes == ["planned"]
