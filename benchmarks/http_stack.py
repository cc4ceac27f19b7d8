"""The whole request: the group page posted over HTTP through the ASGI app and its schema."""

from dataclasses import dataclass
from statistics import median

from benchmarks.feed import GROUP_PAGE, SeededFeed
from benchmarks.timing import time_calls

REQUESTS = 500
WARMUP_REQUESTS = 20


@dataclass(frozen=True)
class HttpStackResult:
    request_s: float


async def run(feed: SeededFeed) -> HttpStackResult:
    payload = {"query": GROUP_PAGE, "variables": feed.variables}
    headers = {"Authorization": f"Bearer {feed.token}"}

    async def request() -> None:
        response = await feed.http.post("/graphql", json=payload, headers=headers)
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(f"the group page failed: {response.text}")

    for _ in range(WARMUP_REQUESTS):
        await request()
    return HttpStackResult(request_s=median(await time_calls(request, REQUESTS)))
