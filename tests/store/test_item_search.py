"""Search over `items`: every write keeps an item's terms with its content, a group's search and a
search across groups find the shown items with every term in a stable order, and reindexing
brings old items up to date without undoing a racing edit or delete; on the in-memory engine and
on a real MongoDB."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from bson import ObjectId

from groupql.records import (
    Item,
    ItemContent,
    ItemType,
    Link,
    Media,
    Poll,
    ReviewStatus,
    SearchFilters,
)
from groupql.store.collection import Collection, Document
from groupql.store.indexes import INDEXES, migrate
from groupql.store.item_search import ItemSearch, reindex_all
from groupql.store.items import ITEMS, Items
from groupql.store.kept_reads import Unkept
from groupql.store.search_terms import TERMS, terms_of
from tests.conftest import Clock
from tests.store import shapes
from tests.store.engines import ENGINES, a_database_name, engine_client

ALICE, BOB = "user-alice", "user-bob"
HIKING, CHESS, BOOKS = "group-hiking", "group-chess", "group-books"
WAVES = 5
WRITERS = 20


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A database with the declared indexes, on each engine."""
    name = a_database_name()
    async with engine_client(request.param, name, shapes.RECORDER) as client:
        db = client[name]
        await migrate({collection: db[collection] for collection in INDEXES})
        yield db


@pytest.fixture
def items(db: Any) -> Items:
    return Items(db["items"], Unkept())


@pytest.fixture
def search(db: Any) -> ItemSearch:
    return ItemSearch(db["items"])


async def post(
    items: Items,
    now: datetime,
    text: str | None = None,
    *,
    content: ItemContent | None = None,
    group_id: str = HIKING,
    author_id: str = ALICE,
    type: ItemType = ItemType.TEXT,
    review: ReviewStatus = ReviewStatus.PUBLISHED,
) -> Item:
    appended = await items.append(
        group_id=group_id,
        type=type,
        author_id=author_id,
        content=content or ItemContent(text=text),
        reply_to=None,
        client_id=None,
        now=now,
        review=review,
        queued=review is ReviewStatus.PENDING_REVIEW,
    )
    assert appended is not None
    return appended[0]


async def edit(items: Items, item: Item, text: str, now: datetime) -> Item | None:
    return await items.edit_text(
        item, text=text, mentions=(), now=now, review=ReviewStatus.PUBLISHED, review_label=None
    )


def located(item: Item) -> Document:
    return {"groupId": item.group_id, "_id": ObjectId(item.id)}


async def stored(db: Any, item: Item) -> Document:
    """The item's document as the database holds it."""
    doc: Document = await db["items"].find_one(located(item))
    return doc


async def stored_terms(db: Any, item: Item) -> list[str] | None:
    """The item's terms as stored; None when it has no `terms` key."""
    terms: list[str] | None = (await stored(db, item)).get(TERMS)
    return terms


async def written_before_search(db: Any, *written: Item) -> None:
    """As an item written by a release without search is stored: without terms."""
    for item in written:
        await db["items"].update_one(located(item), {"$unset": {TERMS: ""}})


async def found(
    search: ItemSearch,
    *terms: str,
    group_id: str = HIKING,
    filters: SearchFilters | None = None,
    before_seq: int | None = None,
    after_seq: int = 0,
) -> list[str | None]:
    """The texts of a group's items that have every term, as in_group returns them."""
    hits = await search.in_group(
        group_id,
        terms,
        filters or SearchFilters(),
        before_seq=before_seq,
        after_seq=after_seq,
        limit=100,
    )
    return [hit.content.text for hit in hits]


async def found_across(
    search: ItemSearch,
    group_ids: Sequence[str],
    *terms: str,
    before: tuple[datetime, str] | None = None,
    limit: int = 100,
) -> list[Item]:
    return await search.across(group_ids, terms, before=before, limit=limit)


async def documents_of(db: Any, group_id: str) -> list[Document]:
    """The group's items as the database holds them, newest first."""
    docs: list[Document] = (
        await db["items"].find({"groupId": group_id}).sort("seq", -1).limit(1000).to_list()
    )
    return docs


async def terms_not_of_their_content(db: Any, group_id: str = HIKING) -> dict[str, Any]:
    """The group's items whose stored terms are not those of their stored content (no key when
    there are none, as for deleted items): id -> (stored, expected). Empty when all are right."""
    wrong = {}
    for doc in await documents_of(db, group_id):
        expected = terms_of(ITEMS.record(doc).content) or None
        if doc.get(TERMS) != expected:
            wrong[str(doc["_id"])] = (doc.get(TERMS, "no key"), expected)
    return wrong


