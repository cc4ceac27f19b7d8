"""Content checks before publishing: risky text is refused, text to review is held (its author
and the admins see it; the others see that something waits), and admins decide."""

from pathlib import Path
from typing import Any

import pytest

from tests.actors import Member, join, join_in_order
from tests.conftest import Api, Clock, api_on_test_store
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, MSG_SEC_CHECK, FakeWeChat
from tests.people.documents import NOTIFICATIONS, UPDATE_PROFILE

ITEM = "id seq text reviewStatus mentions { id }"
POST = f"mutation($input: PostItemInput!) {{ postItem(input: $input) {{ {ITEM} }} }}"
FEED = (
    f"query($id: ID!) {{ group(id: $id) {{ items(first: 20) {{ edges {{ node {{ {ITEM} }} }} }} }}"
    " }"
)
QUEUE = (
    f"query($id: ID!) {{ group(id: $id) {{ reviewQueue {{ edges {{ node {{ {ITEM} }} }} }} }} }}"
)
RESOLVE = f"""
mutation($itemId: ID!, $action: ReviewAction!) {{
  resolveReview(itemId: $itemId, action: $action) {{ {ITEM} }}
}}
"""
MEMBERSHIP = "query($id: ID!) { group(id: $id) { viewerMembership { status } } }"


async def post(by: Member, text: str, **item: Any) -> dict[str, Any]:
    return (await by.data(POST, input={"groupId": by.group_id, "text": text, **item}))["postItem"]  # type: ignore[no-any-return]


async def feed(viewer: Member) -> list[dict[str, Any]]:
    edges = (await viewer.data(FEED, id=viewer.group_id))["group"]["items"]["edges"]
    return [edge["node"] for edge in edges]


async def test_risky_text_is_refused_and_nothing_is_posted(api: Api) -> None:
    owner = await join(api, "owner")
    code = await owner.error_code(POST, input={"groupId": owner.group_id, "text": "buy dev-risky"})
    assert code == "CONTENT_REJECTED"
    assert await feed(owner) == []


async def test_held_text_is_seen_by_its_author_and_admins_until_kept(api: Api) -> None:
    owner, admin, author, reader = await join_in_order(api, "owner", "admin", "author", "reader")
    await owner.set_role(admin, "ADMIN")
    held = await post(author, "please dev-review @reader", mentions=[reader.user_id])
    assert held["reviewStatus"] == "PENDING_REVIEW"

    [seen_by_reader] = await feed(reader)
    assert seen_by_reader == {**held, "text": None, "mentions": []}  # its place, not its words
    for insider in (author, admin, owner):
        [seen] = await feed(insider)
        assert seen["text"] == "please dev-review @reader"
    assert await reader.error_code(QUEUE, id=reader.group_id) == "FORBIDDEN"
    [queued] = (await admin.data(QUEUE, id=admin.group_id))["group"]["reviewQueue"]["edges"]
    assert queued["node"]["id"] == held["id"]
    notes = (await reader.data(NOTIFICATIONS, first=5))["viewer"]["notifications"]["edges"]
    assert notes == []  # a held item tells nobody

    kept = (await admin.data(RESOLVE, itemId=held["id"], action="KEEP"))["resolveReview"]
    assert kept["reviewStatus"] == "PUBLISHED"
    [seen_by_reader] = await feed(reader)
    assert seen_by_reader["text"] == "please dev-review @reader"
    notes = (await reader.data(NOTIFICATIONS, first=5))["viewer"]["notifications"]["edges"]
    assert [edge["node"]["kind"] for edge in notes] == ["MENTION"]
    assert (await admin.data(QUEUE, id=admin.group_id))["group"]["reviewQueue"]["edges"] == []
    again = await admin.error_code(RESOLVE, itemId=held["id"], action="REMOVE")
    assert again == "BAD_USER_INPUT"


async def test_a_removed_item_is_its_authors_alone_and_a_ban_shuts_them_out(api: Api) -> None:
    owner, author, reader = await join_in_order(api, "owner", "author", "reader")
    first = await post(author, "dev-review one")
    second = await post(author, "dev-review two")
    removed = (await owner.data(RESOLVE, itemId=first["id"], action="REMOVE"))["resolveReview"]
    assert removed["reviewStatus"] == "REJECTED"
    by_id = {item["id"]: item for item in await feed(author)}
    assert by_id[first["id"]]["text"] == "dev-review one"
    assert {item["id"]: item["text"] for item in await feed(owner)}[first["id"]] is None
    await owner.data(RESOLVE, itemId=second["id"], action="REMOVE_AND_BAN")
    assert await author.error_code(MEMBERSHIP, id=author.group_id) == "BANNED"
    assert {item["text"] for item in await feed(reader)} == {None}


