"""The response cache per viewer: each viewer gets their own answer, sessions are checked on
every read, refusals are not kept, and many members acting at once are all seen."""

import asyncio
import uuid

from groupql.services.known_sessions import RECHECK_AFTER
from groupql.store.memory import MemoryMongoClient
from tests.actors import join, join_in_order, login
from tests.cache.pages import (
    PAGE,
    cache_count,
    hiking_club,
    hits,
    nodes,
    page_from_cache,
    poll_on,
    read_page,
    read_page_by_get,
)
from tests.conftest import Api, Clock, api_on_test_store
from tests.people.documents import (
    UPDATE_PROFILE,
)
from tests.polls.documents import drinks_poll, option_ids_of


async def test_two_viewers_asking_the_same_get_each_their_own_answer(api: Api) -> None:
    club = await hiking_club(api)
    tea, coffee, _ = option_ids_of(club.poll)
    await club.alice.vote(club.poll, [tea])
    await club.bob.vote(club.poll, [coffee])
    alices = await page_from_cache(club.alice)
    hits_before = await hits(api)
    bobs = await read_page(club.bob)
    assert await hits(api) == hits_before  # bob's first read ran: alice's answer is not his
    assert (alices["viewerMembership"], bobs["viewerMembership"]) == (
        {"role": "OWNER"},
        {"role": "MEMBER"},
    )
    assert poll_on(alices, club.poll)["viewerOptionIds"] == [tea]
    assert poll_on(bobs, club.poll)["viewerOptionIds"] == [coffee]
    assert alices["viewerUnread"] != bobs["viewerUnread"]


async def test_an_expired_session_is_refused_not_served_from_the_cache(clock: Clock) -> None:
    async with api_on_test_store(clock, session_ttl_days=1) as api:
        alice = await join(api, "alice")
        clock.advance(days=1, seconds=-10)
        await page_from_cache(alice)
        clock.advance(seconds=10)
        assert await alice.error_code(PAGE, id=alice.group_id) == "UNAUTHENTICATED"


async def test_a_revoked_session_is_refused_not_served_from_the_cache(clock: Clock) -> None:
    store = f"memory://revoked-{uuid.uuid4().hex}"
    async with api_on_test_store(clock, mongodb_url=store) as api:
        alice = await join(api, "alice")
        await page_from_cache(alice)
        database = MemoryMongoClient(name=store.removeprefix("memory://"))[api.settings.mongodb_db]
        await database["sessions"].delete_many({"userId": alice.user_id})
        clock.advance(seconds=RECHECK_AFTER.total_seconds())
        assert await alice.error_code(PAGE, id=alice.group_id) == "UNAUTHENTICATED"


async def test_a_refusal_is_not_kept_and_the_group_shows_once_joined(api: Api) -> None:
    club = await hiking_club(api)
    dave = await login(api, "dave")
    hits_before, not_kept = await hits(api), await cache_count(api, "not_kept")
    for _ in range(2):
        assert await dave.error_code(PAGE, id=club.alice.group_id) == "FORBIDDEN"
    assert await cache_count(api, "not_kept") == not_kept + 2
    assert await hits(api) == hits_before
    joined = await read_page(await dave.join())
    assert (joined["memberCount"], joined["viewerMembership"]) == (4, {"role": "MEMBER"})


async def test_get_and_post_share_one_answer_and_both_see_changes(api: Api) -> None:
    club = await hiking_club(api)
    posted = await page_from_cache(club.bob)
    hits_before = await hits(api)
    assert await read_page_by_get(club.bob) == posted
    assert await hits(api) == hits_before + 1
    await club.alice.update_group(title="Night hikers")
    assert (await read_page_by_get(club.bob))["title"] == "Night hikers"
    assert (await read_page(club.bob))["title"] == "Night hikers"


async def test_other_variables_are_another_answer(api: Api) -> None:
    hikers = await join(api, "alice", "G1")
    await hikers.update_group(title="Hikers")
    climbers = await join(api, "alice", "G2")
    await climbers.update_group(title="Climbers")
    assert (await page_from_cache(hikers))["title"] == "Hikers"
    assert (await read_page(climbers))["title"] == "Climbers"


async def test_every_viewer_sees_every_change_of_many_members_acting_at_once(api: Api) -> None:
    members = await join_in_order(api, *(f"hiker{n}" for n in range(8)))
    poll = await drinks_poll(members[0])
    for wave, option in enumerate(option_ids_of(poll)):
        for member in members:
            await page_from_cache(member)
        await asyncio.gather(
            *(member.say(f"wave {wave} from {member.code}") for member in members),
            *(member.vote(poll, [option]) for member in members),
            *(
                member.data(UPDATE_PROFILE, input={"nickname": f"{member.code} v{wave}"})
                for member in members
            ),
            *(read_page(member) for member in members),  # readers racing the writers
        )
        for viewer in members:
            page = await read_page(viewer)
            texts = {node["text"] for node in nodes(page["items"])}
            assert {f"wave {wave} from {member.code}" for member in members} <= texts
            shown = poll_on(page, poll)
            assert (shown["voterCount"], shown["viewerOptionIds"]) == (8, [option])
            nicknames = {node["user"]["nickname"] for node in nodes(page["members"])}
            assert nicknames == {f"{member.code} v{wave}" for member in members}
