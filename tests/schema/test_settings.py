"""A group's settings: title, announcement, who may post what, and the defaults of a new group."""

from datetime import datetime
from typing import Any

from tests.conftest import Api, Clock
from tests.members import SET_ROLE, Member, join_in_order, update_group

ITEM_TYPES = {"TEXT", "IMAGE", "VIDEO", "FILE", "LINK", "POLL", "QUESTION"}
SETTINGS = """
  title
  announcement { text author { id } updatedAt }
  joinPolicy postPolicy allowedItemTypes membersCanInvite membersCanPin
"""
GROUP = f"query($id: ID!) {{ group(id: $id) {{ {SETTINGS} }} }}"
UPDATE = f"mutation($input: UpdateGroupInput!) {{ updateGroup(input: $input) {{ {SETTINGS} }} }}"
POST_TEXT = """
mutation($groupId: ID!) { postItem(input: {groupId: $groupId, text: "hello"}) { type } }
"""
POST_IMAGE = """
mutation($groupId: ID!) {
  postItem(input: {
    groupId: $groupId, type: IMAGE,
    media: [{url: "https://img.example/cat.jpg", mime: "image/jpeg", size: 2048}]
  }) { type }
}
"""


async def _owner_admin_member(api: Api) -> tuple[Member, Member, Member]:
    owner, admin, member = await join_in_order(api, "owner", "admin", "member")
    variables = {"groupId": owner.group_id, "userId": admin.user_id, "role": "ADMIN"}
    await api.data(SET_ROLE, variables, token=owner.token)
    return owner, admin, member


async def _update(api: Api, by: Member, **changes: Any) -> dict[str, Any]:
    data = await api.data(UPDATE, {"input": {"groupId": by.group_id, **changes}}, token=by.token)
    group: dict[str, Any] = data["updateGroup"]
    return group


async def _update_error(api: Api, by: Member, **changes: Any) -> str:
    variables = {"input": {"groupId": by.group_id, **changes}}
    return await api.error_code(UPDATE, variables, token=by.token)


async def _settings(api: Api, viewer: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await api.data(GROUP, {"id": viewer.group_id}, token=viewer.token))[
        "group"
    ]
    return group


async def test_a_new_group_has_the_default_settings(api: Api) -> None:
    owner = await Member.join(api, "owner")
    group = await _settings(api, owner)
    assert group["announcement"] is None
    assert (group["joinPolicy"], group["postPolicy"]) == ("OPEN", "ALL")
    assert set(group["allowedItemTypes"]) == ITEM_TYPES
    assert len(group["allowedItemTypes"]) == len(ITEM_TYPES)
    assert (group["membersCanInvite"], group["membersCanPin"]) == (True, False)


async def test_the_owner_and_admins_rename_the_group(api: Api) -> None:
    owner, admin, member = await _owner_admin_member(api)
    assert (await _update(api, owner, title="Hiking"))["title"] == "Hiking"
    assert (await _update(api, admin, title="Hiking club"))["title"] == "Hiking club"
    assert (await _settings(api, member))["title"] == "Hiking club"


async def test_a_title_is_one_to_sixty_four_characters(api: Api) -> None:
    owner = await Member.join(api, "owner")
    assert (await _update(api, owner, title="群" * 64))["title"] == "群" * 64
    assert (await _update(api, owner, title="t" * 64))["title"] == "t" * 64
    for bad in ["t" * 65, ""]:
        assert await _update_error(api, owner, title=bad) == "BAD_USER_INPUT"
    assert (await _settings(api, owner))["title"] == "t" * 64


