"""`groupql serve --log-format`: uvicorn's logging config with groupql's loggers."""

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from groupql.cli import _parser
from groupql.observability.logs import log_config


@contextmanager
def configured(config: dict[str, Any]) -> Iterator[None]:
    """Logging as `config` says, then as it was (pytest's own handlers included)."""
    names = ["", "groupql", "groupql.operations", "uvicorn", "uvicorn.access", "uvicorn.error"]
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.handlers[:], lg.level, lg.propagate, lg.disabled) for lg in loggers]
    logging.config.dictConfig(config)
    try:
        yield
    finally:
        for lg, (handlers, level, propagate, disabled) in zip(loggers, saved, strict=True):
            lg.handlers[:] = handlers
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled


def test_serve_takes_a_log_format() -> None:
    assert _parser().parse_args(["serve", "--log-format", "json"]).log_format == "json"
    assert _parser().parse_args(["serve"]).log_format is None


def test_json_format_writes_every_logger_as_one_object_per_line() -> None:
    config = log_config(LOGGING_CONFIG, "json")
    stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    config["handlers"]["access"]["stream"] = stream
    with configured(config):
        logging.getLogger("groupql.refusals").info("refused %s", "RATE_LIMITED")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", "/media/k?signature=s", "1.1", 200
        )
        logging.getLogger("some.library").warning("careful")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["logger"] for line in lines] == [
        "groupql.refusals",
        "uvicorn.access",
        "some.library",
    ]
    assert lines[0]["message"] == "refused RATE_LIMITED"
    assert (lines[1]["path"], lines[1]["status"]) == ("/media/k", 200)
    assert "signature" not in json.dumps(lines[1])


def test_text_format_keeps_the_operation_lines_off() -> None:
    config = log_config(LOGGING_CONFIG, "text")
    assert config["loggers"]["groupql.operations"] == {"level": "WARNING"}
    assert config["formatters"] == LOGGING_CONFIG["formatters"]
