"""An object plan compiled to one Python function: its scalar attributes read and coerced in
straight-line code, every other field handed to the run.

Most fields of a page are scalars read from an attribute (an id, a title, a time). Walking a
plan, each costs a loop turn that unpacks the field's step and tests what kind of field it is;
compiled, it is an attribute read, a coercion (none for a str that a String or an ID serves
as it is, a bool that a Boolean does) and a store into the answer, as graphql-core would
complete it. A field of any other kind is the run's `field` (planned.py), as before.

The source is made from the plan only: response keys are GraphQL names, attributes Python
identifiers (an attribute of any other name is read by the run's `field`), and every value the code
uses is passed in by name, never written into it.
"""

import keyword
from collections.abc import Callable
from typing import Any, TypeGuard

from graphql import GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLString, Undefined
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT

from groupql.schema.plans import ObjectPlan, Unplanned

Build = Callable[[Any, Any, Any], dict[str, Any]]  # (run, source, path) -> the object's answer

_INT_MIN, _INT_MAX = int(GRAPHQL_MIN_INT), int(GRAPHQL_MAX_INT)
# Coercions that give a value of this exact type back as it is.
_KEPT_AS_IS = {
    GraphQLString.coerce_output_value: "str",
    GraphQLID.coerce_output_value: "str",
    GraphQLBoolean.coerce_output_value: "bool",
}


def compiled(plan: ObjectPlan) -> Build:
    """The plan as one function."""
    lines = ["def build(run, source, path):", "    data = {}"]
    names: dict[str, Any] = {"Unplanned": Unplanned, "Undefined": Undefined}
    for index, (step, field) in enumerate(zip(plan.steps, plan.fields, strict=True)):
        key = repr(field.key)
        if field.typename is not None:
            lines.append(f"    data[{key}] = {field.typename!r}")
        elif field.leaf is not None and _is_name(field.python_name):
            names[f"coerce_{index}"] = field.leaf
            if hasattr(field.leaf, "enum_names"):
                names[f"enum_{index}"], names[f"names_{index}"] = field.leaf.enum_names
            lines += _leaf(index, key, field.python_name, field.required, field.leaf)
        else:
            names[f"step_{index}"] = step
            lines.append(f"    run.field(data, step_{index}, source, path)")
    lines.append("    return data")
    exec("\n".join(lines), names)  # the source is made from the plan only (above)
    build: Build = names["build"]
    return build


def _leaf(
    index: int, key: str, attribute: str, required: bool, coerce: Callable[[Any], Any]
) -> list[str]:
    raised = '        raise Unplanned("null in a non-null field")'
    if_none = raised if required else f"        data[{key}] = None"
    kept = _KEPT_AS_IS.get(coerce)
    if coerce is GraphQLInt.coerce_output_value:  # as graphql-core's: a 32-bit int as it is
        coercion = (
            f"value if type(value) is int and {_INT_MIN} <= value <= {_INT_MAX} "
            f"else coerce_{index}(value)"
        )
    elif kept:
        coercion = f"value if type(value) is {kept} else coerce_{index}(value)"
    elif hasattr(coerce, "enum_names"):  # an enum's member: its name by the member's identity
        coercion = (
            f"names_{index}[id(value)] if type(value) is enum_{index} else coerce_{index}(value)"
        )
    else:
        coercion = f"coerce_{index}(value)"
    return [
        f"    value = source.{attribute}",
        "    if value is None:",
        if_none,
        "    else:",
        "        if isinstance(value, Exception):",
        "            raise value",
        f"        coerced = {coercion}",
        "        if coerced is None or coerced is Undefined:",
        '            raise Unplanned("a value its type refuses")',
        f"        data[{key}] = coerced",
    ]


def _is_name(name: str | None) -> TypeGuard[str]:
    return name is not None and name.isidentifier() and not keyword.iskeyword(name)
