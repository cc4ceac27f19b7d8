"""`groupql serve`'s garbage collector: what start-up built is frozen, young objects wait longer."""

import gc
from collections.abc import Iterator

import pytest

from groupql import collector
from groupql.app import create_app
from tests.conftest import Clock, settings_for_test


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
async def test_a_served_app_freezes_what_start_up_built(clock: Clock) -> None:
    app = create_app(settings_for_test(), clock=clock, tune_collector=True)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 10_000  # the schema, the services, the modules
        assert gc.get_threshold() == collector.THRESHOLDS


async def test_an_app_built_by_a_test_leaves_the_collector_alone(clock: Clock) -> None:
    before = (gc.get_freeze_count(), gc.get_threshold())
    app = create_app(settings_for_test(), clock=clock)
    async with app.router.lifespan_context(app):
        assert (gc.get_freeze_count(), gc.get_threshold()) == before
