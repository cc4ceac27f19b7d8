"""The in-memory engine's reports of its round trips to pymongo's command listeners."""

import datetime
import itertools
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pymongo import monitoring

Document = dict[str, Any]
T = TypeVar("T")

_CONNECTION = ("memory", None)


class CommandMonitor:
    """Reports each simulated server round trip to pymongo command listeners, with the command
    document pymongo would send (each operation builds it as pymongo's AsyncCollection does).
    What only a real connection adds (lsid, txnNumber, $clusterTime, writeConcern) is left out;
    `$db` is added, as pymongo adds it."""

    def __init__(self, listeners: Sequence[object]) -> None:
        self._listeners: list[monitoring.CommandListener] = []
        for listener in listeners:
            if not isinstance(listener, monitoring.CommandListener):
                raise TypeError(
                    f"MemoryMongoClient reports only command events; got {type(listener)!r}, "
                    "pass pymongo.monitoring.CommandListener instances"
                )
            self._listeners.append(listener)
        self._request_ids = itertools.count(1)

    def round_trip(self, database_name: str, command: Document, call: Callable[[], T]) -> T:
        listeners = self._listeners
        if not listeners:
            return call()  # nobody to tell
        command = {**command, "$db": database_name}
        command_name, request_id = next(iter(command)), next(self._request_ids)
        ids = (request_id, _CONNECTION, request_id)  # request, connection and operation ids
        started = monitoring.CommandStartedEvent(command, database_name, *ids)
        _tell(listeners, "started", started)
        start = time.perf_counter()
        try:
            result = call()
        except Exception as exc:
            reply = {"ok": 0.0, "errmsg": str(exc), "code": getattr(exc, "code", None)}
            failed = monitoring.CommandFailedEvent(
                _since(start), reply, command_name, *ids, database_name=database_name
            )
            _tell(listeners, "failed", failed)
            raise
        succeeded = monitoring.CommandSucceededEvent(
            _since(start), {"ok": 1.0}, command_name, *ids, database_name=database_name
        )
        _tell(listeners, "succeeded", succeeded)
        return result


def _tell(listeners: Sequence[monitoring.CommandListener], method: str, event: object) -> None:
    for listener in listeners:
        # As pymongo does: what a listener raises is printed, and the command goes on.
        try:
            getattr(listener, method)(event)
        except Exception:
            traceback.print_exc()


def _since(start: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=time.perf_counter() - start)
