"""App groups: groups made in the mini-program rather than opened from a WeChat chat."""

from tests.conftest import Api
from tests.members import login
from tests.schema.invites import CREATE_GROUP

MY_GROUPS = "{ myGroups { edges { node { id kind title } } } }"


async def test_a_user_creates_an_app_group_and_owns_it(api: Api) -> None:
    alice = await login(api, "alice")
    created = (await api.data(CREATE_GROUP, {"title": "Hiking club"}, token=alice.token))[
        "createGroup"
    ]
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
    groups = (await api.data(MY_GROUPS, token=alice.token))["myGroups"]["edges"]
    assert [edge["node"]["id"] for edge in groups] == [created["id"]]


async def test_an_app_group_title_has_1_to_64_characters(api: Api) -> None:
    alice = await login(api, "alice")
    for title in ["", "x" * 65]:
        code = await api.error_code(CREATE_GROUP, {"title": title}, token=alice.token)
        assert code == "BAD_USER_INPUT", title
    at_limit = (await api.data(CREATE_GROUP, {"title": "x" * 64}, token=alice.token))["createGroup"]
    assert at_limit["title"] == "x" * 64


async def test_creating_a_group_needs_a_login(api: Api) -> None:
    assert await api.error_code(CREATE_GROUP, {"title": "Hiking club"}) == "UNAUTHENTICATED"
