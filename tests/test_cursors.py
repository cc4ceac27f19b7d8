"""A page's cursors keep their form (base64url of "kind:position"): a client may hold one across
a deploy, and every cursor handed out reads back as its position."""

import base64

import pytest

from groupql.errors import BadUserInput
from groupql.services.pagination import decode_cursor, encode_cursor

# Positions whose encodings hold base64's '+' and '/' (url-safe: '-' and '_'), and padding.
POSITIONS = ["1", "6b11440a7d08961195761", "??>>", "~~~~", "群排行", "a" * 40]


@pytest.mark.parametrize("position", POSITIONS)
def test_a_cursor_is_base64url_of_its_kind_and_position_and_reads_back(position: str) -> None:
    cursor = encode_cursor("item", position)

    assert cursor == base64.urlsafe_b64encode(f"item:{position}".encode()).decode()
    assert decode_cursor("item", cursor, lambda _: True) == position


def test_a_cursor_of_another_list_is_refused() -> None:
    with pytest.raises(BadUserInput, match="not a cursor from this list"):
        decode_cursor("member", encode_cursor("item", "1"), lambda _: True)
