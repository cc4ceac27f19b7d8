"""The part of PyMongo's async API that the store uses: the in-memory engine provides exactly
this (mypy holds it to the protocol), and pymongo's async collections fit it."""

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, Self

from pymongo import IndexModel, UpdateOne
from pymongo.results import (
    BulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)

Document = dict[str, Any]
Filter = Mapping[str, Any]
Pipeline = Sequence[Mapping[str, Any]]


class Cursor(Protocol):
    """A find() query: its options, then its documents in one round trip."""

    def sort(
        self, key_or_list: str | list[tuple[str, int]], direction: int | None = None
    ) -> Self: ...

    def limit(self, limit: int) -> Self: ...

    async def to_list(self, length: int | None = None) -> list[Document]: ...


class CommandCursor(Protocol):
    """The documents an aggregate returned, read with `async for`."""

    def __aiter__(self) -> AsyncIterator[Document]: ...


class Collection(Protocol):
    @property
    def name(self) -> str: ...

    async def insert_one(self, document: Document) -> InsertOneResult: ...

    async def insert_many(
        self, documents: Sequence[Document], *, ordered: bool = True
    ) -> InsertManyResult: ...

    def find(self, filter: Filter) -> Cursor: ...

    async def find_one(
        self,
        filter: Filter,
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
    ) -> Document | None: ...

    async def find_one_and_update(
        self,
        filter: Filter,
        update: Mapping[str, Any],
        projection: Mapping[str, Any] | None = None,
        sort: list[tuple[str, int]] | None = None,
        upsert: bool = False,
        return_document: bool = False,
    ) -> Document | None: ...

    async def update_one(self, filter: Filter, update: Mapping[str, Any]) -> UpdateResult: ...

    async def delete_one(self, filter: Filter) -> DeleteResult: ...

    async def delete_many(self, filter: Filter) -> DeleteResult: ...

    async def bulk_write(
        self, requests: Sequence[UpdateOne], *, ordered: bool = True
    ) -> BulkWriteResult: ...

    async def aggregate(self, pipeline: Pipeline) -> CommandCursor: ...

    async def create_indexes(self, indexes: Sequence[IndexModel]) -> list[str]: ...

    async def index_information(self) -> Mapping[str, Any]: ...

    async def drop_index(self, index_or_name: str) -> None: ...
