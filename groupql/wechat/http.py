"""Reading WeChat's answers: every server API answers JSON (served as text/plain, so the content
type tells nothing), or fails in one of a few ways the callers each turn into their own outcome.
"""

import json
from collections.abc import Awaitable
from typing import Any

import httpx


async def json_answer(request: Awaitable[httpx.Response]) -> dict[str, Any] | str:
    """WeChat's JSON object, or why there is none (a reason fit for a log line). httpx errors
    are not kept: they hold the request, whose URL holds a secret or an access token."""
    try:
        response = await request
    except httpx.TimeoutException:
        return "timed out"
    except httpx.HTTPError as exc:
        return f"request failed ({type(exc).__name__})"
    if response.status_code != httpx.codes.OK:
        return f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError:
        return "body is not JSON"
    return body if isinstance(body, dict) else "body is not a JSON object"
