"""Precision and recall of a message search on the judged set (benchmarks/search_corpus.py), side
by side with two baselines in the same run: whitespace tokens, as MongoDB's `$text` reads text
without a Chinese analyzer, and SQL `LIKE '%piece%'`.

An engine under test is an async function from a query to the indices (into CORPUS) of the items
it finds: `await score("groupql", search)`.
"""

import re
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache
from statistics import mean

from benchmarks.search_corpus import CORPUS, EXPECTED, QUERIES, JudgedItem, JudgedQuery

Search = Callable[[str], Awaitable[Collection[int]]]
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, Han included: \w without the underscore


@dataclass(frozen=True)
class Outcome:
    """What an engine returned for one query, against what it should have."""

    query: JudgedQuery
    expected: frozenset[int]
    returned: frozenset[int]

    @property
    def wrong(self) -> frozenset[int]:
        return self.returned - self.expected

    @property
    def missed(self) -> frozenset[int]:
        return self.expected - self.returned

    @property
    def precision(self) -> float:
        """The share of the returned items that are relevant; returning nothing is precise only
        when nothing was expected."""
        found = len(self.returned & self.expected)
        return _precision(found, len(self.returned), len(self.expected))

    @property
    def recall(self) -> float | None:
        """The share of the expected items returned; None when none were expected."""
        if not self.expected:
            return None
        return len(self.returned & self.expected) / len(self.expected)


@dataclass(frozen=True)
class Scores:
    """One engine's outcomes on every judged query."""

    engine: str
    outcomes: tuple[Outcome, ...]

    def of(self, category: str | None = None) -> list[Outcome]:
        """The outcomes of one category of queries, or all of them."""
        return [o for o in self.outcomes if category in (None, o.query.category)]

    def micro(self, category: str | None = None) -> tuple[float, float]:
        """Precision and recall over all (query, item) pairs."""
        outcomes = self.of(category)
        found = sum(len(o.returned & o.expected) for o in outcomes)
        returned = sum(len(o.returned) for o in outcomes)
        expected = sum(len(o.expected) for o in outcomes)
        return _precision(found, returned, expected), found / expected if expected else 1.0

    def macro(self, category: str | None = None) -> tuple[float, float]:
        """Mean precision over the queries (one expecting and finding nothing counts 1), and mean
        recall over the queries expecting at least one item."""
        outcomes = self.of(category)
        recalls = [o.recall for o in outcomes if o.recall is not None]
        return mean(o.precision for o in outcomes), mean(recalls) if recalls else 1.0


async def score(name: str, search: Search) -> Scores:
    """Runs every judged query through `search` and keeps what it returned."""
    outcomes = []
    for query in QUERIES:
        returned = frozenset(await search(query.query))
        outcomes.append(Outcome(query, EXPECTED[query.query], returned))
    return Scores(name, tuple(outcomes))


def failures(scores: Scores, *, limit: int = 10, examples: int = 3) -> list[str]:
    """The queries an engine got most wrong, worst first: how many items it returned wrongly
    (each example marked +) and missed (marked -), with the items' texts."""
    worst = sorted(
        (o for o in scores.outcomes if o.wrong or o.missed),
        key=lambda o: len(o.wrong) + len(o.missed),
        reverse=True,
    )
    lines = []
    for outcome in worst[:limit]:
        query = outcome.query
        lines.append(
            f"{query.category} {query.query!r}: {len(outcome.returned & outcome.expected)} found, "
            f"{len(outcome.wrong)} wrong, {len(outcome.missed)} missed"
        )
        lines += [f"  + {_shown(CORPUS[i])}" for i in sorted(outcome.wrong)[:examples]]
        lines += [f"  - {_shown(CORPUS[i])}" for i in sorted(outcome.missed)[:examples]]
    return lines


def _shown(item: JudgedItem) -> str:
    return f"{item.type}: " + " / ".join(text for text in item.strings() if text)


def _precision(found: int, returned: int, expected: int) -> float:
    """found / returned; with nothing returned, 1 if nothing was expected and 0 if something was."""
    if returned:
        return found / returned
    return 0.0 if expected else 1.0


async def whitespace(query: str) -> set[int]:
    """Items holding every token of the query as one of their tokens, a token being a run of
    letters and digits between whitespace and punctuation, lower-cased: what MongoDB `$text`
    does with no Chinese analyzer, where a Chinese sentence up to its next punctuation is a single
    token. `$text` itself ORs the terms; ANDing them here is the stronger variant."""
    wanted = _tokens(query)
    return {index for index, tokens in enumerate(_item_tokens()) if wanted and wanted <= tokens}


async def like(query: str) -> set[int]:
    """Items where every whitespace-separated piece of the query occurs in some field, case
    aside: SQL `(text LIKE '%piece%' OR title LIKE '%piece%' ...) AND ...`, Mattermost's
    fallback. Lower-casing stands for a case-insensitive collation; full-width letters stay
    themselves."""
    pieces = query.lower().split()
    return {
        index
        for index, item in enumerate(CORPUS)
        if pieces and all(any(p in text.lower() for text in item.strings()) for p in pieces)
    }


BASELINES: dict[str, Search] = {"whitespace ($text)": whitespace, "LIKE '%piece%'": like}


async def baselines() -> list[Scores]:
    return [await score(name, search) for name, search in BASELINES.items()]


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_TOKEN.findall(text.lower()))


@cache
def _item_tokens() -> list[frozenset[str]]:
    return [_tokens(" ".join(item.strings())) for item in CORPUS]


def rows(results: list[Scores]) -> list[tuple[str, ...]]:
    """A table with one column per engine: precision / recall over all queries (micro and macro
    averaged), then per category of query (micro)."""
    categories = list(dict.fromkeys(query.category for query in QUERIES))
    table: list[tuple[str, ...]] = [("queries", *(f"{scores.engine}: P / R" for scores in results))]
    table.append(_row(f"all {len(QUERIES)}, micro", (s.micro() for s in results)))
    table.append(_row(f"all {len(QUERIES)}, macro", (s.macro() for s in results)))
    for category in categories:
        count = sum(1 for query in QUERIES if query.category == category)
        table.append(_row(f"  {category} ({count})", (s.micro(category) for s in results)))
    return table


def _row(label: str, figures: Iterable[tuple[float, float]]) -> tuple[str, ...]:
    return (label, *(f"{precision:.3f} / {recall:.3f}" for precision, recall in figures))