class WriterBetweenReadAndWrite:
    """The items collection as one reindex sees it, where another writer's change lands right
    after reindex read its batch, before reindex writes: the race a conditional write must win
    on any engine, made certain instead of left to timing."""

    def __init__(self, collection: Collection, write: Callable[[], Awaitable[object]]) -> None:
        self._collection = collection
        self._write = write

    def find(self, filter: Document) -> "_ThenWrite":
        return _ThenWrite(self._collection.find(filter), self._write)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


class _ThenWrite:
    """A find() whose documents, once read, are followed by the other writer's write."""

    def __init__(self, cursor: Any, write: Callable[[], Awaitable[object]]) -> None:
        self._cursor = cursor
        self._write = write

    def sort(self, *by: Any) -> "_ThenWrite":
        self._cursor = self._cursor.sort(*by)
        return self

    def limit(self, limit: int) -> "_ThenWrite":
        self._cursor = self._cursor.limit(limit)
        return self

    async def to_list(self, length: int | None = None) -> list[Document]:
        docs: list[Document] = await self._cursor.to_list(length)
        await self._write()
        return docs


async def deleted_ids(db: Any, group_id: str = HIKING) -> set[str]:
    return {str(doc["_id"]) for doc in await documents_of(db, group_id) if doc.get("deletedAt")}


def reindex_racing(db: Any, write: Callable[[], Awaitable[object]]) -> ItemSearch:
    """Search over the items, whose reindex reads a batch, lets `write` happen, then writes."""
    return ItemSearch(cast(Collection, WriterBetweenReadAndWrite(db["items"], write)))


# What an item is stored with


async def test_an_item_is_stored_with_its_latin_words_lower_cased_and_its_chinese_bigrams(
    db: Any, items: Items, clock: Clock
) -> None:
    item = await post(items, clock(), "Deploy 部署新版本 v2.1, DEPLOY tonight")

    assert await stored_terms(db, item) == [
        "1",
        "deploy",
        "tonight",
        "v2",
        "新版",
        "版本",
        "署新",
        "部署",
    ]


async def test_full_width_letters_are_stored_as_the_ascii_ones(
    db: Any, items: Items, clock: Clock
) -> None:
    item = await post(items, clock(), "ＷｅＣｈａｔ 群聊 Café")  # noqa: RUF001 - full-width is the point

    assert await stored_terms(db, item) == ["café", "wechat", "群聊"]


@pytest.mark.parametrize(
    ("type", "content", "terms"),
    [
        pytest.param(
            ItemType.POLL,
            ItemContent(text="去哪吃？", poll=Poll(Poll.numbered(["火锅", "Sushi bar"]))),  # noqa: RUF001
            ["bar", "sushi", "去哪", "哪吃", "火锅"],
            id="poll-options",
        ),
        pytest.param(
            ItemType.LINK,
            ItemContent(link=Link("https://example.com/trail", title="Trail map 路线图")),
            ["map", "trail", "线图", "路线"],
            id="link-title",
        ),
        pytest.param(
            ItemType.FILE,
            ItemContent(
                media=(
                    Media("https://example.com/a", "application/pdf", 10, name="年会 Plan.pdf"),
                    Media("https://example.com/b", "text/csv", 10, name="budget.csv"),
                )
            ),
            ["budget", "csv", "pdf", "plan", "年会"],
            id="file-names",
        ),
    ],
)
async def test_poll_options_link_titles_and_file_names_are_stored_as_terms_too(
    db: Any, items: Items, clock: Clock, type: ItemType, content: ItemContent, terms: list[str]
) -> None:
    item = await post(items, clock(), content=content, type=type)

    assert await stored_terms(db, item) == terms


async def test_an_item_with_no_words_is_stored_without_terms(
    db: Any, items: Items, clock: Clock
) -> None:
    photo = ItemContent(media=(Media("https://example.com/p.jpg", "image/jpeg", 10),))
    item = await post(items, clock(), content=photo, type=ItemType.IMAGE)

    assert TERMS not in await stored(db, item)


async def test_an_edit_replaces_the_old_words_terms_with_the_new_ones(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "Lunch at noon 午饭")

    assert await edit(items, item, "Dinner at seven 晚饭", clock())

    assert await stored_terms(db, item) == ["at", "dinner", "seven", "晚饭"]
    assert await found(search, "lunch") == []
    assert await found(search, "午饭") == []
    assert await found(search, "dinner", "晚饭") == ["Dinner at seven 晚饭"]


