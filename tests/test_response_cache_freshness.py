"""The response cache never serves a stale answer, nor another viewer's: a page read twice comes
from the cache, and the next read after any change a user makes shows that change."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from groupql.services.known_sessions import RECHECK_AFTER
from groupql.store.memory import MemoryMongoClient
from tests.actors import Member, User, join, join_in_order, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.people.documents import (
    MARK_NOTIFICATIONS_READ,
    MARK_READ,
    SET_DISPLAY_NAME,
    UPDATE_PROFILE,
)
from tests.polls.documents import VOTE, drinks_poll, option_ids_of
from tests.questions.documents import ACCEPT

PAGE = """
query Page($id: ID!) {
  group(id: $id) {
    title memberCount lastSeq
    viewerMembership { role }
    viewerUnread { count mentionCount firstUnreadSeq }
    pinnedItems { id }
    members(first: 50) {
      edges { node { role status displayName user { id nickname avatarUrl } } }
    }
    items(first: 50) {
      edges {
        node {
          id seq type text isDeleted isPinned editedAt replyCount
          author { id nickname avatarUrl }
          acceptedAnswer { id text }
          poll { isClosed closesAt voterCount viewerOptionIds options { id voteCount } }
        }
      }
    }
  }
}
"""
ME = """
query Me {
  viewer {
    id nickname avatarUrl
    unread { count mentionCount groupCount }
    notifications(first: 20) { edges { node { kind readAt item { id } actor { id } } } }
  }
}
"""
AVATAR = "https://thirdwx.qlogo.cn/mmopen/vi_32/bob/132"


async def test_a_new_post_shows_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    unread_before = (await page_from_cache(club.alice))["viewerUnread"]["count"]
    posted = await club.bob.say("Meet at 8")
    page = await read_page(club.alice)
    assert item_on(page, posted["id"])["text"] == "Meet at 8"
    assert page["lastSeq"] == posted["seq"]
    assert page["viewerUnread"]["count"] == unread_before + 1


async def test_an_edit_shows_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.bob.edit(club.hello, "hello, edited")
    shown = item_on(await read_page(club.alice), club.hello["id"])
    assert shown["text"] == "hello, edited"
    assert shown["editedAt"] is not None


async def test_a_deleted_item_shows_as_a_tombstone_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.bob.delete(club.hello)
    assert item_on(await read_page(club.alice), club.hello["id"])["isDeleted"] is True


async def test_a_pin_and_an_unpin_show_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.bob)
    await club.alice.pin(club.hello)
    page = await page_from_cache(club.bob)
    assert page["pinnedItems"] == [{"id": club.hello["id"]}]
    assert item_on(page, club.hello["id"])["isPinned"] is True
    await club.alice.pin(club.hello, pinned=False)
    page = await read_page(club.bob)
    assert page["pinnedItems"] == []
    assert item_on(page, club.hello["id"])["isPinned"] is False


async def test_a_vote_shows_in_the_tally_and_as_the_voters_own_choice(api: Api) -> None:
    club = await hiking_club(api)
    tea, coffee, _ = option_ids_of(club.poll)
    await page_from_cache(club.alice)
    await page_from_cache(club.bob)
    await club.bob.vote(club.poll, [coffee])
    poll = poll_on(await read_page(club.alice), club.poll)
    assert (poll["voterCount"], vote_counts(poll), poll["viewerOptionIds"]) == (1, [0, 1, 0], [])
    assert poll_on(await page_from_cache(club.bob), club.poll)["viewerOptionIds"] == [coffee]
    await club.bob.vote(club.poll, [tea])
    poll = poll_on(await read_page(club.bob), club.poll)
    assert (vote_counts(poll), poll["viewerOptionIds"]) == ([1, 0, 0], [tea])


async def test_a_poll_shows_closed_once_the_clock_passes_its_closing_time(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    poll = await drinks_poll(alice, closesAt=(clock.now + timedelta(minutes=10)).isoformat())
    assert poll_on(await page_from_cache(bob), poll)["isClosed"] is False
    clock.advance(minutes=10)
    assert poll_on(await read_page(bob), poll)["isClosed"] is True


async def test_a_poll_shows_closed_the_moment_its_closing_time_passes(
    api: Api, clock: Clock
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    poll = await drinks_poll(alice, closesAt=(clock.now + timedelta(seconds=0.5)).isoformat())
    assert poll_on(await page_from_cache(bob), poll)["isClosed"] is False
    clock.advance(seconds=0.5)
    code = await bob.error_code(VOTE, itemId=poll["id"], optionIds=option_ids_of(poll)[:1])
    assert code == "CONFLICT"  # the poll is closed
    assert poll_on(await read_page(bob), poll)["isClosed"] is True


async def test_an_answer_and_its_acceptance_show_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.bob)
    answer = await club.carol.say("Carol has them", replyTo=club.question["id"])
    assert item_on(await page_from_cache(club.bob), club.question["id"])["replyCount"] == 1
    await club.alice.data(ACCEPT, questionId=club.question["id"], answerId=answer["id"])
    accepted = item_on(await read_page(club.bob), club.question["id"])["acceptedAnswer"]
    assert accepted == {"id": answer["id"], "text": "Carol has them"}


async def test_a_reply_counts_on_the_item_it_replies_to(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.carol.say("hi bob", replyTo=club.hello["id"])
    assert item_on(await read_page(club.alice), club.hello["id"])["replyCount"] == 1


async def test_an_authors_new_nickname_avatar_and_display_name_show_on_the_next_read(
    api: Api,
) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await club.bob.data(UPDATE_PROFILE, input={"nickname": "Bobby", "avatarUrl": AVATAR})
    page = await page_from_cache(club.alice)
    bob_as_author = {"id": club.bob.user_id, "nickname": "Bobby", "avatarUrl": AVATAR}
    assert item_on(page, club.hello["id"])["author"] == bob_as_author
    assert members_on(page)[club.bob.user_id]["user"] == bob_as_author
    await club.bob.data(SET_DISPLAY_NAME, groupId=club.bob.group_id, displayName="小明")
    assert members_on(await read_page(club.alice))[club.bob.user_id]["displayName"] == "小明"


async def test_a_member_joining_shows_in_the_count_and_the_list(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    dave = await join(api, "dave")
    page = await read_page(club.alice)
    assert page["memberCount"] == 4
    assert members_on(page)[dave.user_id]["role"] == "MEMBER"


async def test_members_leaving_removed_or_banned_are_gone_on_the_next_read(api: Api) -> None:
    members = await join_in_order(api, "alice", "bob", "carol", "dave")
    alice, bob, carol, dave = members
    for member in members:
        await page_from_cache(member)
    await bob.leave()
    page = await page_from_cache(alice)
    assert (page["memberCount"], bob.user_id in members_on(page)) == (3, False)
    await alice.remove(carol)
    page = await page_from_cache(alice)
    assert (page["memberCount"], carol.user_id in members_on(page)) == (2, False)
    await alice.remove(dave, ban=True)
    assert set(members_on(await read_page(alice))) == {alice.user_id}
    # None of them is served the page they read while a member.
    for gone, code in [(bob, "FORBIDDEN"), (carol, "FORBIDDEN"), (dave, "BANNED")]:
        assert await gone.error_code(PAGE, id=gone.group_id) == code


async def test_a_promotion_and_a_demotion_show_to_everyone_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.alice)
    await page_from_cache(club.bob)
    await club.alice.set_role(club.bob, "ADMIN")
    assert members_on(await page_from_cache(club.alice))[club.bob.user_id]["role"] == "ADMIN"
    assert (await page_from_cache(club.bob))["viewerMembership"] == {"role": "ADMIN"}
    await club.alice.set_role(club.bob, "MEMBER")
    assert members_on(await read_page(club.alice))[club.bob.user_id]["role"] == "MEMBER"
    assert (await read_page(club.bob))["viewerMembership"] == {"role": "MEMBER"}


async def test_a_new_group_title_shows_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    await page_from_cache(club.bob)
    await club.alice.update_group(title="Night hikers")
    assert (await read_page(club.bob))["title"] == "Night hikers"


async def test_marking_read_clears_the_unread_counts_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    page = await page_from_cache(club.carol)
    # Alice's question came after carol's poll.
    assert page["viewerUnread"] == {"count": 1, "mentionCount": 0, "firstUnreadSeq": 3}
    assert (await me_from_cache(club.carol))["unread"]["count"] == 1
    await club.carol.data(MARK_READ, groupId=club.carol.group_id, seq=page["lastSeq"])
    cleared = {"count": 0, "mentionCount": 0, "firstUnreadSeq": None}
    assert (await read_page(club.carol))["viewerUnread"] == cleared
    assert (await read_me(club.carol))["unread"] == {"count": 0, "mentionCount": 0, "groupCount": 0}


async def test_a_notification_and_its_reading_show_on_the_next_read(api: Api) -> None:
    club = await hiking_club(api)
    assert (await me_from_cache(club.bob))["notifications"]["edges"] == []
    reply = await club.carol.say("welcome", replyTo=club.hello["id"])
    [note] = [edge["node"] for edge in (await me_from_cache(club.bob))["notifications"]["edges"]]
    assert note == {
        "kind": "REPLY",
        "readAt": None,
        "item": {"id": reply["id"]},
        "actor": {"id": club.carol.user_id},
    }
    await club.bob.data(MARK_NOTIFICATIONS_READ)
    [edge] = (await read_me(club.bob))["notifications"]["edges"]
    assert edge["node"]["readAt"] is not None


async def test_the_viewers_own_profile_shows_their_change_on_the_next_read(api: Api) -> None:
    alice = await login(api, "alice")
    await me_from_cache(alice)
    await alice.data(UPDATE_PROFILE, input={"nickname": "爱丽丝", "avatarUrl": AVATAR})
    me = await read_me(alice)
    assert (me["nickname"], me["avatarUrl"]) == ("爱丽丝", AVATAR)


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


@dataclass(frozen=True)
class Club:
    """Alice's group: bob said hello, carol asked what to drink, alice asked who has the keys."""

    alice: Member
    bob: Member
    carol: Member
    hello: dict[str, Any]
    poll: dict[str, Any]
    question: dict[str, Any]


