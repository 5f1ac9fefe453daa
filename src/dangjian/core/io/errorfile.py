"""The marked error file: the uploaded rows, each bad cell filled red with the reason.

The user fixes the cells in this copy and uploads it again, so it keeps the rows where they
were (row numbers in messages match), keeps text that looks like a formula as text, and drops
the "错误说明" column of an earlier round before adding the new one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dangjian.core.io.columns import ERROR_HEADER, HeaderMap
from dangjian.core.io.reader import is_blank_row, open_table

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FONT = Font(bold=True)
ERROR_HEADER_FONT = Font(bold=True, color="FFFFFF")
ERROR_HEADER_FILL = PatternFill("solid", fgColor="B5121B")
ERROR_TEXT_FONT = Font(color="9C0006")
AUTHOR = "党建工作平台"

Errors = Mapping[int, list[tuple[str | None, str]]]


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"  # text that starts with "=" stays text, as it was uploaded
    return cell


def row_messages(headers: HeaderMap, problems: list[tuple[str | None, str]]) -> str:
    """The "错误说明" text of a row: each cell's message prefixed by its header."""
    return "；".join(
        f"{headers.header(key)}：{message}" if key else str(message) for key, message in problems
    )


def error_workbook(source: IO[bytes], name: str, headers: HeaderMap, errors: Errors) -> bytes:
    """A copy of the file's rows with bad cells marked and a "错误说明" column at the end."""
    kept = [i for i in range(headers.width) if i != headers.error_index]
    position = {old: new for new, old in enumerate(kept)}
    columns = {key: position[index] for key, index in headers.index.items()}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("导入错误"))
    for new in range(len(kept)):
        sheet.column_dimensions[get_column_letter(new + 1)].width = 16
    sheet.column_dimensions[get_column_letter(len(kept) + 1)].width = 60
    sheet.freeze_panes = f"A{headers.row + 1}"
    pending_blank = 0
    with open_table(source, name) as table:
        for number, values in table.rows():
            if number > headers.row and is_blank_row(values):
                pending_blank += 1
                continue
            for _ in range(pending_blank):
                sheet.append([])
            pending_blank = 0
            row = [values[i] if i < len(values) else None for i in kept]
            if number == headers.row:
                cells: list[Any] = [_cell(sheet, value) for value in row]
                for cell in cells:
                    cell.font = HEADER_FONT
                marker = _cell(sheet, ERROR_HEADER)
                marker.font, marker.fill = ERROR_HEADER_FONT, ERROR_HEADER_FILL
                cells.append(marker)
            elif number in errors:
                cells = [_cell(sheet, value) for value in row]
                cells.append(_mark(sheet, cells, columns, headers, errors[number]))
            else:
                # Plain values are written much faster; only text that looks like a formula
                # needs a cell object to stay text.
                cells = [_cell(sheet, v) if isinstance(v, str) and v[:1] == "=" else v for v in row]
            sheet.append(cells)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def _mark(
    sheet: WriteOnlyWorksheet,
    cells: list[WriteOnlyCell],
    columns: Mapping[str, int],
    headers: HeaderMap,
    problems: list[tuple[str | None, str]],
) -> WriteOnlyCell:
    """Fill and comment the bad cells of one row; return its "错误说明" cell."""
    by_cell: dict[int, list[str]] = {}
    for key, message in problems:
        if key is not None and key in columns:
            by_cell.setdefault(columns[key], []).append(message)
    for index, messages in by_cell.items():
        cells[index].fill = BAD_FILL
        cells[index].comment = Comment("\n".join(messages), AUTHOR, width=260, height=90)
    summary = _cell(sheet, row_messages(headers, problems))
    summary.font = ERROR_TEXT_FONT
    summary.alignment = Alignment(wrap_text=True, vertical="top")
    return summary


__all__ = ["error_workbook", "row_messages"]
