"""The judged test set of message search: a reproducible corpus of group-chat items whose word
boundaries are known, the queries, and the judge that says which items each query should find.

`python -m benchmarks.search_corpus` prints its statistics and any query that breaks the rules.
"""

import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from benchmarks.search_lexicon import GROUPS, SLOTS

ITEM_COUNTS = {"TEXT": 1800, "POLL": 240, "LINK": 192, "FILE": 168}
MIN_HITS, MAX_HITS = 3, 200
ZERO_HIT = "zero-hit"
_SLOT = re.compile(r"\{(\w+)\}")
_HAN_RANGES = (
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # CJK Extensions B to H
)
# A keyword: a run of Han characters, or of letters and digits joined by single punctuation
# marks (v2.1, 15:30), read over one class letter per character (see _char_class).
_KEYWORD = re.compile(r"H+|W+(?:PW+)*")


@dataclass(frozen=True)
class JudgedItem:
    """One item of a group chat and, for each of its fields, its true word boundaries: the `str`
    offsets where a word starts or ends, 0 and the length included. Offsets count code points,
    so an emoji (outside the BMP) is one, where a client's UTF-16 counts two."""

    type: str  # TEXT, POLL, LINK or FILE
    group: str  # the kind of group it was said in, a key of search_lexicon.GROUPS
    text: str  # a poll's question; what the sender wrote with a link or file (maybe "")
    text_boundaries: frozenset[int]
    poll_options: tuple[str, ...] = ()
    poll_option_boundaries: tuple[frozenset[int], ...] = ()
    link_title: str | None = None
    link_title_boundaries: frozenset[int] = frozenset()
    file_name: str | None = None
    file_name_boundaries: frozenset[int] = frozenset()

    def fields(self) -> list[tuple[str, frozenset[int]]]:
        """Every searchable string of the item with its boundaries."""
        fields = [(self.text, self.text_boundaries)]
        fields.extend(zip(self.poll_options, self.poll_option_boundaries, strict=True))
        if self.link_title is not None:
            fields.append((self.link_title, self.link_title_boundaries))
        if self.file_name is not None:
            fields.append((self.file_name, self.file_name_boundaries))
        return fields

    def strings(self) -> list[str]:
        """The searchable strings alone, as an engine under test sees them."""
        return [text for text, _ in self.fields()]


@dataclass(frozen=True)
class JudgedQuery:
    """A query, the keywords the judge reads in it (normalized), and what kind of query it is."""

    query: str
    keywords: tuple[str, ...]
    category: str


def build_corpus(seed: int = 13) -> list[JudgedItem]:
    """ITEM_COUNTS items in a seeded order, each from a template of a group drawn by its share."""
    rng = random.Random(seed)
    types = [item_type for item_type, count in ITEM_COUNTS.items() for _ in range(count)]
    rng.shuffle(types)
    names = list(GROUPS)
    shares = [group.share for group in GROUPS.values()]
    return [_item(item_type, rng.choices(names, shares)[0], rng) for item_type in types]


def _item(item_type: str, group_name: str, rng: random.Random) -> JudgedItem:
    """An item of this type as a group of this kind says it: one of its templates, filled."""
    group = GROUPS[group_name]
    if item_type == "TEXT":
        template = rng.choice(group.texts)
        if rng.random() < 0.2:
            template += "{emoji}"
        return JudgedItem(item_type, group_name, *_render(template, rng))
    if item_type == "POLL":
        question, options = rng.choice(group.polls)
        chosen = sorted(rng.sample(range(len(options)), rng.randint(2, min(4, len(options)))))
        rendered = [_render(options[index], rng) for index in chosen]
        return JudgedItem(
            item_type,
            group_name,
            *_render(question, rng),
            poll_options=tuple(option for option, _ in rendered),
            poll_option_boundaries=tuple(boundaries for _, boundaries in rendered),
        )
    if item_type == "LINK":
        said, title = rng.choice(group.links)
        link_title, link_boundaries = _render(title, rng)
        return JudgedItem(
            item_type,
            group_name,
            *_render(said, rng),
            link_title=link_title,
            link_title_boundaries=link_boundaries,
        )
    said, name = rng.choice(group.files)
    file_name, file_boundaries = _render(name, rng)
    return JudgedItem(
        item_type,
        group_name,
        *_render(said, rng),
        file_name=file_name,
        file_name_boundaries=file_boundaries,
    )


