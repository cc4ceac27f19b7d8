"""The golden file tests/store/query_shapes.json, held to the declared indexes and shard keys
whether or not the suite's apps ran, and the verdict the plugin tests/query_shapes.py gives on
the shapes a session sent."""

import json
from typing import Any

from tests.query_shapes import GOLDEN_FILE, order_of, read_golden, review
from tests.store.planner import problems
from tests.store.shapes import Sighting, key_of


def test_every_shape_of_the_golden_file_passes_the_planner_under_the_declared_indexes() -> None:
    found = {key: problems(entry) for key, entry in read_golden().items()}

    assert {key: messages for key, messages in found.items() if messages} == {}


def test_the_golden_file_is_sorted_with_one_entry_per_shape() -> None:
    entries = json.loads(GOLDEN_FILE.read_text())["shapes"]

    assert entries == sorted(entries, key=order_of)
    assert len(read_golden()) == len(entries)
    assert all(list(entry)[:2] == ["collection", "kind"] for entry in entries)


def sighting(shape: dict[str, Any]) -> Sighting:
    return Sighting(shape, "groupql/store/users.py:Users.get_many", "tests/test_x.py::test_y")


LOOKUP = {"collection": "users", "kind": "find", "filter": {"_id": "$in"}}
SCAN = {"collection": "users", "kind": "find", "filter": {"openid": "="}}


def test_a_new_shape_fails_the_run_and_says_how_to_regenerate() -> None:
    result = review(
        {}, {key_of(LOOKUP): sighting(LOOKUP)}, is_update=False, whole_suite_passed=True
    )

    assert result.has_failed
    assert not result.is_changed
    assert "GROUPQL_UPDATE_QUERY_SHAPES=1 .venv/bin/pytest" in result.report[-1]


def test_updating_adds_new_shapes_and_drops_unsent_ones_only_after_the_whole_suite() -> None:
    golden = {key_of(SCAN): {**SCAN, "unindexed": "why"}}
    seen = {key_of(LOOKUP): sighting(LOOKUP)}

    part = review(golden, seen, is_update=True, whole_suite_passed=False)
    whole = review(golden, seen, is_update=True, whole_suite_passed=True)

    assert part.golden == {**golden, key_of(LOOKUP): LOOKUP}
    assert whole.golden == {key_of(LOOKUP): LOOKUP}
    assert not part.has_failed and not whole.has_failed


def test_a_known_shape_no_index_serves_fails_the_run_unless_marked() -> None:
    seen = {key_of(SCAN): sighting(SCAN)}

    unmarked = review({key_of(SCAN): SCAN}, seen, is_update=False, whole_suite_passed=True)
    marked = review(
        {key_of(SCAN): {**SCAN, "unindexed": "why"}}, seen, is_update=False, whole_suite_passed=True
    )

    assert unmarked.has_failed
    assert "no declared index serves it" in unmarked.report[-1]
    assert not marked.has_failed
