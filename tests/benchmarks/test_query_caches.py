"""The caches' benchmark measures what it says: its baseline is the production schema's own
extensions, less the parser and validation caches and nothing else."""

from typing import Any

from benchmarks import query_caches
from groupql.schema import schema
from groupql.schema.extension_stages import InOrder


def _parts(extensions: list[Any]) -> list[type]:
    built = [query_caches._built(one) for one in extensions]
    return [
        type(part) for one in built for part in (one.parts if isinstance(one, InOrder) else (one,))
    ]


def test_the_baseline_is_the_production_schema_without_its_caches() -> None:
    production = _parts(schema.extensions)
    baseline = _parts(query_caches.baseline_schema().extensions)

    assert set(query_caches.CACHES) <= set(production)
    assert baseline == [kind for kind in production if kind not in query_caches.CACHES]
