"""The downloadable import template: headers, an example row, and a sheet of instructions.

Generated from the spec's columns, so the template, the help text and the parser cannot drift
apart: what the instructions say a column accepts is what its normalizer accepts.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dangjian.core.io.columns import Column

if TYPE_CHECKING:
    from dangjian.core.io.importer import ImportSpec

REQUIRED_MARK = "*"
HEADER_FILL = PatternFill("solid", fgColor="B5121B")
OPTIONAL_FILL = PatternFill("solid", fgColor="F2DCDB")
WHITE_BOLD = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
EXAMPLE_FONT = Font(italic=True, color="808080")
INSTRUCTION_HEADERS = (
    _("列名"),
    _("是否必填"),
    _("填写说明"),
    _("可填写的值与格式"),
    _("也可使用的列名"),
    _("示例"),
)


def template_header(column: Column, required: bool) -> str:
    """The header cell's text: required columns end with `*` (matching ignores it)."""
    return column.header + (REQUIRED_MARK if required else "")


def template_bytes(spec: ImportSpec) -> bytes:
    """The template workbook for `spec` as bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = (gettext("%(label)s导入") % {"label": spec.label})[:31]
    required = spec.required_keys("create")
    for index, column in enumerate(spec.columns, start=1):
        is_required = column.key in required
        cell = sheet.cell(row=1, column=index, value=template_header(column, is_required))
        cell.font = WHITE_BOLD if is_required else BOLD
        cell.fill = HEADER_FILL if is_required else OPTIONAL_FILL
        note = gettext("必填。") if is_required else gettext("选填。")
        cell.comment = Comment(note + str(column.help or column.accepted), gettext("党建工作平台"))
        example = sheet.cell(row=2, column=index, value=column.example or None)
        example.font = EXAMPLE_FONT
        example.number_format = "@"  # text: codes and phone numbers keep their leading zeros
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 3)
        if column.text_format:
            # The whole column (Excel gives new cells their column's format), so the rows
            # people add keep 18-digit ID numbers and leading zeros as typed.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    _instructions(book.create_sheet(gettext("填写说明")), spec, required)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def _instructions(sheet: Worksheet, spec: ImportSpec, required: set[str]) -> None:
    """The second sheet: how to fill the template, then one line per column."""
    sheet.append([gettext("%(label)s导入说明") % {"label": spec.label}])
    sheet["A1"].font = Font(bold=True, size=14)
    general = [
        gettext(
            "第一行为表头，列的顺序可以调整，表中多余的列会被忽略；标 * 的列必须有且必须填写。"
        ),
        gettext("第二行是示例，导入前请删除或改为真实数据。"),
        gettext(
            "系统先检查全部行，只要有一处错误就不导入任何数据，并返回一个标出错误单元格和原因的 Excel 文件，修改后可直接重新上传。"
        ),
        *(str(note) for note in spec.notes),
    ]
    if spec.key:
        key_header = spec.column(spec.key).header
        general.insert(
            3,
            gettext(
                "“更新”方式按“%(key_header)s”找到已有记录，只修改表中出现的列，未出现的列保持不变；表中出现但留空的单元格会清空该项。"
            )
            % {"key_header": key_header},
        )
    for line in general:
        sheet.append([line])
    sheet.append([])
    sheet.append([str(header) for header in INSTRUCTION_HEADERS])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = WHITE_BOLD, HEADER_FILL
    for column in spec.columns:
        sheet.append(
            [
                column.header,
                gettext("必填") if column.key in required else gettext("选填"),
                str(column.help),
                str(column.accepted),
                "、".join(column.synonyms),
                column.example,
            ]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = wrap
    for letter, width in zip("ABCDEF", (16, 10, 36, 48, 24, 18), strict=True):
        sheet.column_dimensions[letter].width = width


__all__ = ["template_bytes", "template_header"]
