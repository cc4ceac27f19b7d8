"""Notifications: what happened to a user in their groups, paged, marked read, and by level."""

import asyncio
from typing import Any

from tests.actors import Member, join, join_in_order
from tests.conftest import Api, Clock, api_on_test_store
from tests.people.documents import (
    EDIT_MENTIONING,
    MARK_NOTIFICATIONS_READ,
    NOTIFICATIONS,
    POST_MENTIONING,
    SET_LEVEL,
)
from tests.polls.documents import VOTE
from tests.questions.documents import ACCEPT


async def notifications(member: Member, **arguments: Any) -> list[dict[str, Any]]:
    viewer = (await member.data(NOTIFICATIONS, first=100, **arguments))["viewer"]
    return [edge["node"] for edge in viewer["notifications"]["edges"]]


def kinds(found: list[dict[str, Any]]) -> list[str]:
    return [one["kind"] for one in found]


async def post(by: Member, text: str = "x", **item: Any) -> dict[str, Any]:
    posted = await by.data(POST_MENTIONING, input={"groupId": by.group_id, "text": text, **item})
    return posted["postItem"]  # type: ignore[no-any-return]


async def test_a_mention_notifies_the_member_named_with_who_and_where(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    item = await post(alice, "@bob see this", mentions=[bob.user_id])

    [note] = await notifications(bob)
    assert note["kind"] == "MENTION"
    assert note["item"]["id"] == item["id"] and note["actor"]["id"] == alice.user_id
    assert note["group"]["id"] == bob.group_id and note["readAt"] is None
    assert await notifications(carol) == [] and await notifications(alice) == []


async def test_at_all_reaches_every_member_but_its_author_with_one_document(
    api: Api, clock: Clock
) -> None:
    owner = await join(api, "owner")
    members = [await join(api, f"m{n}") for n in range(20)]
    api.round_trips.reset()
    await post(owner, "meeting", mentionAll=True)
    inserts = [
        collection
        for command, collection in zip(
            api.round_trips.commands, api.round_trips.collections, strict=True
        )
        if command == "insert" and collection == "notifications"
    ]
    assert len(inserts) == 1
    for member in members[:3]:
        assert kinds(await notifications(member)) == ["MENTION_ALL"]
    assert await notifications(owner) == []
    clock.advance(milliseconds=1)
    late = await join(api, "late")
    assert await notifications(late) == []  # said before they came


async def test_replies_answers_and_accepted_answers_notify_their_authors(api: Api) -> None:
    asker, helper = await join_in_order(api, "asker", "helper")
    question = await post(asker, "How do I deploy?", type="QUESTION")
    answer = await post(helper, "Use compose", replyTo=question["id"])
    remark = await post(asker, "note", replyTo=answer["id"])
    assert kinds(await notifications(asker)) == ["ANSWER"]
    assert kinds(await notifications(helper)) == ["REPLY"]
    await asker.data(ACCEPT, questionId=question["id"], answerId=answer["id"])
    found = await notifications(helper)
    assert kinds(found) == ["ANSWER_ACCEPTED", "REPLY"]
    assert found[0]["item"]["id"] == answer["id"] and found[1]["item"]["id"] == remark["id"]
    await post(asker, "my own follow-up", replyTo=question["id"])
    assert kinds(await notifications(asker)) == ["ANSWER"]  # not told of their own reply


async def test_an_edit_notifies_only_those_it_names_anew(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    item = await post(alice, "@bob", mentions=[bob.user_id])
    await alice.data(
        EDIT_MENTIONING,
        itemId=item["id"],
        text="@bob @carol",
        mentions=[bob.user_id, carol.user_id],
    )
    assert kinds(await notifications(bob)) == ["MENTION"]
    assert kinds(await notifications(carol)) == ["MENTION"]


async def test_roles_join_requests_and_approvals_notify(api: Api) -> None:
    owner, admin = await join_in_order(api, "owner", "admin")
    await owner.set_role(admin, "ADMIN")
    assert kinds(await notifications(admin)) == ["ROLE_CHANGED"]
    await owner.update_group(joinPolicy="APPROVAL")
    newcomer = await join(api, "newcomer")
    assert kinds(await notifications(owner)) == ["JOIN_REQUEST"]
    assert kinds(await notifications(admin)) == ["JOIN_REQUEST", "ROLE_CHANGED"]
    [request] = await notifications(owner)
    assert request["actor"]["id"] == newcomer.user_id
    await admin.approve(newcomer)
    assert kinds(await notifications(newcomer)) == ["APPROVED"]


async def test_a_level_of_none_silences_a_group_and_leaving_ends_its_notifications(
    api: Api,
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    set_level = await bob.data(SET_LEVEL, groupId=bob.group_id, level="NONE")
    assert set_level["setNotificationLevel"]["notificationLevel"] == "NONE"
    await post(alice, "@bob", mentions=[bob.user_id])
    await post(alice, "@all", mentionAll=True)
    assert await notifications(bob) == []
    await bob.data(SET_LEVEL, groupId=bob.group_id, level="MENTIONS")
    await post(alice, "@bob again", mentions=[bob.user_id])
    assert kinds(await notifications(bob)) == ["MENTION", "MENTION_ALL"]
    await bob.leave()
    assert await notifications(bob) == []


async def test_marking_read_moves_a_marker_that_never_goes_back(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for n in range(3):
        await post(alice, f"@bob {n}", mentions=[bob.user_id])
    newest, middle, oldest = await notifications(bob)
    await bob.data(MARK_NOTIFICATIONS_READ, upTo=middle["id"])
    read = await notifications(bob)
    assert [one["readAt"] is not None for one in read] == [False, True, True]
    assert [one["id"] for one in await notifications(bob, unreadOnly=True)] == [newest["id"]]
    await bob.data(MARK_NOTIFICATIONS_READ, upTo=oldest["id"])  # back: changes nothing
    assert len(await notifications(bob, unreadOnly=True)) == 1
    await bob.data(MARK_NOTIFICATIONS_READ)
    assert await notifications(bob, unreadOnly=True) == []
    code = await bob.error_code(MARK_NOTIFICATIONS_READ, upTo="not-an-id")
    assert code == "BAD_USER_INPUT"


async def test_the_feed_pages_newest_first_without_gaps_or_repeats(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await asyncio.gather(*[post(alice, f"@bob {n}", mentions=[bob.user_id]) for n in range(25)])
    seen: list[str] = []
    after = None
    while True:
        page = (await bob.data(NOTIFICATIONS, first=10, after=after))["viewer"]["notifications"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(seen, reverse=True)


async def test_the_voters_of_a_poll_hear_when_it_closes(clock: Clock) -> None:
    async with api_on_test_store(clock, background_interval_s=0.05) as api:
        owner, voter, bystander = await join_in_order(api, "owner", "voter", "bystander")
        closes_at = clock.now.replace(microsecond=0).isoformat()
        clock.advance(seconds=-60)  # the poll is posted a minute before it closes
        poll = await post(
            owner, "Lunch?", type="POLL", poll={"options": ["A", "B"], "closesAt": closes_at}
        )
        await voter.data(VOTE, itemId=poll["id"], optionIds=["1"])
        clock.advance(seconds=61)
        for _ in range(100):
            if await notifications(voter):
                break
            await asyncio.sleep(0.05)
        assert kinds(await notifications(voter)) == ["POLL_CLOSED"]
        await asyncio.sleep(0.2)  # later sweeps tell nobody twice
        assert kinds(await notifications(voter)) == ["POLL_CLOSED"]
        assert await notifications(bystander) == []


async def test_the_viewer_markNotificationsRead_returns_reads_with_its_new_marker(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    for n in range(2):
        await post(alice, f"@bob {n}", mentions=[bob.user_id])
    newest, oldest = await notifications(bob)
    marked = await bob.data(
        """
        mutation($upTo: ID) {
          markNotificationsRead(upTo: $upTo) {
            notifications(unreadOnly: true) { edges { node { id } } }
          }
        }
        """,
        upTo=oldest["id"],
    )
    edges = marked["markNotificationsRead"]["notifications"]["edges"]
    assert [edge["node"]["id"] for edge in edges] == [newest["id"]]
