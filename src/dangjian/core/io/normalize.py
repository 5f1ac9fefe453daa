"""Cell normalizers for imports: tolerant of what people actually type into spreadsheets.

Each normalizer takes a raw cell value (text from a CSV; text, number, date or bool from an
.xlsx) and returns a clean Python value, or raises `ValueError` with a Chinese message that the
import engine shows on that cell. Blank cells give the type's empty value (`""`, `None`, or the
declared default). Each normalizer carries an `accepted` text that the template's instructions
sheet shows, so the help and the parser never disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.text import Text as Label

F = TypeVar("F", bound=Callable[..., Any])

# Chinese punctuation kept full-width in free text: NFKC would turn 文学院党委（筹） into
# 文学院党委(筹), unlike the same name typed into a form. Letters, digits and spaces still fold.
_KEEP_FULL_WIDTH = re.compile(r"([！（），：；？])")
# An export prefixes text that looks like a formula with an apostrophe (core/io/export.py);
# a round trip through export and import removes it again.
_ESCAPED_FORMULA = re.compile(r"^'(?=[=+\-@＝＋－＠])")
_SPACES = re.compile(r"\s+")


def accepts(description: Label) -> Callable[[F], F]:
    """Attach the human description of accepted input to a normalizer function."""

    def mark(fn: F) -> F:
        fn.accepted = description  # type: ignore[attr-defined]
        return fn

    return mark


def is_blank(value: Any) -> bool:
    """None, or text that is only whitespace (including the full-width space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: int | float) -> str:
    """12 → '12', 12.0 → '12', 3.5 → '3.5': numbers typed into text columns."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _raw_text(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fold(text: str) -> str:
    """NFKC everything but Chinese punctuation (full-width letters, digits, spaces fold)."""
    if unicodedata.is_normalized("NFKC", text):
        return text  # the common case, checked in C: nothing to fold
    parts = _KEEP_FULL_WIDTH.split(text)
    return "".join(
        part if index % 2 else unicodedata.normalize("NFKC", part)
        for index, part in enumerate(parts)
    )


@accepts(_("文字；全角字母、数字自动转为半角，多余空格自动去除"))
def text(value: Any) -> str:
    """One line of text: NFKC-folded, stripped, inner runs of whitespace collapsed."""
    if is_blank(value):
        return ""
    folded = _SPACES.sub(" ", fold(_raw_text(value))).strip()
    return _ESCAPED_FORMULA.sub("", folded) if folded[0] == "'" else folded


def multiline(value: Any) -> str:
    """Text that keeps its line breaks (remarks): each line normalized like `text`."""
    if is_blank(value):
        return ""
    lines = [text(line) for line in _raw_text(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def header_key(value: Any) -> str:
    """How headers and choice labels are compared: NFKC, no spaces, case-insensitive.

    A trailing required marker (`*`, `（必填）`) is ignored, so the template's own headers match.
    """
    key = _SPACES.sub("", unicodedata.normalize("NFKC", _raw_text(value or ""))).casefold()
    key = re.sub(r"(\*|\(必填\))+$", "", key)
    return key.lstrip("*")


class Text:
    """A text column with an optional length limit (the model's max_length)."""

    def __init__(self, max_length: int | None = None, *, lines: bool = False) -> None:
        self.max_length = max_length
        self.lines = lines

    @property
    def accepted(self) -> str:
        """Described in the request's language (columns are declared at import time)."""
        limit = self.max_length
        extra = gettext("，不超过%(max_length)s个字") % {"max_length": limit} if limit else ""
        return gettext("文字%(limit)s") % {"limit": extra}

    def __call__(self, value: Any) -> str:
        result = multiline(value) if self.lines else text(value)
        if self.max_length is not None and len(result) > self.max_length:
            raise ValueError(
                gettext("不能超过%(max_length)s个字（现有%(result)s个字）。")
                % {"max_length": self.max_length, "result": len(result)}
            )
        return result


class Code(Text):
    """An identifier: fully NFKC-folded (Ｃ１－Ｂ１ → C1-B1), no spaces inside."""

    def __init__(self, max_length: int | None = None) -> None:
        super().__init__(max_length)

    @property
    def accepted(self) -> str:
        return gettext("编码，不含空格；全角字符自动转为半角")

    def __call__(self, value: Any) -> str:
        result = _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))
        if self.max_length is not None and len(result) > self.max_length:
            raise ValueError(
                gettext("不能超过%(max_length)s个字符（现有%(result)s个）。")
                % {"max_length": self.max_length, "result": len(result)}
            )
        return result


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2099


