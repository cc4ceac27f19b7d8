"""`groupql search reindex` as an operator runs it: items written before search are found once it
ran, it tells its progress batch by batch, and `groupql migrate` says when it is needed."""

import asyncio
import uuid

import pytest
from bson import ObjectId

from groupql.cli import main
from groupql.store import connect
from groupql.store.search_terms import TERMS
from tests.actors import join
from tests.conftest import Clock, running_api, settings_for_test
from tests.search.test_group_search import search, texts
from tests.test_cli import clean_env, groupql

HINT = "items written before search are not found until `groupql search reindex` ran"


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> str:
    """A named in-memory store, shared by the app and the command run in this process."""
    url = f"memory://reindex-{uuid.uuid4().hex}"
    monkeypatch.setenv("GROUPQL_MONGODB_URL", url)
    return url


async def written_before_search(store: str, group_id: str, *item_ids: str) -> None:
    """As items written by a release without search are stored: without terms."""
    database = connect(store, settings_for_test().mongodb_db)
    for item_id in item_ids:
        located = {"groupId": group_id, "_id": ObjectId(item_id)}
        await database.items.update_one(located, {"$unset": {TERMS: ""}})
    await database.close()


def test_reindex_of_an_empty_store_says_it_is_done() -> None:
    result = groupql("search", "reindex", env=clean_env(GROUPQL_MONGODB_URL="memory://"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["done: 0 items read, 0 changed"]


@pytest.mark.parametrize("batch", ["0", "-1", "ten"])
def test_a_batch_that_is_not_a_positive_number_is_refused_before_anything_runs(
    batch: str,
) -> None:
    result = groupql(
        "search", "reindex", "--batch", batch, env=clean_env(GROUPQL_MONGODB_URL="memory://")
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"argument --batch: not a positive number: '{batch}'" in result.stderr
    assert "Traceback" not in result.stderr


async def test_items_written_before_search_are_found_once_an_operator_reindexed(
    store: str, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running_api(settings_for_test(mongodb_url=store), clock) as api:
        alice = await join(api, "alice")
        old = [
            await alice.say("明天下午我们部署新版本"),
            await alice.say("deploy went fine"),
            await alice.say("部署 deploy 完成"),
            await alice.say("午饭吃什么"),
        ]
        await alice.say("部署之后记得测试")
        await written_before_search(store, alice.group_id, *(item["id"] for item in old))
        assert texts(await search(alice, "部署")) == ["部署之后记得测试"]
        assert texts(await search(alice, "deploy")) == []

        # The operator runs the command while the app serves.
        await asyncio.to_thread(main, ["search", "reindex", "--batch", "2"])

        assert capsys.readouterr().out.splitlines() == [
            "2 items read, 2 changed",
            "4 items read, 4 changed",
            "5 items read, 4 changed",
            "done: 5 items read, 4 changed",
        ]
        assert texts(await search(alice, "部署")) == [
            "部署之后记得测试",
            "部署 deploy 完成",
            "明天下午我们部署新版本",
        ]
        assert texts(await search(alice, "deploy")) == ["部署 deploy 完成", "deploy went fine"]
        assert texts(await search(alice, "午饭")) == ["午饭吃什么"]

        await asyncio.to_thread(main, ["search", "reindex"])

        assert capsys.readouterr().out.splitlines() == [
            "5 items read, 0 changed",
            "done: 5 items read, 0 changed",
        ]


def test_migrate_says_to_reindex_when_it_creates_the_search_index_and_only_then(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["migrate"])
    created = capsys.readouterr().out.splitlines()

    main(["migrate"])
    current = capsys.readouterr().out.splitlines()

    assert "create items.groupId_1_terms_1_seq_-1" in created
    assert created[-1] == HINT
    assert current == ["the indexes are current: nothing to do"]
