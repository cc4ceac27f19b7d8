"""Text as search compares it: NFKC, case-folded, with the way back to the original's offsets."""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Scripts written without spaces between words: Han ideographs (with the extensions and the
# compatibility block), kana and Hangul. Their runs are indexed by character bigrams.
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3134F),  # CJK Extensions B to G
)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def is_word_char(char: str) -> bool:
    """A letter or digit of a script that separates its words (Latin, Cyrillic, digits...)."""
    return char.isalnum() and not is_cjk(char)


@dataclass(frozen=True)
class Normalized:
    """A text as search reads it, and for each of its characters the span of the original
    it came from."""

    text: str
    original: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def utf16_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span, in UTF-16 code units (as JavaScript indexes strings), of
        the normalized characters start..end."""
        first, last = self.starts[start], self.ends[end - 1]
        return _utf16_offset(self.original, first), _utf16_offset(self.original, last)


def normalized(original: str) -> Normalized:
    """NFKC (full-width letters and digits read as ASCII ones; e followed by a combining acute
    reads as é) and case-folded, one character and the marks that combine with it at a time,
    so that every normalized character knows where it came from."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(original):
        end = index + 1
        while end < len(original) and _combines(original[end]):
            end += 1
        folded = _fold(original[index:end])
        text.append(folded)
        starts.extend([index] * len(folded))
        ends.extend([end] * len(folded))
        index = end
    return Normalized("".join(text), original, tuple(starts), tuple(ends))


def _combines(char: str) -> bool:
    """A mark that joins the character before it: a combining mark, or a half-width kana
    voicing mark (ｶﾞ reads as ガ)."""
    return unicodedata.combining(char) != 0 or char in "\uff9e\uff9f"


@lru_cache(maxsize=8192)
def _fold(cluster: str) -> str:
    return unicodedata.normalize("NFKC", cluster).casefold()


def _utf16_offset(text: str, index: int) -> int:
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)
