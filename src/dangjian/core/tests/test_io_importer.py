"""The import engine with a small spec: header matching, row errors, refusals, error file."""

from __future__ import annotations

import io
from typing import Any, ClassVar

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.errors import DomainError
from dangjian.core.io import normalize as n
from dangjian.core.io.columns import Column
from dangjian.core.io.importer import (
    CREATED,
    ImportContext,
    ImportSpec,
    Row,
    RowError,
    run_import,
)
from dangjian.core.models import AuditEvent
from dangjian.orgs.actions import create_organization
from dangjian.orgs.models import Organization


class BranchImport(ImportSpec):
    """Branches under C1: enough to exercise every path of the engine."""

    name = "test.branch"
    label = "支部"
    model = Organization
    key = "code"
    field_columns: ClassVar[dict[str, str]] = {"title": "name"}
    columns = (
        Column("code", "编码", ("代码",), True, n.Code(40)),
        Column("name", "名称", ("组织名称", "Name"), True, n.Text(100)),
        Column("founded_on", "成立日期", (), False, n.to_date),
    )

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        if values["name"] == "整行有误":
            raise RowError("这一行整体有误。")
        if values["name"] == "编码有误":
            raise RowError({"code": "编码与名称不符。"})
        return values

    def write_row(self, row: Row, ctx: ImportContext) -> str:
        if row.data["name"].startswith("拒绝"):
            raise DomainError({"title": "名称被拒绝。", "__all__": "整行被拒绝。"})
        parent = ctx.cache.setdefault("c1", Organization.objects.get(code="C1"))
        data = {"code": row.data["code"], "name": row.data["name"], "level": "branch"}
        create_organization(data, parent=parent, acting_user=ctx.user)
        return CREATED


def upload(rows: list[list[Any]], name: str = "支部.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    target = io.BytesIO()
    book.save(target)
    return SimpleUploadedFile(name, target.getvalue())


def sheet_of(data: bytes | None) -> Any:
    assert data is not None
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize(
    ("headers", "values"),
    [
        (["编码", "名称"], ["C1-Z1", "测试支部"]),
        (["编码*", "名称*"], ["C1-Z1", "测试支部"]),
        (["代码", "组织名称"], ["C1-Z1", "测试支部"]),
        (["代 码", " Name "], ["C1-Z1", "测试支部"]),
        (["编码", "ＮＡＭＥ"], ["C1-Z1", "测试支部"]),
        (["备用", "名称", "编码", "成立日期"], ["忽略", "测试支部", "C1-Z1", None]),
    ],
)
def test_tolerant_headers(tree, personas, headers: list[str], values: list[Any]) -> None:
    result = run_import(BranchImport, upload([headers, values]), personas["univ"])
    assert result.ok, result.errors
    assert Organization.objects.get(code="C1-Z1").name == "测试支部"


def test_row_and_cell_errors_from_clean_row(tree, personas) -> None:
    result = run_import(
        BranchImport,
        upload(
            [
                ["编码", "名称"],
                ["C1-Z1", "整行有误"],
                ["C1-Z2", "编码有误"],
                ["C1-Z3", "好"],
            ]
        ),
        personas["univ"],
    )
    assert [(e.row, e.column_key, e.message) for e in result.errors] == [
        (2, None, "这一行整体有误。"),
        (3, "code", "编码与名称不符。"),
    ]
    sheet = sheet_of(result.error_file)
    assert sheet["C2"].value == "这一行整体有误。" and sheet["A2"].comment is None
    assert (
        sheet["A3"].comment.text == "编码与名称不符。"
        and sheet["C3"].value == "编码：编码与名称不符。"
    )
    assert sheet["C4"].value is None
    assert not Organization.objects.filter(code="C1-Z3").exists()


def test_refusals_are_collected_and_mapped_then_rolled_back(tree, personas) -> None:
    before = Organization.objects.count()
    result = run_import(
        BranchImport,
        upload(
            [
                ["编码", "名称"],
                ["C1-Z1", "好"],
                ["C1-Z2", "拒绝一"],
                ["C1-Z3", "拒绝二"],
                ["C1-Z4", "好"],
            ]
        ),
        personas["univ"],
    )
    assert Organization.objects.count() == before
    assert [(e.row, e.column_key) for e in result.errors] == [
        (3, "name"),
        (3, None),
        (4, "name"),
        (4, None),
    ]
    assert result.created == 0
    assert AuditEvent.objects.filter(action="test.branch.import", success=False).count() == 1
    assert not AuditEvent.objects.filter(action="orgs.organization.create").exists()


def test_error_file_keeps_row_numbers_titles_and_drops_old_explanations(tree, personas) -> None:
    result = run_import(
        BranchImport,
        upload(
            [
                [],
                ["编码", "名称", "错误说明", "自定义列"],
                ["C1-Z1", "好", "上一轮的说明", "保留"],
                [],
                [],
                ["C1-Z2", None, "", "保留"],
            ]
        ),
        personas["univ"],
    )
    assert [(e.row, e.header) for e in result.errors] == [(6, "名称")]
    sheet = sheet_of(result.error_file)
    assert [c.value for c in sheet[2]] == ["编码", "名称", "自定义列", "错误说明"]
    assert [c.value for c in sheet[3]] == ["C1-Z1", "好", "保留", None]
    assert sheet["B6"].comment.text == "请填写名称。" and sheet["D6"].value == "名称：请填写名称。"
    assert sheet.freeze_panes == "A3"


def test_csv_errors_come_back_as_xlsx(tree, personas) -> None:
    content = "编码,名称,成立日期\r\nC1-Z1,甲,2023-02-30\r\n".encode("gbk")
    result = run_import(BranchImport, SimpleUploadedFile("支部.csv", content), personas["univ"])
    sheet = sheet_of(result.error_file)
    assert sheet["C2"].value == "2023-02-30" and "不存在" in sheet["C2"].comment.text


def test_update_mode_needs_a_key(tree, personas) -> None:
    class NoKey(BranchImport):
        key = None

    assert NoKey().modes == ["create"]
    with pytest.raises(ValueError):
        run_import(NoKey, upload([["编码", "名称"], ["A", "B"]]), personas["univ"], "update")


def test_messages_name_columns_without_required_marks(tree, personas) -> None:
    result = run_import(
        BranchImport, upload([["编码*", "名称（必填）"], ["C1-Z1", "　"]]), personas["univ"]
    )
    assert [(e.header, e.message) for e in result.errors] == [("名称", "请填写名称。")]
