"""Reading WeChat's answers: every server API answers JSON (served as text/plain, so the content
type tells nothing), or fails in one of a few ways the callers each turn into their own outcome.
"""

import json
from collections.abc import Awaitable
from typing import Any

import httpx

from groupql.observability.metrics import observed


async def json_answer(request: Awaitable[httpx.Response]) -> dict[str, Any] | str:
    """WeChat's JSON object, or why there is none (a reason fit for a log line). httpx errors
    are not kept: they hold the request, whose URL holds a secret or an access token."""
    try:
        response = await request
    except httpx.TimeoutException as exc:
        _count(exc, "timeout")
        return "timed out"
    except httpx.HTTPError as exc:
        _count(exc, "http_error")
        return f"request failed ({type(exc).__name__})"
    if response.status_code != httpx.codes.OK:
        _count(response, "http_error")
        return f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        _count(response, "bad_answer")
        return "body is not JSON"
    if not isinstance(body, dict):
        _count(response, "bad_answer")
        return "body is not a JSON object"
    _count(response, body.get("errcode", 0))
    return body


def _count(answer: httpx.Response | httpx.HTTPError, errcode: object) -> None:
    """Count the call in the serving app's metrics, by the URL's path (never its query)."""
    if (metrics := observed()) is not None:
        try:
            path = answer.request.url.path
        except RuntimeError:  # an HTTPError raised before there was a request
            path = "unknown"
        metrics.wechat_answered(path, errcode)
