"""Reading uploaded spreadsheets row by row: .xlsx (streamed) and .csv (UTF-8 or GBK).

The reader knows nothing about columns. It yields every row with the number a spreadsheet
program shows for it, so error messages and the marked error file point at the same row the
user sees. Anything that is not a readable .xlsx or .csv becomes an `ImportFileError` with a
Chinese explanation, never an exception that would end as a server error.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.io.xlsx import XlsxBook, XlsxError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
BROKEN = (zipfile.BadZipFile, KeyError, ParseError, OSError, EOFError)
SAVE_AS_XLSX = _("请在 Excel 或 WPS 中打开后“另存为” .xlsx 格式再导入。")


class ImportFileError(Exception):
    """The file as a whole cannot be used; each message says why, in Chinese."""

    def __init__(self, *messages: str) -> None:
        self.messages = [str(message) for message in messages]
        super().__init__("；".join(self.messages))


@dataclass
class Table:
    """An opened file: `rows()` yields (row number, cell values) for every row, blank too."""

    kind: str
    source: IO[bytes]
    encoding: str = ""

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        if self.kind == "csv":
            return _csv_rows(self.source, self.encoding)
        return _xlsx_rows(self.source)


def is_blank_row(values: list[Any]) -> bool:
    """A row with nothing but empty cells or whitespace."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def file_size(source: IO[bytes]) -> int:
    """Size in bytes of a seekable file (uploaded files report `size`, others are measured)."""
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    position = source.tell()
    source.seek(0, io.SEEK_END)
    end = source.tell()
    source.seek(position)
    return end


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@contextmanager
def open_table(source: IO[bytes], name: str) -> Iterator[Table]:
    """Check the file and open it for reading; `ImportFileError` when it cannot be used."""
    limit = int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))
    size = file_size(source)
    if size == 0:
        raise ImportFileError(gettext("上传的文件是空的（0 字节），请检查后重新选择文件。"))
    if size > limit:
        raise ImportFileError(
            gettext(
                "文件大小为 %(size).1f MB，超过了 %(limit)s MB 的上限，请分成几个文件分批导入。"
            )
            % {"size": size / 1048576, "limit": limit // 1048576}
        )
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    extension = _extension(name)
    if head.startswith(OLE_MAGIC) or extension in {"xls", "et"}:
        raise ImportFileError(
            gettext("这是旧版 Excel（.xls）格式或设置了打开密码的文件，系统无法读取。")
            + str(SAVE_AS_XLSX)
        )
    if extension in {"xlsx", "xlsm"}:
        if not head.startswith(ZIP_MAGIC):
            raise ImportFileError(
                gettext(
                    "文件扩展名是 .xlsx，但内容不是 Excel 工作簿（可能已损坏或只是改了扩展名）。"
                )
                + str(SAVE_AS_XLSX)
            )
        yield Table("xlsx", source)
    elif extension == "csv":
        yield Table("csv", source, _csv_encoding(source))
    else:
        raise ImportFileError(
            gettext("只支持 Excel 工作簿（.xlsx）和 CSV 文件（.csv），请使用导入模板填写。")
        )


def _csv_encoding(source: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes so, else GB18030 (GBK's superset)."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        source.seek(0)
        try:
            while chunk := source.read(1024 * 1024):
                if b"\x00" in chunk:
                    raise ImportFileError(
                        gettext("文件不是文本格式的 CSV（含有二进制内容），请检查是否选错了文件。")
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        source.seek(0)
        return encoding
    raise ImportFileError(
        gettext(
            "无法识别 CSV 文件的文字编码，请在 Excel 中另存为“CSV UTF-8”或 .xlsx 格式后再导入。"
        )
    )


def _csv_rows(source: IO[bytes], encoding: str) -> Iterator[tuple[int, list[Any]]]:
    """CSV records numbered as a spreadsheet shows them (one row per record)."""
    source.seek(0)
    stream = io.TextIOWrapper(source, encoding=encoding, newline="")
    try:
        for number, record in enumerate(csv.reader(stream), start=1):
            yield number, list(record)
    except csv.Error as error:
        raise ImportFileError(
            gettext("CSV 文件格式有误（%(error)s），请检查引号是否成对。") % {"error": error}
        )
    finally:
        stream.detach()


def _xlsx_rows(source: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """Rows of the first worksheet, streamed, with cached values instead of formulas."""
    source.seek(0)
    try:
        book = XlsxBook(source)
    except XlsxError:
        raise ImportFileError(
            gettext("Excel 文件已损坏或格式不正确，无法打开。") + str(SAVE_AS_XLSX)
        )
    number = 0
    try:
        # The sheet's declared size is not trusted: rows are read to the real end.
        for number, values in book.rows():
            yield number, values
    except (*BROKEN, XlsxError, IndexError, ValueError):
        raise ImportFileError(
            gettext("Excel 文件内容已损坏，读取到第%(number)s行时出错。") % {"number": number + 1}
        )
    finally:
        book.close()


def estimate_rows(source: IO[bytes], name: str) -> int | None:
    """About how many rows a file has, cheaply (for progress and for running in the background).

    CSV: its line breaks; .xlsx: the size the sheet declares. None when unknown.
    """
    position = source.tell()
    try:
        if _extension(name) == "csv":
            source.seek(0)
            lines, last = 0, b""
            while chunk := source.read(1024 * 1024):
                lines += chunk.count(b"\n")
                last = chunk
            return lines + (1 if last and not last.endswith(b"\n") else 0)
        if _extension(name) in {"xlsx", "xlsm"}:
            source.seek(0)
            book = XlsxBook(source)
            try:
                return book.dimension_rows()
            finally:
                book.close()
    except (*BROKEN, XlsxError, ValueError):
        return None
    finally:
        source.seek(position)
    return None


__all__ = [
    "ImportFileError",
    "Table",
    "estimate_rows",
    "file_size",
    "is_blank_row",
    "open_table",
]
