"""The app's queries, run by their plans, answer byte for byte what graphql-core answers: two
apps on one store, one with GROUPQL_EXECUTION_PLANS off, read the same pages as the same people,
after every kind of content, and refusals with partial data; in waves of readers at once; with
the same round trips. /metrics says how each query ran."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.actors import Member, login
from tests.cache.pages import ME, PAGE, hiking_club
from tests.conftest import Api, Clock, running_api, settings_for_test
from tests.metrics import counted

SHAPES = """
fragment Person on User { id nickname avatarUrl }
query Shapes($id: ID!, $first: Int) {
  viewer { id nickname }
  group(id: $id) {
    __typename
    name: title
    members(first: $first) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { user { ...Person } } }
    }
    newest: items(first: 1) { edges { node { __typename id author { ...Person } } } }
    items(first: $first) { edges { node { id type text poll { options { id text voteCount } } } } }
  }
}
"""
WITH_A_DIRECTIVE = """
query Directed($id: ID!, $withItems: Boolean!) {
  group(id: $id) { title items(first: 5) @include(if: $withItems) { edges { node { id } } } }
}
"""


@asynccontextmanager
async def planned_and_unplanned(clock: Clock) -> AsyncIterator[tuple[Api, Api]]:
    store = f"memory://plans-{uuid.uuid4().hex}"
    common: dict[str, Any] = {"mongodb_url": store, "response_cache": "off"}
    async with running_api(settings_for_test(**common), clock) as planned:
        unplanned_settings = settings_for_test(**common, execution_plans="off")
        async with running_api(unplanned_settings, clock) as unplanned:
            yield planned, unplanned


async def answer(api: Api, token: str, query: str, **variables: Any) -> bytes:
    response = await api.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.content


async def ran(api: Api, result: str) -> float:
    return await counted(api, "groupql_execution_plans_total", result=result)


async def same_answers(
    planned: Api, unplanned: Api, token: str, query: str, **variables: Any
) -> bytes:
    ours = await answer(planned, token, query, **variables)
    assert ours == await answer(unplanned, token, query, **variables)
    return ours


async def test_every_page_answers_the_same_bytes(clock: Clock) -> None:
    async with planned_and_unplanned(clock) as (planned, unplanned):
        club = await hiking_club(planned)
        await club.alice.pin(club.hello)
        await club.bob.edit(club.hello, "hello, edited")
        await club.bob.say("a reply", replyTo=club.question["id"])
        before = await ran(planned, "planned")
        for member in (club.alice, club.bob, club.carol):
            page = await same_answers(planned, unplanned, member.token, PAGE, id=member.group_id)
            assert b'"errors"' not in page and b"hello, edited" in page
            me = await same_answers(planned, unplanned, member.token, ME)
            assert b'"errors"' not in me
            shapes = await same_answers(
                planned, unplanned, member.token, SHAPES, id=member.group_id, first=2
            )
            assert b'"__typename":"Group"' in shapes and b'"name":' in shapes
        assert await ran(planned, "planned") == before + 9
        assert await ran(unplanned, "planned") == 0


async def test_refusals_and_partial_answers_are_graphql_cores(clock: Clock) -> None:
    async with planned_and_unplanned(clock) as (planned, unplanned):
        club = await hiking_club(planned)
        stranger = await login(planned, "stranger")
        before = await ran(planned, "fell_back")
        refused = await same_answers(
            planned, unplanned, stranger.token, PAGE, id=club.alice.group_id
        )
        assert b'"FORBIDDEN"' in refused
        missing = await same_answers(planned, unplanned, club.bob.token, PAGE, id="0" * 24)
        assert b'"errors"' in missing
        assert await ran(planned, "fell_back") == before + 2


async def test_documents_with_directives_are_left_to_graphql_core(clock: Clock) -> None:
    async with planned_and_unplanned(clock) as (planned, unplanned):
        club = await hiking_club(planned)
        before = await ran(planned, "unplanned")
        for with_items in (True, False):
            await same_answers(
                planned,
                unplanned,
                club.carol.token,
                WITH_A_DIRECTIVE,
                id=club.carol.group_id,
                withItems=with_items,
            )
        assert await ran(planned, "unplanned") == before + 2


async def test_waves_of_readers_and_writers_each_read_their_own_page(clock: Clock) -> None:
    async with planned_and_unplanned(clock) as (planned, unplanned):
        club = await hiking_club(planned)
        readers: list[Member] = [club.alice, club.bob, club.carol]
        for wave in range(4):
            writes = [member.say(f"wave {wave} from {n}") for n, member in enumerate(readers)]
            reads = [
                answer(planned, member.token, PAGE, id=member.group_id)
                for member in readers
                for _ in range(8)
            ]
            (*_,) = await asyncio.gather(*writes)
            answers = await asyncio.gather(*reads)
            # Once the wave's writes are in, each reader's planned page is graphql-core's.
            for member in readers:
                assert await same_answers(
                    planned, unplanned, member.token, PAGE, id=member.group_id
                )
            for page in answers:
                assert b'"errors"' not in page


async def test_a_planned_page_costs_the_round_trips_of_an_unplanned_one(clock: Clock) -> None:
    async with planned_and_unplanned(clock) as (planned, unplanned):
        club = await hiking_club(planned)
        trips = []
        for api in (planned, unplanned):
            await answer(api, club.bob.token, PAGE, id=club.bob.group_id)  # sessions remembered
            api.round_trips.reset()
            await answer(api, club.bob.token, PAGE, id=club.bob.group_id)
            trips.append(list(api.round_trips.collections))
        assert sorted(trips[0]) == sorted(trips[1])
        assert trips[0]
