"""Direct calls: a strawberry resolver called by a plan as strawberry would call it.

strawberry wraps every resolver in a coroutine that builds its Info, converts its arguments, chains
its field extensions anew and inspects what comes back, on every call; a planned run
(planned.py) calls the resolver through a `DirectCall`, which does the same with what was worked
out once per field.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from graphql import GraphQLField, GraphQLSchema
from strawberry.extensions.field_extension import (
    FieldExtension,
    build_field_extension_resolvers,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

STRAWBERRY_DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF


@dataclass(frozen=True)
class DirectCall:
    """A strawberry resolver called as strawberry calls it (`get_arguments`, the field
    extensions' chain, `StrawberryField.get_result`): its arguments converted, the source as
    `self` or as the parent or root parameter, strawberry's `Info` where the resolver or an
    extension asks for one; without strawberry's wrappers around each call (a coroutine, the
    chain built anew, the resolver's signature read again)."""

    function: Callable[..., Any]
    passes_self: bool
    source_names: tuple[str, ...]
    info_name: str | None
    info_class: type
    field: StrawberryField
    # graphql-core's argument values to the resolver's (strawberry's convert_arguments), then
    # each field extension's `map_arguments` that reshapes them, in strawberry's order.
    convert: Callable[[dict[str, Any], Any], dict[str, Any]] | None
    mappings: tuple[Callable[[dict[str, Any]], dict[str, Any]], ...]
    # The field extensions' resolvers, innermost first, as strawberry chains them.
    extensions: tuple[Callable[..., Any], ...]

    def __call__(self, source: Any, raw_info: Any, **arguments: Any) -> Any:
        info = None
        # As strawberry: an Info for the resolver, its extensions, and the conversion of its
        # arguments (an input type may build its value with it).
        if self.info_name is not None or self.extensions or self.convert is not None:
            info = self.info_class(_raw_info=raw_info, _field=self.field)
        kwargs = {} if self.convert is None else self.convert(arguments, info)
        for mapping in self.mappings:
            kwargs = mapping(kwargs)
        for name in self.source_names:
            kwargs[name] = source
        if not self.extensions:
            if self.info_name is not None:
                kwargs[self.info_name] = info
            return self._call(source, kwargs)
        # strawberry hands the extensions an info parameter named `info` apart from the other
        # arguments, and puts it back for the resolver.
        if self.info_name is not None and self.info_name != "info":
            kwargs[self.info_name] = info
        chained: Callable[..., Any] = partial(self._innermost, source)
        for extension in self.extensions:
            chained = partial(extension, chained)
        return chained(source, info, **kwargs)

    def _innermost(self, source: Any, _source: Any, info: Any, **kwargs: Any) -> Any:
        if self.info_name == "info":
            kwargs["info"] = info
        return self._call(source, kwargs)

    def _call(self, source: Any, kwargs: dict[str, Any]) -> Any:
        if self.passes_self:
            return self.function(source, **kwargs)
        return self.function(**kwargs)

    @property
    def is_plain(self) -> bool:
        """No arguments and no field extensions: the resolver is all there is to the field."""
        return self.convert is None and not self.mappings and not self.extensions


def strawberry_field_of(
    schema: GraphQLSchema, definition: GraphQLField
) -> tuple[Any, StrawberryField] | None:
    """The strawberry schema and field behind a field, when strawberry resolves it the usual
    way: no exception handlers, `StrawberryField.get_result`."""
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    field = (definition.extensions or {}).get(STRAWBERRY_DEFINITION)
    if (
        strawberry_schema is None
        or not isinstance(field, StrawberryField)
        or type(field).get_result is not StrawberryField.get_result
        or strawberry_schema.schema_converter._exception_handler_specs
    ):
        return None
    return strawberry_schema, field


def direct_call_of(schema: GraphQLSchema, definition: GraphQLField) -> DirectCall | None:
    found = strawberry_field_of(schema, definition)
    if found is None:
        return None
    strawberry_schema, field = found
    resolver = field.base_resolver
    if resolver is None or not callable(resolver.wrapped_func):
        return None
    converter = strawberry_schema.schema_converter
    convert = None
    if field.arguments:
        convert = partial(
            _converted,
            arguments=field.arguments,
            scalar_registry=converter.scalar_registry,
            config=strawberry_schema.config,
        )
    sources = (resolver.parent_parameter, resolver.root_parameter)
    return DirectCall(
        function=resolver.wrapped_func,
        passes_self=resolver.self_parameter is not None,
        source_names=tuple(one.name for one in sources if one is not None),
        info_name=resolver.info_parameter.name if resolver.info_parameter else None,
        info_class=strawberry_schema.config.info_class,
        field=field,
        convert=convert,
        mappings=tuple(
            extension.map_arguments
            for extension in field.extensions
            if type(extension).map_arguments is not FieldExtension.map_arguments
        ),
        extensions=tuple(build_field_extension_resolvers(field)),
    )


def _converted(values: dict[str, Any], info: Any, **convert: Any) -> dict[str, Any]:
    return convert_arguments(values, info=info, **convert)