async def test_the_blocklist_refuses_before_any_call_in_items_names_and_titles(
    clock: Clock, tmp_path: Path
) -> None:
    words = tmp_path / "blocklist.txt"
    words.write_text("# words the operator refuses\n代开发票\nspamword\n", encoding="utf-8")
    async with api_on_test_store(clock, blocklist=words) as api:
        owner = await join(api, "owner")
        full_width = "".join(chr(ord(char) + 0xFEE0) for char in "SPAMWORD")  # full-width letters
        for text in ("明天可以代开发票吗", f"{full_width} here", "s.p.a.m.w.o.r.d"):
            code = await owner.error_code(POST, input={"groupId": owner.group_id, "text": text})
            assert code == "CONTENT_REJECTED", text
        code = await owner.error_code(UPDATE_PROFILE, input={"nickname": "代开 发票"})
        assert code == "CONTENT_REJECTED"
        await owner.update_group(title="Hiking")
        body = await owner.send(
            "mutation($i: UpdateGroupInput!) { updateGroup(input: $i) { title } }",
            i={"groupId": owner.group_id, "announcement": "代开发票 找我"},
        )
        assert body["errors"][0]["extensions"]["code"] == "CONTENT_REJECTED"
        assert (await post(owner, "an ordinary message"))["reviewStatus"] == "PUBLISHED"


async def live_checked(clock: Clock, fake: FakeWeChat, **overrides: Any) -> Any:
    return api_on_test_store(
        clock,
        wechat_mode="live",
        wechat_appid=FAKE_APPID,
        wechat_secret=FAKE_SECRET,
        wechat_api_base=fake.base_url,
        **overrides,
    )


async def member_of_new_group(api: Api, fake: FakeWeChat, code: str) -> Member:
    fake.add_code(code, f"openid-{code}")
    from tests.actors import login

    user = await login(api, code)
    return await user.create_group("Checked")


@pytest.mark.parametrize(
    "failure, expected", [("hold", "PENDING_REVIEW"), ("publish", "PUBLISHED")]
)
async def test_wechat_decides_and_its_silence_holds_or_publishes_as_configured(
    clock: Clock, fake_wechat: FakeWeChat, failure: str, expected: str
) -> None:
    async with await live_checked(clock, fake_wechat, content_check_failure=failure) as api:
        owner = await member_of_new_group(api, fake_wechat, "owner")
        fake_wechat.text_rules["违规内容"] = ("risky", 20001)
        fake_wechat.text_rules["待审内容"] = ("review", 21000)
        code = await owner.error_code(
            POST, input={"groupId": owner.group_id, "text": "这是违规内容"}
        )
        assert code == "CONTENT_REJECTED"
        assert (await post(owner, "这是待审内容"))["reviewStatus"] == "PENDING_REVIEW"
        assert (await post(owner, "今天天气不错"))["reviewStatus"] == "PUBLISHED"
        checked = [call["body"]["content"] for call in fake_wechat.text_check_calls]
        # The group's title was checked first, when the group was made.
        assert checked == ["Checked", "这是违规内容", "这是待审内容", "今天天气不错"]
        assert {call["body"]["openid"] for call in fake_wechat.text_check_calls} == {"openid-owner"}
        fake_wechat.fail_next(-1, api=MSG_SEC_CHECK)
        assert (await post(owner, "WeChat is busy now"))["reviewStatus"] == expected


async def test_checks_past_wechats_quota_are_not_sent_and_hold_the_item(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    async with await live_checked(clock, fake_wechat, content_checks_per_min=3) as api:
        owner = await member_of_new_group(api, fake_wechat, "owner")  # its title: 1 check
        assert (await post(owner, "first"))["reviewStatus"] == "PUBLISHED"
        assert (await post(owner, "second"))["reviewStatus"] == "PUBLISHED"
        assert (await post(owner, "third, past the quota"))["reviewStatus"] == "PENDING_REVIEW"
        assert len(fake_wechat.text_check_calls) == 3
