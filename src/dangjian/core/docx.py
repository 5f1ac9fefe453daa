"""Word building blocks for every document the platform writes: an A4 page with official margins,
Chinese fonts, centred titles and bordered tables.

Word picks the font of Chinese characters from `w:eastAsia`, not from the font name python-docx
sets, so every run gets both; without it Chinese text falls back to the theme font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.run import Run

SONG, HEI = "宋体", "黑体"
BODY_SIZE = Pt(12)  # 小四
TITLE_SIZE = Pt(18)  # 小二


def missing() -> str:
    """What a value not (yet) recorded shows: never an invented value."""
    return gettext("（未登记）")


def chinese_date(day: date | str | None) -> str:
    """2023年3月1日; a stored ISO string is accepted; nothing → （未登记）."""
    if not day:
        return missing()
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return str(day)
    return gettext("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def set_font(run: Run, name: str = SONG, size: Pt | None = None, bold: bool = False) -> None:
    """Latin and East Asian font of one run."""
    run.font.name = name
    run.font.bold = bold or None
    if size is not None:
        run.font.size = size
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attribute), name)


def new_document() -> DocumentType:
    """An empty A4 document, margins of GB/T 9704 official documents, 宋体 小四 text."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = SONG
    normal.font.size = BODY_SIZE
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), SONG)
    return doc


def title(doc: DocumentType, text: str, subtitle: str = "") -> None:
    """The centred title in 黑体, with an optional smaller line under it."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(6)
    set_font(paragraph.add_run(text), HEI, TITLE_SIZE)
    if subtitle:
        line = doc.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(line.add_run(subtitle), SONG, BODY_SIZE)


def heading(doc: DocumentType, text: str) -> None:
    """A section heading in 黑体 (python-docx's heading styles have no Chinese font)."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.space_after = Pt(6)
    set_font(paragraph.add_run(text), HEI, Pt(14))


def paragraph(
    doc: DocumentType,
    text: str,
    *,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
    font: str = SONG,
) -> None:
    """A body paragraph; Chinese prose starts with a two-character indent."""
    para = doc.add_paragraph()
    if align is not None:
        para.alignment = align
    if indent:
        para.paragraph_format.first_line_indent = Pt(24)
    para.paragraph_format.line_spacing = 1.5
    set_font(para.add_run(text), font, BODY_SIZE)


def _borders(table: Table) -> None:
    """Single lines around and inside the table, whatever the template's table style."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    tbl_pr.append(borders)


def _cell_text(table: Table, row: int, column: int, text: str, bold: bool = False) -> None:
    cell = table.cell(row, column)
    cell.text = ""
    set_font(cell.paragraphs[0].add_run(text), HEI if bold else SONG, Pt(10.5))


def grid(doc: DocumentType, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """A bordered table with a header row in 黑体; empty cells show （未登记）."""
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    for column, header in enumerate(headers):
        _cell_text(table, 0, column, str(header), bold=True)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _cell_text(table, row_index, column, str(value) if value else missing())
    return table


def pairs(doc: DocumentType, items: Sequence[tuple[str, str]], per_row: int = 2) -> Table:
    """A form-like bordered table of label/value pairs, `per_row` pairs to a row."""
    count = (len(items) + per_row - 1) // per_row
    table = doc.add_table(rows=count, cols=per_row * 2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    for index, (label, value) in enumerate(items):
        row, column = divmod(index, per_row)
        _cell_text(table, row, column * 2, str(label), bold=True)
        _cell_text(table, row, column * 2 + 1, str(value) if value else missing())
    return table


def as_bytes(doc: DocumentType) -> bytes:
    """The .docx file's content."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
