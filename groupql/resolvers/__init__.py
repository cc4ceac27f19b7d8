"""Thin resolvers: GraphQL arguments -> one service call -> domain records for the schema."""

from strawberry import Info as _Info

from groupql.context import Context

Info = _Info[Context, None]
