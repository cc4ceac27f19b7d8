"""Store faults: the in-memory engine raises pymongo's own errors, as a failing MongoDB makes the
driver raise them, for every operation or the next few, until cleared.

The fault is raised inside the engine's round trip, so command listeners see the command fail as
they would on a server. It applies to every in-memory engine of the process: a test's app is
the only one running. A fault that matches nothing proves nothing, so tests check `raised`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from pymongo.errors import (
    AutoReconnect,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WaitQueueTimeoutError,
    WriteConcernError,
    WTimeoutError,
)

from groupql.store.memory import MemoryDatabase

T = TypeVar("T")
ErrorFactory = Callable[[], Exception]

# A server address with credentials, as an operator's URL may carry them: none of it may reach a
# client.
SECRET = "mongodb://groupql:hunter2-s3cret@db-0.internal:27017"

# What the driver raises when the database is down, electing a primary or too slow, in its own
# words (pymongo's messages and the server's error documents). Each is a fresh exception.
OUTAGES: dict[str, ErrorFactory] = {
    "not primary": lambda: NotPrimaryError(
        "not primary", {"ok": 0, "errmsg": "not primary", "code": 10107}
    ),
    "connection lost": lambda: AutoReconnect(f"{SECRET}: connection closed"),
    "network timeout": lambda: NetworkTimeout(
        f"{SECRET}: timed out (configured timeouts: socketTimeoutMS: 20000.0ms)"
    ),
    "server selection timeout": lambda: ServerSelectionTimeoutError(
        f"{SECRET}: [Errno 111] Connection refused, Timeout: 15.0s, Topology Description: <...>"
    ),
    "wait queue timeout": lambda: WaitQueueTimeoutError(
        "Timed out while checking out a connection from connection pool. maxPoolSize: 100"
    ),
    "maxTimeMS expired": lambda: ExecutionTimeout(
        "operation exceeded time limit",
        50,
        {"ok": 0, "errmsg": "operation exceeded time limit", "code": 50},
    ),
    "write concern not satisfied": lambda: WriteConcernError(
        "waiting for replication timed out",
        64,
        {"code": 64, "errmsg": "waiting for replication timed out", "errInfo": {"wtimeout": True}},
    ),
    "write concern timeout": lambda: WTimeoutError(
        "waiting for replication timed out", 64, {"code": 64, "errInfo": {"wtimeout": True}}
    ),
    "interrupted by a step-down": lambda: OperationFailure(
        "operation was interrupted because the node stepped down",
        11602,
        {"ok": 0, "code": 11602, "codeName": "InterruptedDueToReplStateChange"},
    ),
    "primary stepped down": lambda: OperationFailure(
        "PrimarySteppedDown", 189, {"ok": 0, "code": 189, "codeName": "PrimarySteppedDown"}
    ),
    # pymongo's client-side operation timeout (timeoutMS): raised before sending a command the
    # remaining time cannot cover.
    "timeoutMS spent": lambda: ExecutionTimeout(
        "operation would exceed time limit, remaining timeout:0.00012 <= network round trip "
        "time:0.00100 (configured timeouts: timeoutMS: 15000.0ms)",
        50,
        {"ok": 0, "code": 50},
    ),
    "timeoutMS spent on the socket": lambda: NetworkTimeout(
        f"{SECRET}: timed out (configured timeouts: timeoutMS: 15000.0ms, connectTimeoutMS: 0ms)"
    ),
}


@dataclass
class _Fault:
    error: ErrorFactory
    command: str | None
    collection: str | None
    times: int | None
    after: int
    after_applying: bool

    def matches(self, command: str, target: Any) -> bool:
        return self.command in (None, command) and self.collection in (None, target)

    def take(self) -> bool:
        """Whether this operation fails (and counts it): the first `after` go through."""
        if self.after > 0:
            self.after -= 1
            return False
        if self.times is not None:
            if self.times == 0:
                return False
            self.times -= 1
        return True


class StoreFaults:
    """What the in-memory engines of this process fail with, and how many operations failed."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self.raised = 0

    @classmethod
    def installed(cls, monkeypatch: pytest.MonkeyPatch) -> "StoreFaults":
        faults = cls()
        original = MemoryDatabase._round_trip

        async def round_trip(database: MemoryDatabase, command: Any, call: Callable[[], T]) -> T:
            return await original(database, command, faults._failing(command, call))

        monkeypatch.setattr(MemoryDatabase, "_round_trip", round_trip)
        return faults

    def fail(
        self,
        error: ErrorFactory,
        *,
        command: str | None = None,
        collection: str | None = None,
        times: int | None = None,
        after: int = 0,
        after_applying: bool = False,
    ) -> None:
        """Operations (of `command` on `collection`, if given) raise `error()`: the next `times`
        of them, or all until `clear()`, once `after` more have gone through. Nothing is
        written unless `after_applying`: then the write is applied first, as when a write
        reached the primary but not a majority, or the answer was lost."""
        self._faults.append(_Fault(error, command, collection, times, after, after_applying))

    def clear(self) -> None:
        self._faults.clear()

    def _failing(self, command: dict[str, Any], call: Callable[[], T]) -> Callable[[], T]:
        [(name, target)] = list(command.items())[:1]
        fault = next(
            (one for one in self._faults if one.matches(name, target) and one.take()), None
        )
        if fault is None:
            return call
        self.raised += 1

        def failing() -> T:
            if fault.after_applying:
                call()
            raise fault.error()

        return failing
