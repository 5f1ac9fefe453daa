"""The recruitment pages: list and filters, the case page, recording, reviewing, cancelling,
opening a case and scans (permissions per persona: core/tests/test_permission_matrix)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.testing.personas import Tree
from dangjian.members.choices import Category
from dangjian.recruitment import actions
from dangjian.recruitment.choices import CaseStatus, RecordState
from dangjian.recruitment.models import Attachment, Case, StepRecord
from dangjian.recruitment.testing import applicant, helpers_for, walk

PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def case(tree: Tree) -> Case:
    """A B1 case with steps 1–2 recorded; step 3 is next."""
    return walk(applicant(tree.b1), through=2)


def _text(response: Any) -> str:
    return response.content.decode()


# The list ---------------------------------------------------------------------------------


def test_list_shows_open_cases_with_their_next_step(case: Case, login: Any) -> None:
    response = login("secretary").get("/recruitment/")
    assert response.status_code == 200
    text = _text(response)
    assert case.person.name in text
    assert "3. 确定入党积极分子" in text


def test_list_marks_overdue_cases_and_filters_them(tree: Tree, login: Any) -> None:
    helpers = helpers_for(tree.b1)
    late = walk(applicant(tree.b1, name="张逾期"), through=1, helpers=helpers)  # talk: 2023-04
    on_time = walk(
        applicant(tree.b1, name="王按时"), through=1, start=timezone.localdate(), helpers=helpers
    )
    assert late.due_on and late.due_on < timezone.localdate()
    client = login("committee")
    text = _text(client.get("/recruitment/"))
    assert "逾期" in text and "text-danger" in text
    text = _text(client.get("/recruitment/?overdue=1"))
    assert late.person.name in text and on_time.person.name not in text


def test_list_search_status_and_export(tree: Tree, login: Any) -> None:
    helpers = helpers_for(tree.b1)
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    other = walk(applicant(tree.b1, name="周终止"), through=1, helpers=helpers)
    actions.cancel_case(other, reason="withdrawn", on=date(2024, 1, 1), acting_user=None)
    client = login("secretary")
    text = _text(client.get("/recruitment/", {"q": "李"}))
    assert case.person.name in text and "周终止" not in text
    assert "周终止" not in _text(client.get("/recruitment/"))  # open ones by default
    assert "周终止" in _text(client.get("/recruitment/", {"status": "all"}))
    exported = client.get("/recruitment/", {"export": "xlsx"})
    assert exported.status_code == 200
    assert "spreadsheet" in exported["Content-Type"]


def test_list_queries_do_not_grow_with_cases(tree: Tree, login: Any) -> None:
    client = login("committee")
    helpers = helpers_for(tree.b1)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/recruitment/").status_code == 200
        return len(queries)

    for n in range(5):
        walk(applicant(tree.b1, name=f"甲{n}", staff_no=f"A{n}"), through=1, helpers=helpers)
    count()  # the first request of a session caches grants and settings
    few = count()
    for n in range(15):
        walk(applicant(tree.b2, name=f"乙{n}", staff_no=f"B{n}"), through=1, helpers=helpers)
    assert Case.objects.count() == 20
    assert count() == few


# The case page ----------------------------------------------------------------------------


def test_case_page_shows_steps_by_name_and_the_next_one(case: Case, login: Any) -> None:
    talker = case.records.get(step=2).data["talker"]
    response = login("secretary").get(f"/recruitment/{case.pk}/")
    text = _text(response)
    assert response.status_code == 200
    assert "谈话人" in text  # the talker's name, not the id
    assert f">{talker}<" not in text
    assert "入党积极分子的确定和培养教育" in text  # stages
    assert f"/recruitment/{case.pk}/steps/3/" in text  # 登记 the next step
    assert f"/members/{case.person.pk}/" in text


def test_a_converted_case_shows_every_step_and_the_menu(tree: Tree, login: Any) -> None:
    case = walk(applicant(tree.b1))
    client = login("committee")
    text = _text(client.get(f"/recruitment/{case.pk}/"))
    assert "已转正" in text and "25. 材料归档" in text
    assert "按期转正" in text  # a choice shown by its label
    assert 'data-testid="record-next"' not in text and 'data-testid="cancel-case"' not in text
    assert "发展工作台" in text and "发展党员档案" in text  # the menu
    assert "发展党员档案" not in _text(login("sysadmin").get("/"))


# Recording a step -------------------------------------------------------------------------


def test_secretary_records_steps_by_post(case: Case, login: Any) -> None:
    client = login("secretary")
    url = f"/recruitment/{case.pk}/steps/3/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"occurred_on": "2023-05-01", "source": "league", "decided_by": "branch_committee"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/recruitment/{case.pk}/"
    case.refresh_from_db()
    case.person.refresh_from_db()
    assert case.last_step == 3
    assert case.person.category == Category.ACTIVIST
    assert StepRecord.objects.get(case=case, step=3).data == {
        "source": "league",
        "decided_by": "branch_committee",
    }


def test_people_fields_offer_full_members_and_save_ids(tree: Tree, login: Any) -> None:
    helpers = helpers_for(tree.b1)
    case = walk(applicant(tree.b1), through=4, helpers=helpers)
    client = login("secretary")
    url = f"/recruitment/{case.pk}/steps/5/"
    form = _text(client.get(url))
    assert helpers.mentors[0].name in form
    response = client.post(url, {"occurred_on": "2023-05-11", "mentors": [helpers.mentors[0].pk]})
    assert response.status_code == 302, _text(response)
    assert case.records.get(step=5).data == {"mentors": [helpers.mentors[0].pk]}


def test_a_bad_date_is_refused_in_chinese_and_nothing_saved(case: Case, login: Any) -> None:
    client = login("secretary")
    url = f"/recruitment/{case.pk}/steps/3/"
    fields = {"source": "league", "decided_by": "branch_committee"}
    response = client.post(url, {"occurred_on": "2023-02-30", **fields})
    assert response.status_code == 200
    assert "日期“2023-02-30”不存在，请检查年、月、日。" in _text(response)
    response = client.post(url, {"occurred_on": "昨天", **fields})
    assert "请填写如 2023-07-01 的日期" in _text(response)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"occurred_on": future, **fields})
    assert "日期不能晚于今天。" in _text(response)
    response = client.post(url, {"occurred_on": "2023-03-10", **fields})  # before step 2
    assert "日期不能早于上一步骤" in _text(response)
    assert not case.records.filter(step=3).exists()
    case.refresh_from_db()
    assert case.last_step == 2


def test_vote_steps_prefill_voting_members(tree: Tree, login: Any) -> None:
    case = walk(applicant(tree.b1), through=14)
    response = login("secretary").get(f"/recruitment/{case.pk}/steps/15/")
    assert 'name="should_attend" value="4"' in _text(response)


def test_a_refused_rule_offers_a_justification(tree: Tree, login: Any) -> None:
    helpers = helpers_for(tree.b1)
    case = walk(applicant(tree.b1), through=1, helpers=helpers)
    client = login("committee")
    url = f"/recruitment/{case.pk}/steps/2/"
    data = {"occurred_on": "2023-09-01", "talker": helpers.talker.pk}  # talk months late
    response = client.post(url, data)
    text = _text(response)
    assert response.status_code == 200
    assert 'name="justification"' not in _text(client.get(url))
    assert 'name="justification"' in text and "例外理由" in text
    assert not case.records.filter(step=2).exists()
    response = client.post(url, {**data, "justification": "本人出国交流，经党委研究同意"})
    assert response.status_code == 302
    assert case.records.filter(step=2).exists()


def test_warnings_of_the_rules_are_shown(case: Case, login: Any) -> None:
    client = login("secretary")
    data = {"occurred_on": "2023-05-01", "source": "members", "decided_by": "branch_committee"}
    response = client.post(f"/recruitment/{case.pk}/steps/3/", data, follow=True)
    assert response.status_code == 200
    levels = [m.level_tag for m in response.context["messages"]]
    assert "success" in levels and "warning" in levels


# Reviews ----------------------------------------------------------------------------------


def _submitted(tree: Tree, personas: Any) -> StepRecord:
    case = walk(applicant(tree.b1), through=3)
    return actions.record_step(
        case, 4, occurred_on=date(2023, 5, 6), acting_user=personas["secretary"]
    ).record


def test_a_returned_review_shows_the_reason(tree: Tree, personas: Any, login: Any) -> None:
    record = _submitted(tree, personas)
    case = record.case
    secretary = login("secretary")
    assert 'data-testid="review"' not in _text(secretary.get(f"/recruitment/{case.pk}/"))
    committee = login("committee")
    page = _text(committee.get(f"/recruitment/{case.pk}/"))
    assert f"/recruitment/records/{record.pk}/review/" in page
    url = f"/recruitment/records/{record.pk}/review/"
    response = committee.post(url, {"decision": "returned", "decided_on": "2023-05-10"})
    assert "退回时请填写原因。" in _text(response)
    response = committee.post(
        url, {"decision": "returned", "decided_on": "2023-05-10", "reason": "缺少会议记录"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.RETURNED
    page = _text(secretary.get(f"/recruitment/{case.pk}/"))
    assert "缺少会议记录" in page and "已退回" in page
    form = _text(secretary.get(f"/recruitment/{case.pk}/steps/4/"))
    assert "上级退回原因：缺少会议记录" in form
    response = secretary.post(f"/recruitment/{case.pk}/steps/4/", {"occurred_on": "2023-05-12"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.SUBMITTED


def test_committee_approves_a_submitted_step(tree: Tree, personas: Any, login: Any) -> None:
    record = _submitted(tree, personas)
    response = login("committee").post(
        f"/recruitment/records/{record.pk}/review/",
        {"decision": "approved", "decided_on": "2023-05-08"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.DONE
    assert record.case.next_step == 5 or Case.objects.get(pk=record.case_id).next_step == 5


# Cancel and open --------------------------------------------------------------------------


def test_cancel_a_case(case: Case, login: Any) -> None:
    client = login("secretary")
    url = f"/recruitment/{case.pk}/cancel/"
    response = client.post(url, {"reason": "withdrawn", "on": "2023-01-01"})
    assert "终止日期不能早于最近一步的日期" in _text(response)
    response = client.post(url, {"reason": "withdrawn", "on": "2024-01-01", "note": "本人申请"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert case.close_reason == "本人撤回申请：本人申请"


def test_open_a_case_for_an_applicant(tree: Tree, login: Any) -> None:
    person = applicant(tree.b1, name="钱新")
    client = login("secretary")
    page = _text(client.get("/recruitment/open/", {"q": "钱"}))
    assert "钱新" in page
    page = _text(client.get(f"/recruitment/open/?person={person.pk}"))
    assert f'value="{person.pk}" selected' in page
    response = client.post("/recruitment/open/", {"person": person.pk, "applied_on": "2024-03-01"})
    assert response.status_code == 302
    case = Case.objects.get(person=person)
    assert response["Location"] == f"/recruitment/{case.pk}/"
    assert case.applied_on == date(2024, 3, 1)
    response = client.post("/recruitment/open/", {"person": person.pk, "applied_on": "2024-03-01"})
    assert "已有进行中的发展档案" in _text(response)


def test_open_refuses_people_outside_scope(tree: Tree, login: Any) -> None:
    person = applicant(tree.b3, name="孙外")
    response = login("secretary").post(
        "/recruitment/open/", {"person": person.pk, "applied_on": "2024-03-01"}
    )
    assert response.status_code == 200
    assert "不在您的管理范围内" in _text(response)
    assert not Case.objects.filter(person=person).exists()


# Scans ------------------------------------------------------------------------------------


def test_upload_and_download_a_scan(case: Case, login: Any) -> None:
    client = login("secretary")
    url = f"/recruitment/{case.pk}/attachments/add/"
    bad = SimpleUploadedFile("a.txt", b"hello world", content_type="text/plain")
    response = client.post(url, {"step": "1", "title": "申请书", "file": bad})
    assert "文件应为PDF、JPG或PNG格式。" in _text(response)
    assert not Attachment.objects.exists()
    scan = SimpleUploadedFile("李申请的申请书.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {"step": "1", "title": "入党申请书", "file": scan})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert "李申请" not in attachment.file.name  # stored under a random name
    assert "入党申请书" in _text(client.get(f"/recruitment/{case.pk}/"))
    download = client.get(f"/recruitment/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert login("outsider").get(f"/recruitment/attachments/{attachment.pk}/").status_code == 404


def test_a_large_scan_is_refused(case: Case, login: Any) -> None:
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    response = login("secretary").post(
        f"/recruitment/{case.pk}/attachments/add/", {"step": "1", "title": "大文件", "file": big}
    )
    assert "文件不能超过10MB" in _text(response)
    assert not Attachment.objects.exists()


def test_every_step_form_renders(case: Case, login: Any) -> None:
    client = login("committee")
    for number in range(1, 26):
        response = client.get(f"/recruitment/{case.pk}/steps/{number}/")
        assert response.status_code == 200, number
    assert client.get(f"/recruitment/{case.pk}/steps/26/").status_code == 404
