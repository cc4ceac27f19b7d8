"""Relay connections: every list that grows is paged with `first`/`after` and opaque cursors."""

from typing import Any, Generic, TypeVar

import strawberry

from groupql.schema.serving import serve
from groupql.services.pagination import Page

Node = TypeVar("Node")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Any], node_type: type[Node]) -> "Connection[Node]":
        """A page of records, each served as `node_type`."""
        return cls(
            edges=[Edge(cursor=cursor, node=serve(node_type, node)) for cursor, node in page.edges],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                # Forward-only paging: what came before a cursor is not re-read.
                has_previous_page=False,
                start_cursor=page.edges[0][0] if page.edges else None,
                end_cursor=page.end_cursor,
            ),
        )
