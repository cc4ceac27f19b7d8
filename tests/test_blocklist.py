"""The local blocklist: blocked words found however the text spaces, cases or disguises them."""

from pathlib import Path

import pytest

from groupql.blocklist import Blocklist, normalise

WORDS = Blocklist.from_lines(["法轮", "falun", "Spam Bot", "代开发票", "赌场"])


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("我们明天去法轮那里", "法轮"),
        ("hello falun world", "falun"),
        ("Hello FaLuN World", "falun"),
        ("ＦＡＬＵＮ ｇｏｎｇ", "falun"),  # noqa: RUF001 - full-width letters are the point
        ("法 轮", "法轮"),
        ("法-轮", "法轮"),
        ("法.轮·大", "法轮"),
        ("f.a.l.u.n", "falun"),
        ("f a l u n", "falun"),
        ("f_a-l*u/n!", "falun"),
        ("fa\u200blun", "falun"),  # zero-width space
        ("法\u200d轮", "法轮"),  # zero-width joiner
        ("法\u2060轮\ufeff", "法轮"),  # word joiner, byte order mark
        ("法\u3164轮", "法轮"),  # Hangul filler, an invisible letter
        ("fa\u0332lun", "falun"),  # combining underline
        ("法🌸轮", "法轮"),
        ("法\n轮", "法轮"),
        ("i am a spam-bot", "Spam Bot"),
        ("SPAMBOT!!", "Spam Bot"),
        ("需要代开发票请联系", "代开发票"),
        ("这里有falun的资料", "falun"),
        ("去赌场玩", "赌场"),
    ],
)
def test_blocked_word_is_found_however_it_is_disguised(text: str, word: str) -> None:
    assert WORDS.first_match(text) == word


@pytest.mark.parametrize(
    "text",
    [
        "",
        "周末一起去爬山吧",
        "法律与轮船",  # the characters of 法轮, apart
        "轮法",
        "Weekend hike at 9",
        "spam and bots",
        "falunx",  # part of another word
        "xfalun",
    ],
)
def test_unrelated_text_is_not_matched(text: str) -> None:
    assert WORDS.first_match(text) is None


def test_latin_word_matches_only_as_a_whole_word() -> None:
    words = Blocklist.from_lines(["ass"])

    assert words.first_match("a class of glass") is None
    assert words.first_match("what an ass.") == "ass"
    assert words.first_match("你是ass吗") == "ass"


def test_the_earliest_blocked_word_in_the_text_is_reported() -> None:
    assert WORDS.first_match("赌场 and falun and 法轮") == "赌场"


def test_comments_and_blank_lines_are_not_words() -> None:
    words = Blocklist.from_lines(["# gambling", "", "   ", "  赌场  ", "#法轮"])

    assert len(words) == 1
    assert words.first_match("#法轮") is None
    assert words.first_match("赌场") == "赌场"


def test_list_is_read_from_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "blocked.txt"
    path.write_text("\ufeff# one word a line\n法轮\nFalun\n\n", encoding="utf-8")

    words = Blocklist.from_file(path)

    assert len(words) == 2
    assert words.first_match("法 轮") == "法轮"


def test_words_that_normalise_alike_are_one_word() -> None:
    assert len(Blocklist.from_lines(["falun", "FALUN", "f-a-l-u-n"])) == 1


def test_word_without_letters_or_digits_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="no letter or digit"):
        Blocklist.from_lines(["法轮", "---"])


def test_empty_list_matches_nothing() -> None:
    assert Blocklist.from_lines(["# nothing yet"]).first_match("法轮 falun") is None


def test_normal_form_is_folded_and_keeps_only_letters_and_digits() -> None:
    assert normalise("Ｆａｌｕｎ ① 法-轮 ß") == "falun1法轮ss"  # noqa: RUF001