def _render(template: str, rng: random.Random) -> tuple[str, frozenset[int]]:
    """A template's text with its slots filled, and its word boundaries."""
    words: list[str] = []
    for index, part in enumerate(_SLOT.split(template)):
        chosen = rng.choice(SLOTS[part]) if index % 2 else part
        words.extend(chosen.split("|"))
    return marked(words)


def marked(words: Sequence[str]) -> tuple[str, frozenset[int]]:
    """The words joined, and the boundaries: between words, where the class of character changes
    (Han, letter or digit, anything else) and on both sides of anything but Han, letters and
    digits (spaces, punctuation, emoji)."""
    text = "".join(words)
    boundaries = {0, len(text), *itertools.accumulate(len(word) for word in words)}
    classes = [_char_class(char) for char in text]
    for index in range(1, len(text)):
        if classes[index - 1] != classes[index] or classes[index] not in "HW":
            boundaries.add(index)
    return text, frozenset(boundaries)


def _char_class(char: str) -> str:
    """H for a Han character, W for another letter or digit, P punctuation, O anything else."""
    code = ord(char)
    if any(low <= code <= high for low, high in _HAN_RANGES):
        return "H"
    if char.isalnum():
        return "W"
    return "P" if unicodedata.category(char).startswith("P") else "O"


@cache
def normalized(text: str) -> tuple[str, tuple[int, ...]]:
    """The text NFKC-normalized and case-folded one character at a time, and for each normalized
    index the original index of the character whose expansion starts there (-1 inside one, as
    ﬁ becomes fi); one more entry maps the end."""
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).casefold()
        pieces.append(folded)
        origins.extend([index] + [-1] * (len(folded) - 1))
    origins.append(len(text))
    return "".join(pieces), tuple(origins)


def keywords(query: str) -> tuple[str, ...]:
    """The normalized pieces of a query that must all be found: runs of Han characters, and runs
    of other letters and digits. Whitespace, a change between Han and Latin letters or digits
    (`deploy部署`), symbols and emoji separate them; so does punctuation, except a single mark
    between two letters or digits (`v2.1`, `15:30`), as groupql reads a query."""
    text, _ = normalized(query)
    classes = "".join(_char_class(char) for char in text)
    found = (text[match.start() : match.end()] for match in _KEYWORD.finditer(classes))
    return tuple(dict.fromkeys(found))


def judged(query: str, category: str) -> JudgedQuery:
    return JudgedQuery(query, keywords(query), category)


def occurrences(keyword: str, text: str) -> Iterator[tuple[int, int]]:
    """Where a normalized keyword occurs in a text, as original (start, end), -1 for an end
    inside a character's expansion; overlapping occurrences included."""
    folded, origins = normalized(text)
    start = folded.find(keyword)
    while start != -1:
        yield origins[start], origins[start + len(keyword)]
        start = folded.find(keyword, start + 1)


def is_whole(keyword: str, text: str, boundaries: frozenset[int]) -> bool:
    """Whether the keyword occurs in the text starting and ending at true word boundaries."""
    return any(
        start in boundaries and end in boundaries for start, end in occurrences(keyword, text)
    )


def is_relevant(words: Sequence[str], item: JudgedItem) -> bool:
    """Whether every keyword is whole in at least one of the item's fields."""
    fields = item.fields()
    return bool(words) and all(
        any(is_whole(word, text, boundaries) for text, boundaries in fields) for word in words
    )


def relevant_items(query: str, items: Sequence[JudgedItem]) -> frozenset[int]:
    """The indices of the items the query should find: the judgement."""
    words = keywords(query)
    return frozenset(index for index, item in enumerate(items) if is_relevant(words, item))


