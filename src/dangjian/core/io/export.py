"""Excel and CSV export: streaming, safe against formula injection, audited.

Rows are read with `iterator()` and written by openpyxl's write-only workbook (or the csv
module), so memory stays flat for large lists. A cell whose text begins with = + - @ or a
control character is prefixed with an apostrophe so spreadsheet programs show it as text.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.db import models
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from dangjian.core import audit
from dangjian.core.text import Text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportColumn:
    """A column: its Chinese header and how to get the value from a record."""

    header: Text
    value: str | Callable[[Any], Any]
    width: int = 16

    def get(self, obj: Any) -> Any:
        """The cell value: an attribute path ('parent.name'), get_FOO_display, or a callable."""
        if callable(self.value):
            return self.value(obj)
        current: Any = obj
        for part in self.value.split("."):
            if current is None:
                return None
            display = getattr(current, f"get_{part}_display", None)
            current = display() if display is not None else getattr(current, part)
        return current


def safe_cell(value: Any) -> Any:
    """Neutralize text that a spreadsheet would run as a formula; keep numbers and dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | date):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def iter_rows(rows: Iterable[Any], columns: list[ExportColumn]) -> Iterator[list[Any]]:
    """Cell values of each row, formula-safe."""
    source = rows.iterator(chunk_size=2000) if isinstance(rows, models.QuerySet) else rows
    for obj in source:
        yield [safe_cell(column.get(obj)) for column in columns]


def write_xlsx(
    rows: Iterable[Any], columns: list[ExportColumn], title: str = gettext("数据")
) -> tempfile.SpooledTemporaryFile[bytes]:
    """Write an .xlsx with a bold, frozen header; returns a rewound temporary file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, column in enumerate(columns):
        sheet.column_dimensions[_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="B5121B")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font, cell.fill = header_font, header_fill
        header.append(cell)
    sheet.append(header)
    for values in iter_rows(rows, columns):
        sheet.append(values)
    target: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=32 * 1024 * 1024
    )  # handed to FileResponse, which closes it
    book.save(target)
    target.seek(0)
    return target


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Any], columns: list[ExportColumn]) -> Iterator[str]:
    """CSV lines with a UTF-8 BOM so Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(column.header) for column in columns])
    for values in iter_rows(rows, columns):
        yield writer.writerow([v.isoformat() if isinstance(v, date) else v for v in values])


def attachment_name(name: str, ext: str) -> str:
    """A file name with the date, e.g. 党组织_20261125.xlsx."""
    return f"{name}_{timezone.localdate():%Y%m%d}.{ext}"


def export_response(
    request: HttpRequest,
    rows: models.QuerySet[Any] | Iterable[Any],
    columns: list[ExportColumn],
    *,
    name: str,
    fmt: str = "xlsx",
) -> FileResponse | StreamingHttpResponse:
    """Stream an export to the browser and record it as a security event."""
    count = rows.count() if isinstance(rows, models.QuerySet) else None
    audit.record_security(
        "security.export",
        actor=request.user,
        object_type=rows.model._meta.label_lower if isinstance(rows, models.QuerySet) else "",
        object_repr=name,
        detail={"format": fmt, "rows": count, "query": request.GET.urlencode()},
    )
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows, columns), content_type="text/csv")
        filename = attachment_name(name, "csv")
    else:
        response = FileResponse(write_xlsx(rows, columns, title=name), content_type=XLSX_TYPE)
        filename = attachment_name(name, "xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_bytes(
    rows: Iterable[Any], columns: list[ExportColumn], title: str = gettext("数据")
) -> bytes:
    """The whole workbook as bytes (for small files such as templates and tests)."""
    handle = write_xlsx(rows, columns, title)
    data = handle.read()
    handle.close()
    return data


__all__ = [
    "ExportColumn",
    "csv_stream",
    "export_response",
    "safe_cell",
    "write_xlsx",
    "xlsx_bytes",
]
