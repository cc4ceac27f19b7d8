"""On a real MongoDB (GROUPQL_TEST_MONGODB_URL), the server's own planner serves every query of
each hot path from an index: the winning plan scans an index (IXSCAN, DISTINCT_SCAN, COUNT_SCAN
or the _id fast path, IDHACK before 8.0 and EXPRESS_* since), never the collection (COLLSCAN), and
sorts nothing in memory (SORT).

The commands explained are the ones the app sends, recorded from the driver while a member does
what the path serves; explain at verbosity "queryPlanner" plans them and runs nothing. The checks
of explain's answer run everywhere, on answers in the shapes MongoDB documents.
"""

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from groupql.app import create_app
from tests.actors import Member, join, join_in_order
from tests.conftest import Api, Clock, RoundTrips, settings_for_test
from tests.groups.documents import MEMBER_COUNT
from tests.items.documents import image, poll, video
from tests.polls.documents import option_ids_of, poll_seen_by

MONGODB_URL = os.environ.get("GROUPQL_TEST_MONGODB_URL")
needs_a_server = pytest.mark.skipif(
    not MONGODB_URL, reason="GROUPQL_TEST_MONGODB_URL is not set: explain needs a real MongoDB"
)

# The fields of each command that decide its plan, command name first (explain wants it first).
# The rest are the session's and the driver's (lsid, txnNumber, $db, maxTimeMS, writeConcern,
# readConcern, $clusterTime, ...), and explain refuses some of them inside the explained command.
PLANNED_FIELDS: dict[str, tuple[str, ...]] = {
    "find": ("find", "filter", "sort", "projection", "hint", "skip", "limit", "collation"),
    "aggregate": ("aggregate", "pipeline", "hint", "collation", "let"),
    "findAndModify": (
        "findAndModify",
        *("query", "sort", "update", "upsert", "new", "remove", "fields", "arrayFilters", "hint"),
    ),
    "update": ("update", "updates"),
    "delete": ("delete", "deletes"),
    "count": ("count", "query", "skip", "limit", "hint"),
    "distinct": ("distinct", "key", "query"),
}
INDEX_STAGES = frozenset({"IXSCAN", "DISTINCT_SCAN", "COUNT_SCAN", "IDHACK"})
"""Stages that read an index; MongoDB 8's _id and unique-key fast path is EXPRESS_IXSCAN (and
EXPRESS_UPDATE, EXPRESS_DELETE for writes): every EXPRESS_* stage reads an index too."""


