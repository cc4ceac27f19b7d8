"""The whole request: the group page over HTTP through the ASGI app, against the schema alone."""

from dataclasses import dataclass
from statistics import median

from benchmarks.feed import GROUP_PAGE, SeededFeed
from benchmarks.timing import time_alternating
from groupql.schema import schema

REQUESTS = 200
WARMUP_REQUESTS = 20


@dataclass(frozen=True)
class HttpStackResult:
    request_s: float
    execute_s: float

    @property
    def ratio(self) -> float:
        """What the whole request costs per unit of schema execution: HTTP, JSON and routing."""
        return self.request_s / self.execute_s


async def run(feed: SeededFeed) -> HttpStackResult:
    payload = {"query": GROUP_PAGE, "variables": feed.variables}
    headers = {"Authorization": f"Bearer {feed.token}"}

    async def request() -> None:
        response = await feed.http.post("/graphql", json=payload, headers=headers)
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(f"the group page failed: {response.text}")

    async def execute() -> None:
        result = await schema.execute(
            GROUP_PAGE, variable_values=feed.variables, context_value=feed.context()
        )
        if result.errors:
            raise RuntimeError(f"the group page failed: {result.errors}")

    for _ in range(WARMUP_REQUESTS):
        await request()
    request_samples, execute_samples = await time_alternating(request, execute, REQUESTS)
    return HttpStackResult(request_s=median(request_samples), execute_s=median(execute_samples))
