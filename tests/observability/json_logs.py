"""The JSON log lines an app writes while a test runs, as `GROUPQL_LOG_FORMAT=json` prints them."""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from groupql.observability.logs import JsonFormatter


class JsonLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Formatted now, as a stream handler would: the request id is the one of this moment.
        self.lines.append(self.format(record))

    def objects(self, event: str | None = None) -> list[dict[str, Any]]:
        objects = [json.loads(line) for line in self.lines]
        return [line for line in objects if event is None or line.get("event") == event]


@contextmanager
def json_logs() -> Iterator[JsonLines]:
    """Every line of groupql and uvicorn from DEBUG, and of the libraries from INFO."""
    handler = JsonLines()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "groupql", "uvicorn")}
    # The root at INFO: the test's own WebSocket client logs its frames (the token) at DEBUG.
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG if name else logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