async def test_an_edit_of_a_polls_question_keeps_the_terms_of_its_options(
    db: Any, items: Items, clock: Clock
) -> None:
    poll = ItemContent(text="去哪吃？", poll=Poll(Poll.numbered(["火锅", "Sushi"])))  # noqa: RUF001
    item = await post(items, clock(), content=poll, type=ItemType.POLL)

    assert await edit(items, item, "Where to eat", clock())

    assert await stored_terms(db, item) == ["eat", "sushi", "to", "where", "火锅"]


async def test_a_deleted_item_has_no_terms_and_no_term_finds_it(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "meet at the trailhead 集合")
    await post(items, clock(), "trailhead parking is full")

    assert await items.tombstone(item, now=clock())

    assert TERMS not in await stored(db, item)
    assert await found(search, "trailhead") == ["trailhead parking is full"]
    assert await found(search, "集合") == []


async def test_an_edit_after_the_delete_gives_a_deleted_item_no_terms_back(
    db: Any, items: Items, clock: Clock
) -> None:
    item = await post(items, clock(), "meet at the trailhead")
    await items.tombstone(item, now=clock())

    assert await edit(items, item, "meet at the station", clock()) is None

    assert TERMS not in await stored(db, item)


# A group's search


async def test_a_group_search_finds_the_items_with_every_term_newest_first_by_seq(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    start = clock()
    await post(items, start, "deploy the new version 部署")
    await post(items, start + timedelta(minutes=1), "deploy tomorrow")
    # Another instance's clock ran behind: seq, not createdAt, says which is newer.
    await post(items, start - timedelta(minutes=5), "部署 deploy done")
    await post(items, start + timedelta(minutes=2), "部署完成")

    assert await found(search, "deploy", "部署") == [
        "部署 deploy done",
        "deploy the new version 部署",
    ]
    assert await found(search, "deploy") == [
        "部署 deploy done",
        "deploy tomorrow",
        "deploy the new version 部署",
    ]


async def test_a_group_search_finds_nothing_of_other_groups(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    await post(items, clock(), "chess club meets friday", group_id=CHESS)
    await post(items, clock(), "hiking club meets saturday")

    assert await found(search, "club", "meets") == ["hiking club meets saturday"]
    assert await found(search, "friday") == []


async def test_a_group_search_reads_only_between_after_seq_and_before_seq(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    for n in range(1, 7):
        await post(items, clock(), f"standup {n}")

    assert await found(search, "standup", before_seq=5) == [f"standup {n}" for n in (4, 3, 2, 1)]
    assert await found(search, "standup", after_seq=4) == ["standup 6", "standup 5"]
    assert await found(search, "standup", after_seq=2, before_seq=5) == ["standup 4", "standup 3"]


async def test_a_group_search_without_terms_reads_every_shown_item_newest_first(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    await post(items, clock(), "早")
    await post(items, clock(), "hi")
    await post(items, clock(), "held", review=ReviewStatus.PENDING_REVIEW)
    await post(items, clock(), "好")

    assert await found(search) == ["好", "hi", "早"]
    assert await found(search, after_seq=1) == ["好", "hi"]


async def test_a_group_search_keeps_to_the_types_asked_for(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    await post(items, clock(), "which trail tomorrow", type=ItemType.QUESTION)
    await post(items, clock(), "the trail is closed")
    link = ItemContent(text="trail conditions", link=Link("https://example.com/t", title="Trail"))
    await post(items, clock(), content=link, type=ItemType.LINK)

    asked = SearchFilters(types={ItemType.QUESTION, ItemType.LINK})

    assert await found(search, "trail", filters=asked) == [
        "trail conditions",
        "which trail tomorrow",
    ]


async def test_a_group_search_keeps_to_the_author_asked_for(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    await post(items, clock(), "I bring the rope", author_id=ALICE)
    await post(items, clock(), "I bring the map", author_id=BOB)
    await post(items, clock(), "I bring snacks", author_id=ALICE)

    by_alice = SearchFilters(author_id=ALICE)

    assert await found(search, "bring", filters=by_alice) == ["I bring snacks", "I bring the rope"]


async def test_a_group_search_keeps_to_the_time_asked_for_from_included_to_excluded(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    start = clock()
    for hour in range(4):
        await post(items, start + timedelta(hours=hour), f"weather at {hour}")

    since_1 = SearchFilters(since=start + timedelta(hours=1))
    until_3 = SearchFilters(until=start + timedelta(hours=3))
    between = SearchFilters(since=start + timedelta(hours=1), until=start + timedelta(hours=2))

    assert await found(search, "weather", filters=since_1) == [
        "weather at 3",
        "weather at 2",
        "weather at 1",
    ]
    assert await found(search, "weather", filters=until_3) == [
        "weather at 2",
        "weather at 1",
        "weather at 0",
    ]
    assert await found(search, "weather", filters=between) == ["weather at 1"]


@pytest.mark.parametrize("review", [ReviewStatus.PENDING_REVIEW, ReviewStatus.REJECTED])
async def test_items_held_for_review_or_rejected_are_found_by_nobody(
    items: Items, search: ItemSearch, clock: Clock, review: ReviewStatus
) -> None:
    await post(items, clock(), "secret plan 计划")
    await post(items, clock(), "secret plan 计划 held", review=review)

    assert await found(search, "secret", "计划") == ["secret plan 计划"]
    assert await found(search) == ["secret plan 计划"]
    across = await found_across(search, [HIKING], "secret", "计划")
    assert [hit.content.text for hit in across] == ["secret plan 计划"]


async def test_a_held_item_is_found_once_an_admin_publishes_it(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    held = await post(
        items, clock(), "carpool from the station", review=ReviewStatus.PENDING_REVIEW
    )
    assert await found(search, "carpool") == []

    assert await items.decide_review(held, ReviewStatus.PUBLISHED)

    assert await found(search, "carpool") == ["carpool from the station"]


# A search across groups


async def test_a_search_across_groups_is_newest_first_by_creation_in_those_groups_only(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    start = clock()
    await post(items, start + timedelta(minutes=2), "meetup hiking first", group_id=HIKING)
    await post(items, start + timedelta(minutes=3), "meetup chess", group_id=CHESS)
    await post(items, start + timedelta(minutes=9), "meetup books", group_id=BOOKS)
    # Posted last, created earliest: across groups there is no seq to go by, only the time.
    await post(items, start, "meetup hiking second", group_id=HIKING)
    await post(items, start + timedelta(minutes=5), "no meeting today", group_id=CHESS)

    hits = await found_across(search, [HIKING, CHESS], "meetup")

    assert [(hit.group_id, hit.content.text) for hit in hits] == [
        (CHESS, "meetup chess"),
        (HIKING, "meetup hiking first"),
        (HIKING, "meetup hiking second"),
    ]


async def test_a_search_across_groups_goes_on_from_a_position_through_items_of_the_same_instant(
    items: Items, search: ItemSearch, clock: Clock
) -> None:
    start = clock()
    await post(items, start, "standup 0", group_id=CHESS)
    same_instant = start + timedelta(minutes=1)
    for n in range(1, 6):
        await post(items, same_instant, f"standup {n}", group_id=(HIKING, CHESS)[n % 2])
    await post(items, start + timedelta(minutes=2), "standup 6", group_id=HIKING)

    pages: list[list[str | None]] = []
    before: tuple[datetime, str] | None = None
    for _ in range(5):
        page = await found_across(search, [HIKING, CHESS], "standup", before=before, limit=2)
        pages.append([hit.content.text for hit in page])
        if page:
            before = (page[-1].created_at, page[-1].id)

    assert pages == [
        ["standup 6", "standup 5"],
        ["standup 4", "standup 3"],
        ["standup 2", "standup 1"],
        ["standup 0"],
        [],
    ]


# Reindexing


async def test_reindex_gives_terms_to_items_written_before_search(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    old = [
        await post(items, clock(), "before search 搜索前"),
        await post(items, clock(), "also before"),
    ]
    current = await post(items, clock(), "after search")
    await written_before_search(db, *old)
    assert await found(search, "before") == []

    done = await search.reindex(after_id=None, limit=10)

    assert done == (3, 2, current.id)
    assert await stored_terms(db, old[0]) == ["before", "search", "搜索", "索前"]
    assert await found(search, "before") == ["also before", "before search 搜索前"]


async def test_reindex_reads_a_batch_at_a_time_in_id_order_and_says_where_it_stopped(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    written = [await post(items, clock(), f"note {n}") for n in range(3)]
    await written_before_search(db, *written)

    first = await search.reindex(after_id=None, limit=2)
    second = await search.reindex(after_id=first[2], limit=2)
    end = await search.reindex(after_id=second[2], limit=2)

    assert first == (2, 2, written[1].id)
    assert second == (1, 1, written[2].id)
    assert end == (0, 0, None)
    assert await terms_not_of_their_content(db) == {}


async def test_reindex_all_tells_its_progress_per_batch_and_changes_nothing_the_second_time(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    written = [await post(items, clock(), f"note {n}") for n in range(5)]
    await written_before_search(db, *written[:3])
    told: list[tuple[int, int]] = []

    def progress(read: int, changed: int) -> None:
        told.append((read, changed))

    total = await reindex_all(search, batch=2, progress=progress)
    again = await reindex_all(search, batch=2, progress=lambda *_: None)

    assert told == [(2, 2), (4, 3), (5, 3)]
    assert total == (5, 3)
    assert again == (5, 0)
    assert await terms_not_of_their_content(db) == {}


async def test_reindex_replaces_terms_that_are_not_those_of_the_content(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "new tokenizer 分词")
    # Written by an older way of indexing text.
    await db["items"].update_one(located(item), {"$set": {TERMS: ["new tokenizer", "分词"]}})

    assert await reindex_all(search, batch=10, progress=lambda *_: None) == (1, 1)

    assert await stored_terms(db, item) == ["new", "tokenizer", "分词"]


async def test_reindex_takes_the_terms_off_a_deleted_item_that_still_had_them(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "delete me")
    await items.tombstone(item, now=clock())
    await db["items"].update_one(located(item), {"$set": {TERMS: ["delete", "me"]}})

    assert await reindex_all(search, batch=10, progress=lambda *_: None) == (1, 1)

    assert TERMS not in await stored(db, item)
    assert await found(search, "delete") == []


async def test_reindex_does_not_undo_an_edit_that_lands_between_its_read_and_its_write(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "old plan 旧计划")
    await written_before_search(db, item)

    racing = reindex_racing(db, lambda: edit(items, item, "new plan 新计划", clock()))
    read, changed, _ = await racing.reindex(after_id=None, limit=10)

    assert (read, changed) == (1, 0)
    assert await stored_terms(db, item) == ["new", "plan", "新计", "计划"]
    assert await found(search, "old") == []
    assert await found(search, "new", "计划") == ["new plan 新计划"]


async def test_reindex_does_not_give_terms_back_to_an_item_deleted_between_its_read_and_write(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    item = await post(items, clock(), "old plan")
    await written_before_search(db, item)

    racing = reindex_racing(db, lambda: items.tombstone(item, now=clock()))
    read, changed, _ = await racing.reindex(after_id=None, limit=10)

    assert (read, changed) == (1, 0)
    assert TERMS not in await stored(db, item)
    assert await found(search, "plan") == []


async def test_racing_edits_deletes_and_reindexing_leave_every_item_with_its_contents_terms(
    db: Any, items: Items, search: ItemSearch, clock: Clock
) -> None:
    posted = [await post(items, clock(), f"message {n} 第{n}条消息") for n in range(40)]

    async def writer(wave: int, n: int) -> None:
        """Writers 0-9 edit an item each, 10-15 edit or delete one item together, 16-19 delete
        an item each."""
        # Writer n starts n round trips late and takes an item about as far along: on the
        # in-memory engine many writes land between reindex's read of a batch and its writes.
        for _ in range(n):
            await asyncio.sleep(0)
        item = posted[wave + 12] if 10 <= n < 16 else posted[wave + n]
        if n >= 14:
            await items.tombstone(item, now=clock())
        else:
            await edit(items, item, f"edit {wave}-{n} 改稿{wave}次 writer{n}", clock())

    for wave in range(WAVES):
        # Half the live items from before search, the other half indexed the old way.
        deleted = await deleted_ids(db)
        live = [one for one in posted if one.id not in deleted]
        await written_before_search(db, *live[::2])
        for item in live[1::2]:
            await db["items"].update_one(located(item), {"$set": {TERMS: ["stale"]}})

        reindexing = asyncio.create_task(reindex_all(search, batch=4, progress=lambda *_: None))
        await asyncio.gather(*(writer(wave, n) for n in range(WRITERS)))
        read, _ = await reindexing

        assert read == len(posted)
        assert await terms_not_of_their_content(db) == {}
    assert len(await deleted_ids(db)) > WAVES
    assert await found(search, "stale") == []
