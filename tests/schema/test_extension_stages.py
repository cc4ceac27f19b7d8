"""Extensions run as one (InOrder) run as strawberry runs them one by one: each part's code
before a stage in order, after it in reverse order, none after a stage that failed."""

from collections.abc import Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from groupql.schema.extension_stages import InOrder


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> str:
        return "ok"


def recording(name: str, log: list[str], refuse_in: str | None = None) -> type[SchemaExtension]:
    class Recording(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            log.append(f"{name} operation")
            yield
            log.append(f"{name} operation done")

        def on_validate(self) -> Iterator[None]:
            log.append(f"{name} validate")
            if refuse_in == "validate":
                raise PermissionError(f"{name} refused")
            yield
            log.append(f"{name} validate done")

        def on_execute(self) -> Iterator[None]:
            log.append(f"{name} execute {self.execution_context.query}")
            yield
            log.append(f"{name} execute done")

    return Recording


async def logs(schema_of: object, query: str = "{ ok }") -> tuple[list[str], object]:
    log: list[str] = []
    result = await schema_of(log).execute(query)  # type: ignore[operator]
    return log, result


def separate(log: list[str], refuse_in: str | None = None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        extensions=[recording("a", log), recording("b", log, refuse_in)],
    )


def as_one(log: list[str], refuse_in: str | None = None) -> strawberry.Schema:
    a, b = recording("a", log), recording("b", log, refuse_in)
    return strawberry.Schema(query=Query, extensions=[lambda: InOrder(a(), b())])


async def test_parts_run_in_order_as_separate_extensions_do() -> None:
    ours, result = await logs(as_one)
    theirs, _ = await logs(separate)
    assert ours == theirs
    assert ours[:2] == ["a operation", "b operation"]
    assert "a execute { ok }" in ours  # each part sees the request's execution context
    assert ours[-2:] == ["b operation done", "a operation done"]
    assert result.data == {"ok": "ok"}  # type: ignore[attr-defined]


async def test_a_part_that_fails_stops_the_stage_as_it_does_alone() -> None:
    ours, ours_result = await logs(lambda log: as_one(log, refuse_in="validate"))
    theirs, theirs_result = await logs(lambda log: separate(log, refuse_in="validate"))
    assert ours == theirs
    assert "a validate done" not in ours and "b validate done" not in ours
    assert [e.message for e in ours_result.errors] == [  # type: ignore[attr-defined]
        e.message
        for e in theirs_result.errors  # type: ignore[attr-defined]
    ]


def test_only_generator_hooks_are_taken() -> None:
    class Plain(SchemaExtension):
        def on_execute(self) -> None:  # type: ignore[override]
            pass

    with pytest.raises(TypeError, match=r"Plain\.on_execute is not a generator hook"):
        InOrder(Plain())
