"""The cold page benchmark runs the page it says: every request answered without errors, and
each round's CPU per request measured; and each part of the page the same way."""

import pytest

from benchmarks import cold_page


@pytest.mark.parametrize("part", sorted(cold_page.PARTS))
async def test_the_cold_page_benchmark_times_answered_pages(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    monkeypatch.setattr(cold_page, "REQUESTS", 10)
    # The collector's tuning is for a server process, not for the tests' one.
    monkeypatch.setattr(cold_page.collector, "settle_after_start", lambda: None)

    cold = await cold_page.run(part)

    assert cold.requests == 10
    assert len(cold.cpu_per_request_s) == cold_page.ROUNDS
    assert all(seconds > 0 for seconds in cold.cpu_per_request_s)


@pytest.mark.parametrize("changed", [("items", "members"), ("all",)])
async def test_the_cold_page_after_a_change_is_answered_too(
    monkeypatch: pytest.MonkeyPatch, changed: tuple[str, ...]
) -> None:
    monkeypatch.setattr(cold_page, "REQUESTS", 10)
    monkeypatch.setattr(cold_page.collector, "settle_after_start", lambda: None)

    cold = await cold_page.run("page", changed)

    assert cold.requests == 10 and all(seconds > 0 for seconds in cold.cpu_per_request_s)
