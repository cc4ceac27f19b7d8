"""The two engines the store's tests run on: the in-memory one always, a real MongoDB when
GROUPQL_TEST_MONGODB_URL names one (each test on a database of its own, dropped afterwards)."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pymongo
import pytest
from pymongo import monitoring

from groupql.store.memory import MemoryMongoClient

MONGODB_URL = os.environ.get("GROUPQL_TEST_MONGODB_URL")

ENGINES = [
    pytest.param("memory"),
    pytest.param(
        "mongodb",
        marks=[
            pytest.mark.mongodb,
            pytest.mark.skipif(not MONGODB_URL, reason="GROUPQL_TEST_MONGODB_URL is not set"),
        ],
    ),
]


def a_database_name() -> str:
    return f"groupql_test_{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def engine_client(
    engine: str, database_name: str, listener: monitoring.CommandListener
) -> AsyncIterator[Any]:
    """A client of `engine` ("memory" or "mongodb") that reports its commands to `listener`."""
    if engine == "memory":
        yield MemoryMongoClient(event_listeners=[listener])
        return
    client: pymongo.AsyncMongoClient[dict[str, Any]] = pymongo.AsyncMongoClient(
        MONGODB_URL, tz_aware=True, event_listeners=[listener]
    )
    try:
        yield client
    finally:
        await client.drop_database(database_name)
        await client.close()
