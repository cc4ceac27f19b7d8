"""Log lines as JSON objects (GROUPQL_LOG_FORMAT=json), each with the request id it serves."""

import copy
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]

# The X-Request-Id of the request (or WebSocket) this task serves, for every line it logs.
request_id: ContextVar[str | None] = ContextVar("groupql_request_id", default=None)

# A line's structured fields travel in `extra={FIELDS: {...}}`; text logs show only the message.
FIELDS = "groupql_fields"
OPERATIONS_LOGGER = "groupql.operations"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and the line's own
    fields. uvicorn's access lines lose their query string (signed media URLs, GET variables)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(_access_fields(record.args))
        else:
            line["message"] = record.getMessage()
        if (current := request_id.get()) is not None:
            line["request_id"] = current
        line.update(getattr(record, FIELDS, None) or {})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _access_fields(args: tuple[Any, ...]) -> dict[str, Any]:
    if len(args) != 5:
        return {"message": "request"}
    client, method, full_path, _, status = args
    path = str(full_path).partition("?")[0]
    return {
        "message": f"{method} {path} {status}",
        "client": client,
        "method": method,
        "path": path,
        "status": status,
    }


def log_config(base: dict[str, Any], log_format: LogFormat) -> dict[str, Any]:
    """uvicorn's logging config `base` with groupql's loggers added, every line as JSON in json
    format; in text format the per-operation lines stay off (uvicorn's access log says each
    request, as before)."""
    config = copy.deepcopy(base)
    config["loggers"]["groupql"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    if log_format == "text":
        config["loggers"][OPERATIONS_LOGGER] = {"level": "WARNING"}
        return config
    json_formatter = {"()": f"{__name__}.JsonFormatter"}
    config["formatters"] = {name: json_formatter for name in config["formatters"]}
    # The libraries' warnings too (strawberry's, pymongo's), which would otherwise reach
    # Python's last-resort handler as plain text.
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
