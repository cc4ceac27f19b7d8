"""Persistence: the database and one repository per collection."""

from groupql.store.database import Database, connect
from groupql.store.repositories import Store

__all__ = ["Database", "Store", "connect"]
