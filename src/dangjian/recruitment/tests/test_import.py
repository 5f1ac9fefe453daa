"""Importing cases already under way: every row through the same rules as the forms, each
refusal on the cell of its step, nothing kept when any row fails."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.io.importer import ImportResult, run_import
from dangjian.core.io.template import template_bytes
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.recruitment.importers import CaseImport
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.testing import Helpers, applicant, helpers_for, schedule

START = date(2023, 3, 1)
DAYS = schedule(START)
EXCEL_EPOCH = date(1899, 12, 30)


def values(person: Person, helpers: Helpers, through: int) -> dict[str, Any]:
    """A row (header → cell) with the steps up to `through` as the file would give them."""
    days = {n: DAYS[n].isoformat() for n in range(1, through + 1)}
    candidate = DAYS[7]
    every: dict[str, Any] = {
        "姓名": person.name,
        "身份证号": person.reveal_id_number(),
        "申请日期": days.get(1),
        "谈话日期": days.get(2),
        "谈话人": helpers.talker.name if through >= 2 else None,
        "确定积极分子日期": days.get(3),
        "推荐方式": "团组织推优" if through >= 3 else None,
        "积极分子决定会议": "支部委员会" if through >= 3 else None,
        "备案日期": days.get(4),
        "指定培养联系人日期": days.get(5),
        "培养联系人": helpers.mentors[0].staff_no if through >= 5 else None,
        "培养考察日期": days.get(6),
        "考察意见": "表现良好" if through >= 6 else None,
        "确定发展对象日期": days.get(7),
        "听取意见情况": "听取党员和群众意见" if through >= 7 else None,
        "发展对象决定会议": "支部委员会" if through >= 7 else None,
        "发展对象公示开始日期": (candidate - timedelta(days=8)).isoformat() if through >= 7 else None,
        "发展对象公示结束日期": (candidate - timedelta(days=1)).isoformat() if through >= 7 else None,
        "发展对象备案日期": days.get(8),
        "确定入党介绍人日期": days.get(9),
        "入党介绍人": "、".join(p.name for p in helpers.introducers) if through >= 9 else None,
    }  # fmt: skip
    return every


def xlsx(rows: list[dict[str, Any]], headers: list[str] | None = None) -> SimpleUploadedFile:
    headers = headers or list(rows[0])
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append([row.get(header) for header in headers])
    target = io.BytesIO()
    book.save(target)
    return SimpleUploadedFile("发展党员.xlsx", target.getvalue())


def run(user: Any, upload: SimpleUploadedFile) -> ImportResult:
    return run_import(CaseImport, upload, user)


def assert_cell(result: ImportResult, row: int, header: str, text: str) -> None:
    """The error is reported on that row and column, and marked in the error file."""
    found = [(e.row, e.header, e.message) for e in result.errors]
    assert any(e.row == row and e.header == header and text in e.message for e in result.errors), (
        found
    )
    assert result.error_file is not None
    sheet = openpyxl.load_workbook(io.BytesIO(result.error_file)).active
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=row, column=headers.index(header) + 1)
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None and text in cell.comment.text


@pytest.fixture
def helpers(tree: Tree) -> Helpers:
    return helpers_for(tree.b1)


def test_cases_under_way_are_imported_at_their_steps(tree, personas, helpers) -> None:
    people = [applicant(tree.b1, name=name) for name in ("甲申请", "乙积极", "丙对象")]
    rows = [values(p, helpers, through) for p, through in zip(people, (2, 6, 9), strict=True)]
    result = run(personas["secretary"], xlsx(rows))
    assert result.ok, result.errors
    assert result.created == 3
    cases = {c.person.name: c for c in Case.objects.select_related("person")}
    assert {name: c.next_step for name, c in cases.items()} == {
        "甲申请": 3,
        "乙积极": 7,
        "丙对象": 10,
    }
    assert all(c.is_legacy and c.organization == tree.b1 for c in cases.values())
    categories = dict(
        Person.objects.filter(pk__in=[p.pk for p in people]).values_list("name", "category")
    )
    assert categories == {
        "甲申请": Category.APPLICANT,
        "乙积极": Category.ACTIVIST,
        "丙对象": Category.CANDIDATE,
    }
    assert Person.objects.get(name="乙积极").activist_on == DAYS[3]
    third = cases["丙对象"]
    assert third.records.get(step=9).data["introducers"] == [p.pk for p in helpers.introducers]
    assert third.records.get(step=5).data["mentors"] == [helpers.mentors[0].pk]
    # Filing steps count as reviewed; every record is on the importing user.
    assert Review.objects.filter(record__case=third, record__step__in=[4, 8]).count() == 2
    secretary = personas["secretary"]
    assert not StepRecord.objects.exclude(recorded_by=secretary).exists()
    event = AuditEvent.objects.get(action="recruitment.case.import")
    assert event.success and event.detail["created"] == 3
    assert AuditEvent.objects.filter(action="recruitment.case.legacy", actor=secretary).count() == 3


def test_one_bad_row_imports_nothing_and_marks_the_cells(tree, personas, helpers) -> None:
    good, late, probationary_intro, disorder = (
        applicant(tree.b1, name=name) for name in ("好甲", "晚谈", "预介", "乱序")
    )
    probationary = make_person(
        tree.b1,
        name="预备党员甲",
        category=Category.PROBATIONARY,
        converted_on=None,
        staff_no="P001",
    )
    rows = [values(good, helpers, 9)]
    talk_late = values(late, helpers, 2)
    talk_late["谈话日期"] = (START + timedelta(days=61)).isoformat()
    rows.append(talk_late)
    introduced = values(probationary_intro, helpers, 9)
    introduced["入党介绍人"] = f"{helpers.introducers[0].name}、P001"
    rows.append(introduced)
    out_of_order = values(disorder, helpers, 5)
    out_of_order["备案日期"] = (DAYS[3] - timedelta(days=3)).isoformat()
    rows.append(out_of_order)
    result = run(personas["secretary"], xlsx(rows))
    assert not result.ok and result.created == 0
    assert_cell(result, 3, "谈话日期", "超过1个月")
    assert_cell(result, 4, "入党介绍人", f"{probationary.name}不是正式党员")
    assert_cell(result, 5, "备案日期", "日期不能早于上一步骤")
    assert not any(e.row == 2 for e in result.errors)
    assert not Case.objects.exists() and not StepRecord.objects.exists()
    good.refresh_from_db()
    assert good.category == Category.APPLICANT and good.activist_on is None


def test_header_synonyms_and_date_formats(tree, personas, helpers) -> None:
    person = applicant(tree.b1, name="丁同义")
    serial = (DAYS[3] - EXCEL_EPOCH).days
    headers = ["名字", "身份证号码", "培养党支部", "递交入党申请书日期", "申请人谈话日期", "谈话人",
               "确定为积极分子日期", "推优方式", "积极分子决定会议"]  # fmt: skip
    row = dict(
        zip(
            headers,
            [
                person.name,
                person.reveal_id_number(),
                tree.b1.code,
                "2023年3月1日",
                "2023.3.21",
                helpers.talker.staff_no,
                serial,
                "团组织推优",
                "支部委员会",
            ],
            strict=True,
        )
    )
    result = run(personas["secretary"], xlsx([row]))
    assert result.ok, result.errors
    case = Case.objects.get(person=person)
    assert (case.applied_on, case.activist_on, case.next_step) == (START, DAYS[3], 4)
    assert case.records.get(step=2).occurred_on == date(2023, 3, 21)
    assert case.records.get(step=2).data["talker"] == helpers.talker.pk


def test_people_outside_scope_or_unknown_members_are_refused(tree, personas, helpers) -> None:
    outside = applicant(tree.b3, name="戊外")
    inside = applicant(tree.b1, name="己内")
    unknown = values(inside, helpers, 2)
    unknown["谈话人"] = "查无此人"
    result = run(personas["secretary"], xlsx([values(outside, helpers, 1), unknown]))
    assert not result.ok and not Case.objects.exists()
    assert_cell(result, 2, "身份证号", "不在您的管理范围内")
    assert_cell(result, 3, "谈话人", "未找到“查无此人”")


def test_fields_without_their_date_and_template(tree, personas, helpers) -> None:
    person = applicant(tree.b1, name="庚缺")
    row = values(person, helpers, 1)
    row["谈话人"] = helpers.talker.name
    result = run(personas["secretary"], xlsx([row]))
    assert_cell(result, 2, "谈话日期", "请同时填写谈话日期")
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(CaseImport())))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["姓名*", "身份证号*", "党支部", "申请日期*"]
    assert {"入党介绍人", "政审结论", "培训天数", "应到", "转正决议", "延长月数"} <= set(headers)
    assert sheet.cell(row=2, column=1).value == "张三"


def test_a_person_registered_further_along_is_imported(tree, personas, helpers) -> None:
    person = applicant(tree.b1, name="辛已积", category=Category.ACTIVIST, activist_on=DAYS[3])
    result = run(personas["secretary"], xlsx([values(person, helpers, 5)]))
    assert result.ok, [(e.row, e.header, e.message) for e in result.errors]
    assert Case.objects.get(person=person).next_step == 6
    person.refresh_from_db()
    assert (person.category, person.activist_on) == (Category.ACTIVIST, DAYS[3])
