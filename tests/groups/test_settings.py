"""A group's settings: title, announcement, who may post what, and the defaults of a new group."""

from datetime import datetime
from typing import Any

from tests.actors import Member, join, join_in_order
from tests.conftest import Api, Clock

ITEM_TYPES = {"TEXT", "IMAGE", "VIDEO", "FILE", "LINK", "POLL", "QUESTION"}
SETTINGS = """
  title
  announcement { text author { id } updatedAt }
  joinPolicy postPolicy allowedItemTypes membersCanInvite membersCanPin
"""
GROUP = f"query($id: ID!) {{ group(id: $id) {{ {SETTINGS} }} }}"
UPDATE = f"mutation($input: UpdateGroupInput!) {{ updateGroup(input: $input) {{ {SETTINGS} }} }}"
CAT = {"url": "https://img.example/cat.jpg", "mime": "image/jpeg", "size": 2048}


async def _owner_admin_member(api: Api) -> tuple[Member, Member, Member]:
    owner, admin, member = await join_in_order(api, "owner", "admin", "member")
    await owner.set_role(admin, "ADMIN")
    return owner, admin, member


async def _update(by: Member, **changes: Any) -> dict[str, Any]:
    group: dict[str, Any] = (await by.data(UPDATE, input={"groupId": by.group_id, **changes}))[
        "updateGroup"
    ]
    return group


async def _update_error(by: Member, **changes: Any) -> str:
    return await by.error_code(UPDATE, input={"groupId": by.group_id, **changes})


async def _settings(viewer: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await viewer.data(GROUP, id=viewer.group_id))["group"]
    return group


async def test_a_new_group_has_the_default_settings(api: Api) -> None:
    owner = await join(api, "owner")
    group = await _settings(owner)
    assert group["announcement"] is None
    assert (group["joinPolicy"], group["postPolicy"]) == ("OPEN", "ALL")
    assert set(group["allowedItemTypes"]) == ITEM_TYPES
    assert len(group["allowedItemTypes"]) == len(ITEM_TYPES)
    assert (group["membersCanInvite"], group["membersCanPin"]) == (True, False)


async def test_the_owner_and_admins_rename_the_group(api: Api) -> None:
    owner, admin, member = await _owner_admin_member(api)
    assert (await _update(owner, title="Hiking"))["title"] == "Hiking"
    assert (await _update(admin, title="Hiking club"))["title"] == "Hiking club"
    assert (await _settings(member))["title"] == "Hiking club"


async def test_a_title_is_one_to_sixty_four_characters(api: Api) -> None:
    owner = await join(api, "owner")
    assert (await _update(owner, title="群" * 64))["title"] == "群" * 64
    assert (await _update(owner, title="t" * 64))["title"] == "t" * 64
    for bad in ["t" * 65, ""]:
        assert await _update_error(owner, title=bad) == "BAD_USER_INPUT"
    assert (await _settings(owner))["title"] == "t" * 64


async def test_a_null_title_clears_it(api: Api) -> None:
    owner = await join(api, "owner")
    await _update(owner, title="Hiking")
    assert (await _update(owner, title=None))["title"] is None


async def test_an_admin_posts_an_announcement_that_members_read(api: Api, clock: Clock) -> None:
    _, admin, member = await _owner_admin_member(api)
    await _update(admin, announcement="Meet at 9 at the north gate.")
    announcement = (await _settings(member))["announcement"]
    assert announcement["text"] == "Meet at 9 at the north gate."
    assert announcement["author"] == {"id": admin.user_id}
    assert datetime.fromisoformat(announcement["updatedAt"]) == clock.now


async def test_a_rewritten_announcement_credits_its_new_author_and_time(
    api: Api, clock: Clock
) -> None:
    owner, admin, _ = await _owner_admin_member(api)
    await _update(owner, announcement="Meet at 9.")
    clock.advance(minutes=5)
    await _update(admin, title="Hiking")
    assert (await _settings(owner))["announcement"]["author"] == {"id": owner.user_id}
    announcement = (await _update(admin, announcement="Meet at 10."))["announcement"]
    assert announcement["author"] == {"id": admin.user_id}
    assert datetime.fromisoformat(announcement["updatedAt"]) == clock.now


async def test_an_announcement_is_one_to_two_thousand_characters(api: Api) -> None:
    owner = await join(api, "owner")
    assert (await _update(owner, announcement="a" * 2000))["announcement"]["text"] == "a" * 2000
    for bad in ["a" * 2001, ""]:
        assert await _update_error(owner, announcement=bad) == "BAD_USER_INPUT"
    assert (await _settings(owner))["announcement"]["text"] == "a" * 2000


async def test_a_null_announcement_clears_it(api: Api) -> None:
    owner = await join(api, "owner")
    await _update(owner, announcement="Welcome!")
    assert (await _update(owner, announcement=None))["announcement"] is None
    assert (await _settings(owner))["announcement"] is None


async def test_only_the_given_fields_change(api: Api) -> None:
    owner = await join(api, "owner")
    await _update(owner, title="Hiking", postPolicy="ADMINS", membersCanPin=True)
    group = await _update(owner, announcement="Welcome!")
    assert group["title"] == "Hiking"
    assert group["announcement"]["text"] == "Welcome!"
    assert (group["postPolicy"], group["membersCanPin"]) == ("ADMINS", True)
    assert (group["joinPolicy"], group["membersCanInvite"]) == ("OPEN", True)
    assert set(group["allowedItemTypes"]) == ITEM_TYPES


async def test_when_only_admins_post_a_member_cannot(api: Api) -> None:
    owner, admin, member = await _owner_admin_member(api)
    await _update(owner, postPolicy="ADMINS")
    for poster in [owner, admin]:
        assert (await poster.say("hello"))["type"] == "TEXT"
    assert await member.post_error(text="hello") == "FORBIDDEN"


async def test_a_type_left_out_of_the_allowed_types_cannot_be_posted(api: Api) -> None:
    owner, _, member = await _owner_admin_member(api)
    assert (await _update(owner, allowedItemTypes=["TEXT"]))["allowedItemTypes"] == ["TEXT"]
    for poster in [owner, member]:
        assert await poster.post_error(type="IMAGE", media=[CAT]) == "FORBIDDEN"
    assert (await member.say("hello"))["type"] == "TEXT"


async def test_images_can_be_posted_while_allowed(api: Api) -> None:
    owner = await join(api, "owner")
    assert (await owner.post(type="IMAGE", media=[CAT]))["type"] == "IMAGE"


async def test_allowing_no_item_type_is_refused(api: Api) -> None:
    owner = await join(api, "owner")
    assert await _update_error(owner, allowedItemTypes=[]) == "BAD_USER_INPUT"
    assert set((await _settings(owner))["allowedItemTypes"]) == ITEM_TYPES


async def test_a_member_cannot_change_the_settings(api: Api) -> None:
    owner, _, member = await _owner_admin_member(api)
    before = await _settings(owner)
    assert await _update_error(member, title="Mine now") == "FORBIDDEN"
    assert await _update_error(member, joinPolicy="CLOSED") == "FORBIDDEN"
    assert await _settings(owner) == before


async def test_an_update_that_names_no_setting_changes_nothing(api: Api) -> None:
    owner = await join(api, "owner")
    await owner.update_group(title="Hikers")
    unchanged = await owner.data(
        "mutation($g: ID!) { updateGroup(input: {groupId: $g}) { title joinPolicy } }",
        g=owner.group_id,
    )
    assert unchanged == {"updateGroup": {"title": "Hikers", "joinPolicy": "OPEN"}}