def _checked_date(year: int, month: int, day: int, shown: str) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(gettext("日期“%(shown)s”不存在，请检查年、月、日。") % {"shown": shown})
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(
            gettext("日期“%(shown)s”超出合理范围（%(MIN_YEAR)s—%(MAX_YEAR)s年）。")
            % {"shown": shown, "MIN_YEAR": MIN_YEAR, "MAX_YEAR": MAX_YEAR}
        )
    return result


def _serial_date(serial: float) -> date:
    """Excel's day number (1 = 1900-01-01, with Excel's 1900 leap-year quirk)."""
    whole = int(serial)
    if whole < 1 or whole > 2958465:
        raise ValueError(
            gettext("无法识别的日期“%(serial)s”，请填写如 2023-07-01 的日期。")
            % {"serial": _number_text(serial)}
        )
    result = _EXCEL_EPOCH + timedelta(days=whole)
    return _checked_date(result.year, result.month, result.day, result.isoformat())


@accepts(_("日期，如 2023-07-01、2023/7/1、2023.7.1、2023年7月1日、20230701，或 Excel 日期单元格"))
def to_date(value: Any) -> date | None:
    """A date from a date cell, an Excel serial number, or text in the common Chinese forms."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(gettext("请填写日期，如 2023-07-01。"))
    if isinstance(value, int | float):
        digits = _DATE_DIGITS.match(_number_text(value))
        if digits:
            year, month, day = map(int, digits.groups())
            return _checked_date(year, month, day, _number_text(value))
        return _serial_date(value)
    shown = str(value).strip()
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", shown)).strip()
    match = _DATE_TEXT.match(folded) or _DATE_DIGITS.match(folded)
    if not match:
        raise ValueError(
            gettext("无法识别的日期“%(shown)s”，请填写如 2023-07-01 的日期。") % {"shown": shown}
        )
    year, month, day = map(int, match.groups())
    return _checked_date(year, month, day, shown)


_TRUE = {"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "对", "有"}
_FALSE = {"否", "n", "no", "false", "f", "0", "×", "x", "✗", "✘", "不是", "无"}


def to_bool(value: Any, default: bool = False) -> bool:
    """是/否, Y/N, √/×, true/false, 1/0 (text, number or boolean cell); blank is `default`."""
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    key = header_key(value)
    if key in {"1.0", "0.0"}:
        key = key[0]
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(
        gettext("“%(value)s”不是有效的是/否取值，请填写“是”或“否”。")
        % {"value": _raw_text(value).strip()}
    )


class Boolean:
    """A yes/no column; blank cells take `default`."""

    def __init__(self, default: bool = False) -> None:
        self.default = default

    @property
    def accepted(self) -> str:
        blank = gettext("是") if self.default else gettext("否")
        return gettext("是/否（也可填 Y/N、√/×、1/0、true/false），空白视为“%(blank)s”") % {
            "blank": blank
        }

    def __call__(self, value: Any) -> bool:
        return to_bool(value, self.default)


@accepts(_("整数，如 12"))
def to_int(value: Any) -> int | None:
    """An integer from 12, 12.0, '12', '12.0', '１２' or '1,200'; blank is None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("请填写整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(gettext("“%(value)s”不是整数。") % {"value": _number_text(value)})
    shown = str(value).strip()
    folded = unicodedata.normalize("NFKC", shown).replace(",", "").replace(" ", "")
    match = re.fullmatch(r"([+-]?\d+)(?:\.0*)?", folded)
    if not match:
        raise ValueError(gettext("“%(shown)s”不是整数。") % {"shown": shown})
    return int(match.group(1))


class Integer:
    """An integer column with optional bounds."""

    def __init__(self, min_value: int | None = None, max_value: int | None = None) -> None:
        self.min_value, self.max_value = min_value, max_value

    @property
    def accepted(self) -> str:
        min_value, max_value = self.min_value, self.max_value
        bounds = ""
        if min_value is not None and max_value is not None:
            bounds = gettext("，%(min_value)s至%(max_value)s") % {
                "min_value": min_value,
                "max_value": max_value,
            }
        elif min_value is not None:
            bounds = gettext("，不小于%(min_value)s") % {"min_value": min_value}
        elif max_value is not None:
            bounds = gettext("，不大于%(max_value)s") % {"max_value": max_value}
        return gettext("整数%(bounds)s") % {"bounds": bounds}

    def __call__(self, value: Any) -> int | None:
        result = to_int(value)
        if result is None:
            return None
        if self.min_value is not None and result < self.min_value:
            raise ValueError(gettext("不能小于%(min_value)s。") % {"min_value": self.min_value})
        if self.max_value is not None and result > self.max_value:
            raise ValueError(gettext("不能大于%(max_value)s。") % {"max_value": self.max_value})
        return result


class Choice:
    """A choice column: accepts the Chinese label, the stored code, or a declared synonym.

    `choices` are (code, label) pairs as in Django's `TextChoices.choices`; `synonyms` map
    other words people use to codes (`{"支部": "branch"}`). Returns the code; blank is "".
    """

    def __init__(
        self, choices: Iterable[tuple[str, Label]], synonyms: Mapping[str, str] | None = None
    ) -> None:
        # Labels are matched in the platform's own language, whatever the request's language.
        with translation.override(settings.LANGUAGE_CODE):
            self.choices = [(str(code), str(label)) for code, label in choices]
        self.synonyms = dict(synonyms or {})
        self.lookup: dict[str, str] = {}
        for code, label in self.choices:
            self.lookup[header_key(code)] = code
            self.lookup[header_key(label)] = code
        for word, code in self.synonyms.items():
            self.lookup.setdefault(header_key(word), code)
        labels = dict(self.choices)
        words_by_code: dict[str, list[str]] = {}
        for word, code in self.synonyms.items():
            words_by_code.setdefault(code, []).append(word)
        extra = "；".join(
            f"{'、'.join(words)}→{labels.get(code, code)}" for code, words in words_by_code.items()
        )
        self.labels_text = "、".join(labels.values())
        self.synonyms_text = extra

    @property
    def accepted(self) -> str:
        extra = self.synonyms_text
        also = gettext("（也可填：%(extra)s）") % {"extra": extra} if extra else ""
        return self.labels_text + also

    def __call__(self, value: Any) -> str:
        if is_blank(value):
            return ""
        found = self.lookup.get(header_key(value))
        if found is None:
            labels = "、".join(str(label) for _, label in self.choices)
            raise ValueError(
                gettext("“%(value)s”不是可选的取值，请填写：%(labels)s。")
                % {"value": _raw_text(value).strip(), "labels": labels}
            )
        return found


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-character citizen ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


@accepts(_("18位公民身份号码，末位 X 大小写均可；请将该列设为文本格式，以免 Excel 改写后几位"))
def id_number(value: Any) -> str:
    """A citizen ID number as upper-case text; numbers that lost digits in Excel are refused.

    Excel keeps 15 significant digits: an 18-digit ID typed into a number cell comes back
    with its last digits turned into zeros, so a float with more than 15 digits is an error.
    """
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        raise ValueError(gettext("请填写18位公民身份号码。"))
    if isinstance(value, float):
        if not value.is_integer() or len(str(int(value))) > 15:
            raise ValueError(
                gettext(
                    "身份证号被 Excel 存成了数字，后几位已丢失；请将该列设为“文本”格式后重新填写。"
                )
            )
        value = int(value)
    shown = _raw_text(value).strip()
    number = _SPACES.sub("", unicodedata.normalize("NFKC", shown)).upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValueError(gettext("“%(shown)s”不是18位公民身份号码。") % {"shown": shown})
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(gettext("身份证号“%(shown)s”中的出生日期不存在。") % {"shown": shown})
    if id_check_digit(number[:17]) != number[17]:
        raise ValueError(gettext("身份证号“%(shown)s”的校验位不正确，请核对。") % {"shown": shown})
    return number


def describe(parser: Callable[[Any], Any]) -> str:
    """What a normalizer accepts, for the template's instructions sheet."""
    return str(getattr(parser, "accepted", ""))


__all__ = [
    "Boolean",
    "Choice",
    "Code",
    "Integer",
    "Text",
    "describe",
    "fold",
    "header_key",
    "id_check_digit",
    "id_number",
    "is_blank",
    "multiline",
    "text",
    "to_bool",
    "to_date",
    "to_int",
]
