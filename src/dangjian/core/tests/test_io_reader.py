"""Reading uploads: row numbers as the spreadsheet shows them, encodings, unusable files."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from dangjian.core.io.reader import ImportFileError, is_blank_row, open_table

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xlsx_bytes(rows: list[list[Any]], *, start_row: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    target = io.BytesIO()
    book.save(target)
    return target.getvalue()


def read(content: bytes, name: str) -> list[tuple[int, list[Any]]]:
    with open_table(SimpleUploadedFile(name, content), name) as table:
        return [(number, values) for number, values in table.rows() if not is_blank_row(values)]


def test_xlsx_rows_keep_spreadsheet_numbers() -> None:
    content = xlsx_bytes(
        [["编码", "名称"], [None, None], ["A", "甲"], [], ["B", "乙"]], start_row=3
    )
    rows = read(content, "a.xlsx")
    assert rows == [(3, ["编码", "名称"]), (5, ["A", "甲"]), (7, ["B", "乙"])]


def test_xlsx_reads_only_the_first_sheet_with_cached_values() -> None:
    book = openpyxl.Workbook()
    book.active.append(["编码"])
    book.active.append(["A"])
    book.create_sheet("填写说明").append(["不应读到"])
    target = io.BytesIO()
    book.save(target)
    assert read(target.getvalue(), "a.xlsx") == [(1, ["编码"]), (2, ["A"])]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_encodings(encoding: str) -> None:
    content = "组织编码,名称\r\nC1,文学院党委\r\n\r\nC2,数学学院党委\r\n".encode(encoding)
    assert read(content, "orgs.CSV") == [
        (1, ["组织编码", "名称"]),
        (2, ["C1", "文学院党委"]),
        (4, ["C2", "数学学院党委"]),
    ]


def test_csv_multiline_record_is_one_row() -> None:
    content = '编码,备注\nA,"第一行\n第二行"\nB,无\n'.encode()
    assert read(content, "a.csv") == [
        (1, ["编码", "备注"]),
        (2, ["A", "第一行\n第二行"]),
        (3, ["B", "无"]),
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "orgs.xlsx", "空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "orgs.xlsx", "旧版 Excel"),
        (b"anything", "orgs.xls", "旧版 Excel"),
        (PNG, "orgs.xlsx", "不是 Excel 工作簿"),
        (b"PK\x03\x04" + b"\x00" * 100, "orgs.xlsx", "已损坏"),
        (PNG, "orgs.png", "只支持"),
        (b"a,b\n", "orgs.txt", "只支持"),
        (PNG, "orgs.csv", "二进制"),
        (b"\xff\xfe\xfd\x81\x30\x81\x30", "orgs.csv", "编码"),
    ],
)
def test_unusable_files_are_refused_in_chinese(content: bytes, name: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read(content, name)


def test_zip_that_is_not_a_workbook() -> None:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("hello.txt", "你好")
    with pytest.raises(ImportFileError, match="已损坏"):
        read(target.getvalue(), "orgs.xlsx")


def test_file_over_the_limit(settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ImportFileError, match="超过了 1 MB"):
        read(b"a" * (1024 * 1024 + 1), "big.csv")


def test_plain_binary_files_work_too(tmp_path: Any) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([["编码"], ["A"]]))
    with path.open("rb") as handle, open_table(handle, "a.xlsx") as table:
        assert [values for _, values in table.rows()] == [["编码"], ["A"]]


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.csv", "编码\r\nA\r\n".encode("gbk")), ("a.xlsx", xlsx_bytes([["编码"], ["A"]]))],
)
def test_large_uploads_spooled_to_disk(name: str, content: bytes) -> None:
    upload = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
    upload.write(content)
    upload.seek(0)
    with open_table(upload, name) as table:
        assert [values for _, values in table.rows()] == [["编码"], ["A"]]
    assert not upload.closed
    upload.close()
