"""The response cache and people: profiles, joins, leaving, bans, roles, titles, read markers and
notifications show on the next read after they change."""

from tests.actors import join, join_in_order, login
from tests.cache.pages import (
    AVATAR,
    PAGE,
    hiking_club,
    item_on,
    me_from_cache,
    members_on,
    page_from_cache,
    read_me,
    read_page,
)
from tests.conftest import Api
from tests.people.documents import (
    MARK_NOTIFICATIONS_READ,
    MARK_READ,
    SET_DISPLAY_NAME,
    UPDATE_PROFILE,
)


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
