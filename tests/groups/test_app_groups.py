"""App groups: groups made in the mini-program rather than opened from a WeChat chat."""

import asyncio

from tests.actors import create_group, login
from tests.conftest import Api
from tests.groups.documents import CREATE_GROUP

MY_GROUPS = "{ myGroups { edges { node { id kind title } } } }"


async def test_a_user_creates_an_app_group_and_owns_it(api: Api) -> None:
    alice = await create_group(api, "alice", "Hiking club")
    created = alice.joined
    assert (created["kind"], created["openGId"], created["title"]) == (
        "APP_GROUP",
        None,
        "Hiking club",
    )
    assert created["joinPolicy"] == "OPEN"
    assert created["memberCount"] == 1
    assert created["viewerMembership"] == {
        "role": "OWNER",
        "status": "ACTIVE",
        "user": {"id": alice.user_id},
    }
    groups = (await alice.data(MY_GROUPS))["myGroups"]["edges"]
    assert [edge["node"]["id"] for edge in groups] == [created["id"]]


async def test_an_app_group_title_has_1_to_64_characters(api: Api) -> None:
    alice = await login(api, "alice")
    for title in ["", "x" * 65]:
        code = await alice.error_code(CREATE_GROUP, input={"title": title})
        assert code == "BAD_USER_INPUT", title
    at_limit = (await alice.data(CREATE_GROUP, input={"title": "x" * 64}))["createGroup"]
    assert at_limit["title"] == "x" * 64


async def test_creating_a_group_needs_a_login(api: Api) -> None:
    variables = {"input": {"title": "Hiking club"}}
    assert await api.error_code(CREATE_GROUP, variables) == "UNAUTHENTICATED"


async def test_many_people_each_create_app_groups_at_once(api: Api) -> None:
    # App groups have no openGId: the unique (appid, openGId) index must leave them all out.
    owners = await asyncio.gather(*(create_group(api, f"owner{n}", f"Club {n}") for n in range(10)))
    second = await owners[0].create_group("Second club")

    ids = {owner.group_id for owner in owners} | {second.group_id}
    assert len(ids) == 11
    for owner in owners:
        groups = (await owner.data(MY_GROUPS))["myGroups"]["edges"]
        assert [edge["node"]["id"] for edge in groups][-1] == owner.group_id
