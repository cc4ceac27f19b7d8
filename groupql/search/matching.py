"""Where a query matches an item: every keyword whole, in one of the item's searchable fields.

A Latin keyword matches between non-word characters (pin is not in ping). A CJK keyword matches
wherever it neither starts nor ends inside a dictionary word that the segmenter (jieba, in Rust)
found there: 和服 is not in 我和服务员 (和|服务员), 市长 not in 南京市长江大桥, but 长江 is (search
mode knows the parts of 长江大桥), and 李华 is in 李华去 (a word the segmenter only guessed).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import rjieba

from groupql.search.query import Keyword, Query
from groupql.search.text import Normalized, is_word_char, normalized


class FieldKind(Enum):
    TEXT = "TEXT"
    POLL_OPTION = "POLL_OPTION"
    LINK_TITLE = "LINK_TITLE"
    FILE_NAME = "FILE_NAME"


@dataclass(frozen=True)
class Field:
    """One searchable text of an item."""

    kind: FieldKind
    text: str
    option_id: str | None = None
    media_index: int | None = None


@dataclass(frozen=True)
class Highlight:
    """Where a keyword matched: start and end in UTF-16 code units of the field's text."""

    field: FieldKind
    start: int
    end: int
    option_id: str | None = None
    media_index: int | None = None


def highlights(query: Query, fields: Sequence[Field]) -> tuple[Highlight, ...] | None:
    """Every match of the query's keywords in these fields, in field order then text order; None
    unless every keyword matched somewhere."""
    found: list[Highlight] = []
    matched: set[Keyword] = set()
    for field in fields:
        text = normalized(field.text)
        spans: list[tuple[int, int]] = []
        inside: frozenset[int] | None = None
        for keyword in query.keywords:
            for start in _occurrences(text.text, keyword.text):
                end = start + len(keyword.text)
                if keyword.is_cjk:
                    if inside is None:
                        inside = _inside_words(text.text)
                    whole = start not in inside and end not in inside
                else:
                    whole = _between_non_words(text.text, start, end)
                if whole:
                    spans.append((start, end))
                    matched.add(keyword)
        found.extend(_highlights(field, text, spans))
    return tuple(found) if len(matched) == len(query.keywords) else None


def _occurrences(text: str, keyword: str) -> list[int]:
    starts = []
    start = text.find(keyword)
    while start != -1:
        starts.append(start)
        start = text.find(keyword, start + 1)
    return starts


def _between_non_words(text: str, start: int, end: int) -> bool:
    return (start == 0 or not is_word_char(text[start - 1])) and (
        end == len(text) or not is_word_char(text[end])
    )


def _inside_words(text: str) -> frozenset[int]:
    """The positions inside a dictionary word of the text that no finer word of it (search mode:
    长江 and 大桥 of 长江大桥) starts or ends at: a match may not begin or end there."""
    edges = {
        edge for _, start, end in rjieba.tokenize(text, mode="search") for edge in (start, end)
    }
    return frozenset(
        position
        for word, start, end in rjieba.tokenize(text)
        if end - start > 1 and rjieba.has_word(word)
        for position in range(start + 1, end)
        if position not in edges
    )


def _highlights(field: Field, text: Normalized, spans: list[tuple[int, int]]) -> list[Highlight]:
    """The spans merged where they overlap or touch, in UTF-16 offsets of the original text."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return [
        Highlight(field.kind, *text.utf16_span(start, end), field.option_id, field.media_index)
        for start, end in merged
    ]
