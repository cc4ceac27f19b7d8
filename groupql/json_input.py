"""JSON from clients (request bodies, GET variables, WebSocket frames), decoded within limits.

Every string a client sends passes here once: a lone UTF-16 surrogate ("\\ud800" in JSON) is
valid JSON but cannot be stored or encoded as UTF-8, so it is refused before it reaches a
resolver. Nesting is bounded too: deep JSON would exhaust the parser's recursion (a 500) and any
recursive code after it.
"""

import json
from collections.abc import Iterator

MAX_JSON_DEPTH = 32


class BadJSON(ValueError):
    """Client JSON groupql will not take; the message says why, briefly."""


def checked_json(data: str | bytes) -> dict[str, object]:
    """The object `data` holds (groupql takes no batches); BadJSON for anything else."""
    try:
        decoded = json.loads(data)
    except RecursionError:
        raise BadJSON(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from None
    except UnicodeDecodeError:
        raise BadJSON("The body is not UTF-8.") from None
    except json.JSONDecodeError:
        raise BadJSON("The body is not JSON.") from None
    if not isinstance(decoded, dict):
        raise BadJSON('The JSON must be an object, like {"query": "..."}.')
    for depth, value in _walk(decoded):
        if depth > MAX_JSON_DEPTH:
            raise BadJSON(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, str) and not _is_unicode_text(value):
            raise BadJSON("A string holds a lone UTF-16 surrogate (e.g. \\ud800): send valid text.")
    return decoded


def _walk(value: object) -> Iterator[tuple[int, object]]:
    """Every value and object key with its depth; iterative, so any depth is safe to walk."""
    stack: list[tuple[int, object]] = [(1, value)]
    while stack:
        depth, current = stack.pop()
        yield depth, current
        if isinstance(current, dict):
            for key, child in current.items():
                yield depth, key
                stack.append((depth + 1, child))
        elif isinstance(current, list):
            stack.extend((depth + 1, child) for child in current)


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