class SentCommands(monitoring.CommandListener):
    """The explainable commands sent to one database, as the driver sent them."""

    def __init__(self, database_name: str) -> None:
        self.database_name = database_name
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database_name and event.command_name in PLANNED_FIELDS:
            self.sent.append(deepcopy(dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def explainable(command: Mapping[str, Any]) -> dict[str, Any]:
    """The command as explain takes it: its name first, then what shapes its plan."""
    name = next(iter(command))
    planned = {field: command[field] for field in PLANNED_FIELDS[name] if field in command}
    if name == "aggregate":
        planned["cursor"] = {}
    return planned


def winning_stages(explained: Mapping[str, Any]) -> list[str]:
    """Every stage of every winning plan in an explain answer: a classic plan or a slot-based
    engine's `queryPlan`, in a pipeline's `$cursor` stage or not, on each shard of a cluster."""
    stages: list[str] = []

    def walk(node: Any, *, in_plan: bool) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key in ("rejectedPlans", "slotBasedPlan"):
                    continue
                if key == "stage" and in_plan and isinstance(value, str):
                    stages.append(value)
                else:
                    walk(value, in_plan=in_plan or key == "winningPlan")
        elif isinstance(node, list):
            for value in node:
                walk(value, in_plan=in_plan)

    walk(explained, in_plan=False)
    return stages


def plan_problems(stages: list[str]) -> list[str]:
    """What is wrong with a winning plan of these stages (nothing when an index serves it)."""
    problems = []
    if "COLLSCAN" in stages:
        problems.append("scans the collection (COLLSCAN)")
    if "SORT" in stages:
        problems.append("sorts in memory (SORT)")
    if not any(stage in INDEX_STAGES or stage.startswith("EXPRESS") for stage in stages):
        problems.append(f"reads no index: {stages}")
    return problems


@dataclass
class Scene:
    """A group of two with a text, a photo, a video and a poll bob voted in."""

    api: Api
    alice: Member
    bob: Member
    poll: dict[str, Any]


async def set_scene(api: Api) -> Scene:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("hello")
    await alice.post(type="IMAGE", media=[image()])
    await bob.post(type="VIDEO", media=[video()])
    asked = await alice.post(type="POLL", text="When?", poll=poll("Sat", "Sun"))
    await bob.vote(asked, option_ids_of(asked)[:1])
    return Scene(api, alice, bob, asked)


MY_GROUPS = "{ myGroups(first: 20) { edges { node { id title memberCount lastSeq } } } }"
LAST_SEQ = "query($id: ID!) { group(id: $id) { lastSeq } }"


async def share_ticket_join(scene: Scene) -> None:
    await join(scene.api, "carol")


async def feed_page(scene: Scene) -> None:
    await scene.alice.feed()


async def filtered_feed(scene: Scene) -> None:
    await scene.alice.feed(types=["IMAGE"])


async def album(scene: Scene) -> None:
    await scene.alice.album()


async def members_page(scene: Scene) -> None:
    await scene.alice.roles()


async def my_groups(scene: Scene) -> None:
    await scene.bob.data(MY_GROUPS)


async def member_count(scene: Scene) -> None:
    await scene.bob.data(MEMBER_COUNT, id=scene.bob.group_id)


async def last_seq(scene: Scene) -> None:
    await scene.bob.data(LAST_SEQ, id=scene.bob.group_id)


async def vote_tallies(scene: Scene) -> None:
    await poll_seen_by(scene.alice)


async def posting(scene: Scene) -> None:
    await scene.bob.say("see you")


async def voting(scene: Scene) -> None:
    await scene.alice.vote(scene.poll, option_ids_of(scene.poll)[1:])


HOT_PATHS: dict[str, Callable[[Scene], Awaitable[None]]] = {
    "share-ticket join": share_ticket_join,
    "feed page": feed_page,
    "filtered feed": filtered_feed,
    "album": album,
    "members page": members_page,
    "myGroups": my_groups,
    "member count": member_count,
    "last seq": last_seq,
    "vote tallies": vote_tallies,
    "posting": posting,
    "voting": voting,
}


@asynccontextmanager
async def app_on_a_new_database(
    clock: Clock,
) -> AsyncIterator[tuple[Api, SentCommands, AsyncDatabase[dict[str, Any]]]]:
    """The app on a throwaway database of the test server, the commands it sends there, and
    the database for explain (dropped afterwards)."""
    assert MONGODB_URL
    database_name = f"groupql_test_{uuid.uuid4().hex[:12]}"
    sent = SentCommands(database_name)
    settings = settings_for_test(mongodb_url=MONGODB_URL, mongodb_db=database_name)
    app = create_app(settings, clock=clock, mongo_listeners=[sent])
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(MONGODB_URL)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://groupql.test"
            ) as http:
                api = Api(http=http, settings=settings, round_trips=RoundTrips(), app=app)
                yield api, sent, client[database_name]
    finally:
        await client.drop_database(database_name)
        await client.close()


@pytest.mark.mongodb
@needs_a_server
@pytest.mark.parametrize("path", HOT_PATHS.values(), ids=HOT_PATHS.keys())
async def test_every_query_of_a_hot_path_is_served_by_an_index(
    clock: Clock, path: Callable[[Scene], Awaitable[None]]
) -> None:
    async with app_on_a_new_database(clock) as (api, sent, database):
        scene = await set_scene(api)
        sent.sent.clear()
        await path(scene)
        assert sent.sent, "the path sent no query"
        problems = {}
        for command in sent.sent:
            planned = explainable(command)
            explained = await database.command({"explain": planned, "verbosity": "queryPlanner"})
            found = plan_problems(winning_stages(explained))
            if found:
                problems[repr(planned)] = found
        assert problems == {}


# Explain's answers in the shapes MongoDB documents (reference/explain-results): the checks above
# read each one right.
CLASSIC_FIND = {
    "queryPlanner": {
        "winningPlan": {
            "stage": "LIMIT",
            "inputStage": {
                "stage": "FETCH",
                "inputStage": {"stage": "IXSCAN", "keyPattern": {"groupId": 1, "seq": 1}},
            },
        },
        "rejectedPlans": [{"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}}],
    }
}
SLOT_BASED_GROUP = {
    "queryPlanner": {
        "winningPlan": {
            "queryPlan": {
                "stage": "GROUP",
                "inputStage": {"stage": "PROJECTION_COVERED", "inputStage": {"stage": "IXSCAN"}},
            },
            "slotBasedPlan": {"slots": "...", "stages": "[2] group [s5] ..."},
        },
        "rejectedPlans": [],
    }
}
PIPELINE_SORTED_IN_MEMORY = {
    "stages": [
        {
            "$cursor": {
                "queryPlanner": {
                    "winningPlan": {"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}},
                    "rejectedPlans": [],
                }
            }
        },
        {"$group": {"_id": "$groupId"}},
    ]
}
SHARDED_BY_ID = {
    "queryPlanner": {
        "winningPlan": {
            "stage": "SINGLE_SHARD",
            "shards": [
                {
                    "shardName": "rs0",
                    "winningPlan": {"stage": "EXPRESS_IXSCAN"},
                    "rejectedPlans": [],
                }
            ],
        }
    }
}
SORT_MERGE_OF_TYPES = {
    "queryPlanner": {
        "winningPlan": {
            "stage": "FETCH",
            "inputStage": {
                "stage": "SORT_MERGE",
                "inputStages": [{"stage": "IXSCAN"}, {"stage": "IXSCAN"}],
            },
        }
    }
}


@pytest.mark.parametrize(
    ("explained", "problems"),
    [
        (CLASSIC_FIND, []),
        (SLOT_BASED_GROUP, []),
        (SHARDED_BY_ID, []),
        (SORT_MERGE_OF_TYPES, []),
        (
            PIPELINE_SORTED_IN_MEMORY,
            [
                "scans the collection (COLLSCAN)",
                "sorts in memory (SORT)",
                "reads no index: ['SORT', 'COLLSCAN']",
            ],
        ),
    ],
    ids=["classic", "slot-based", "sharded", "sort-merge", "pipeline-scan"],
)
def test_the_winning_plan_is_read_from_each_shape_of_explain_output(
    explained: dict[str, Any], problems: list[str]
) -> None:
    assert plan_problems(winning_stages(explained)) == problems


def test_explain_gets_what_decides_a_plan_and_nothing_of_the_session() -> None:
    sent = {
        "find": "items",
        "filter": {"groupId": "g"},
        "sort": {"seq": -1},
        "limit": 20,
        "singleBatch": False,
        "lsid": {"id": "..."},
        "maxTimeMS": 14990,
        "$db": "groupql",
        "$readPreference": {"mode": "primary"},
    }
    assert list(explainable(sent).items()) == [
        ("find", "items"),
        ("filter", {"groupId": "g"}),
        ("sort", {"seq": -1}),
        ("limit", 20),
    ]
    aggregate = {"aggregate": "members", "pipeline": [{"$match": {}}], "cursor": {}, "txnNumber": 1}
    assert explainable(aggregate) == {
        "aggregate": "members",
        "pipeline": [{"$match": {}}],
        "cursor": {},
    }
