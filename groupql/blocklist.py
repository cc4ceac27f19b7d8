"""A local list of blocked words, matched in text however it is spaced, cased or disguised."""

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Multi-pattern search in one pass over the text, however long the list: Aho-Corasick.
import ahocorasick  # type: ignore[import-not-found]  # the wheel ships no type stubs

# Invisible letters (category Lo, so not caught as format characters) used as blank padding.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

# Scripts written without spaces between words: a word there may start or end anywhere.
_NO_SPACE_RANGES = (
    (0x3005, 0x3007),  # iteration mark, closing mark, ideographic zero
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # CJK Extensions B to H
)


@dataclass(frozen=True)
class _Entry:
    word: str
    """As the list writes it: what a match reports."""
    starts_a_word: bool
    ends_a_word: bool


class Blocklist:
    """Blocked words, one a line. Both the words and the text are normalised before matching:
    NFKC (full-width letters and digits become ASCII ones, ① becomes 1), case folded, and
    everything but letters and digits left out, so spaces, punctuation, symbols, emoji and
    zero-width characters put between the letters hide nothing: "法 轮", "法-轮", "f.a.l.u.n",
    "FaLun" in full-width letters, or with a zero-width space inside, all read "法轮" or "falun".

    A word in Chinese or Japanese matches anywhere, as those scripts put no spaces between words.
    Any other word must start and end where a word does in the text (at a space, punctuation,
    a Chinese character or the text's edge), so "ass" does not match "class": list compounds
    such as "asshat" on their own lines.

    Not covered: Traditional and Simplified forms are different words (list both), nor are
    look-alike letters from other scripts (a Cyrillic a in a Latin word), homophones or pinyin.
    Lines starting with # are comments; blank lines are ignored.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for word in words:
            normal = normalise(word)
            if not normal:
                raise ValueError(f"blocklist word {word!r} has no letter or digit to match")
            if normal not in self._automaton:
                entry = _Entry(word, not _is_no_space(normal[0]), not _is_no_space(normal[-1]))
                self._automaton.add_word(normal, (len(normal), entry))
        self._is_empty = len(self._automaton) == 0
        if not self._is_empty:
            self._automaton.make_automaton()

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "Blocklist":
        stripped = (line.strip() for line in lines)
        return cls(line for line in stripped if line and not line.startswith("#"))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> "Blocklist":
        """The list in a UTF-8 file; read once, when the app starts."""
        with open(path, encoding="utf-8-sig") as lines:
            return cls.from_lines(lines)

    def __len__(self) -> int:
        return len(self._automaton)

    def first_match(self, text: str) -> str | None:
        """The blocked word found earliest in `text`, as the list writes it, or None."""
        if self._is_empty:
            return None
        normal, breaks = _normalise_with_breaks(text)
        found: tuple[int, _Entry]
        for end, found in self._automaton.iter(normal):
            length, entry = found
            start = end + 1 - length
            if (not entry.starts_a_word or breaks[start]) and (
                not entry.ends_a_word or breaks[end + 1]
            ):
                return entry.word
        return None


def normalise(text: str) -> str:
    """`text` as the blocklist compares it: NFKC, case folded, letters and digits only."""
    return _normalise_with_breaks(text)[0]


def _normalise_with_breaks(text: str) -> tuple[str, list[bool]]:
    """The normalised text, and for each position between its characters (len + 1 of them)
    whether a word may start or end there: at the edges, where characters were left out, and
    next to a character of a script written without spaces."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    breaks = [True]
    for char in folded:
        if not _is_letter_or_digit(char):
            breaks[-1] = True
            continue
        if kept and (_is_no_space(char) or _is_no_space(kept[-1])):
            breaks[-1] = True
        kept.append(char)
        breaks.append(False)
    breaks[-1] = True
    return "".join(kept), breaks


def _is_letter_or_digit(char: str) -> bool:
    # Combining marks (M) go too: on text already composed by NFKC, all that is left of them is
    # decoration stacked on letters to break up a word.
    return unicodedata.category(char)[0] in "LN" and char not in _INVISIBLE_LETTERS


def _is_no_space(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _NO_SPACE_RANGES)
