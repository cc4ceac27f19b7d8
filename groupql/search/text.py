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
    """A text as search reads it, and for each of its characters the original one it came from."""

    text: str
    original: str
    origins: tuple[int, ...]

    def utf16_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span, in UTF-16 code units (as JavaScript indexes strings), of
        the normalized characters start..end."""
        first, last = self.origins[start], self.origins[end - 1] + 1
        return _utf16_offset(self.original, first), _utf16_offset(self.original, last)


def normalized(original: str) -> Normalized:
    """NFKC (full-width letters and digits read as ASCII ones) and case-folded, one character
    at a time so that every normalized character knows where it came from."""
    text: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(original):
        folded = _fold(char)
        text.append(folded)
        origins.extend([index] * len(folded))
    return Normalized("".join(text), original, tuple(origins))


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    return unicodedata.normalize("NFKC", char).casefold()


def _utf16_offset(text: str, index: int) -> int:
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)