_QUERIES: dict[str, tuple[str, ...]] = {
    "zh-word-mid-sentence": (
        "部署", "家长会", "会议", "发布", "服务器", "作业", "接送", "物业", "停车位", "周报",
        "需求", "老师", "电梯", "报名", "快递",
    ),
    "zh-segmenter-split": (
        "区块链", "李华", "拼单群", "云原生", "内卷", "躺平", "摸鱼", "团建", "接龙", "小程序",
        "种草", "蓝鲸云", "秒杀", "打卡",
    ),
    "zh-name": (
        "王小明", "张伟明", "张伟", "欧阳娜娜", "陈静", "刘洋", "王芳", "赵磊", "黄晓峰",
        "林一帆", "小明", "王老师", "李老师",
    ),
    "en-word": (
        "art", "go", "pin", "test", "Deploy", "iPhone", "staging", "merge", "review", "log",
        "app", "AI", "car", "book", "Google", "start",
    ),
    "number": (
        "12月", "302", "15:30", "v2.1", "299", "2024", "138", "12345", "1302", "19:30", "Q3",
        "8折", "88",
    ),
    "mixed": (
        "部署 deploy", "周五 meeting", "PR merge", "iPhone 降价", "bug 修复", "上线 hotfix",
        "staging 环境", "API 文档", "deploy部署", "test 环境", "review 帮忙", "AI 助手",
        "go 服务",
    ),
    "phrase": (
        "长江大桥", "家长会通知", "北京大学", "南京市长江大桥", "服务器宕机", "周末爬山",
        "物业费", "需求评审", "深圳湾公园", "会议纪要", "业主大会",
    ),
    "trap": (
        "和服", "市长", "上海", "家长", "学生", "上线", "大会", "明天", "文明", "会员", "日本",
    ),
    "full-width": (
        "ＡＰＩ", "api", "API", "ＯＫ", "ok", "OK", "ＶＩＰ", "vip", "ＷｉＦｉ", "wifi",
        "ＡＰＩ 文档",
    ),
    ZERO_HIT: ("伟明", "江大", "ploy", "火锅", "kubernetes", "务器", "京市"),
}  # fmt: skip

CORPUS: list[JudgedItem] = build_corpus()
QUERIES: list[JudgedQuery] = [
    judged(query, category) for category, queries in _QUERIES.items() for query in queries
]
EXPECTED: dict[str, frozenset[int]] = {
    query.query: relevant_items(query.query, CORPUS) for query in QUERIES
}


def substring_hits(query: str, items: Sequence[JudgedItem]) -> frozenset[int]:
    """The items holding every keyword somewhere, whole or not: what matching substrings finds."""
    words = keywords(query)

    def holds(word: str, item: JudgedItem) -> bool:
        return any(word in normalized(text)[0] for text in item.strings())

    return frozenset(
        index
        for index, item in enumerate(items)
        if words and all(holds(word, item) for word in words)
    )


def crossing_hits(query: str, items: Sequence[JudgedItem]) -> frozenset[int]:
    """The items where a keyword occurs across a word boundary (a boundary strictly inside it)."""
    return frozenset(
        index
        for index, item in enumerate(items)
        for word in keywords(query)
        for text, boundaries in item.fields()
        for start, end in occurrences(word, text)
        if not (start in boundaries and end in boundaries)
        and any(start < boundary < end for boundary in boundaries)
    )


def problems() -> list[str]:
    """Every way the set breaks its rules: sizes, counts per category, hits per query."""
    found = []
    if len(CORPUS) < 2400:
        found.append(f"the corpus has {len(CORPUS)} items, fewer than 2,400")
    if len(QUERIES) < 120:
        found.append(f"{len(QUERIES)} queries, fewer than 120")
    for asked, count in Counter(query.query for query in QUERIES).items():
        if count > 1:
            found.append(f"{asked!r} is asked {count} times")
    for category, count in Counter(query.category for query in QUERIES).items():
        if count < (3 if category == ZERO_HIT else 10):
            found.append(f"{category} has only {count} queries")
    for query in QUERIES:
        hits = len(EXPECTED[query.query])
        if query.category == ZERO_HIT:
            if hits:
                found.append(f"{query.query!r} ({query.category}) has {hits} hits, none wanted")
        elif not MIN_HITS <= hits <= MAX_HITS:
            found.append(f"{query.query!r} ({query.category}) has {hits} hits")
        if query.category == "trap" and not crossing_hits(query.query, CORPUS):
            found.append(f"{query.query!r} (trap) never occurs across a boundary")
    return found


def report() -> str:
    """The corpus and queries in numbers, then the problems found (if any)."""
    lines = [
        f"{len(CORPUS)} items: "
        + ", ".join(f"{count} {type}" for type, count in Counter(i.type for i in CORPUS).items()),
        "by group: "
        + ", ".join(f"{name} {count}" for name, count in Counter(i.group for i in CORPUS).items()),
        f"{len(QUERIES)} queries: "
        + ", ".join(f"{name} {n}" for name, n in Counter(q.category for q in QUERIES).items()),
        "",
        f"{'category':<21} {'query':<16} {'keywords':<20} hits  substring  crossing",
    ]
    for query in QUERIES:
        lines.append(
            f"{query.category:<21} {query.query:<16} {' '.join(query.keywords):<20} "
            f"{len(EXPECTED[query.query]):>4}  {len(substring_hits(query.query, CORPUS)):>9}  "
            f"{len(crossing_hits(query.query, CORPUS)):>8}"
        )
    lines += ["", "problems:", *(problems() or ["none"])]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
