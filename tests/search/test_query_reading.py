"""How search reads text: a query's keywords, an item's terms, and where a keyword matches whole
(the pure functions under Group.search and Viewer.search)."""

import pytest

from groupql.search.matching import Field, FieldKind, Highlight, highlights
from groupql.search.query import Keyword, index_terms, parse_query


def keywords(query: str) -> list[str]:
    return [keyword.text for keyword in parse_query(query).keywords]


def found(query: str, text: str) -> list[str] | None:
    """The pieces of `text` the query highlights; None when it does not match."""
    marks = highlights(parse_query(query), [Field(FieldKind.TEXT, text)])
    if marks is None:
        return None
    units = text.encode("utf-16-le")
    return [units[mark.start * 2 : mark.end * 2].decode("utf-16-le") for mark in marks]


def test_a_query_is_split_at_spaces_punctuation_and_changes_of_script() -> None:
    assert keywords("部署deploy  明天，上线") == ["部署", "deploy", "明天", "上线"]
    assert keywords("  v2.1! (15:30) ¥299 ") == ["v2.1", "15:30", "299"]
    assert keywords("Deploy DEPLOY deploy") == ["deploy"]  # case aside, once
    assert keywords("ＡＰＩ　ｖ２") == ["api", "v2"]  # full-width forms and the ideographic space
    assert keywords("😂 ... ！") == []


def test_a_keyword_needs_the_terms_every_item_holding_it_has() -> None:
    assert Keyword("南京市长江", is_cjk=True).terms == ("南京", "京市", "市长", "长江")
    assert Keyword("v2.1", is_cjk=False).terms == ("v2", "1")
    assert Keyword("猫", is_cjk=True).terms == ()  # one character: only a scan finds it
    assert parse_query("部署 服务 部署服务").terms == ("部署", "服务", "署服")


def test_an_item_is_indexed_by_its_latin_words_and_cjk_bigrams() -> None:
    terms = index_terms(["周五 Deploy 到 staging，😂好的", "Q3周报_v2.pdf"])
    assert terms == sorted(["周五", "deploy", "staging", "好的", "q3", "周报", "v2", "pdf"])
    assert index_terms(["ＡＰＩ"]) == index_terms(["api"]) == ["api"]


@pytest.mark.parametrize(
    ("query", "text", "pieces"),
    [
        ("部署", "明天下午我们部署新版本", ["部署"]),
        ("长江", "南京市长江大桥", ["长江"]),  # a part of 长江大桥 the segmenter knows
        ("长江大桥", "南京市长江大桥", ["长江大桥"]),
        ("李华", "李华去北京了", ["李华"]),  # 李华去 is only the segmenter's guess
        ("deploy", "Deploy done, DEPLOY again", ["Deploy", "DEPLOY"]),
        ("部署 deploy", "今天部署，deploy 完了", ["部署", "deploy"]),
        ("v2.1", "发布 v2.1 了", ["v2.1"]),
        ("api", "ＡＰＩ 文档", ["ＡＰＩ"]),
        ("部署", "😂😂部署", ["部署"]),  # offsets in UTF-16: each emoji is two units
    ],
)
def test_a_keyword_matches_whole_and_is_highlighted(
    query: str, text: str, pieces: list[str]
) -> None:
    assert found(query, text) == pieces


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("和服", "我和服务员说了"),  # 和|服务员
        ("市长", "南京市长江大桥"),  # 南京市|长江大桥
        ("张伟", "张伟明说明天开会"),  # a name of its own
        ("pin", "ping me"),
        ("art", "start the party"),
        ("12", "2012年"),
        ("v2.1", "v2.10 is out"),
        ("部署 deploy", "部署完成"),  # every keyword, not just one
    ],
)
def test_characters_that_are_not_the_word_do_not_match(query: str, text: str) -> None:
    assert found(query, text) is None


def test_highlights_say_which_field_option_and_file_matched() -> None:
    fields = [
        Field(FieldKind.TEXT, "周五团建去哪"),
        Field(FieldKind.POLL_OPTION, "爬山", option_id="o1"),
        Field(FieldKind.POLL_OPTION, "团建聚餐", option_id="o2"),
        Field(FieldKind.FILE_NAME, "团建方案.pdf", media_index=0),
    ]
    assert highlights(parse_query("团建"), fields) == (
        Highlight(FieldKind.TEXT, 2, 4),
        Highlight(FieldKind.POLL_OPTION, 0, 2, option_id="o2"),
        Highlight(FieldKind.FILE_NAME, 0, 2, media_index=0),
    )


def test_overlapping_matches_of_several_keywords_are_one_highlight() -> None:
    assert found("长江 长江大桥 大桥", "南京市长江大桥通车") == ["长江大桥"]


def test_combining_marks_and_half_width_kana_read_as_their_composed_forms() -> None:
    assert found("café", "cafe\u0301 time") == ["cafe\u0301"]  # e + combining acute
    assert found("ガイド", "ｶﾞｲﾄﾞ です") == ["ｶﾞｲﾄﾞ"]  # half-width kana with voicing marks
    assert index_terms(["cafe\u0301"]) == ["café"]
