"""Indexes: a new database gets the declared ones, `groupql migrate` brings an old one to them,
and serving refuses indexes that are not current."""

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from pymongo import ASCENDING, IndexModel

from groupql.store import Database, connect
from groupql.store.indexes import INDEXES, StaleIndexes, migrate, plan
from groupql.wiring import prepare_indexes


@pytest.fixture
async def database() -> Database:
    return connect("memory://", "groupql")


async def declared_and_present(database: Database) -> dict[str, tuple[set[str], set[str]]]:
    collections = database.collections()
    return {
        name: (
            {model.document["name"] for model in models},
            set(await collections[name].index_information()) - {"_id_"},
        )
        for name, models in INDEXES.items()
    }


async def test_a_new_database_gets_exactly_the_declared_indexes(database: Database) -> None:
    await prepare_indexes(database)

    for name, (declared, present) in (await declared_and_present(database)).items():
        assert present == declared, name
    groups = await database.groups.index_information()
    assert groups["appid_1_openGId_1_present"]["partialFilterExpression"] == {
        "openGId": {"$exists": True}
    }
    assert (await plan(database.collections())).is_current


async def test_migrate_twice_does_nothing_the_second_time(database: Database) -> None:
    first = await migrate(database.collections())
    second = await migrate(database.collections())

    assert len(first.create) == sum(len(models) for models in INDEXES.values())
    assert second.describe() == []


async def test_a_database_of_the_last_release_is_refused_until_migrated(database: Database) -> None:
    # The previous release's groups index: partial on $type, which a join's lookup cannot use.
    await database.groups.create_indexes(
        [
            IndexModel(
                [("appid", ASCENDING), ("openGId", ASCENDING)],
                unique=True,
                partialFilterExpression={"openGId": {"$type": "string"}},
            )
        ]
    )
    await database.groups.insert_one(
        {"appid": "wx1", "openGId": "G1", "createdAt": datetime.now(UTC)}
    )

    with pytest.raises(StaleIndexes, match="run `groupql migrate`") as refused:
        await prepare_indexes(database)
    assert "drop groups.appid_1_openGId_1 (superseded)" in str(refused.value)

    done = await migrate(database.collections())

    assert ("groups", "appid_1_openGId_1") in done.drop
    assert "appid_1_openGId_1" not in await database.groups.index_information()
    await prepare_indexes(database)  # current now: serving starts


async def test_an_index_whose_options_changed_is_rebuilt(database: Database) -> None:
    await database.sessions.create_indexes(
        [IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=60)]
    )
    await database.sessions.insert_one({"tokenHash": "h", "expiresAt": datetime.now(UTC)})

    done = await migrate(database.collections())

    assert [(name, model.document["name"]) for name, model in done.rebuild] == [
        ("sessions", "expiresAt_1")
    ]
    assert (await database.sessions.index_information())["expiresAt_1"]["expireAfterSeconds"] == 0


def test_groupql_migrate_says_what_it_did() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from groupql.cli import main; main(['migrate'])"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "GROUPQL_MONGODB_URL": "memory://"},
    )

    assert result.returncode == 0, result.stderr
    assert "create groups.appid_1_openGId_1_present" in result.stdout.splitlines()