async def test_a_null_title_clears_it(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await _update(api, owner, title="Hiking")
    assert (await _update(api, owner, title=None))["title"] is None


async def test_an_admin_posts_an_announcement_that_members_read(api: Api, clock: Clock) -> None:
    _, admin, member = await _owner_admin_member(api)
    await _update(api, admin, announcement="Meet at 9 at the north gate.")
    announcement = (await _settings(api, member))["announcement"]
    assert announcement["text"] == "Meet at 9 at the north gate."
    assert announcement["author"] == {"id": admin.user_id}
    assert datetime.fromisoformat(announcement["updatedAt"]) == clock.now


async def test_a_rewritten_announcement_credits_its_new_author_and_time(
    api: Api, clock: Clock
) -> None:
    owner, admin, _ = await _owner_admin_member(api)
    await _update(api, owner, announcement="Meet at 9.")
    clock.advance(minutes=5)
    await _update(api, admin, title="Hiking")
    assert (await _settings(api, owner))["announcement"]["author"] == {"id": owner.user_id}
    announcement = (await _update(api, admin, announcement="Meet at 10."))["announcement"]
    assert announcement["author"] == {"id": admin.user_id}
    assert datetime.fromisoformat(announcement["updatedAt"]) == clock.now


async def test_an_announcement_is_one_to_two_thousand_characters(api: Api) -> None:
    owner = await Member.join(api, "owner")
    assert (await _update(api, owner, announcement="a" * 2000))["announcement"][
        "text"
    ] == "a" * 2000
    for bad in ["a" * 2001, ""]:
        assert await _update_error(api, owner, announcement=bad) == "BAD_USER_INPUT"
    assert (await _settings(api, owner))["announcement"]["text"] == "a" * 2000


async def test_a_null_announcement_clears_it(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await _update(api, owner, announcement="Welcome!")
    assert (await _update(api, owner, announcement=None))["announcement"] is None
    assert (await _settings(api, owner))["announcement"] is None


async def test_only_the_given_fields_change(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await _update(api, owner, title="Hiking", postPolicy="ADMINS", membersCanPin=True)
    group = await _update(api, owner, announcement="Welcome!")
    assert group["title"] == "Hiking"
    assert group["announcement"]["text"] == "Welcome!"
    assert (group["postPolicy"], group["membersCanPin"]) == ("ADMINS", True)
    assert (group["joinPolicy"], group["membersCanInvite"]) == ("OPEN", True)
    assert set(group["allowedItemTypes"]) == ITEM_TYPES


async def test_when_only_admins_post_a_member_cannot(api: Api) -> None:
    owner, admin, member = await _owner_admin_member(api)
    await _update(api, owner, postPolicy="ADMINS")
    for poster in [owner, admin]:
        posted = await api.data(POST_TEXT, {"groupId": poster.group_id}, token=poster.token)
        assert posted["postItem"]["type"] == "TEXT"
    refused = await api.error_code(POST_TEXT, {"groupId": member.group_id}, token=member.token)
    assert refused == "FORBIDDEN"


async def test_a_type_left_out_of_the_allowed_types_cannot_be_posted(api: Api) -> None:
    owner, _, member = await _owner_admin_member(api)
    assert (await _update(api, owner, allowedItemTypes=["TEXT"]))["allowedItemTypes"] == ["TEXT"]
    for poster in [owner, member]:
        refused = await api.error_code(POST_IMAGE, {"groupId": poster.group_id}, token=poster.token)
        assert refused == "FORBIDDEN"
    posted = await api.data(POST_TEXT, {"groupId": member.group_id}, token=member.token)
    assert posted["postItem"]["type"] == "TEXT"


async def test_images_can_be_posted_while_allowed(api: Api) -> None:
    owner = await Member.join(api, "owner")
    posted = await api.data(POST_IMAGE, {"groupId": owner.group_id}, token=owner.token)
    assert posted["postItem"]["type"] == "IMAGE"


async def test_allowing_no_item_type_is_refused(api: Api) -> None:
    owner = await Member.join(api, "owner")
    assert await _update_error(api, owner, allowedItemTypes=[]) == "BAD_USER_INPUT"
    assert set((await _settings(api, owner))["allowedItemTypes"]) == ITEM_TYPES


async def test_a_member_cannot_change_the_settings(api: Api) -> None:
    owner, _, member = await _owner_admin_member(api)
    before = await _settings(api, owner)
    assert await _update_error(api, member, title="Mine now") == "FORBIDDEN"
    assert await _update_error(api, member, joinPolicy="CLOSED") == "FORBIDDEN"
    assert await _settings(api, owner) == before


async def test_an_update_that_names_no_setting_changes_nothing(api: Api) -> None:
    owner = await Member.join(api, "owner")
    await update_group(api, owner, owner.group_id, title="Hikers")
    unchanged = await owner.data(
        "mutation($g: ID!) { updateGroup(input: {groupId: $g}) { title joinPolicy } }",
        g=owner.group_id,
    )
    assert unchanged == {"updateGroup": {"title": "Hikers", "joinPolicy": "OPEN"}}
