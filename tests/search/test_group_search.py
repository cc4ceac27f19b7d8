"""Group.search: Chinese words anywhere in a sentence, English words whole, every word of the
query, with highlights a client can mark without tokenising; never deleted or held items."""

import asyncio
from datetime import timedelta
from typing import Any

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.search.documents import GROUP_SEARCH


async def search(member: Member, query: str, **arguments: Any) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (await search_page(member, query, **arguments))["edges"]]


async def search_page(member: Member, query: str, **arguments: Any) -> dict[str, Any]:
    found = await member.data(GROUP_SEARCH, id=member.group_id, q=query, **arguments)
    page: dict[str, Any] = found["group"]["search"]
    return page


def texts(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["item"]["text"] for hit in hits]


def marked(hit: dict[str, Any]) -> list[str]:
    """The highlighted pieces of a hit's text, cut as a JavaScript client cuts (UTF-16)."""
    units = hit["item"]["text"].encode("utf-16-le")
    return [
        units[mark["start"] * 2 : mark["end"] * 2].decode("utf-16-le")
        for mark in hit["highlights"]
        if mark["field"] == "TEXT"
    ]


async def test_a_chinese_word_is_found_in_the_middle_of_a_sentence(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("明天下午我们部署新版本到服务器")
    await bob.say("我和服务员说了，今天不营业")
    await bob.say("😂😂 部署完成")

    hits = await search(bob, "部署")

    assert texts(hits) == ["😂😂 部署完成", "明天下午我们部署新版本到服务器"]
    assert [marked(hit) for hit in hits] == [["部署"], ["部署"]]
    assert hits[0]["highlights"] == [
        {"field": "TEXT", "start": 5, "end": 7, "optionId": None, "mediaIndex": None}
    ]
    assert texts(await search(bob, "和服")) == []  # 和|服务员: there is no 和服 in it
    assert texts(await search(bob, "服务器")) == ["明天下午我们部署新版本到服务器"]


async def test_english_words_are_found_whole_whatever_their_case(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    await alice.say("Deploy to staging at 15:30, then ping me")
    await alice.say("the ＡＰＩ docs are on the wiki")
    await alice.say("start the party")

    assert texts(await search(alice, "deploy STAGING")) == [
        "Deploy to staging at 15:30, then ping me"
    ]
    assert marked((await search(alice, "15:30"))[0]) == ["15:30"]
    assert texts(await search(alice, "pin")) == []
    assert texts(await search(alice, "art")) == []
    assert marked((await search(alice, "api"))[0]) == ["ＡＰＩ"]


async def test_every_word_of_a_mixed_query_must_match(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    both = await alice.say("明天 deploy 到 staging，部署前先备份")
    await alice.say("部署文档在群公告里")
    await alice.say("deploy script is broken")

    hits = await search(alice, "部署 deploy")

    assert [hit["item"]["id"] for hit in hits] == [both["id"]]
    assert marked(hits[0]) == ["deploy", "部署"]
    assert [hit["item"]["id"] for hit in await search(alice, "部署deploy")] == [both["id"]]


async def test_poll_options_link_titles_and_file_names_are_searched(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    poll = await alice.post(type="POLL", text="周五去哪", poll={"options": ["爬山", "团建聚餐"]})
    link = await alice.post(
        type="LINK", text="看看", link={"url": "https://example.com/a", "title": "团建攻略"}
    )
    file = await alice.post(
        type="FILE",
        media=[{"url": "https://cdn.example.com/f.pdf", "mime": "application/pdf", "size": 9,
                "name": "Q3团建方案.pdf"}],
    )  # fmt: skip

    hits = {hit["item"]["id"]: hit["highlights"] for hit in await search(alice, "团建")}

    option = next(o for o in poll["poll"]["options"] if o["text"] == "团建聚餐")
    assert hits == {
        poll["id"]: [
            {"field": "POLL_OPTION", "start": 0, "end": 2, "optionId": option["id"],
             "mediaIndex": None}
        ],
        link["id"]: [
            {"field": "LINK_TITLE", "start": 0, "end": 2, "optionId": None, "mediaIndex": None}
        ],
        file["id"]: [
            {"field": "FILE_NAME", "start": 2, "end": 4, "optionId": None, "mediaIndex": 0}
        ],
    }  # fmt: skip


async def test_filters_narrow_by_type_author_and_time(api: Api, clock: Clock) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    early = await alice.say("周报 draft")
    clock.advance(hours=2)
    middle = await bob.post(type="QUESTION", text="周报 怎么写?")
    clock.advance(hours=2)
    late = await alice.say("周报 final")

    def ids(hits: list[dict[str, Any]]) -> list[str]:
        return [hit["item"]["id"] for hit in hits]

    assert ids(await search(bob, "周报")) == [late["id"], middle["id"], early["id"]]
    assert ids(await search(bob, "周报", types=["QUESTION"])) == [middle["id"]]
    assert ids(await search(bob, "周报", authorId=alice.user_id)) == [late["id"], early["id"]]
    since = (clock.now - timedelta(hours=3)).isoformat()
    until = (clock.now - timedelta(hours=1)).isoformat()
    assert ids(await search(bob, "周报", **{"from": since, "to": until})) == [middle["id"]]


async def test_deleted_items_and_old_words_of_edited_ones_are_not_found(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    gone = await alice.say("聚餐改到周六")
    edited = await alice.say("聚餐在海底捞")
    await alice.delete(gone)
    await alice.edit(edited, "晚饭在西贝")

    assert texts(await search(alice, "聚餐")) == []
    assert texts(await search(alice, "西贝")) == ["晚饭在西贝"]


async def test_items_held_for_review_are_found_by_nobody_until_published(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("团购链接 dev-review 在这")

    assert texts(await search(alice, "团购")) == []  # not even its author
    assert texts(await search(bob, "团购")) == []


async def test_only_active_members_search_a_group(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    await alice.say("秘密计划")
    stranger = await login(api, "stranger")

    refused = await stranger.error_code(GROUP_SEARCH, id=alice.group_id, q="秘密")
    assert refused == "FORBIDDEN"
    await bob.leave()
    assert await bob.error_code(GROUP_SEARCH, id=alice.group_id, q="秘密") == "FORBIDDEN"


async def test_bad_queries_and_cursors_are_refused_with_a_reason(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    for query in ["", "   ", "😂 !!", "字" * 101, " ".join(f"w{n}" for n in range(11))]:
        body = await alice.send(GROUP_SEARCH, id=alice.group_id, q=query)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", query
        assert "query" in error["message"]
    for cursor in ["nonsense", "c2VhcmNoOng="]:  # the latter is "search:x"
        body = await alice.send(GROUP_SEARCH, id=alice.group_id, q="部署", after=cursor)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await alice.error_code(GROUP_SEARCH, id=alice.group_id, q="x", first=101)) == (
        "BAD_USER_INPUT"
    )


async def test_pages_follow_one_another_without_repeats_while_people_post(api: Api) -> None:
    [alice] = await join_in_order(api, "alice")
    for n in range(25):
        await alice.say(f"第{n}次 上线")

    seen: list[str] = []
    page = await search_page(alice, "上线", first=10)
    while True:
        seen += [edge["node"]["item"]["text"] for edge in page["edges"]]
        await alice.say("新的上线通知")  # newer than the first page: never in a later one
        if not page["pageInfo"]["hasNextPage"]:
            break
        page = await search_page(alice, "上线", first=10, after=page["pageInfo"]["endCursor"])

    assert seen == [f"第{n}次 上线" for n in reversed(range(25))]


async def test_a_page_stops_reading_after_its_budget_and_goes_on_from_there(
    clock: Clock,
) -> None:
    async with api_on_test_store(clock, search_candidates_per_page=100) as api:
        [alice] = await join_in_order(api, "alice")
        await alice.say("她穿和服拍照")
        for n in range(150):  # newer items with 和服 as characters, not the word (和|服务员)
            await alice.say(f"我和服务员聊了{n}")

        first = await search_page(alice, "和服", first=5)
        assert first["edges"] == [] and first["pageInfo"]["hasNextPage"] is True
        second = await search_page(alice, "和服", first=5, after=first["pageInfo"]["endCursor"])
        assert texts([edge["node"] for edge in second["edges"]]) == ["她穿和服拍照"]
        assert second["pageInfo"]["hasNextPage"] is False


async def test_one_chinese_character_is_looked_for_in_the_newest_items_only(clock: Clock) -> None:
    async with api_on_test_store(clock, search_scan_depth=30) as api:
        [alice] = await join_in_order(api, "alice")
        await alice.say("猫 找到了")  # older than the scan reaches
        for n in range(30):
            await alice.say(f"第{n}条")
        await alice.say("猫，好可爱")
        await alice.say("熊猫很可爱")  # 熊猫 is a word of its own: no 猫 in it
        await alice.say("小猫咪")  # 猫 is, as in 小猫

        assert texts(await search(alice, "猫")) == ["小猫咪", "猫，好可爱"]


async def test_members_of_other_groups_find_nothing_of_this_one(api: Api) -> None:
    alice = await join(api, "alice", chat="G1")
    bob = await join(api, "bob", chat="G2")
    await alice.say("项目代号 Phoenix")
    await bob.say("我们的项目代号是 Dragon")

    assert texts(await search(bob, "项目代号")) == ["我们的项目代号是 Dragon"]


async def test_search_agrees_with_the_feed_after_waves_of_concurrent_writes(api: Api) -> None:
    members = await join_in_order(api, *(f"m{n}" for n in range(10)))
    posted: dict[str, dict[str, Any]] = {}
    for wave in range(5):
        # Each member at once: posts a task, marks their previous one done, deletes an older one.
        async def act(n: int, member: Member, wave: int = wave) -> None:
            posted[f"{n}.{wave}"] = await member.say(f"任务 {n}-{wave} 进行中")
            if wave >= 1:
                await member.edit(posted[f"{n}.{wave - 1}"], f"已完成 {n}-{wave - 1}")
            if wave >= 2 and (n + wave) % 3 == 0:
                await member.delete(posted[f"{n}.{wave - 2}"])

        await asyncio.gather(*(act(n, member) for n, member in enumerate(members)))

    feed = await members[0].feed()
    expected = {
        "任务": {item["id"] for item in feed if "任务" in (item["text"] or "")},
        "已完成": {item["id"] for item in feed if "已完成" in (item["text"] or "")},
    }
    for query, ids in expected.items():
        found = await search(members[0], query, first=100)
        assert {hit["item"]["id"] for hit in found} == ids
    assert len(expected["任务"]) == 10 and 0 < len(expected["已完成"]) < 40
