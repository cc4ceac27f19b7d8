"""Template values of subscribe messages, made to fit WeChat's rules or refused."""

import re
import string
import unicodedata
from collections.abc import Callable, Mapping


class TemplateValueRejected(ValueError):
    """A template value WeChat would refuse and that cannot be shortened into one it accepts."""

    def __init__(self, key: str, reason: str) -> None:
        # The value is left out: it is often a user's text.
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def fit_value(key: str, text: str) -> str:
    """`text` as WeChat accepts it for template key `key` (e.g. "thing1", "time2").

    Free text is shortened to fit: a thing to 20 characters ending in "…", a name to 10 Chinese
    characters or 20 letters. Anything else that breaks its kind's rules is refused, because
    cutting a number, a time or a status word short would change what it says. Kinds this module
    does not know (e.g. enum) pass unchanged for WeChat to judge.
    """
    match = _KEY.fullmatch(key)
    if match is None:
        raise TemplateValueRejected(key, "is not a template key such as thing1 or time2")
    value = text.strip()
    if not value:
        raise TemplateValueRejected(key, "is empty")
    fit = _FITTERS.get(match["kind"])
    return value if fit is None else fit(key, value)


def check_data(data: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The `data` of a subscribeMessage.send request: each value fitted by `fit_value`."""
    return {key: {"value": fit_value(key, text)} for key, text in data.items()}


# The rules are those of WeChat's "订阅消息参数值内容限制说明". WeChat does not say how it
# counts characters; UTF-16 units count an emoji as two, so a value that fits them fits
# however WeChat counts.
def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shorten(text: str, limit: int, ellipsis: str = "") -> str:
    if _units(text) <= limit:
        return text
    room = limit - _units(ellipsis)
    kept: list[str] = []
    for char in text:
        room -= _units(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ellipsis


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_symbol(char: str) -> bool:
    # WeChat: "symbols are common marks other than Chinese, letters and digits, no control
    # characters": Unicode punctuation and symbols.
    return unicodedata.category(char)[0] in "PS"


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _fit_thing(key: str, value: str) -> str:
    # 20 characters of anything but control characters: line breaks become spaces.
    flat = " ".join("".join(" " if _is_control(c) else c for c in value).split())
    return _shorten(flat, 20, "…")


def _fit_name(key: str, value: str) -> str:
    # A Chinese name has at most 10 characters, and letters mixed in count as Chinese; a name of
    # letters (and symbols) alone may have 20. Digits are not allowed at all.
    if not all(
        _is_chinese(c) or c in string.ascii_letters or c == " " or _is_symbol(c) for c in value
    ):
        raise TemplateValueRejected(key, "a name holds only Chinese characters, letters or symbols")
    limit = 10 if any(_is_chinese(c) for c in value) else 20
    return _shorten(value, limit)


def _rule(test: Callable[[str], bool], max_units: int, rule: str) -> Callable[[str, str], str]:
    def fit(key: str, value: str) -> str:
        if _units(value) > max_units or not test(value):
            raise TemplateValueRejected(key, rule)
        return value

    return fit


def _pattern(regex: str) -> Callable[[str], bool]:
    # ASCII: WeChat's digits are 0-9, not every script's.
    compiled = re.compile(regex, re.ASCII)
    return lambda value: compiled.fullmatch(value) is not None


def _fit_amount(key: str, value: str) -> str:
    # One currency symbol, at most 10 digits with an optional fraction, optionally ending in 元.
    number = value[1:] if unicodedata.category(value[0]) == "Sc" else value
    digits = sum(c in string.digits for c in number)
    if not (re.fullmatch(r"[0-9]+(\.[0-9]+)?元?", number) and digits <= 10):
        raise TemplateValueRejected(key, "an amount is a currency symbol and up to 10 digits")
    return value


_fit_phone_digits = _rule(
    lambda v: (
        any(c in string.digits for c in v) and all(c in string.digits or _is_symbol(c) for c in v)
    ),
    17,
    "a phone number is up to 17 digits and symbols, e.g. +86-0766-66888866",
)


def _fit_phone_number(key: str, value: str) -> str:
    # Spaces are not among WeChat's symbols, and dropping them keeps the number the same.
    return _fit_phone_digits(key, value.replace(" ", ""))


# Times are 24-hour HH:MM or HH:MM:SS; dates are y年m月d日, y年m月, m月d日, or joined by
# '-', '/' or '.'; a time may carry a date and a date a time; "~" joins two into a span.
_HM = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
_Y, _M, _D = r"\d{4}", r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"
_DATE = (
    rf"(?:{_Y}年{_M}月{_D}日|{_Y}年{_M}月|{_M}月{_D}日"
    rf"|{_Y}-{_M}-{_D}|{_Y}/{_M}/{_D}|{_Y}\.{_M}\.{_D}|{_Y}-{_M}|{_M}-{_D})"
)
_TIME_POINT = rf"(?:{_DATE} ?)?{_HM}"
_DATE_POINT = rf"{_DATE}(?: ?{_HM})?"


def _span(point: str) -> str:
    return rf"{point}(?: ?~ ?{point})?"


_KEY = re.compile(r"(?P<kind>[a-z]+(?:_[a-z]+)*)\d+")
_FITTERS: dict[str, Callable[[str, str], str]] = {
    "thing": _fit_thing,
    "name": _fit_name,
    "amount": _fit_amount,
    "phone_number": _fit_phone_number,
    "number": _rule(_pattern(r"\d+(\.\d+)?"), 32, "a number is up to 32 digits, maybe a fraction"),
    "letter": _rule(_pattern(r"[A-Za-z]+"), 32, "letters only, up to 32"),
    "symbol": _rule(lambda v: all(map(_is_symbol, v)), 5, "symbols only, up to 5"),
    "character_string": _rule(
        lambda v: all(c in string.ascii_letters + string.digits or _is_symbol(c) for c in v),
        32,
        "letters, digits and symbols only, up to 32",
    ),
    "phrase": _rule(lambda v: all(map(_is_chinese, v)), 5, "Chinese characters only, up to 5"),
    "car_number": _rule(
        _pattern(r"[\u4e00-\u9fff]?[A-Za-z0-9]+[\u4e00-\u9fff]?"),
        8,
        "a plate is up to 8 letters and digits, first and last may be Chinese",
    ),
    "time": _rule(_pattern(_span(_TIME_POINT)), 64, "a 24-hour time such as 15:01"),
    "date": _rule(_pattern(_span(_DATE_POINT)), 64, "a date such as 2019年10月1日 or 2019-10-01"),
}
