"""The recruitment API: a case through its first steps and a review, list filters and paging,
refusals as 422 with nothing saved, the steps catalogue (permissions: api_endpoints.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.personas import Tree
from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.recruitment import actions
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.testing import (
    Helpers,
    applicant,
    helpers_for,
    schedule,
    step_data,
    walk,
)

BASE = "/api/v1/recruitment"
DAYS = schedule(date(2023, 3, 1))


def send(client: Client, path: str, data: Any) -> Any:
    return client.post(path, data=json.dumps(data), content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def errors(response: Any) -> dict[tuple[str, ...], str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


def step_body(number: int, helpers: Helpers, voters: int = 0, **data: Any) -> dict[str, Any]:
    values = {**step_data(number, DAYS, helpers, voters), **data}
    return {"occurred_on": DAYS[number].isoformat(), "data": values}


@pytest.fixture
def helpers(tree: Tree) -> Helpers:
    return helpers_for(tree.b1)


@pytest.fixture
def secretary(login: Any) -> Client:
    return login("secretary")


# --- the way through --------------------------------------------------------------------------


def test_a_case_goes_through_its_first_steps_and_a_review(
    login: Any, tree: Tree, helpers: Helpers
) -> None:
    secretary, committee = login("secretary"), login("committee")
    person = applicant(tree.b1)
    opened = ok(
        send(
            secretary,
            f"{BASE}/cases",
            {"person": person.pk, "applied_on": "2023-03-01", "data": {"received_by": "本支部"}},
        ),
        201,
    )
    case_id = opened["case"]["id"]
    assert opened["record"]["step"] == 1
    assert opened["record"]["label"] == "递交入党申请书"
    assert opened["record"]["data"] == {"received_by": "本支部"}
    assert opened["case"]["next_step"] == 2
    assert opened["case"]["next_step_label"] == "党组织派人谈话"
    assert opened["case"]["due_on"] == "2023-04-01"
    assert opened["warnings"] == []

    for number in (2, 3):
        result = ok(
            send(secretary, f"{BASE}/cases/{case_id}/steps/{number}", step_body(number, helpers)),
            201,
        )
        assert result["record"]["state"] == "done"
    person.refresh_from_db()
    assert person.category == Category.ACTIVIST

    filed = ok(send(secretary, f"{BASE}/cases/{case_id}/steps/4", step_body(4, helpers)), 201)
    assert (filed["record"]["state"], filed["record"]["state_display"]) == ("submitted", "待审核")
    assert filed["case"]["waiting_level"] == "committee"
    assert filed["case"]["waiting_organization"]["id"] == tree.c1.pk

    returned = ok(
        send(
            committee,
            f"{BASE}/records/{filed['record']['id']}/review",
            {"decision": "returned", "decided_on": DAYS[4].isoformat(), "reason": "材料不全"},
        )
    )
    assert returned["record"]["state"] == "returned"
    assert returned["case"]["returned_reason"] == "材料不全"
    resubmitted = ok(send(secretary, f"{BASE}/cases/{case_id}/steps/4", step_body(4, helpers)), 201)
    assert resubmitted["record"]["id"] == filed["record"]["id"]
    approved = ok(
        send(
            committee,
            f"{BASE}/records/{filed['record']['id']}/review",
            {"decision": "approved", "decided_on": DAYS[4].isoformat()},
        )
    )
    assert approved["record"]["state"] == "done"
    assert approved["case"]["next_step"] == 5

    detail = ok(secretary.get(f"{BASE}/cases/{case_id}"))
    assert [r["step"] for r in detail["records"]] == [1, 2, 3, 4]
    assert detail["person"] == {"id": person.pk, "name": person.name}
    assert detail["stage"] == 2 and detail["stage_display"] == "入党积极分子的确定和培养教育"
    assert detail["records"][2]["data"] == {"source": "league", "decided_by": "branch_committee"}
    reviews = detail["records"][3]["reviews"]
    assert [(r["decision"], r["decision_display"]) for r in reviews] == [
        ("returned", "退回"),
        ("approved", "同意"),
    ]
    assert reviews[0]["reason"] == "材料不全"
    assert reviews[1]["organization"]["code"] == "C1"


def test_a_breach_that_only_warns_is_returned_with_the_record(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    body = step_body(3, helpers, source="members")  # a league member under 28: should be 推优
    result = ok(send(secretary, f"{BASE}/cases/{case.pk}/steps/3", body), 201)
    assert len(result["warnings"]) == 1
    assert "团组织推优" in result["warnings"][0]


def test_cancel_a_case(secretary: Client, tree: Tree, helpers: Helpers) -> None:
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    body = {"reason": "withdrawn", "on": DAYS[3].isoformat(), "note": "本人撤回申请书"}
    result = ok(send(secretary, f"{BASE}/cases/{case.pk}/cancel", body))
    assert (result["status"], result["status_display"]) == ("cancelled", "已终止")
    assert result["close_reason"] == "本人撤回申请：本人撤回申请书"
    assert result["next_step"] is None
    again = errors(send(secretary, f"{BASE}/cases/{case.pk}/cancel", body))
    assert again == {("body",): "该档案已办结。"}


# --- refusals ---------------------------------------------------------------------------------


def test_a_step_out_of_order_is_422_and_nothing_is_saved(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    response = send(secretary, f"{BASE}/cases/{case.pk}/steps/5", step_body(5, helpers))
    assert errors(response) == {("body",): "请先完成第3步“确定入党积极分子”。"}
    assert case.records.count() == 2


def test_a_date_before_the_previous_step_is_422(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    body = {**step_body(3, helpers), "occurred_on": (DAYS[2] - timedelta(days=1)).isoformat()}
    response = send(secretary, f"{BASE}/cases/{case.pk}/steps/3", body)
    assert errors(response) == {
        ("body", "occurred_on"): "日期不能早于上一步骤“党组织派人谈话”的日期（2023-03-21）。"
    }
    assert case.records.count() == 2
    case.refresh_from_db()
    assert case.next_step == 3 and case.activist_on is None


def test_more_votes_than_present_is_422_on_the_field(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    person = applicant(tree.b1)
    case = walk(person, through=14, helpers=helpers)
    body = step_body(15, helpers, voters=4, present=3, votes_for=4)
    response = send(secretary, f"{BASE}/cases/{case.pk}/steps/15", body)
    assert errors(response) == {
        ("body", "data", "votes_for"): "赞成、反对、弃权票数之和（4）超过实到人数（3）。"
    }
    assert not case.records.filter(step=15).exists()
    person.refresh_from_db()
    assert person.category == Category.CANDIDATE


def test_bad_fields_and_bodies_are_422_in_chinese(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    case = walk(applicant(tree.b1), through=2, helpers=helpers)
    path = f"{BASE}/cases/{case.pk}/steps/3"
    assert errors(send(secretary, path, {**step_body(3, helpers), "data": {}})) == {
        ("body", "data", "source"): "请填写推荐方式。",
        ("body", "data", "decided_by"): "请填写决定会议。",
    }
    assert errors(send(secretary, path, {"occurred_on": "2023-13-01"})) == {
        ("body", "occurred_on"): "日期格式不正确，应为 YYYY-MM-DD。"
    }
    assert errors(send(secretary, path, {**step_body(3, helpers), "extra": 1})) == {
        ("body", "extra"): "不支持此字段。"
    }
    assert errors(send(secretary, f"{BASE}/cases/{case.pk}/steps/26", step_body(3, helpers))) == {
        ("path", "number"): "步骤应为1至25。"
    }
    assert case.records.count() == 2


def test_opening_a_second_case_or_for_a_member_is_422(
    secretary: Client, tree: Tree, helpers: Helpers
) -> None:
    person = applicant(tree.b1, name="王重复")
    walk(person, through=1, helpers=helpers)
    body = {"person": person.pk, "applied_on": "2023-03-01"}
    assert errors(send(secretary, f"{BASE}/cases", body)) == {
        ("body",): "王重复已有进行中的发展党员档案。"
    }
    body = {"person": helpers.talker.pk, "applied_on": "2023-03-01"}
    assert errors(send(secretary, f"{BASE}/cases", body)) == {
        ("body",): "谈话人已是党员，不能建立发展档案。"
    }
    assert Case.objects.count() == 1


def test_a_future_application_names_applied_on(secretary: Client, tree: Tree) -> None:
    person = applicant(tree.b1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    body = {"person": person.pk, "applied_on": tomorrow.isoformat()}
    assert errors(send(secretary, f"{BASE}/cases", body)) == {
        ("body", "applied_on"): "日期不能晚于今天。"
    }
    assert not Case.objects.exists()


def test_review_refusals(login: Any, tree: Tree, helpers: Helpers) -> None:
    case = walk(applicant(tree.b1), through=3, helpers=helpers)
    secretary_user = User.objects.get(username="secretary")
    record = actions.record_step(case, 4, occurred_on=DAYS[4], acting_user=secretary_user).record
    path = f"{BASE}/records/{record.pk}/review"
    committee = login("committee")
    returned = {"decision": "returned", "decided_on": DAYS[4].isoformat()}
    assert errors(send(committee, path, returned)) == {("body", "reason"): "退回时请填写原因。"}
    early = {"decision": "approved", "decided_on": DAYS[3].isoformat()}
    assert errors(send(committee, path, early)) == {
        ("body", "decided_on"): f"审核日期不能早于报送日期（{DAYS[4].isoformat()}）。"
    }
    assert errors(send(committee, path, {"decision": "maybe", "decided_on": "2023-05-06"})) == {
        ("body", "decision"): "取值不正确，可选：approved、returned。"
    }
    denied = send(login("secretary"), path, {**returned, "reason": "自己退回"})
    assert denied.status_code == 403
    assert denied.json() == {"detail": "该步骤应由文学院党委审核。"}
    assert not Review.objects.filter(record=record).exclude(decision="approved").exists()
    record.refresh_from_db()
    assert record.state == "submitted"


# --- reading ----------------------------------------------------------------------------------


@pytest.fixture
def cases(tree: Tree, helpers: Helpers) -> dict[str, Case]:
    """甲 (B1, talk overdue since 2023-04-01), 乙 (B1, activist, filing next), 丙 (B2,
    cancelled), 丁 (B3, activist step next); only the talk has a due date here."""
    b2_helpers = helpers_for(tree.b2, serial=910)
    b3_helpers = helpers_for(tree.b3, serial=920)
    cancelled = walk(applicant(tree.b2, name="丙"), through=2, helpers=b2_helpers)
    actions.cancel_case(cancelled, reason="withdrawn", on=DAYS[3], acting_user=None)
    return {
        "甲": walk(applicant(tree.b1, name="甲"), through=1, helpers=helpers),
        "乙": walk(applicant(tree.b1, name="乙"), through=3, helpers=helpers),
        "丙": cancelled,
        "丁": walk(applicant(tree.b3, name="丁"), through=2, helpers=b3_helpers),
    }


def listed(client: Client, query: str = "") -> list[str]:
    return [item["person"]["name"] for item in ok(client.get(f"{BASE}/cases?{query}"))["items"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("univ", {"甲", "乙", "丙", "丁"}),
        ("committee", {"甲", "乙", "丙"}),
        ("secretary", {"甲", "乙"}),
        ("outsider", {"丁"}),
        ("member", set()),
    ],
)
def test_the_list_shows_the_callers_scope(
    login: Any, cases: dict[str, Case], persona: str, expected: set[str]
) -> None:
    assert set(listed(login(persona))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", {"甲", "乙", "丁"}),
        ("status=cancelled", {"丙"}),
        ("stage=2", {"乙", "丁"}),
        ("next_step=3", {"丁"}),
        ("overdue=true", {"甲"}),
        ("overdue=false", {"乙", "丙", "丁"}),
        ("within={b1}", {"甲", "乙"}),
        ("within={c2}", {"丁"}),
    ],
)
def test_list_filters(
    login: Any, tree: Tree, cases: dict[str, Case], query: str, expected: set[str]
) -> None:
    query = query.format(b1=tree.b1.pk, c2=tree.c2.pk)
    assert set(listed(login("univ"), query)) == expected


def test_list_item_and_bad_filters(login: Any, tree: Tree, cases: dict[str, Case]) -> None:
    client = login("committee")
    item = ok(client.get(f"{BASE}/cases?next_step=2"))["items"][0]
    assert item["person"]["name"] == "甲"
    assert item["organization"] == {
        "id": tree.b1.pk,
        "name": "文学院教工第一党支部",
        "code": "C1-B1",
    }
    assert (item["status"], item["status_display"]) == ("open", "进行中")
    assert item["due_on"] == "2023-04-01"
    assert item["days_overdue"] == (timezone.localdate() - date(2023, 4, 1)).days
    assert errors(client.get(f"{BASE}/cases?within={tree.b3.pk}")) == {
        ("query", "within"): "所选党组织不存在或不在您的管理范围内。"
    }
    assert ("query", "status") in errors(client.get(f"{BASE}/cases?status=done"))
    assert errors(client.get(f"{BASE}/cases?next_step=26")) == {
        ("query", "next_step"): "不能大于25。"
    }


def test_list_query_count_does_not_grow_with_the_page(login: Any, tree: Tree) -> None:
    for number in range(12):
        person = applicant(tree.b1, name=f"申请{number:02d}")
        actions.open_case(person, applied_on=DAYS[1], acting_user=None)
    client = login("committee")
    client.get(f"{BASE}/cases?limit=1")  # warm up: the first request records the session
    counts = []
    for limit in (3, 12):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/cases?limit={limit}&within={tree.b1.pk}")
        assert len(ok(response)["items"]) == limit
        counts.append(len(queries))
        on_cases = [q["sql"] for q in queries.captured_queries if "recruitment_case" in q["sql"]]
        assert len(on_cases) == 2, on_cases  # the count and the page (people, orgs joined)
    assert counts[0] == counts[1], counts


def test_detail_query_count_does_not_grow_with_the_records(
    login: Any, tree: Tree, helpers: Helpers
) -> None:
    short = walk(applicant(tree.b1, name="短"), through=2, helpers=helpers)
    long = walk(applicant(tree.b1, name="长"), through=14, helpers=helpers)
    client = login("committee")
    client.get(f"{BASE}/cases/{short.pk}")
    counts = []
    for case in (short, long):
        with CaptureQueriesContext(connection) as queries:
            ok(client.get(f"{BASE}/cases/{case.pk}"))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_detail_outside_scope_is_404(login: Any, tree: Tree, cases: dict[str, Case]) -> None:
    response = login("outsider").get(f"{BASE}/cases/{cases['甲'].pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录，或不在您的管理范围内。"}
    assert login("secretary").get(f"{BASE}/cases/abc").status_code == 422


def test_the_member_sees_their_own_case(login: Any, cases: dict[str, Case]) -> None:
    Person.objects.filter(pk=cases["乙"].person_id).update(user=User.objects.get(username="member"))
    client = login("member")
    assert listed(client) == ["乙"]
    assert ok(client.get(f"{BASE}/cases/{cases['乙'].pk}"))["person"]["name"] == "乙"
    body = step_body(5, helpers_for(cases["乙"].organization, serial=930))
    assert send(client, f"{BASE}/cases/{cases['乙'].pk}/steps/5", body).status_code == 403
    assert StepRecord.objects.filter(case=cases["乙"], step=5).count() == 0


# --- catalogue --------------------------------------------------------------------------------


def test_the_steps_catalogue(login: Any, tree: Tree) -> None:
    steps = ok(login("member").get(f"{BASE}/steps"))
    assert [s["number"] for s in steps] == list(range(1, 26))
    vote = steps[14]
    assert (vote["code"], vote["label"], vote["date_label"]) == (
        "admission_vote",
        "支部大会讨论接收预备党员",
        "会议日期",
    )
    assert [f["name"] for f in vote["fields"]][:2] == ["should_attend", "present"]
    assert vote["fields"][0] == {
        "name": "should_attend",
        "label": "应到有表决权党员",
        "kind": "int",
        "required": True,
        "choices": [],
        "at_least": 1,
        "at_most": None,
        "help": "",
    }
    activist = steps[2]
    assert activist["fields"][0]["choices"][1] == {"code": "league", "label": "团组织推优"}
    assert steps[3]["review"] == "committee"
    assert steps[5]["repeatable"] is True
    assert login("norole").get(f"{BASE}/steps").status_code == 403


def test_openapi_document_lists_the_operations(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    ours = {
        (method.upper(), path): op
        for path, ops in schema["paths"].items()
        if path.startswith(BASE)
        for method, op in ops.items()
    }
    assert set(ours) == {
        ("GET", f"{BASE}/steps"),
        ("GET", f"{BASE}/cases"),
        ("POST", f"{BASE}/cases"),
        ("GET", f"{BASE}/cases/{{case_id}}"),
        ("POST", f"{BASE}/cases/{{case_id}}/steps/{{number}}"),
        ("POST", f"{BASE}/cases/{{case_id}}/cancel"),
        ("POST", f"{BASE}/records/{{record_id}}/review"),
    }
    assert {tag for op in ours.values() for tag in op["tags"]} == {"发展党员"}
