"""The GraphQL schema: strawberry types by domain, each beside its root fields."""

from groupql.schema.root import schema

__all__ = ["schema"]
