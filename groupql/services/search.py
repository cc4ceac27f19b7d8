"""Search of a group's items, and of all the viewer's groups at once.

Candidates come from the store's term index (`Candidates`: the seam where a hosted engine, such
as Atlas Search with a Chinese analyzer, could serve them instead); each is then matched for
real, which also finds its highlights. A page reads candidates in batches until it has `first`
hits, and gives up after `candidates_per_page`, returning the hits it has and a cursor that
goes on from the last candidate it read: pages stay bounded even when many items hold a query's
characters but not its words.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from groupql.errors import BadUserInput
from groupql.records import Group, Item, SearchFilters, User
from groupql.search.matching import Highlight, highlights
from groupql.search.query import Query, parse_query
from groupql.services.pagination import Page, decode_cursor, encode_cursor, is_seq, page_size
from groupql.store import Store
from groupql.store.search_terms import searchable_fields

MAX_QUERY_LENGTH = 100
MAX_KEYWORDS = 10
# Viewer.search reads this many of the viewer's groups, the most recently joined. Not more:
# MongoDB merges one sorted index scan per group only up to 200 (internalQueryMaxScansToExplode);
# past it the newest-first order would be a blocking sort of every match.
MAX_GROUPS_SEARCHED = 200

Position = TypeVar("Position")


@dataclass(frozen=True)
class SearchHit:
    item: Item
    highlights: tuple[Highlight, ...]


class Candidates(Protocol):
    """Items that may match a query (every term of it), newest first: the store's term index
    (store/item_search.py), or another engine."""

    async def in_group(
        self,
        group_id: str,
        terms: Sequence[str],
        filters: SearchFilters,
        *,
        before_seq: int | None,
        after_seq: int,
        limit: int,
    ) -> list[Item]: ...

    async def across(
        self,
        group_ids: Sequence[str],
        terms: Sequence[str],
        *,
        before: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Item]: ...


@dataclass(frozen=True)
class SearchLimits:
    # A query whose keywords are all single CJK characters has no index term: it reads this
    # many of the group's newest items, and finds nothing older.
    scan_depth: int
    candidates_per_page: int


class SearchService:
    def __init__(self, *, store: Store, candidates: Candidates, limits: SearchLimits) -> None:
        self._store = store
        self._candidates = candidates
        self._limits = limits

    async def in_group(
        self,
        group: Group,
        query: str,
        filters: SearchFilters,
        *,
        first: int | None,
        after: str | None,
    ) -> Page[SearchHit]:
        """The group's items that match, newest first (for members: the caller checked)."""
        parsed = _parsed(query)
        size = page_size(first)
        before = decode_cursor("search", after, is_seq)
        floor = 0
        if not parsed.terms:
            [last_seq] = await self._store.items.last_seqs([group.id])
            floor = max(0, last_seq - self._limits.scan_depth)

        async def batch(position: int | None, limit: int) -> list[Item]:
            return await self._candidates.in_group(
                group.id, parsed.terms, filters, before_seq=position, after_seq=floor, limit=limit
            )

        return await _matched_page(
            parsed,
            size,
            batch,
            budget=self._limits.candidates_per_page,
            start=None if before is None else int(before),
            position=lambda item: item.seq,
            cursor=lambda seq: encode_cursor("search", str(seq)),
        )

    async def across(
        self, viewer: User, query: str, *, first: int | None, after: str | None
    ) -> Page[SearchHit]:
        """The items that match in the viewer's groups (the MAX_GROUPS_SEARCHED most recently
        joined), newest first."""
        parsed = _parsed(query)
        if not parsed.terms:
            raise BadUserInput(
                "Searching all your groups needs a word of two or more characters; search one "
                "group (Group.search) for a single character."
            )
        size = page_size(first)
        position = decode_cursor(
            "search-all", after, lambda found: _time_position(found) is not None
        )
        start = None if position is None else _time_position(position)
        members = await self._store.members.active_of_user(viewer.id, limit=MAX_GROUPS_SEARCHED)
        group_ids = [member.group_id for member in members]
        if not group_ids:
            return Page(edges=[], has_next_page=False)

        async def batch(position: tuple[datetime, str] | None, limit: int) -> list[Item]:
            return await self._candidates.across(
                group_ids, parsed.terms, before=position, limit=limit
            )

        return await _matched_page(
            parsed,
            size,
            batch,
            budget=self._limits.candidates_per_page,
            start=start,
            position=lambda item: (item.created_at, item.id),
            cursor=lambda at: encode_cursor("search-all", f"{at[0].isoformat()}|{at[1]}"),
        )


def _parsed(query: str) -> Query:
    if len(query) > MAX_QUERY_LENGTH:
        raise BadUserInput(f"'query' is longer than {MAX_QUERY_LENGTH} characters.")
    parsed = parse_query(query)
    if not parsed.keywords:
        raise BadUserInput("'query' has no word to search for (letters, digits or characters).")
    if len(parsed.keywords) > MAX_KEYWORDS:
        raise BadUserInput(f"'query' has more than {MAX_KEYWORDS} words; leave some out.")
    return parsed


async def _matched_page(
    query: Query,
    size: int,
    batch: Callable[[Position | None, int], Awaitable[list[Item]]],
    *,
    budget: int,
    start: Position | None,
    position: Callable[[Item], Position],
    cursor: Callable[[Position], str],
) -> Page[SearchHit]:
    """Read candidates after `start` in batches, keep those that match, until there are size + 1
    hits (the extra one tells there is more), no more candidates, or the budget is spent."""
    hits: list[tuple[Position, SearchHit]] = []
    last, read = start, 0
    limit = size + 1 + size // 2
    while True:
        candidates = await batch(last, limit)
        for item in candidates:
            last, read = position(item), read + 1
            found = highlights(query, searchable_fields(item.content))
            if found is not None:
                hits.append((last, SearchHit(item, found)))
                if len(hits) > size:
                    return _page(hits[:size], has_next_page=True, cursor=cursor)
        if len(candidates) < limit:
            return _page(hits, has_next_page=False, cursor=cursor)
        if read >= budget:
            # Spent: the page ends short, and its end cursor goes on from the last one read.
            assert last is not None
            return _page(hits, has_next_page=True, cursor=cursor, resume=cursor(last))
        limit = min(limit * 2, budget - read)


def _page(
    hits: list[tuple[Position, SearchHit]],
    *,
    has_next_page: bool,
    cursor: Callable[[Position], str],
    resume: str | None = None,
) -> Page[SearchHit]:
    edges = [(cursor(at), hit) for at, hit in hits]
    return Page(edges=edges, has_next_page=has_next_page, resume=resume)


def _time_position(position: str) -> tuple[datetime, str] | None:
    moment, _, id_ = position.partition("|")
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    return (at, id_) if Store.is_id(id_) and at.tzinfo is not None else None
