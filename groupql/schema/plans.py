"""Execution plans: a query document's selections worked out once, for every later request.

graphql-core works out, for every field of every object of every request, which field of the
schema a selection names, which resolver to call, whether it takes arguments and what its return
type asks for. For a document that clients send again and again (the trusted documents) none of
that changes: a `Plan` holds it, per object type and response key, and `planned.py` runs it.

What a plan does not cover, it refuses (`plan_of` gives None) and graphql-core runs the operation
as before: anything but a query, any directive in the document (`@skip`/`@include` would make the
selections depend on variables; `@defer`/`@stream` on delivery), introspection, fragment
arguments. Nothing here decides an outcome: `planned.py` gives any error back to graphql-core.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import (
    CollectedFields,
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from graphql.language import FieldNode, FragmentDefinitionNode

from groupql.schema.context_fields import context_function_of
from groupql.schema.direct_calls import direct_call_of, strawberry_field_of
from groupql.schema.keyed_loads import KeyedLoad, keyed_load_of

# Distinct documents are few; as many plans as the parser cache keeps documents.
PLANS_KEPT = 256


class Unplanned(Exception):
    """The plan met what it does not cover: graphql-core runs the operation instead."""


@dataclass(frozen=True)
class Leaf:
    coerce: Callable[[Any], Any]


@dataclass(frozen=True)
class NonNull:
    inner: "Completion"


@dataclass(frozen=True)
class ListOf:
    inner: "Completion"


@dataclass
class ObjectPlan:
    type: GraphQLObjectType
    fields: list["FieldPlan"]
    # What the run reads of each field, in one tuple (see `FieldPlan.step`).
    steps: list[tuple[Any, ...]] = field(init=False, repr=False)
    # The plan as one function (compiled_plans.py), made when a run first meets it.
    build: Callable[..., dict[str, Any]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.steps = [one.step() for one in self.fields]


@dataclass
class AbstractPlan:
    """An interface or union: the object plan of each runtime type, made when first met."""

    type: GraphQLAbstractType
    details: FieldDetailsList
    planner: "Planner"
    by_type: dict[str, ObjectPlan] = field(default_factory=dict)

    def plan_for(self, runtime_type: GraphQLObjectType) -> ObjectPlan:
        plan = self.by_type.get(runtime_type.name)
        if plan is None:
            plan = self.planner.object_plan(runtime_type, self.details)
            self.by_type[runtime_type.name] = plan
        return plan


Completion = Leaf | NonNull | ListOf | ObjectPlan | AbstractPlan


@dataclass(frozen=True)
class FieldPlan:
    key: str
    parent_type: GraphQLObjectType
    definition: GraphQLField
    nodes: list[FieldNode]
    resolve: Callable[..., Any]
    # A strawberry field that is only an attribute (no resolver, no field extension such as
    # the members-only guard): read with getattr, as strawberry's default resolver reads it.
    attribute: Callable[[Any], Any] | None
    python_name: str | None  # the attribute's name, where `attribute` reads one
    # graphql-core's info for the resolver, or for the completion (a type's `is_type_of`, an
    # abstract type's `resolve_type`), built with the field's path.
    needs_info: bool
    takes_arguments: bool
    completion: Completion
    typename: str | None  # `__typename`: the parent type's name, nothing to resolve
    # A scalar or enum read from an attribute (most fields): its coercion, and whether it is
    # non-null, for the run's short way.
    leaf: Callable[[Any], Any] | None
    required: bool
    # A keyed load (keyed_loads.py) whose completion needs no info: loaded without a resolver.
    keyed: KeyedLoad | None
    # A context field's function (context_fields.py), where its completion needs no info:
    # called with the request's context, without a resolver.
    by_context: Callable[[Any, Any], Any] | None

    def step(self) -> tuple[Any, ...]:
        """The fields the run reads, in the order it unpacks them: one unpacking per field of
        each object, in place of an attribute read per use."""
        return (
            self.key,
            self.typename,
            self.leaf,
            self.attribute,
            self.required,
            self.needs_info,
            self.takes_arguments,
            self.resolve,
            self.completion,
            self.keyed,
            self.by_context,
            self,
        )


@dataclass(frozen=True)
class Plan:
    root: ObjectPlan


class Planner:
    """Works out one operation's plan from the schema, as graphql-core would collect it."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variable_values: VariableValues,
        operation: OperationDefinitionNode,
        default_resolver: Callable[..., Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.default_resolver = default_resolver

    def plan(self) -> Plan:
        root_type = self.schema.query_type
        if root_type is None:
            raise Unplanned("no query type")
        collected = collect_fields(
            self.schema, self.fragments, self.variable_values, root_type, self.operation
        )
        return Plan(self._fields_plan(root_type, collected))

    def object_plan(self, type_: GraphQLObjectType, details: FieldDetailsList) -> ObjectPlan:
        collected = collect_subfields(
            self.schema, self.fragments, self.variable_values, self.operation, type_, details
        )
        return self._fields_plan(type_, collected)

    def _fields_plan(self, type_: GraphQLObjectType, collected: CollectedFields) -> ObjectPlan:
        grouped, new_defer_usages, _forbidden = collected
        if new_defer_usages:
            raise Unplanned("@defer")
        fields = []
        for key, details in grouped.items():
            node = details[0].node
            if any(one.fragment_variable_values is not None for one in details):
                raise Unplanned("fragment arguments")
            name = node.name.value
            if name in ("__schema", "__type"):
                raise Unplanned("introspection")
            definition = self.schema.get_field(type_, name)
            if definition is None:
                continue  # as graphql-core: a field the type lacks is left out
            resolve = definition.resolve or self.default_resolver
            python_name = _attribute_name_of(self.schema, definition)
            attribute = None if python_name is None else attrgetter(python_name)
            direct = None if attribute else direct_call_of(self.schema, definition)
            completion = self._completion(definition.type, details)
            keyed = by_context = None
            if direct is not None and direct.is_plain and not _asks_for_info(completion):
                keyed = keyed_load_of(direct.function)
                by_context = context_function_of(direct.function)
            fields.append(
                FieldPlan(
                    key=key,
                    parent_type=type_,
                    definition=definition,
                    nodes=[one.node for one in details],
                    resolve=direct or resolve,
                    attribute=attribute,
                    python_name=python_name,
                    needs_info=attribute is None or _asks_for_info(completion),
                    takes_arguments=bool(definition.args or node.arguments),
                    completion=completion,
                    typename=type_.name if name == "__typename" else None,
                    leaf=_leaf_of(completion) if attribute is not None else None,
                    required=isinstance(completion, NonNull),
                    keyed=keyed,
                    by_context=by_context,
                )
            )
        return ObjectPlan(type_, fields)

    def _completion(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Completion:
        if is_non_null_type(type_):
            return NonNull(self._completion(type_.of_type, details))
        if is_list_type(type_):
            return ListOf(self._completion(type_.of_type, details))
        if is_leaf_type(type_):
            return Leaf(_output_coercion(type_))
        if is_object_type(type_):
            return self.object_plan(type_, details)
        if is_abstract_type(type_):
            return AbstractPlan(type_, details, self)
        raise Unplanned(f"unexpected output type {type_}")


def _attribute_name_of(schema: GraphQLSchema, definition: GraphQLField) -> str | None:
    """The attribute a basic strawberry field reads (`getattr(source, python_name)`, as its
    resolver does), or None when the field resolves otherwise."""
    found = strawberry_field_of(schema, definition)
    if found is None:
        return None
    _, field = found
    if not field.is_basic_field or field.default_resolver is not getattr:
        return None
    return field.python_name


def _output_coercion(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's output coercion; for a strawberry enum, its members' names looked up first
    (strawberry's own coercion compares the value with each of the enum's values in turn)."""
    coerce = type_.coerce_output_value
    members = getattr(type_, "wrapped_cls", None)
    if not isinstance(type_, GraphQLEnumType) or not isinstance(members, type(Enum)):
        return coerce
    # By identity: an Enum member hashes by a Python-level __hash__.
    names = {id(member): coerce(member) for member in members}

    def coerce_member(value: Any) -> Any:
        if type(value) is members:
            return names[id(value)]
        return coerce(value)

    # What a compiled plan reads to do the same inline (compiled_plans.py).
    coerce_member.enum_names = (members, names)  # type: ignore[attr-defined]
    return coerce_member


def _leaf_of(completion: Completion) -> Callable[[Any], Any] | None:
    inner = completion.inner if isinstance(completion, NonNull) else completion
    return inner.coerce if isinstance(inner, Leaf) else None


def _asks_for_info(completion: Completion) -> bool:
    while isinstance(completion, NonNull | ListOf):
        completion = completion.inner
    if isinstance(completion, ObjectPlan):
        return completion.type.is_type_of is not None
    return isinstance(completion, AbstractPlan)


def has_directives(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> bool:
    found = False

    class Directives(Visitor):
        def enter_directive(self, *_args: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    for node in (operation, *fragments.values()):
        visit(node, Directives())
    return found


_PLANS: "OrderedDict[tuple[int, int], tuple[GraphQLSchema, OperationDefinitionNode, Plan | None]]"
_PLANS = OrderedDict()


def plan_of(
    planner: Planner, fragment_definitions: dict[str, FragmentDefinitionNode]
) -> Plan | None:
    """The operation's plan, worked out on its first execution; None when it has none.

    Kept by the identity of the schema and of the parsed operation (the parser cache hands out
    the same document for the same text), which the cache holds alive beside its plan."""
    key = (id(planner.schema), id(planner.operation))
    kept = _PLANS.get(key)
    if kept is not None:
        _PLANS.move_to_end(key)
        return kept[2]
    plan: Plan | None = None
    if planner.operation.operation == OperationType.QUERY and not has_directives(
        planner.operation, fragment_definitions
    ):
        try:
            plan = planner.plan()
        except Unplanned:
            plan = None
    _PLANS[key] = (planner.schema, planner.operation, plan)
    if len(_PLANS) > PLANS_KEPT:
        _PLANS.popitem(last=False)
    return plan
