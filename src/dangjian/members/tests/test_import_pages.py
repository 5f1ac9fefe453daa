"""Importing positions and cadres; the import pages and background jobs (their permissions:
endpoints_import.py in the permission matrix)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.io import jobs, results
from dangjian.core.io.importer import ImportResult, run_import
from dangjian.core.models import AuditEvent
from dangjian.members.importers import CadreImport, MemberImport, PositionImport
from dangjian.members.models import Cadre, Person
from dangjian.members.testing import make_id_number, make_person
from dangjian.members.tests.test_import import HEADER, member, xlsx
from dangjian.orgs.actions import start_term
from dangjian.orgs.models import CommitteeMember


def run(spec: Any, user: Any, upload: SimpleUploadedFile) -> ImportResult:
    return run_import(spec, upload, user)


def messages(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.header, e.message) for e in result.errors]


@pytest.fixture
def term(tree):
    return start_term(tree.b1, {"elected_on": date(2023, 1, 1)}, acting_user=None)


# --- positions --------------------------------------------------------------------------------

POSITION_HEADER = [
    "身份证号",
    "工号/学号",
    "姓名",
    "党组织编码",
    "职务",
    "届次",
    "任职日期",
    "离任日期",
]


def test_positions_by_id_or_staff_number(tree, personas, term) -> None:
    secretary = make_person(tree.b1, name="张书记")
    organizer = make_person(tree.b1, name="李委员", staff_no="T7")
    rows = [
        POSITION_HEADER,
        [
            secretary.reveal_id_number().lower(),
            "",
            "张书记",
            "C1-B1",
            "支部书记",
            "",
            "2023-01-05",
            "",
        ],
        ["", "T7", "", "文学院教工第一党支部", "组织委员", "第1届", "2023.1.1", "2024年1月1日"],
    ]
    result = run(PositionImport, personas["secretary"], xlsx(rows))
    assert result.ok, messages(result)
    assert result.created == 2
    post = CommitteeMember.objects.get(person=secretary)
    assert (post.term, post.position, post.name, post.started_on) == (
        term,
        "secretary",
        "张书记",
        date(2023, 1, 5),
    )
    ended = CommitteeMember.objects.get(person=organizer)
    assert ended.position == "organization" and ended.ended_on == date(2024, 1, 1)
    assert AuditEvent.objects.filter(action="orgs.committee_member.add").count() == 2
    # Ending a post someone holds: a row with the same post and a 离任日期.
    again = [POSITION_HEADER, ["", "", "", "C1-B1", "书记", "", "", "2024-06-30"]]
    again[1][0] = secretary.reveal_id_number()
    result = run(PositionImport, personas["secretary"], xlsx(again))
    assert result.ok and result.updated == 1, messages(result)
    post.refresh_from_db()
    assert post.ended_on == date(2024, 6, 30)


def test_position_refusals_write_nothing(tree, personas, term) -> None:
    here = make_person(tree.b1, name="张三")
    there = make_person(tree.b2, name="李四")
    rows = [
        POSITION_HEADER,
        [there.reveal_id_number(), "", "", "C1-B1", "委员", "", "", ""],
        [make_id_number(date(1980, 1, 1)), "", "", "C1-B1", "委员", "", "", ""],
        [here.reveal_id_number(), "", "王五", "C1-B1", "委员", "", "", ""],
        [here.reveal_id_number(), "", "", "C1-B1", "校长", "", "", ""],
        [here.reveal_id_number(), "", "", "C1-B1", "书记", "第9届", "", ""],
        ["", "", "", "C1-B1", "书记", "", "", ""],
        [here.reveal_id_number(), "", "", "C1-B1", "书记", "", "2023-05-01", "2023-01-01"],
    ]
    result = run(PositionImport, personas["committee"], xlsx(rows))
    found = messages(result)
    assert (2, "党组织编码", "李四不在“文学院教工第一党支部”（或其下级组织）的名册中。") in found
    assert any(r == 3 and "未找到身份证号为" in m for r, _, m in found)
    assert any(r == 4 and h == "姓名" and "与登记的姓名（张三）不一致" in m for r, h, m in found)
    assert any(r == 5 and h == "职务" and "不是可选的取值" in m for r, h, m in found)
    assert any(r == 6 and h == "届次" and "没有第9届委员会" in m for r, h, m in found)
    assert any(r == 7 and "请填写身份证号或工号/学号" in m for r, _, m in found)
    assert any(r == 8 and h == "离任日期" and "不能早于任职日期" in m for r, h, m in found)
    assert not CommitteeMember.objects.exists()


def test_positions_are_all_or_nothing_and_scoped(tree, personas, term) -> None:
    first = make_person(tree.b1, name="张三")
    second = make_person(tree.b1, name="李四")
    rows = [
        POSITION_HEADER,
        [first.reveal_id_number(), "", "", "C1-B1", "书记", "", "", ""],
        [second.reveal_id_number(), "", "", "C1-B1", "书记", "", "", ""],  # a second secretary
    ]
    result = run(PositionImport, personas["secretary"], xlsx(rows))
    assert [(e.row, e.header) for e in result.errors] == [(3, "职务")]
    assert "已有在任书记" in result.errors[0].message
    assert not CommitteeMember.objects.exists()
    start_term(tree.b2, {"elected_on": date(2023, 1, 1)}, acting_user=None)
    other = make_person(tree.b2, name="王五")
    rows = [POSITION_HEADER, [other.reveal_id_number(), "", "", "C1-B2", "委员", "", "", ""]]
    result = run(PositionImport, personas["secretary"], xlsx(rows))
    assert any("不在您的管理范围内" in e.message for e in result.errors)
    assert not CommitteeMember.objects.exists()


def test_position_needs_a_current_term(tree, personas) -> None:
    person = make_person(tree.b1)
    rows = [POSITION_HEADER, [person.reveal_id_number(), "", "", "C1-B1", "书记", "", "", ""]]
    result = run(PositionImport, personas["secretary"], xlsx(rows))
    assert "目前没有在任的委员会" in result.errors[0].message
    assert result.errors[0].header == "党组织编码"


# --- cadres -----------------------------------------------------------------------------------

CADRE_HEADER = ["身份证号", "姓名", "职级", "现任职务", "任职单位", "所在领导班子", "是否校领导",
                "任现职日期", "任现职级日期", "备注"]  # fmt: skip


def test_cadres_created_then_updated_with_present_columns(tree, personas) -> None:
    dean = make_person(tree.b1, name="王院长")
    chief = make_person(tree.b2, name="赵书记", staff_no="K2")
    rows = [
        CADRE_HEADER,
        [dean.reveal_id_number(), "王院长", "正处", "院长", "文学院", "文学院领导班子", "否",
         "2021-07-01", "2019.7.1", "试用期满"],
        [chief.reveal_id_number(), "", "副厅级", "副校长", "学校", "校领导班子", "是", "", "", ""],
    ]  # fmt: skip
    result = run(CadreImport, personas["univ"], xlsx(rows))
    assert result.ok and result.created == 2, messages(result)
    cadre = Cadre.objects.get(person=dean)
    assert (cadre.rank, cadre.position, cadre.team, cadre.rank_since) == (
        "division_chief",
        "院长",
        "文学院领导班子",
        date(2019, 7, 1),
    )
    assert Cadre.objects.get(person=chief).is_university_leader
    rows = [
        ["工号/学号", "职级", "现任职务", "任职单位"],
        ["K2", "正厅级", "校长", "学校"],
    ]
    result = run(CadreImport, personas["univ"], xlsx(rows))
    assert result.ok and result.updated == 1, messages(result)
    chief_cadre = Cadre.objects.get(person=chief)
    assert chief_cadre.rank == "department_chief" and chief_cadre.team == "校领导班子"
    assert chief_cadre.is_university_leader  # column absent: kept
    # The same file again changes nothing.
    again = run(CadreImport, personas["univ"], xlsx(rows))
    assert again.ok and again.updated == 0


def test_cadre_refusals(tree, personas) -> None:
    person = make_person(tree.b1, name="王院长")
    rows = [
        CADRE_HEADER,
        [person.reveal_id_number(), "", "科级", "", "文学院", "", "也许", "2099-01-01", "", ""],
        [person.reveal_id_number(), "", "正处级", "院长", "文学院", "", "", "", "", ""],
        [person.reveal_id_number(), "", "正处级", "院长", "文学院", "", "", "", "", ""],
    ]
    result = run(CadreImport, personas["univ"], xlsx(rows))
    found = messages(result)
    assert any(r == 2 and h == "职级" and "“科级”不是可选的取值" in m for r, h, m in found)
    assert any(r == 2 and h == "现任职务" and "请填写现任职务" in m for r, h, m in found)
    assert any(r == 2 and h == "是否校领导" for r, h, m in found)
    assert any(r == 4 and "与第3行是同一人" in m for r, _, m in found)
    assert not Cadre.objects.exists()
    # Committee staff may see the person but not manage cadres: the action refuses.
    rows = [CADRE_HEADER[:5], [person.reveal_id_number(), "", "正处级", "院长", "文学院"]]
    result = run(CadreImport, personas["committee"], xlsx(rows))
    assert "您无权管理干部信息" in result.errors[0].message
    assert not Cadre.objects.exists()


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url_name", "header", "filename"),
    [
        ("members:import_template", "身份证号*", "%E4%BA%BA%E5%91%98"),
        ("members:position_import_template", "党组织编码*", "%E5%85%9A%E5%86%85"),
        ("members:cadre_import_template", "职级*", "%E5%B9%B2%E9%83%A8"),
    ],
)
def test_templates_download(tree, personas, login, url_name, header, filename) -> None:
    response = login("univ").get(reverse(url_name))
    assert response.status_code == 200 and filename in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert header in [cell.value for cell in sheet[1]]
    assert book.sheetnames[1] == "填写说明"
    rows = [[cell.value for cell in row] for row in book["填写说明"].iter_rows()]
    if url_name == "members:import_template":
        id_row = next(row for row in rows if row[0] == "身份证号")
        assert id_row[1] == "必填" and "文本" in id_row[3] and "公民身份号码" in id_row[4]
        nation = next(row for row in rows if row[0] == "民族")
        assert "汉、1→汉族" in nation[3]
        column = [cell.value for cell in sheet[1]].index("身份证号*") + 1
        letter = openpyxl.utils.get_column_letter(column)
        assert sheet.column_dimensions[letter].number_format == "@"
        assert sheet.cell(row=2, column=column).value == make_example_id()


def make_example_id() -> str:
    from dangjian.members.import_helpers import example_id_number

    return example_id_number()


def test_upload_page_lists_the_columns(tree, personas, login) -> None:
    page = login("secretary").get(reverse("members:import")).content.decode()
    assert "所在党支部" in page and "公民身份号码" in page and "更新" in page
    page = login("secretary").get(reverse("members:position_import")).content.decode()
    assert "届次" in page and "更新：" not in page


def test_small_upload_runs_in_the_request(tree, personas, login, monkeypatch) -> None:
    monkeypatch.setattr(jobs, "start", lambda *a, **k: pytest.fail("no job for a small file"))
    client = login("secretary")
    upload = xlsx([HEADER, member()])
    response = client.post(reverse("members:import"), {"file": upload, "mode": "create"})
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "新增 1 个" in page
    assert Person.objects.count() == 1


def test_large_upload_runs_as_a_job(tree, personas, login, settings) -> None:
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = login("secretary")
    rows = [HEADER] + [member(name=f"党员{i}", staff=f"J{i}") for i in range(3)]
    response = client.post(reverse("members:import"), {"file": xlsx(rows), "mode": "create"})
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get(response["Location"]).content.decode()  # Celery ran it inline
    assert "导入完成" in page and "新增 3 个" in page
    assert Person.objects.count() == 3
    assert not default_storage.exists(f"imports/{token}.upload")
    assert not default_storage.exists(f"imports/{token}.job.json")
    event = AuditEvent.objects.get(action="members.person.import")
    assert event.success and event.actor == personas["secretary"]


def test_job_progress_page_polls_until_done(tree, personas, login) -> None:
    secretary = personas["secretary"]
    upload = xlsx([HEADER, member(name="甲"), member(name="乙", number="123")])
    token = results.start_job(
        user=secretary,
        spec=MemberImport(),
        file_name="人员.xlsx",
        mode="create",
        upload=upload,
        expected=2,
    )
    client = login("secretary")
    url = reverse("members:import_result", kwargs={"token": token})
    page = client.get(url).content.decode()
    assert "正在导入… 0/2" in page and 'hx-trigger="every 2s"' in page
    results.set_progress(token, "checking", 1, 2)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "正在导入… 1/2" in fragment and "<html" not in fragment and "50%" in fragment
    assert login("committee").get(url).status_code == 404  # another importer
    assert jobs.run_job(token) == "errors"
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and done["HX-Refresh"] == "true"
    page = client.get(url).content.decode()
    assert "未导入任何数据" in page and "第 3 行" in page
    assert client.get(url + "errors/").status_code == 200
    assert Person.objects.count() == 0


def test_a_job_that_fails_or_stalls_says_so(tree, personas, login, monkeypatch, settings) -> None:
    secretary = personas["secretary"]
    client = login("secretary")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "run_import", broken)
    upload = xlsx([HEADER, member()])
    token = results.start_job(
        user=secretary, spec=MemberImport(), file_name="a.xlsx", mode="create", upload=upload,
        expected=1,
    )  # fmt: skip
    assert jobs.run_job(token) == "errors"
    page = client.get(reverse("members:import_result", kwargs={"token": token})).content.decode()
    assert "系统错误" in page and "未导入任何数据" in page
    settings.IMPORT_JOB_STALE_HOURS = 0
    token = results.start_job(
        user=secretary, spec=MemberImport(), file_name="b.xlsx", mode="create", upload=upload,
        expected=1,
    )  # fmt: skip
    page = client.get(reverse("members:import_result", kwargs={"token": token})).content.decode()
    assert "导入任务未能完成" in page
