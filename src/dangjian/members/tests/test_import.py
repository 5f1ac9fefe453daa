"""Importing people: tolerant parsing, every refusal on its cell with nothing written, update
mode, the bulk path, scope. Positions, cadres and the pages: test_import_pages.py."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.io.importer import UPDATE, ImportResult, run_import
from dangjian.core.io.template import template_bytes
from dangjian.core.models import AuditEvent
from dangjian.members.importers import MemberImport
from dangjian.members.models import MemberEvent, Person
from dangjian.members.testing import make_id_number, make_person

HEADER = [
    "姓名",
    "身份证号",
    "人员类别",
    "所在党支部",
    "递交入党申请书日期",
    "确定为积极分子日期",
    "确定为发展对象日期",
    "入党日期",
    "转正日期",
    "手机号码",
    "工号/学号",
]
DATES = [date(2010, 10, 1), date(2011, 4, 1), date(2012, 5, 1), date(2012, 6, 1), date(2013, 6, 1)]


def member(
    name: str = "张三",
    number: Any = None,
    *,
    org: str = "C1-B1",
    category: str = "正式党员",
    dates: list[Any] | None = None,
    phone: Any = "13800138000",
    staff: Any = "",
    birth: date = date(1990, 3, 15),
    gender: str = "male",
) -> list[Any]:
    number = make_id_number(birth, gender) if number is None else number
    return [name, number, category, org, *(DATES if dates is None else dates), phone, staff]


def xlsx(rows: list[list[Any]], name: str = "人员.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    target = io.BytesIO()
    book.save(target)
    return SimpleUploadedFile(name, target.getvalue())


def run(user: Any, upload: SimpleUploadedFile, mode: str = "create") -> ImportResult:
    return run_import(MemberImport, upload, user, mode)


def error_sheet(result: ImportResult) -> Any:
    assert result.error_file is not None
    return openpyxl.load_workbook(io.BytesIO(result.error_file)).active


def assert_cell(result: ImportResult, row: int, header: str, text: str) -> None:
    """The error is reported on that row and column, and marked in the error file."""
    assert any(e.row == row and e.header == header and text in e.message for e in result.errors), [
        (e.row, e.header, e.message) for e in result.errors
    ]
    sheet = error_sheet(result)
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=row, column=headers.index(header) + 1)
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment is not None and text in cell.comment.text
    assert text in str(sheet.cell(row=row, column=len(headers)).value)


@pytest.fixture
def count(db):
    return Person.objects.count


def refused(result: ImportResult, before: int) -> None:
    """Nothing was written: no person, no timeline entry, a failed import on record."""
    assert Person.objects.count() == before, result.errors
    assert result.created == result.updated == 0 and not result.ok
    assert not MemberEvent.objects.exists()
    assert not AuditEvent.objects.get(action="members.person.import").success


# --- create: the row path ---------------------------------------------------------------------


def test_registers_people_through_the_action(tree, personas) -> None:
    number = make_id_number(date(1990, 3, 15))
    result = run(personas["secretary"], xlsx([HEADER, member(number=number, staff="T001")]))
    assert result.ok, result.errors
    person = Person.objects.get(staff_no="T001")
    assert (
        person.reveal_id_number() == number
        and person.id_masked == number[:4] + "*" * 10 + number[-4:]
    )
    assert person.gender == "male" and person.birth_date == date(1990, 3, 15)
    assert person.organization == tree.b1 and person.ethnicity == "01"
    assert person.reveal_phone() == "13800138000" and person.phone_masked == "138****8000"
    assert (person.name_pinyin, person.name_initials) == ("zhangsan", "zs")
    assert person.events.get().kind == "registered"
    assert AuditEvent.objects.filter(action="members.person.register", success=True).count() == 1
    event = AuditEvent.objects.get(action="members.person.import")
    assert event.success and event.detail["created"] == 1
    assert number not in str(event.detail) and "13800138000" not in str(event.changes)


def test_header_synonyms_stray_spaces_and_extra_columns(tree, personas) -> None:
    header = [" 名字 ", "公民身份号码", "党员类别", "所在党组织", "申请入党日期", "确定为积极分子日期",
              "确定为发展对象日期", "加入党组织日期", "转正时间", "手机", "学号", "民族", "文化程度",
              "学位", "岗位", "备用列"]  # fmt: skip
    row = member(name=" 李 四 ", org=" 文学院教工第一党支部 ", staff=" S 2020 01 ")
    row += ["汉", "研究生", "博士", "专任教师", "忽略"]
    result = run(personas["committee"], xlsx([header, row]))
    assert result.ok, result.errors
    person = Person.objects.get()
    assert person.name == "李四" and person.organization == tree.b1
    assert person.staff_no == "S202001" and person.education == "doctorate"
    assert person.post == "professional" and person.ethnicity == "01"


@pytest.mark.parametrize(
    "joined",
    [
        "2012-06-01",
        "2012/6/1",
        "2012.6.1",
        "2012年6月1日",
        "20120601",
        20120601,
        41061,
        datetime(2012, 6, 1),
        " ２０１２－０６－０１ ",
    ],
)
def test_every_date_format(tree, personas, joined: Any) -> None:
    dates = [*DATES[:3], joined, DATES[4]]
    result = run(personas["secretary"], xlsx([HEADER, member(dates=dates)]))
    assert result.ok, result.errors
    assert Person.objects.get().joined_on == date(2012, 6, 1)


def id_ending_in_x(birth: date = date(1990, 3, 15)) -> str:
    return next(
        number
        for number in (make_id_number(birth, serial=serial) for serial in range(1, 600))
        if number.endswith("X")
    )


@pytest.mark.parametrize(
    "shown",
    [
        str.lower,
        lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        lambda n: f" {n[:6]} {n[6:14]} {n[14:]} ",
    ],
    ids=["lower-x", "full-width", "spaces"],
)
def test_id_numbers_as_people_type_them(tree, personas, shown: Any) -> None:
    number = id_ending_in_x()
    result = run(personas["secretary"], xlsx([HEADER, member(number=shown(number))]))
    assert result.ok, result.errors
    assert Person.objects.get().reveal_id_number() == number


def test_id_number_in_a_number_cell(tree, personas, count) -> None:
    """A 15-digit first-generation number survives as a number; an 18-digit one does not."""
    result = run(personas["secretary"], xlsx([HEADER, member(number=430102900315001)]))
    assert result.ok, result.errors
    assert Person.objects.get().reveal_id_number() == "430102199003150012"
    before = count()
    number = make_id_number(date(1991, 1, 2))
    result = run(personas["secretary"], xlsx([HEADER, member(number=float(number[:17]) * 10)]))
    assert count() == before
    assert_cell(result, 2, "身份证号", "存成了数字，末几位已丢失")


def csv_line(values: list[Any]) -> str:
    return ",".join("" if v is None else str(v) for v in values) + "\r\n"


def test_gbk_csv(tree, personas) -> None:
    text = ",".join(HEADER) + "\r\n" + csv_line(member(name="王五", staff="G1"))
    upload = SimpleUploadedFile("人员.csv", text.encode("gbk"))
    result = run(personas["secretary"], upload)
    assert result.ok, result.errors
    assert Person.objects.get().name == "王五"


def test_birth_month_only_and_gender_from_the_id(tree, personas) -> None:
    header = [*HEADER, "出生年月", "性别"]
    rows = [
        header,
        [*member(birth=date(1990, 10, 8), gender="female"), 1990.1, ""],
        [*member(name="赵六", birth=date(1991, 3, 9)), "1991.03", "男"],
        [*member(name="钱七", birth=date(1992, 5, 20)), datetime(1992, 5, 1), "男性"],
    ]
    result = run(personas["secretary"], xlsx(rows))
    assert result.ok, result.errors
    births = sorted(Person.objects.values_list("birth_date", "gender"))
    assert births == [
        (date(1990, 10, 8), "female"),
        (date(1991, 3, 9), "male"),
        (date(1992, 5, 20), "male"),
    ]


def test_categories_by_their_short_names(tree, personas) -> None:
    rows = [
        HEADER,
        member(name="甲", category="正式"),
        member(name="乙", category="预备", dates=[*DATES[:4], None]),
        member(name="丙", category="积极分子", dates=[DATES[0], DATES[1], None, None, None]),
        member(name="丁", category="入党申请人", dates=[DATES[0], None, None, None, None]),
    ]
    result = run(personas["secretary"], xlsx(rows))
    assert result.ok, result.errors
    assert dict(Person.objects.values_list("name", "category")) == {
        "甲": "full",
        "乙": "probationary",
        "丙": "activist",
        "丁": "applicant",
    }


def test_template_example_row_is_refused_and_round_trip_works(tree, personas) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(MemberImport())))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:2] == ["姓名*", "身份证号*"] and "所在党支部*" in headers
    target = io.BytesIO()
    book.save(target)
    result = run(personas["univ"], SimpleUploadedFile("模板.xlsx", target.getvalue()))
    assert "模板中的示例" in result.errors[0].message
    values = {"姓名*": "孙八", "身份证号*": make_id_number(date(1990, 1, 1)),
              "人员类别*": "入党申请人", "所在党支部*": "C1-B2", "递交入党申请书日期": "2010-01-01"}  # fmt: skip
    for index, header in enumerate(headers, start=1):
        sheet.cell(row=2, column=index).value = values.get(header)
    target = io.BytesIO()
    book.save(target)
    result = run(personas["univ"], SimpleUploadedFile("模板.xlsx", target.getvalue()))
    assert result.ok, result.errors
    assert Person.objects.get().organization == tree.b2


# --- bad input: the right cell, in Chinese, nothing written -----------------------------------


def test_malformed_and_inconsistent_id_numbers(tree, personas, count) -> None:
    before = count()
    good = make_id_number(date(1990, 3, 15))
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    header = [*HEADER, "出生日期", "性别"]
    rows = [
        header,
        [*member(number=bad_check), None, None],
        [*member(number="43010219900315"), None, None],
        [*member(number=make_id_number(date(1990, 3, 15), "male")), date(1990, 3, 16), None],
        [*member(number=make_id_number(date(1990, 3, 15), "male")), None, "女"],
        [*member(number="990102199003150011"), None, None],
    ]
    result = run(personas["secretary"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 2, "身份证号", "校验位不符")
    assert_cell(result, 3, "身份证号", "应为18位")
    assert_cell(result, 4, "出生日期", "出生日期与身份证号（1990-03-15）不一致")
    assert_cell(result, 5, "性别", "性别与身份证号不一致")
    assert_cell(result, 6, "身份证号", "省份代码")
    assert all(good not in e.message for e in result.errors)


def test_birth_month_that_contradicts_the_id(tree, personas, count) -> None:
    before = count()
    rows = [[*HEADER, "出生年月"], [*member(birth=date(1990, 3, 15)), "1990.04"]]
    result = run(personas["secretary"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 2, "出生年月", "出生年月“1990.04”与身份证号（1990-03）不一致")


def test_impossible_date_sequences(tree, personas, count) -> None:
    before = count()
    rows = [
        HEADER,
        member(dates=[*DATES[:3], date(2014, 6, 1), date(2013, 6, 1)]),  # converted before joining
        member(name="少年", birth=date(2000, 1, 1), dates=[None, None, None, date(2017, 6, 1), date(2018, 6, 1)]),
        member(name="未来", dates=[*DATES[:4], date(2099, 1, 1)]),
        member(name="缺日期", category="预备党员", dates=[None, None, None, None, None]),
    ]  # fmt: skip
    result = run(personas["secretary"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 2, "转正日期", "不能早于“入党日期”")
    assert_cell(result, 3, "入党日期", "未满18周岁")
    assert_cell(result, 4, "转正日期", "不能晚于今天")
    assert_cell(result, 5, "入党日期", "预备党员须填写“入党日期”")


def test_bad_cells_of_every_kind(tree, personas, count) -> None:
    before = count()
    header = [*HEADER, "民族", "学历", "岗位", "入学年份"]
    rows = [
        header,
        [*member(phone="12345", category="党外人士"), "火星族", "幼儿园", "校长", "明年"],
        ["", *member()[1:], None, None, None, None],
    ]
    result = run(personas["secretary"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 2, "人员类别", "“党外人士”不是可选的取值")
    assert_cell(result, 2, "民族", "“火星族”不是可选的取值")
    assert_cell(result, 2, "学历", "“幼儿园”不是可选的取值")
    assert_cell(result, 2, "岗位", "“校长”不是可选的取值")
    assert_cell(result, 2, "入学年份", "“明年”不是整数")
    assert_cell(result, 3, "姓名", "请填写姓名")


def test_wrong_phone_after_the_cells_parse(tree, personas, count) -> None:
    before = count()
    result = run(personas["secretary"], xlsx([HEADER, member(phone="12345")]))
    refused(result, before)
    assert_cell(result, 2, "手机号码", "手机号码应为11位数字")


def test_duplicates_in_the_file(tree, personas, count) -> None:
    before = count()
    number = make_id_number(date(1990, 3, 15))
    rows = [
        HEADER,
        member(number=number, staff="T1"),
        member(name="李四", number=number.lower(), staff="T2"),
        member(name="王五", staff="T1"),
    ]
    result = run(personas["secretary"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 3, "身份证号", f"身份证号“{number[:4]}**********{number[-4:]}”与第2行重复")
    assert_cell(result, 4, "工号/学号", "工号/学号“T1”与第2行重复")
    assert all(number not in e.message for e in result.errors)


def test_duplicates_against_the_registry(tree, personas, count) -> None:
    mine = make_person(tree.b1, name="已登记")
    theirs = make_person(tree.b3, name="外单位", staff_no="M9")
    before = count()
    rows = [
        HEADER,
        member(number=mine.reveal_id_number()),
        member(name="李四", number=theirs.reveal_id_number()),
        member(name="王五", staff="M9"),
    ]
    result = run(personas["secretary"], xlsx(rows))
    assert count() == before and not result.ok
    assert_cell(result, 2, "身份证号", "该身份证号已登记（已登记，文学院教工第一党支部）")
    assert_cell(result, 3, "身份证号", "已在其他党组织登记")  # the secretary cannot see B3
    assert all("外单位" not in e.message for e in result.errors)
    assert_cell(result, 4, "工号/学号", "工号/学号“M9”已被他人使用")


def test_unknown_ambiguous_and_unsuitable_organizations(tree, personas, count) -> None:
    from dangjian.orgs.actions import create_organization

    create_organization(
        {"name": "联合党支部", "code": "C1-J1", "level": "branch"}, parent=tree.c1, acting_user=None
    )
    create_organization(
        {"name": "联合党支部", "code": "C2-J1", "level": "branch"}, parent=tree.c2, acting_user=None
    )
    before = count()
    rows = [
        HEADER,
        member(org="NOPE"),
        member(name="李四", org="联合党支部"),
        member(name="王五", org="C1-B1-G1"),
        member(name="赵六", org="Ｃ２－Ｊ１"),  # by code, full-width: fine
    ]
    result = run(personas["univ"], xlsx(rows))
    refused(result, before)
    assert_cell(result, 2, "所在党支部", "未找到党组织“NOPE”，请填写党组织编码或完整名称")
    assert_cell(result, 3, "所在党支部", "有多个党组织名为“联合党支部”，请改填党组织编码")
    assert_cell(result, 4, "所在党支部", "党小组请在“党小组”中填写")
    assert {e.row for e in result.errors} == {2, 3, 4}


def test_party_group_must_belong_to_the_branch(tree, personas, count) -> None:
    header = [*HEADER, "党小组"]
    rows = [header, [*member(), "第一党小组"], [*member(name="李四", org="C1-B2"), "第一党小组"]]
    result = run(personas["committee"], xlsx(rows))
    assert_cell(result, 3, "党小组", "“文学院本科生第一党支部”下没有名为“第一党小组”的党小组")
    rows.pop()
    result = run(personas["committee"], xlsx(rows))
    assert result.ok, result.errors
    assert Person.objects.get().party_group == tree.g1


@pytest.mark.parametrize(
    ("persona", "org"),
    [("secretary", "C1-B2"), ("outsider", "C1-B1"), ("outsider", "文学院党委")],
)
def test_organization_outside_the_users_scope(tree, personas, count, persona, org) -> None:
    before = count()
    result = run(personas[persona], xlsx([HEADER, member(org=org)]))
    refused(result, before)
    assert_cell(result, 2, "所在党支部", f"党组织“{org}”不在您的管理范围内")


def test_a_refusal_at_write_time_rolls_back_every_row(tree, personas, count, monkeypatch) -> None:
    """A clash that appears between the checks and the writing still leaves nothing."""
    from dangjian.members import importers

    monkeypatch.setattr(importers, "registered", lambda numbers: {})
    taken = make_person(tree.b1, name="已登记")
    before = count()
    rows = [HEADER, member(name="甲"), member(name="乙", number=taken.reveal_id_number())]
    result = run(personas["secretary"], xlsx(rows))
    assert count() == before and not result.ok
    assert_cell(result, 3, "身份证号", "该身份证号已登记")
    # Only make_person's own registration is on record: 甲's was rolled back.
    assert AuditEvent.objects.filter(action="members.person.register", success=True).count() == 1


# --- update mode ------------------------------------------------------------------------------


def test_update_changes_only_the_columns_present(tree, personas) -> None:
    person = make_person(tree.b1, name="张三", staff_no="T1", address="旧地址", title="讲师")
    untouched = make_person(tree.b1, name="李四")
    rows = [
        ["身份证号", "手机号码", "职称/职务", "党小组", "学历", "性别"],
        [person.reveal_id_number().lower(), "139 0013 9000", "副教授", "第一党小组", "博士", ""],
        [untouched.reveal_id_number(), "13800138000", "", "", "硕士研究生", "男"],
    ]
    result = run(personas["secretary"], xlsx(rows), UPDATE)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)  # 李四's values are unchanged
    person.refresh_from_db()
    assert person.reveal_phone() == "13900139000" and person.title == "副教授"
    assert person.party_group == tree.g1 and person.education == "doctorate"
    assert person.address == "旧地址" and person.staff_no == "T1" and person.gender == "male"
    assert person.events.filter(kind="updated").count() == 1
    assert untouched.events.filter(kind="updated").count() == 0
    event = AuditEvent.objects.get(action="members.person.update")
    assert "13900139000" not in str(event.changes)


def test_update_refusals(tree, personas) -> None:
    mine = make_person(tree.b1, name="张三")
    other = make_person(tree.b2, name="李四")
    rows = [
        ["身份证号", "所在党支部", "转正日期", "入党日期"],
        [mine.reveal_id_number(), "C1-B1", "2012-01-01", "2012-06-01"],
        [other.reveal_id_number(), "C1-B2", "", "2012-06-01"],
        [make_id_number(date(1980, 1, 1)), "", "", ""],
    ]
    result = run(personas["secretary"], xlsx(rows), UPDATE)
    assert not result.ok
    assert_cell(result, 2, "转正日期", "不能早于“入党日期”")
    assert_cell(result, 3, "所在党支部", "不在您的管理范围内")
    assert_cell(result, 4, "身份证号", "或其不在您的管理范围内")
    mine.refresh_from_db()
    assert mine.converted_on == date(2013, 6, 1)


def test_update_cannot_move_people(tree, personas) -> None:
    person = make_person(tree.b1)
    result = run(
        personas["committee"],
        xlsx([["身份证号", "所在党支部"], [person.reveal_id_number(), "C1-B2"]]),
        UPDATE,
    )
    assert_cell(result, 2, "所在党支部", "变更所在党组织请办理组织关系转接")
