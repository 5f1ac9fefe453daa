"""Importing organizations: the engine end to end, bad files, update mode, pages."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.io.importer import UPDATE, ImportResult, run_import
from dangjian.core.io.template import template_bytes
from dangjian.core.models import AuditEvent
from dangjian.orgs.actions import create_organization, dissolve_organization
from dangjian.orgs.importers import OrganizationImport
from dangjian.orgs.models import Organization

HEADER = ["组织编码", "名称", "层级", "类型", "上级组织编码", "成立日期"]


def xlsx(rows: list[list[Any]], name: str = "党组织.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    target = io.BytesIO()
    book.save(target)
    return SimpleUploadedFile(name, target.getvalue())


def csv_file(
    text: str, encoding: str = "utf-8-sig", name: str = "党组织.csv"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


def run(user: Any, upload: SimpleUploadedFile, mode: str = "create") -> ImportResult:
    return run_import(OrganizationImport, upload, user, mode)


def marked(result: ImportResult, row: int, header: str) -> tuple[str, str]:
    """(fill colour, comment) of a cell of the error workbook, found by its header."""
    assert result.error_file is not None
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_file)).active
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=row, column=headers.index(header) + 1)
    return cell.fill.fgColor.rgb, cell.comment.text if cell.comment else ""


def explanation(result: ImportResult, row: int) -> str:
    assert result.error_file is not None
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_file)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "错误说明"
    return str(sheet.cell(row=row, column=len(headers)).value or "")


def assert_cell(result: ImportResult, row: int, header: str, text: str) -> None:
    fill, comment = marked(result, row, header)
    assert fill.endswith("FFC7CE"), fill
    assert text in comment, comment
    assert text in explanation(result, row)
    assert any(e.row == row and e.header == header and text in e.message for e in result.errors)


@pytest.fixture
def count(db):
    return Organization.objects.count


# --- create ---------------------------------------------------------------------------------


def test_creates_a_subtree_parents_first(tree, personas) -> None:
    upload = xlsx(
        [
            [
                "组织代码",
                " 组织 名称 ",
                "级别",
                "支部类型",
                "上级编码",
                "成立时间",
                "样板支部",
                "联系电话",
                "多余列",
            ],
            ["Ｃ１－Ｇ９", "第九党小组", "小组", "", "C1-N1-B1", "2023.7.1", "", None, "忽略"],
            ["C1-N1-B1", "新党支部", "支部", "教工", "C1-N1", 20230701, "√", 13812345678, "忽略"],
            [None, None],
            ["C1-N1", "新党总支", "总支", "", "C1", "2023年7月1日", "否", "0731-1", ""],
        ]
    )
    result = run(personas["committee"], upload)
    assert result.ok, result.errors
    assert (result.total, result.created, result.updated) == (3, 3, 0)
    general = Organization.objects.get(code="C1-N1")
    branch = Organization.objects.get(code="C1-N1-B1")
    group = Organization.objects.get(code="C1-G9")
    assert Organization.objects.get_parent(general) == tree.c1 and general.level == "general_branch"
    assert (
        Organization.objects.get_parent(branch) == general
        and branch.kind == "teacher"
        and branch.is_model_branch
    )
    assert branch.phone == "13812345678" and branch.founded_on == date(2023, 7, 1)
    assert Organization.objects.get_parent(group) == branch and group.level == "party_group"
    event = AuditEvent.objects.get(action="orgs.organization.import")
    assert event.success and event.detail["created"] == 3 and event.actor == personas["committee"]
    assert AuditEvent.objects.filter(action="orgs.organization.create", success=True).count() == 3


def test_template_round_trip(tree, personas) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(OrganizationImport())))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "组织编码*" and "简称" in headers
    values = {
        "组织编码*": "C1-T1",
        "名称*": "模板支部",
        "层级*": "党支部",
        "上级组织编码*": "C1",
        "类型": "本科生",
    }
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=index, value=values.get(header))
    target = io.BytesIO()
    book.save(target)
    result = run(personas["univ"], SimpleUploadedFile("模板.xlsx", target.getvalue()))
    assert result.ok, result.errors
    assert Organization.objects.get(code="C1-T1").kind == "undergraduate"


def test_template_has_example_and_instructions() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(OrganizationImport())))
    assert book.sheetnames[1] == "填写说明"
    data = book.worksheets[0]
    assert data["A2"].value == "C05-B012" and data["A1"].comment is not None
    rows = [[cell.value for cell in row] for row in book["填写说明"].iter_rows()]
    level = next(row for row in rows if row[0] == "层级")
    assert level[1] == "必填" and "基层党委" in level[3] and "支部→党支部" in level[3]
    name = next(row for row in rows if row[0] == "名称")
    assert "组织名称" in name[4]
    founded = next(row for row in rows if row[0] == "成立日期")
    assert founded[1] == "选填" and "2023年7月1日" in founded[3]


def test_csv_in_gbk(tree, personas) -> None:
    text = "组织编码,名称,层级,上级组织编码,成立日期\r\nC1-B7,文学院研究生党支部,党支部,C1,2023/9/1\r\n"
    result = run(personas["univ"], csv_file(text, "gbk"))
    assert result.ok, result.errors
    assert Organization.objects.get(code="C1-B7").name == "文学院研究生党支部"


def test_a_thousand_rows(tree, personas, count) -> None:
    """Every row goes through create_organization (and its audit event), parents first.

    Large-file throughput is measured in benchmarks/, not here.
    """
    rows: list[list[Any]] = [HEADER]
    for committee in range(10):
        code = f"K{committee:02d}"
        rows.append([code, f"第{committee}党委", "基层党委", "", "U", "2001-09-01"])
        rows += [
            [
                f"{code}-B{b:03d}",
                f"第{committee}党委第{b}支部",
                "党支部",
                "本科生",
                code,
                date(2020, 9, 1),
            ]
            for b in range(99)
        ]
    before = count()
    result = run(personas["univ"], xlsx(rows))
    assert result.ok, result.errors[:3]
    assert result.created == 1000 and count() == before + 1000
    assert Organization.objects.get_parent(Organization.objects.get(code="K09-B098")).code == "K09"


# --- bad files: nothing is written, the right cell is marked ---------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "党组织.xlsx", "不是 Excel 工作簿"),
        (b"", "党组织.xlsx", "空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "党组织.xls", "旧版 Excel"),
    ],
)
def test_unreadable_file(tree, personas, count, content: bytes, name: str, message: str) -> None:
    before = count()
    result = run(personas["univ"], SimpleUploadedFile(name, content))
    assert count() == before
    assert result.total == 0 and result.error_file is None
    assert result.errors[0].row == 0 and message in result.errors[0].message
    event = AuditEvent.objects.get(action="orgs.organization.import")
    assert not event.success


def test_missing_required_header_names_synonyms(tree, personas, count) -> None:
    before = count()
    result = run(
        personas["univ"], xlsx([["组织编码", "层级", "上级组织编码"], ["C1-B8", "党支部", "C1"]])
    )
    assert count() == before
    assert [e.message for e in result.errors] == [
        "第1行表头中缺少必填列“名称”（也可写作：组织名称、党组织名称、全称）。"
    ]


def test_header_only_and_unrecognized_headers(tree, personas) -> None:
    result = run(personas["univ"], xlsx([HEADER]))
    assert "没有数据行" in result.errors[0].message
    result = run(
        personas["univ"], xlsx([["党组织信息表"], HEADER, ["C1-B8", "x", "党支部", "", "C1"]])
    )
    assert "第1行应为表头" in result.errors[0].message


def test_duplicate_columns_are_a_file_error(tree, personas) -> None:
    result = run(
        personas["univ"],
        xlsx([[*HEADER, "组织名称"], ["C1-B8", "甲", "党支部", "", "C1", "", "乙"]]),
    )
    assert "“名称”和“组织名称”都表示“名称”" in result.errors[0].message


def test_bad_dates_and_values(tree, personas, count) -> None:
    before = count()
    result = run(
        personas["univ"],
        xlsx(
            [
                [*HEADER, "联合党支部", "联合单位数"],
                ["C1-B8", "甲支部", "党支部", "", "C1", "2023-02-30", "是", 3],
                ["C1-B9", "乙支部", "党支部", "学生", "C1", "去年", "也许", "三"],
                ["", "", "党支部", "", "C1", "2023-01-01", "", ""],
            ]
        ),
    )
    assert count() == before
    assert_cell(result, 2, "成立日期", "日期“2023-02-30”不存在")
    assert_cell(result, 3, "成立日期", "无法识别的日期“去年”")
    assert_cell(result, 3, "类型", "“学生”不是可选的取值")
    assert_cell(result, 3, "联合党支部", "请填写“是”或“否”")
    assert_cell(result, 3, "联合单位数", "“三”不是整数")
    assert_cell(result, 4, "组织编码", "请填写组织编码")
    assert_cell(result, 4, "名称", "请填写名称")
    assert marked(result, 2, "名称")[1] == ""  # good cells stay unmarked
    assert len(result.errors) == 7 and result.created == 0


def test_duplicate_codes_in_file(tree, personas, count) -> None:
    before = count()
    result = run(
        personas["univ"],
        xlsx(
            [
                HEADER,
                ["C1-B8", "甲支部", "党支部", "", "C1"],
                ["C1-B8", "乙支部", "党支部", "", "C1"],
            ]
        ),
    )
    assert count() == before
    assert_cell(result, 3, "组织编码", "组织编码“C1-B8”与第2行重复")


def test_code_already_used_rolls_back_every_row(tree, personas, count) -> None:
    before = count()
    result = run(
        personas["univ"],
        xlsx(
            [
                HEADER,
                ["C1-B8", "新支部", "党支部", "", "C1"],
                ["C1-B1", "重复编码支部", "党支部", "", "C1"],
                ["C1-B8-G1", "新支部小组", "党小组", "", "C1-B8"],
            ]
        ),
    )
    assert count() == before  # rows 2 and 4 were written, then rolled back
    assert_cell(result, 3, "组织编码", "组织编码“C1-B1”已被使用")
    assert result.created == 0 and len(result.errors) == 1
    assert not AuditEvent.objects.filter(action="orgs.organization.create").exists()
    assert not AuditEvent.objects.get(action="orgs.organization.import").success


def test_unknown_parent(tree, personas, count) -> None:
    before = count()
    result = run(personas["univ"], xlsx([HEADER, ["C1-B8", "甲支部", "党支部", "", "NOPE"]]))
    assert count() == before
    assert_cell(result, 2, "上级组织编码", "未找到组织编码为“NOPE”的上级党组织")


def test_parent_outside_the_users_scope(tree, personas, count) -> None:
    before = count()
    result = run(personas["committee"], xlsx([HEADER, ["C2-B8", "数学支部", "党支部", "", "C2"]]))
    assert count() == before
    assert_cell(result, 2, "上级组织编码", "不在您可设立下级组织的范围内")


def test_branch_under_party_group(tree, personas, count) -> None:
    before = count()
    result = run(personas["univ"], xlsx([HEADER, ["C1-B8", "甲支部", "党支部", "", "C1-B1-G1"]]))
    assert count() == before
    assert_cell(result, 2, "层级", "党支部不能设在党小组之下")


def test_parent_cycle_and_self_reference(tree, personas, count) -> None:
    before = count()
    result = run(
        personas["univ"],
        xlsx(
            [
                HEADER,
                ["A1", "甲", "党总支", "", "A2"],
                ["A2", "乙", "党总支", "", "A1"],
                ["A3", "丙", "党总支", "", "A3"],
                ["A4", "丁", "党支部", "", "A1"],
            ]
        ),
    )
    assert count() == before
    assert_cell(result, 2, "上级组织编码", "循环：A1 → A2 → A1")
    assert_cell(result, 3, "上级组织编码", "循环")
    assert_cell(result, 4, "上级组织编码", "不能与本组织的编码相同")
    assert 5 not in {e.row for e in result.errors}


def test_row_level_error_goes_only_to_the_explanation(tree, personas) -> None:
    dissolve_organization(tree.b2, on=date(2024, 1, 1), reason="撤并", acting_user=None)
    result = run(personas["univ"], xlsx([["组织编码", "名称"], ["C1-B2", "新名称"]]), UPDATE)
    assert [(e.row, e.column_key) for e in result.errors] == [(2, None)]
    assert "已撤销或合并的党组织不能修改" in explanation(result, 2)
    assert marked(result, 2, "组织编码") == ("00000000", "")
    assert marked(result, 2, "名称") == ("00000000", "")


def test_reuploaded_error_file_replaces_old_explanations(tree, personas) -> None:
    first = run(
        personas["univ"], xlsx([HEADER, ["C1-B8", "甲支部", "党支部", "", "C1", "2023-02-30"]])
    )
    sheet_book = openpyxl.load_workbook(io.BytesIO(first.error_file))
    sheet = sheet_book.active
    sheet["F2"] = "2023-02-28"
    target = io.BytesIO()
    sheet_book.save(target)
    second = run(personas["univ"], SimpleUploadedFile("党组织_错误标注.xlsx", target.getvalue()))
    assert second.ok, second.errors
    assert Organization.objects.get(code="C1-B8").founded_on == date(2023, 2, 28)


def test_formula_like_text_stays_text_in_the_error_file(tree, personas) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["C1-B8", "=1+2", "党支部", "", "C1", "坏日期"])
    book.active["B2"].data_type = "s"  # typed as text, as Excel stores '=1+2
    target = io.BytesIO()
    book.save(target)
    result = run(personas["univ"], SimpleUploadedFile("a.xlsx", target.getvalue()))
    assert result.errors[0].header == "成立日期"
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_file)).active
    assert sheet["B2"].value == "=1+2" and sheet["B2"].data_type == "s"


# --- update mode ----------------------------------------------------------------------------


def test_update_changes_only_present_columns(tree, personas) -> None:
    result = run(
        personas["committee"],
        xlsx(
            [
                ["组织编码", "名称", "联系电话", "上级组织编码"],
                ["C1-B1", "文学院教工第一党支部（更名）", "0731-2", "C1"],
                ["C1-B2", "文学院本科生第一党支部", "", "C1"],
            ]
        ),
        UPDATE,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    tree.b1.refresh_from_db()
    assert tree.b1.name == "文学院教工第一党支部（更名）" and tree.b1.phone == "0731-2"
    assert tree.b1.kind == "teacher" and tree.b1.founded_on == date(2001, 9, 1)
    event = AuditEvent.objects.get(action="orgs.organization.update")
    assert event.changes["name"][1] == "文学院教工第一党支部（更名）"


def test_update_refusals(tree, personas) -> None:
    result = run(
        personas["committee"],
        xlsx(
            [
                ["组织编码", "名称", "层级", "上级组织编码"],
                ["C2-B3", "外单位支部", "党支部", ""],
                ["NOPE", "不存在", "党支部", ""],
                ["C1-B2", "文学院本科生第一党支部", "党支部", "C2"],
                ["C1-B1", "文学院教工第一党支部", "党小组", "C1"],
            ]
        ),
        UPDATE,
    )
    assert_cell(result, 2, "组织编码", "不在您的管理范围内")
    assert_cell(result, 3, "组织编码", "未找到组织编码为“NOPE”")
    assert_cell(result, 4, "上级组织编码", "更新导入不调整隶属关系")
    assert len(result.errors) == 3


def test_update_refused_by_the_action_rolls_back(tree, personas) -> None:
    result = run(
        personas["univ"],
        xlsx(
            [
                ["组织编码", "名称", "层级"],
                ["C1-B1", "改名的支部", "党支部"],
                ["C1-B2", "文学院本科生第一党支部", "党小组"],
            ]
        ),
        UPDATE,
    )
    assert_cell(result, 3, "层级", "党小组不能设在基层党委之下")
    assert len(result.errors) == 1
    tree.b1.refresh_from_db()
    assert tree.b1.name == "文学院教工第一党支部"


def test_update_needs_only_the_key_column(tree, personas) -> None:
    result = run(personas["univ"], xlsx([["名称", "联系电话"], ["甲", "1"]]), UPDATE)
    assert "缺少必填列“组织编码”" in result.errors[0].message


def test_export_then_import_keeps_formula_like_names_as_text(tree, personas, login) -> None:
    create_organization(
        {"name": "=1+2", "code": "C1-F1", "level": "branch"}, parent=tree.c1, acting_user=None
    )
    response = login("univ").get(reverse("orgs:list"), {"export": "xlsx"})
    exported = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    row = next(r for r in sheet.iter_rows() if r[0].value == "C1-F1")
    assert row[1].data_type == "s" and row[1].value == "'=1+2"
    result = run(personas["univ"], SimpleUploadedFile("export.xlsx", exported), UPDATE)
    assert result.ok, result.errors[:3]
    assert Organization.objects.get(code="C1-F1").name == "=1+2"
    assert result.updated == 0  # an unchanged export changes nothing


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_list_shows_the_import_button_to_importers(tree, personas, login) -> None:
    assert "导入</a>" in login("committee").get(reverse("orgs:list")).content.decode()
    assert (
        reverse("orgs:import") not in login("secretary").get(reverse("orgs:list")).content.decode()
    )


def test_upload_page_and_template(tree, personas, login, media) -> None:
    client = login("univ")
    page = client.get(reverse("orgs:import")).content.decode()
    assert "下载导入模板" in page and "上级组织编码" in page and "更新" in page
    response = client.get(reverse("orgs:import_template"))
    assert "attachment" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[1] == "填写说明"


def test_upload_success_page(tree, personas, login, media) -> None:
    client = login("univ")
    upload = xlsx([HEADER, ["C1-B8", "甲支部", "党支部", "", "C1"]])
    response = client.post(reverse("orgs:import"), {"file": upload, "mode": "create"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "新增 1 个" in page


def test_upload_failure_page_and_error_file_owner_only(tree, personas, login, media) -> None:
    client = login("univ")
    upload = xlsx([HEADER, ["C1-B8", "甲支部", "党支部", "", "NOPE"]])
    response = client.post(reverse("orgs:import"), {"file": upload, "mode": "create"})
    result_url = response["Location"]
    page = client.get(result_url).content.decode()
    assert "未导入任何数据" in page and "第 2 行" in page and "NOPE" in page
    error_url = result_url + "errors/"
    download = client.get(error_url)
    assert download.status_code == 200
    assert "%E9%94%99%E8%AF%AF%E6%A0%87%E6%B3%A8" in download["Content-Disposition"]
    assert list(media.joinpath("imports").glob("*.xlsx"))
    for other in ("committee", "outsider"):
        assert login(other).get(result_url).status_code == 404
        assert login(other).get(error_url).status_code == 404
    assert login("secretary").get(error_url).status_code == 403


def test_upload_without_file_shows_the_form_error(tree, personas, login, media) -> None:
    response = login("univ").post(reverse("orgs:import"), {"mode": "create"})
    assert response.status_code == 200 and "请选择要导入的文件" in response.content.decode()


def test_many_errors_show_the_first_hundred(tree, personas, login, media) -> None:
    rows = [HEADER] + [[f"C1-X{i}", f"支部{i}", "党支部", "", "NOPE"] for i in range(150)]
    client = login("univ")
    response = client.post(reverse("orgs:import"), {"file": xlsx(rows), "mode": "create"})
    page = client.get(response["Location"]).content.decode()
    assert "发现 150 处错误" in page and "显示前 100 处" in page
    assert page.count("NOPE") == 100


def test_a_refused_import_keeps_which_rows_and_why_in_the_audit_log(tree, personas, count) -> None:
    from dangjian.core.models import AuditEvent

    rows: list[list[Any]] = [
        HEADER,
        ["C1-B1", "重复编码支部", "党支部", "本科生", "C1", "2020-09-01"],
    ]
    result = run(personas["univ"], xlsx(rows))
    assert not result.ok
    event = AuditEvent.objects.filter(action__endswith=".import", success=False).latest("seq")
    assert event.detail["errors"] >= 1 and event.detail["first_errors"][0]["row"] == 2
