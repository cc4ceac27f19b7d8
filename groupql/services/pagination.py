"""Cursor pagination shared by every list that grows: opaque cursors and page sizes."""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from groupql.errors import BadUserInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    edges: list[tuple[str, T]]
    has_next_page: bool
    # Where the next page starts when it is not after the last edge (a search page that read
    # past its last hit).
    resume: str | None = None

    @property
    def end_cursor(self) -> str | None:
        if self.resume is not None:
            return self.resume
        return self.edges[-1][0] if self.edges else None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"'first' must be between 0 and {MAX_PAGE_SIZE}.")
    return first


def encode_cursor(kind: str, position: str) -> str:
    # base64.urlsafe_b64encode, without its two Python-level calls (a cursor per edge).
    return (
        binascii.b2a_base64(f"{kind}:{position}".encode(), newline=False)
        .translate(_URLSAFE)
        .decode()
    )


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def decode_cursor(
    kind: str, cursor: str | None, is_valid_position: Callable[[str], bool]
) -> str | None:
    """The position a cursor from `encode_cursor(kind, ...)` holds; BadUserInput for any other."""
    if cursor is None:
        return None
    try:
        found_kind, _, position = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        found_kind, position = "", ""
    if found_kind != kind or not is_valid_position(position):
        raise BadUserInput("'after' is not a cursor from this list; pass an edge's cursor back.")
    return position


def is_seq(position: str) -> bool:
    """Whether a cursor's position is a seq: isdecimal alone admits non-ASCII digits; 18 digits
    stay within MongoDB's 64-bit integers."""
    return position.isascii() and position.isdecimal() and len(position) <= 18


def paginate(nodes: list[T], size: int, kind: str, position: Callable[[T], str]) -> Page[T]:
    """Build a page from up to size + 1 fetched nodes (the extra one only tells there is more)."""
    return Page(
        edges=[(encode_cursor(kind, position(node)), node) for node in nodes[:size]],
        has_next_page=len(nodes) > size,
    )
