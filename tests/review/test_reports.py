"""Members report items to the admins: each report counts once, and the admins decide."""

import asyncio
from typing import Any

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api

REPORT = "mutation($itemId: ID!, $reason: String!) { reportItem(itemId: $itemId, reason: $reason) }"
QUEUE = """
query($id: ID!) {
  group(id: $id) {
    reviewQueue {
      edges { node { id reviewStatus reportCount reports { reason reporter { id } } } }
    }
  }
}
"""
ITEM = """
query($id: ID!) {
  group(id: $id) { items { edges { node { id text reportCount reports { reason } } } } }
}
"""
RESOLVE = """
mutation($itemId: ID!, $action: ReviewAction!) {
  resolveReview(itemId: $itemId, action: $action) { id reviewStatus text }
}
"""


async def queue(admin: Member) -> list[dict[str, Any]]:
    edges = (await admin.data(QUEUE, id=admin.group_id))["group"]["reviewQueue"]["edges"]
    return [edge["node"] for edge in edges]


async def test_a_report_reaches_the_admins_with_its_reason_once(api: Api) -> None:
    owner, author, reporter = await join_in_order(api, "owner", "author", "reporter")
    item = await author.say("buy followers cheap")
    assert (await reporter.data(REPORT, itemId=item["id"], reason=" spam  ads "))["reportItem"]
    again = await reporter.data(REPORT, itemId=item["id"], reason="still spam")
    assert again["reportItem"] is False

    [queued] = await queue(owner)
    assert queued == {
        "id": item["id"],
        "reviewStatus": "PUBLISHED",
        "reportCount": 1,
        "reports": [{"reason": "spam ads", "reporter": {"id": reporter.user_id}}],
    }
    [seen] = (await reporter.data(ITEM, id=reporter.group_id))["group"]["items"]["edges"]
    assert seen["node"]["reportCount"] is None and seen["node"]["reports"] == []


async def test_reports_in_waves_each_count_once(api: Api) -> None:
    owner = await join(api, "owner")
    item = await owner.say("controversial")
    members = [await join(api, f"m{n}") for n in range(30)]
    for wave in range(3):
        await asyncio.gather(
            *[m.data(REPORT, itemId=item["id"], reason=f"wave {wave}") for m in members]
        )
        [queued] = await queue(owner)
        assert queued["reportCount"] == 30
        assert len(queued["reports"]) == 20  # the first twenty reasons are shown


async def test_admins_keep_or_remove_a_reported_item(api: Api) -> None:
    owner, author, reporter = await join_in_order(api, "owner", "author", "reporter")
    kept, removed = await author.say("fine"), await author.say("not fine")
    for item in (kept, removed):
        await reporter.data(REPORT, itemId=item["id"], reason="?")
    decided = await owner.data(RESOLVE, itemId=kept["id"], action="KEEP")
    assert decided["resolveReview"]["reviewStatus"] == "PUBLISHED"
    decided = await owner.data(RESOLVE, itemId=removed["id"], action="REMOVE")
    assert decided["resolveReview"]["reviewStatus"] == "REJECTED"
    assert await queue(owner) == []
    texts = {
        edge["node"]["id"]: edge["node"]["text"]
        for edge in (await reporter.data(ITEM, id=reporter.group_id))["group"]["items"]["edges"]
    }
    assert texts == {kept["id"]: "fine", removed["id"]: None}


async def test_a_report_needs_a_reason_a_live_item_and_a_member(api: Api) -> None:
    owner, member = await join_in_order(api, "owner", "member")
    item = await owner.say("hello")
    assert await member.error_code(REPORT, itemId=item["id"], reason="   ") == "BAD_USER_INPUT"
    assert await member.error_code(REPORT, itemId=item["id"], reason="x" * 501) == "BAD_USER_INPUT"
    outsider = await login(api, "outsider")
    assert await outsider.error_code(REPORT, itemId=item["id"], reason="spam") == "FORBIDDEN"
    await owner.delete(item)
    assert await member.error_code(REPORT, itemId=item["id"], reason="spam") == "BAD_USER_INPUT"
