"""The production schema's parser and validation caches against the same schema without them."""

import gc
from dataclasses import dataclass
from functools import cache
from statistics import median
from typing import Any

from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.extensions.parser_cache import _get_parse_cache

from benchmarks.feed import GROUP_PAGE, SeededFeed
from benchmarks.timing import time_alternating
from groupql.schema import schema
from groupql.schema.extension_stages import InOrder
from groupql.schema.root import QUERY_CACHE_SIZE, Mutation, Query, Schema
from groupql.schema.validated import VALIDATIONS, ValidatedOnce

ROUNDS = 5
EXECUTIONS_PER_ROUND = 200
WARMUP_EXECUTIONS = 20
CACHES = (ParserCache, ValidatedOnce)


@dataclass(frozen=True)
class CacheHits:
    hits: int
    misses: int

    @classmethod
    def of(cls, lru_cached: Any) -> "CacheHits":
        info = lru_cached.cache_info()
        return cls(hits=info.hits, misses=info.misses)

    def __sub__(self, earlier: "CacheHits") -> "CacheHits":
        return CacheHits(hits=self.hits - earlier.hits, misses=self.misses - earlier.misses)

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
    """The production schema's own extensions minus ParserCache and ValidatedOnce (which run
    among the parts of one InOrder)."""
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=[_without_caches(extension) for extension in schema.extensions],
    )


def _without_caches(extension: Any) -> Any:
    if not isinstance(_built(extension), InOrder):
        return extension
    # Built afresh for every request, as the production schema's factory builds its parts.
    return lambda: InOrder(
        *(part for part in _built(extension).parts if not isinstance(part, CACHES))
    )


def _built(extension: Any) -> SchemaExtension:
    # Strawberry takes extension classes, factories or (deprecated) instances.
    return extension if isinstance(extension, SchemaExtension) else extension()


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

    # Strawberry keeps its parser cache as a module-level LRU per maxsize (reachable only through
    # a private getter); count what the timed executions did, as a cache that misses costs time.
    parse_cache = _get_parse_cache(QUERY_CACHE_SIZE)
    validation_cache = VALIDATIONS
    parse_before = CacheHits.of(parse_cache)
    validation_before = CacheHits.of(validation_cache)

    baseline_samples: list[float] = []
    cached_samples: list[float] = []
    round_ratios: list[float] = []
    for _ in range(ROUNDS):
        gc.collect()
        # Alternate call by call, so drift (heat, other load, GC) lands on both schemas alike.
        baseline_round, cached_round = await time_alternating(
            lambda: execute(baseline), lambda: execute(schema), EXECUTIONS_PER_ROUND
        )
        baseline_samples += baseline_round
        cached_samples += cached_round
        round_ratios.append(median(baseline_round) / median(cached_round))

    return QueryCachesResult(
        baseline_s=median(baseline_samples),
        cached_s=median(cached_samples),
        round_ratios=round_ratios,
        parse_cache=CacheHits.of(parse_cache) - parse_before,
        validation_cache=CacheHits.of(validation_cache) - validation_before,
    )
