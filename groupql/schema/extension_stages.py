"""Several schema extensions run as one.

Every request, strawberry builds a context manager for each hook of each extension it has
(looking the hook up, checking what kind of function it is, wrapping it): five extensions cost
twenty look-ups and eight wrappers a request, for hooks that each do a few lines. `InOrder`
is one extension whose hooks run its parts' hooks in the order the parts are given, as strawberry
would run theirs as separate extensions: each part's code before the stage in order, then the
stage, then each part's code after it in reverse order; an error in the stage (or in a part
before it) reaches no part's code after it, as it would not reach a generator hook's code after
its `yield` under strawberry's own stack.
"""

from collections.abc import Generator, Iterator
from inspect import isgeneratorfunction
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

_STAGES = ("on_operation", "on_parse", "on_validate", "on_execute")


Hooks = dict[str, tuple[tuple[int, Any], ...]]  # each stage's (part's index, its hook function)
# The hooks of each tuple of part types, worked out once: an instance holds its parts only (a
# subscription keeps its extensions for as long as it lasts).
_HOOKS_OF: dict[tuple[type, ...], Hooks] = {}


class InOrder(SchemaExtension):
    def __init__(self, *parts: SchemaExtension) -> None:
        super().__init__()
        self.parts = parts
        kinds = tuple(map(type, parts))
        hooks = _HOOKS_OF.get(kinds)
        if hooks is None:
            hooks = _HOOKS_OF[kinds] = _hooks_of(kinds)
        self._hooks = hooks

    @property
    def execution_context(self) -> ExecutionContext:
        return self._execution_context

    @execution_context.setter
    def execution_context(self, context: ExecutionContext) -> None:
        self._execution_context = context
        for part in self.parts:
            part.execution_context = context

    def on_operation(self) -> Iterator[None]:
        yield from _stacked(self.parts, self._hooks["on_operation"])

    def on_parse(self) -> Iterator[None]:
        yield from _stacked(self.parts, self._hooks["on_parse"])

    def on_validate(self) -> Iterator[None]:
        yield from _stacked(self.parts, self._hooks["on_validate"])

    def on_execute(self) -> Iterator[None]:
        yield from _stacked(self.parts, self._hooks["on_execute"])


def _hooks_of(kinds: tuple[type, ...]) -> Hooks:
    hooks: Hooks = {}
    for stage in _STAGES:
        found = []
        for index, kind in enumerate(kinds):
            hook = getattr(kind, stage)
            if hook is getattr(SchemaExtension, stage):
                continue
            if not isgeneratorfunction(hook):
                raise TypeError(f"{kind.__name__}.{stage} is not a generator hook")
            found.append((index, hook))
        hooks[stage] = tuple(found)
    for kind in kinds:
        for other in ("resolve", "get_results"):
            if getattr(kind, other) is not getattr(SchemaExtension, other):
                raise TypeError(f"{kind.__name__}.{other}: not run by InOrder")
    return hooks


def _stacked(
    parts: tuple[SchemaExtension, ...], hooks: tuple[tuple[int, Any], ...]
) -> Iterator[None]:
    entered: list[Generator[None, None, None]] = []
    try:
        for index, hook in hooks:
            generator = hook(parts[index])
            next(generator)
            entered.append(generator)
        yield
    except BaseException:
        for generator in reversed(entered):
            generator.close()
        raise
    for generator in reversed(entered):
        next(generator, None)  # its code after the stage; a hook yields once
