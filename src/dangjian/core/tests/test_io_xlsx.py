"""The streaming .xlsx reader on files written by hand: what Excel, WPS and others store."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from dangjian.core.io.reader import estimate_rows
from dangjian.core.io.xlsx import XlsxBook, XlsxError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook(sheet_data: str, *, ns: str = MAIN, date1904: bool = False, strings: str = "",
             styles: str = "", dimension: str = "") -> bytes:  # fmt: skip
    """A minimal workbook: one sheet, optional shared strings and styles."""
    target = io.BytesIO()
    props = '<workbookPr date1904="1"/>' if date1904 else ""
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="r1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{REL}">{props}<sheets>'
            '<sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        if strings:
            rels += (
                f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{ns}">{strings}</sst>')
        if styles:
            rels += f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{ns}">{styles}</styleSheet>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{rels}</Relationships>'
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{ns}">{dimension}<sheetData>{sheet_data}</sheetData></worksheet>',
        )
    return target.getvalue()


def rows(content: bytes) -> list[tuple[int, list[object]]]:
    book = XlsxBook(io.BytesIO(content))
    try:
        return list(book.rows())
    finally:
        book.close()


def test_shared_rich_and_inline_strings_without_phonetic_hints() -> None:
    strings = (
        "<si><t>张三</t></si>"
        "<si><r><t>文学院</t></r><r><rPr><b/></rPr><t>党委</t></r><rPh><t>ぶん</t></rPh></si>"
    )
    data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="B2" t="inlineStr"><is><t>内联</t></is></c></row>'
    )
    assert rows(workbook(data, strings=strings)) == [
        (1, ["张三", None, "文学院党委"]),
        (2, [None, "内联"]),
    ]


def test_numbers_booleans_errors_formulas_and_gaps() -> None:
    data = (
        '<row r="2"><c r="A2"><v>12</v></c><c r="B2"><v>4.30102199003150E+17</v></c>'
        '<c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c>'
        '<c r="E2" t="str"><f>A1</f><v>文字</v></c><c r="F2"><f>1+1</f></c></row>'
        "<row><c><v>1.5</v></c></row>"
    )
    assert rows(workbook(data)) == [
        (1, []),
        (2, [12, 4.3010219900315e17, True, "#N/A", "文字", None]),
        (3, [1.5]),
    ]


@pytest.mark.parametrize("date1904", [False, True])
def test_dates_by_number_format_and_calendar(date1904: bool) -> None:
    styles = (
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
        '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="31"/>'
        '<xf numFmtId="176"/><xf numFmtId="49"/></cellXfs>'
    )
    serial = 45108 - (1462 if date1904 else 0)
    data = (
        f'<row r="1"><c r="A1" s="1"><v>{serial}</v></c><c r="B1" s="2"><v>{serial}</v></c>'
        f'<c r="C1" s="3"><v>{serial}</v></c><c r="D1" s="4"><v>{serial}</v></c>'
        f'<c r="E1" s="0"><v>{serial}</v></c><c r="F1" t="d"><v>2023-07-01T00:00:00</v></c></row>'
    )
    day = datetime(2023, 7, 1)
    values = rows(workbook(data, styles=styles, date1904=date1904))[0][1]
    assert values == [day, day, day, serial, serial, day]


def test_strict_open_xml_namespace() -> None:
    data = '<row r="1"><c r="A1" t="inlineStr"><is><t>严格</t></is></c></row>'
    assert rows(workbook(data, ns=STRICT)) == [(1, ["严格"])]


def test_declared_size_is_only_an_estimate() -> None:
    content = workbook(
        '<row r="1"><c r="A1"><v>1</v></c></row>', dimension='<dimension ref="A1:X2500"/>'
    )
    assert XlsxBook(io.BytesIO(content)).dimension_rows() == 2500
    assert estimate_rows(io.BytesIO(content), "a.xlsx") == 2500
    assert rows(content) == [(1, [1])]
    assert estimate_rows(io.BytesIO(b"a\nb\nc"), "a.csv") == 3


def test_broken_parts_are_errors() -> None:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(XlsxError):
        XlsxBook(io.BytesIO(target.getvalue()))
    content = workbook('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')
    with pytest.raises(IndexError):
        rows(content)  # open_table turns this into "Excel 文件内容已损坏"
