"""@mentions: naming members in an item, @all for the roles a group allows, and editing them."""

import pytest

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api, api_on_test_store
from tests.people.documents import EDIT_MENTIONING, ITEM_MENTIONS, POST_MENTIONING, REACH


async def post(by: Member, text: str = "look", **item: object) -> dict[str, object]:
    posted = await by.data(POST_MENTIONING, input={"groupId": by.group_id, "text": text, **item})
    return posted["postItem"]  # type: ignore[no-any-return]


def ids(users: object) -> list[str]:
    return [user["id"] for user in users]  # type: ignore[attr-defined, index]


async def test_an_item_mentions_the_active_members_it_names_in_the_order_written(api: Api) -> None:
    alice, bob, carol, dave = await join_in_order(api, "alice", "bob", "carol", "dave")
    await dave.leave()
    stranger = await login(api, "stranger")
    named = [carol.user_id, stranger.user_id, bob.user_id, dave.user_id, "not-an-id", carol.user_id]

    item = await post(alice, "@carol @bob lunch?", mentions=named)

    assert ids(item["mentions"]) == [carol.user_id, bob.user_id]
    assert item["mentionsAll"] is False and item["mentionsViewer"] is False
    [seen_by_bob] = (await bob.data(ITEM_MENTIONS, id=bob.group_id))["group"]["items"]["edges"]
    assert seen_by_bob["node"]["mentionsViewer"] is True
    self_mention = await post(alice, "note to self", mentions=[alice.user_id])
    assert self_mention["mentions"] == []


async def test_more_than_thirty_people_is_refused_and_thirty_is_not(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    others = [await join(api, f"m{n}") for n in range(31)]
    thirty = [member.user_id for member in others[:30]]

    item = await post(alice, mentions=thirty + thirty[:5])  # repeats count once
    assert len(item["mentions"]) == 30  # type: ignore[arg-type]
    refused = await alice.error_code(
        POST_MENTIONING,
        input={"groupId": alice.group_id, "text": "x", "mentions": [m.user_id for m in others]},
    )
    assert refused == "BAD_USER_INPUT"
    assert len(await alice.feed()) == 1


async def test_at_all_is_for_owner_and_admins_unless_the_group_says_otherwise(api: Api) -> None:
    owner, admin, member = await join_in_order(api, "owner", "admin", "member")
    await owner.set_role(admin, "ADMIN")

    assert (await post(owner, "meeting at 8", mentionAll=True))["mentionsAll"] is True
    by_admin = await post(admin, "reminder", mentionAll=True)
    assert by_admin["mentionsViewer"] is False  # not the author's own @all
    refused = await member.error_code(
        POST_MENTIONING, input={"groupId": member.group_id, "text": "x", "mentionAll": True}
    )
    assert refused == "FORBIDDEN"

    await owner.update_group(mentionAllRoles=["OWNER", "ADMIN", "MEMBER"])
    assert (await post(member, "all hands", mentionAll=True))["mentionsAll"] is True
    await owner.update_group(mentionAllRoles=[])
    refused = await owner.error_code(
        POST_MENTIONING, input={"groupId": owner.group_id, "text": "x", "mentionAll": True}
    )
    assert refused == "FORBIDDEN"
    reach = (await owner.data(REACH, id=owner.group_id))["group"]
    assert reach == {"mentionAllReach": 2, "mentionAllRoles": []}


async def test_at_all_is_rate_limited_per_group(clock: object) -> None:
    async with api_on_test_store(clock, rate_mention_all_per_hour=3) as api:  # type: ignore[arg-type]
        owner, _ = await join_in_order(api, "owner", "bob")
        for n in range(3):
            await post(owner, f"announcement {n}", mentionAll=True)
        body = await owner.send(
            POST_MENTIONING, input={"groupId": owner.group_id, "text": "4th", "mentionAll": True}
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 0 < error["extensions"]["retryAfter"] <= 1200
        # Mentioning without @all goes on.
        assert (await post(owner, "still here"))["mentionsAll"] is False


async def test_an_edit_can_change_whom_an_item_mentions(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    item = await post(alice, "hi @bob", mentions=[bob.user_id])

    kept = (await alice.data(EDIT_MENTIONING, itemId=item["id"], text="hi again"))["editItem"]
    assert ids(kept["mentions"]) == [bob.user_id]
    changed = await alice.data(
        EDIT_MENTIONING, itemId=item["id"], text="hi @carol", mentions=[carol.user_id]
    )
    assert ids(changed["editItem"]["mentions"]) == [carol.user_id]
    cleared = await alice.data(EDIT_MENTIONING, itemId=item["id"], text="hi", mentions=[])
    assert cleared["editItem"]["mentions"] == []


async def test_a_deleted_item_mentions_nobody(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    item = await post(alice, "psst @bob", mentions=[bob.user_id], mentionAll=True)
    await alice.delete(item)
    [seen] = (await bob.data(ITEM_MENTIONS, id=bob.group_id))["group"]["items"]["edges"]
    assert seen["node"]["mentions"] == [] and seen["node"]["mentionsViewer"] is False


@pytest.mark.parametrize("roles", [["OWNER"], ["OWNER", "ADMIN", "MEMBER"]])
async def test_the_mention_all_roles_setting_reads_back(api: Api, roles: list[str]) -> None:
    [owner] = await join_in_order(api, "owner")
    await owner.update_group(mentionAllRoles=roles)
    assert (await owner.data(REACH, id=owner.group_id))["group"]["mentionAllRoles"] == roles
