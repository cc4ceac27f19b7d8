"""The production schema's parser and validation caches against the same schema without them."""

from dataclasses import dataclass
from functools import cache
from statistics import median
from typing import Any

from strawberry.extensions import QueryDepthLimiter
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from benchmarks.feed import GROUP_PAGE, SeededFeed
from benchmarks.timing import time_calls
from groupql.schema import MAX_QUERY_DEPTH, QUERY_CACHE_SIZE, Schema, schema
from groupql.schema.errors import ErrorCodes
from groupql.schema.root import Mutation, Query

ROUNDS = 5
EXECUTIONS_PER_ROUND = 200
WARMUP_EXECUTIONS = 20


@dataclass(frozen=True)
class CacheHits:
    hits: int
    misses: int

    def __str__(self) -> str:
        total = self.hits + self.misses
        return f"{self.hits}/{total} hits" if total else "not used"


@dataclass(frozen=True)
class QueryCachesResult:
    baseline_s: float
    cached_s: float
    round_ratios: list[float]
    parse_cache: CacheHits
    validation_cache: CacheHits

    @property
    def ratio(self) -> float:
        """How many times slower the baseline is: above 1 means the caches pay."""
        return self.baseline_s / self.cached_s


@cache
def baseline_schema() -> Schema:
    """The production schema minus ParserCache and ValidationCache."""
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=[ErrorCodes, lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH)],
    )


async def run(feed: SeededFeed) -> QueryCachesResult:
    baseline = baseline_schema()

    async def execute(on: Schema) -> None:
        result = await on.execute(
            GROUP_PAGE, variable_values=feed.variables, context_value=feed.context()
        )
        if result.errors:
            raise RuntimeError(f"the group page failed: {result.errors}")

    for _ in range(WARMUP_EXECUTIONS):
        await execute(baseline)
        await execute(schema)

    # The caches are module-level LRUs shared by every schema of the same maxsize; count only
    # what the timed executions of the production schema did.
    parse_cache = _get_parse_cache(QUERY_CACHE_SIZE)
    validation_cache = _get_validate_cache(QUERY_CACHE_SIZE)
    parse_before = parse_cache.cache_info()  # type: ignore[attr-defined]
    validation_before = validation_cache.cache_info()  # type: ignore[attr-defined]

    baseline_samples: list[float] = []
    cached_samples: list[float] = []
    round_ratios: list[float] = []
    for round_number in range(ROUNDS):
        # Swap which schema goes first each round, so drift (heat, other load) hits both alike.
        if round_number % 2 == 0:
            baseline_round = await time_calls(lambda: execute(baseline), EXECUTIONS_PER_ROUND)
            cached_round = await time_calls(lambda: execute(schema), EXECUTIONS_PER_ROUND)
        else:
            cached_round = await time_calls(lambda: execute(schema), EXECUTIONS_PER_ROUND)
            baseline_round = await time_calls(lambda: execute(baseline), EXECUTIONS_PER_ROUND)
        baseline_samples += baseline_round
        cached_samples += cached_round
        round_ratios.append(median(baseline_round) / median(cached_round))

    return QueryCachesResult(
        baseline_s=median(baseline_samples),
        cached_s=median(cached_samples),
        round_ratios=round_ratios,
        parse_cache=_hits_since(parse_before, parse_cache.cache_info()),  # type: ignore[attr-defined]
        validation_cache=_hits_since(validation_before, validation_cache.cache_info()),  # type: ignore[attr-defined]
    )


def _hits_since(before: Any, after: Any) -> CacheHits:
    return CacheHits(hits=after.hits - before.hits, misses=after.misses - before.misses)