async def hiking_club(api: Api) -> Club:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    hello = await bob.say("hello")
    poll = await drinks_poll(carol)
    question = await alice.post(type="QUESTION", text="Who has the keys?")
    return Club(alice, bob, carol, hello, poll, question)


async def read_page(member: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await member.data(PAGE, id=member.group_id))["group"]
    return group


async def read_page_by_get(member: Member) -> dict[str, Any]:
    params = {"query": PAGE, "variables": json.dumps({"id": member.group_id})}
    headers = {"Authorization": f"Bearer {member.token}"}
    response = await member.api.http.get("/graphql", params=params, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    group: dict[str, Any] = body["data"]["group"]
    return group


async def read_me(user: User) -> dict[str, Any]:
    viewer: dict[str, Any] = (await user.data(ME))["viewer"]
    return viewer


async def page_from_cache(member: Member) -> dict[str, Any]:
    """`member`'s page, read twice: the second read must be served from the cache, unchanged."""
    return await twice_from_cache(member.api, lambda: read_page(member))


async def me_from_cache(user: User) -> dict[str, Any]:
    return await twice_from_cache(user.api, lambda: read_me(user))


async def twice_from_cache(
    api: Api, read: Callable[[], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    first = await read()
    hits_before = await hits(api)
    assert await read() == first
    assert await hits(api) == hits_before + 1, "the second read was not served from the cache"
    return first


async def hits(api: Api) -> float:
    return await cache_count(api, "hit")


async def cache_count(api: Api, result: str) -> float:
    """How many queries the response cache answered with `result` (hit, kept, not_kept)."""
    exposition = (await api.http.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "groupql_response_cache_total" and sample.labels == {"result": result}
    )


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def item_on(page: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(node for node in nodes(page["items"]) if node["id"] == item_id)


def poll_on(page: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    poll: dict[str, Any] = item_on(page, item["id"])["poll"]
    return poll


def members_on(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["user"]["id"]: node for node in nodes(page["members"])}


def vote_counts(poll: dict[str, Any]) -> list[int]:
    return [option["voteCount"] for option in poll["options"]]
