"""A query run by its plan answers what graphql-core answers, on a schema with what the app's
queries do not have yet: interfaces, unions, lists of lists, awaitable list items, arguments
from literals, defaults and variables, fragments, aliases. Each document runs on two schemas of
the same types, one with plans, one without, and both answers (data and errors) must be equal;
the plan's note says which way it ran."""

import asyncio
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension

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
    def echo(self, text: str = "hi") -> str:
        return text

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
]
FAILS = [
    ("{ echo fails }", {}),
    ("{ echo failsLater }", {}),
    ("{ nullRequired echo }", {}),
    ("{ boxes(count: 3) { label weight broken } }", {}),
    ("{ boxes { label secret } }", {}),
    ("{ boxes { label weight } failsLater }", {}),
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
