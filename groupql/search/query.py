"""What a query asks for (its keywords, all of which must match) and the terms an item is indexed
by, read the same way: a query's terms are always among a matching item's terms."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from groupql.search.text import is_cjk, is_word_char, normalized

# A longer Latin word is indexed (and looked up) by its start: still found, a little less exactly.
MAX_TERM_LENGTH = 64


@dataclass(frozen=True)
class Keyword:
    """One piece of a query, normalized: a run of CJK characters (部署), or of Latin words with
    the punctuation inside it (deploy, v2.1, 15:30)."""

    text: str
    is_cjk: bool

    @property
    def terms(self) -> tuple[str, ...]:
        """The index terms every item that holds this keyword has (none for one CJK character,
        which only a scan finds)."""
        if self.is_cjk:
            return tuple(_bigrams(self.text))
        return tuple(_words(self.text))


@dataclass(frozen=True)
class Query:
    keywords: tuple[Keyword, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms an item needs to be a candidate: every keyword's (deduplicated)."""
        return tuple(dict.fromkeys(term for keyword in self.keywords for term in keyword.terms))


def parse_query(query: str) -> Query:
    """Whitespace separates keywords, and so does a change between CJK and other scripts
    (`部署deploy` is 部署 and deploy); punctuation around a Latin keyword is dropped and
    punctuation between CJK characters separates them. Repeated keywords count once."""
    keywords: dict[Keyword, None] = {}
    for piece in normalized(query).text.split():
        for run, cjk in _script_runs(piece):
            text = run if cjk else _strip_punctuation(run)
            if text:
                keywords[Keyword(text, cjk)] = None
    return Query(tuple(keywords))


def index_terms(texts: Iterable[str]) -> list[str]:
    """The terms of an item whose searchable texts these are: its Latin words and the bigrams of
    its CJK runs, each once, sorted."""
    terms: set[str] = set()
    for text in texts:
        for run, cjk in _script_runs(normalized(text).text):
            terms.update(_bigrams(run) if cjk else _words(run))
    return sorted(terms)


def _script_runs(text: str) -> Iterator[tuple[str, bool]]:
    """Maximal runs of CJK characters, and of everything else, in order."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or is_cjk(text[index]) != is_cjk(text[start]):
            yield text[start:index], is_cjk(text[start])
            start = index


def _bigrams(run: str) -> Iterator[str]:
    return (run[index : index + 2] for index in range(len(run) - 1))


def _words(text: str) -> Iterator[str]:
    word: list[str] = []
    for char in text + " ":
        if is_word_char(char):
            word.append(char)
        elif word:
            yield "".join(word)[:MAX_TERM_LENGTH]
            word = []


def _strip_punctuation(run: str) -> str:
    start, end = 0, len(run)
    while start < end and not is_word_char(run[start]):
        start += 1
    while end > start and not is_word_char(run[end - 1]):
        end -= 1
    return run[start:end]
