"""Import columns and the matching of a file's header row to them.

People rename, reorder and re-type headers: 组织名称 for 名称, full-width letters, stray
spaces, a `*` copied from the template. Headers are compared by `normalize.header_key`, so all
of these match; columns the spec does not know are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

from dangjian.core.io import normalize
from dangjian.core.io.reader import ImportFileError, is_blank_row
from dangjian.core.text import Text

if TYPE_CHECKING:
    from dangjian.core.io.importer import ImportSpec

ERROR_HEADER = "错误说明"  # kept in Chinese: re-uploaded error files are recognized by it
# How the template (and people) mark required headers: 名称*, 名称（必填）.
REQUIRED_MARKS = re.compile(r"\s*([*＊]|[(（]必填[)）])+\s*$|^\s*[*＊]+\s*")


@dataclass(frozen=True)
class Column:
    """One importable column: key (the field it fills), Chinese header, accepted synonyms."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] = normalize.text
    help: Text = ""
    example: str = ""
    # Formatted as text in the template, so Excel keeps long numbers (ID, phone) as typed.
    text_format: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)

    @property
    def accepted(self) -> str:
        """What the column's normalizer accepts (for the template's instructions)."""
        return normalize.describe(self.parse)


@dataclass
class HeaderMap:
    """Where each known column is in the file, and how the file names it."""

    row: int
    index: dict[str, int]
    texts: dict[str, str] = field(default_factory=dict)
    width: int = 0
    error_index: int | None = None

    def header(self, key: str) -> str:
        """The column's header as the file writes it (or the spec's header)."""
        return self.texts.get(key, key)


def _synonym_note(column: Column) -> str:
    return (
        gettext("（也可写作：%(synonyms)s）") % {"synonyms": "、".join(column.synonyms)}
        if column.synonyms
        else ""
    )


def match_headers(spec: ImportSpec, rows: Iterator[tuple[int, list[Any]]], mode: str) -> HeaderMap:
    """Read up to the header row (the first non-empty row) and map it to the spec's columns."""
    for number, values in rows:
        if not is_blank_row(values):
            return _match(spec, number, values, mode)
    raise ImportFileError(gettext("文件中没有任何内容，请使用导入模板填写后再上传。"))


def _match(spec: ImportSpec, number: int, values: list[Any], mode: str) -> HeaderMap:
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for name in column.names:
            lookup.setdefault(normalize.header_key(name), column.key)
    headers = HeaderMap(number, {}, {c.key: c.header for c in spec.columns})
    problems: list[str] = []
    for index, value in enumerate(values):
        shown = normalize.text(value)
        if not shown:
            continue
        headers.width = index + 1
        key = normalize.header_key(shown)
        if key == normalize.header_key(ERROR_HEADER):
            headers.error_index = index
            continue
        column_key = lookup.get(key)
        if column_key is None:
            continue
        if column_key in headers.index:
            first = values[headers.index[column_key]]
            problems.append(
                gettext(
                    "第%(number)s行表头中“%(first)s”和“%(shown)s”都表示“%(header)s”，请删去其中一列。"
                )
                % {
                    "number": number,
                    "first": normalize.text(first),
                    "shown": shown,
                    "header": spec.column(column_key).header,
                }
            )
            continue
        headers.index[column_key] = index
        headers.texts[column_key] = REQUIRED_MARKS.sub("", shown) or shown
    if not headers.index:
        expected = "、".join(column.header for column in spec.columns[:6])
        raise ImportFileError(
            gettext(
                "第%(number)s行应为表头（如：%(expected)s等），但没有识别出任何列名；请下载导入模板，按模板的表头填写。"
            )
            % {"number": number, "expected": expected}
        )
    for key in sorted(spec.required_keys(mode), key=[c.key for c in spec.columns].index):
        if key not in headers.index:
            column = spec.column(key)
            problems.append(
                gettext("第%(number)s行表头中缺少必填列“%(header)s”%(column)s。")
                % {"number": number, "header": column.header, "column": _synonym_note(column)}
            )
    if problems:
        raise ImportFileError(*problems)
    return headers


__all__ = ["ERROR_HEADER", "Column", "HeaderMap", "match_headers"]
