"""The tasks API: plans, tasks and reports, problems, responsibility lists — success paths,
refusals as Chinese 422s with nothing written, 404 outside scope (also for ids in bodies),
403 for the side that may not act, and bounded query counts (permissions of every operation:
api_endpoints_*.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.choices import ProblemStatus, TaskStatus
from dangjian.tasks.models import (
    ListItem,
    Plan,
    Problem,
    ProblemFile,
    ReportFile,
    ResponsibilityList,
    Task,
    TaskReport,
)
from dangjian.tasks.testing import PDF, accept, close, evidence, make_plan, make_problem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks"
EVIDENCE = {"name": "佐证材料.pdf", "content": base64.b64encode(PDF).decode()}


def send(client: Client, method: str, path: str, data: Any = None) -> Any:
    if data is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json() if response.content else None


def errors(response: Any) -> dict[tuple[Any, ...], str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


def plan_body(tree: Tree, **overrides: Any) -> dict[str, Any]:
    return {
        "organization": tree.c1.pk,
        "title": "学习贯彻主题教育实施方案",
        "starts_on": "2023-04-01",
        "ends_on": "2023-12-31",
    } | overrides


def task_body(tree: Tree, **overrides: Any) -> dict[str, Any]:
    return {
        "content": "组织开展专题学习研讨",
        "lead_unit": tree.b1.pk,
        "deadline": "2023-06-30",
        "criterion": "形成研讨记录并报送",
    } | overrides


# --- plans and tasks --------------------------------------------------------------------------


def test_a_plan_is_drafted_broken_into_tasks_issued_and_closed(login, tree):
    committee, secretary = login("committee"), login("secretary")
    plan = ok(send(committee, "post", f"{BASE}/plans", plan_body(tree)), 201)
    assert (plan["status"], plan["status_display"], plan["task_count"]) == ("draft", "草拟", 0)
    assert plan["organization"]["id"] == tree.c1.pk
    url = f"{BASE}/plans/{plan['id']}"
    found = errors(send(committee, "post", f"{url}/issue"))
    assert "还没有任务" in found[("body",)]
    milestones = [{"due": "2023-05-01", "text": "制定方案"}]
    body = task_body(tree, cooperating_units=[tree.b2.pk], milestones=milestones)
    task = ok(send(committee, "post", f"{url}/tasks", body), 201)
    assert (task["number"], task["status"], task["issuer"]["id"]) == ("1", "draft", tree.c1.pk)
    assert [u["id"] for u in task["cooperating_units"]] == [tree.b2.pk]
    assert task["milestones"][0]["text"] == "制定方案"
    issued = ok(send(committee, "post", f"{url}/issue"))
    assert (issued["status"], issued["task_count"]) == ("issued", 1)
    assert [t["status"] for t in ok(committee.get(f"{url}/tasks"))] == ["in_progress"]

    task_url = f"{BASE}/tasks/{task['id']}"
    report = ok(
        send(secretary, "post", f"{task_url}/reports", {"text": "过半", "progress": 50}), 201
    )
    assert (report["result"], report["progress"], report["reported_by"]) == (
        "noted",
        50,
        "secretary",
    )
    claim = {"text": "已完成", "for_acceptance": True, "files": [EVIDENCE]}
    pending = ok(send(secretary, "post", f"{task_url}/reports", claim), 201)
    assert pending["result"] == "pending" and pending["files"][0]["title"] == "佐证材料"
    assert (
        send(
            secretary, "post", f"{BASE}/reports/{pending['id']}/check", {"accept": True}
        ).status_code
        == 403
    )
    checked = ok(send(committee, "post", f"{BASE}/reports/{pending['id']}/check", {"accept": True}))
    assert (checked["result"], checked["checked_by"]) == ("accepted", "committee")
    assert ok(secretary.get(task_url))["status"] == "accepted"
    assert len(ok(secretary.get(f"{task_url}/reports"))) == 2
    closed = ok(send(committee, "post", f"{url}/close"))
    assert (closed["status"], closed["accepted_count"]) == ("closed", 1)


def test_plan_refusals_are_chinese_422s_and_nothing_is_saved(login, tree):
    committee = login("committee")
    found = errors(send(committee, "post", f"{BASE}/plans", plan_body(tree, ends_on="2023-01-01")))
    assert found == {("body", "ends_on"): "结束日期不能早于开始日期。"}
    found = errors(send(committee, "post", f"{BASE}/plans", plan_body(tree, starts_on="明天")))
    assert "日期格式不正确" in found[("body", "starts_on")]
    found = errors(send(committee, "post", f"{BASE}/plans", plan_body(tree, colour="red")))
    assert found == {("body", "colour"): "不支持此字段。"}
    assert not Plan.objects.exists()
    plan = make_plan(tree.c1, [tree.b1], issue=False)
    late = task_body(tree, deadline="2024-01-01")
    found = errors(send(committee, "post", f"{BASE}/plans/{plan.pk}/tasks", late))
    assert found == {("body", "deadline"): "完成时限不能晚于方案结束日期（2023-12-31）。"}
    assert plan.tasks.count() == 1
    found = errors(send(committee, "patch", f"{BASE}/plans/{plan.pk}", {"title": " "}))
    assert found == {("body", "title"): "请填写方案名称。"}
    changed = ok(send(committee, "patch", f"{BASE}/plans/{plan.pk}", {"description": "按季度督办"}))
    assert changed["description"] == "按季度督办" and changed["title"] == plan.title
    ok(send(committee, "delete", f"{BASE}/plans/{plan.pk}"), 204)
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_organizations_named_in_a_body_outside_scope_are_404(login, tree):
    committee = login("committee")
    plan = make_plan(tree.c1, [tree.b1], issue=False)
    outside = task_body(tree, lead_unit=tree.b3.pk)
    assert send(committee, "post", f"{BASE}/plans/{plan.pk}/tasks", outside).status_code == 404
    helpers = task_body(tree, cooperating_units=[tree.c2.pk])
    assert send(committee, "post", f"{BASE}/plans/{plan.pk}/tasks", helpers).status_code == 404
    body = plan_body(tree, organization=tree.c2.pk)
    assert send(committee, "post", f"{BASE}/plans", body).status_code == 404
    assert plan.tasks.count() == 1 and Plan.objects.count() == 1
    assert login("outsider").get(f"{BASE}/plans/{plan.pk}").status_code == 404
    assert login("member").get(f"{BASE}/plans").status_code == 403
    assert Client().get(f"{BASE}/plans").status_code == 401


def test_a_claim_without_evidence_or_with_bad_files_is_refused(login, tree):
    secretary = login("secretary")
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    url = f"{BASE}/tasks/{task.pk}/reports"
    found = errors(send(secretary, "post", url, {"text": "已完成", "for_acceptance": True}))
    assert found == {("body", "files"): "申请验收须上传佐证材料。"}
    fake = {"name": "证明.pdf", "content": base64.b64encode(b"MZ not a pdf").decode()}
    found = errors(
        send(secretary, "post", url, {"text": "完成", "for_acceptance": True, "files": [fake]})
    )
    assert "PDF、JPG或PNG" in found[("body", "file")]
    found = errors(
        send(
            secretary, "post", url, {"text": "完成", "files": [{"name": "a.pdf", "content": "@@"}]}
        )
    )
    assert found == {("body", "files", 0, "content"): "第1个文件的内容不是有效的Base64编码。"}
    found = errors(send(secretary, "post", url, {"text": "x", "progress": 101}))
    assert found == {("body", "progress"): "不能大于100。"}
    assert not TaskReport.objects.exists() and not ReportFile.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_a_return_needs_a_reason(login, tree):
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    report = actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    committee = login("committee")
    url = f"{BASE}/reports/{report.pk}/check"
    found = errors(send(committee, "post", url, {"accept": False}))
    assert found == {("body", "reason"): "退回时请说明理由。"}
    returned = ok(send(committee, "post", url, {"accept": False, "reason": "材料不全"}))
    assert (returned["result"], returned["reason"]) == ("returned", "材料不全")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.RETURNED


def test_the_lead_unit_splits_its_task_and_the_issuer_changes_it(login, tree):
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    secretary = login("secretary")
    url = f"{BASE}/tasks/{task.pk}"
    assert send(secretary, "patch", url, {"responsible": "王书记"}).status_code == 403
    assert (
        send(secretary, "post", f"{url}/split", {"parts": [{"lead_unit": tree.b3.pk}]}).status_code
        == 404
    )
    found = errors(send(secretary, "post", f"{url}/split", {"parts": []}))
    assert found == {("body", "parts"): "请至少选择一个下级单位。"}
    parts = ok(send(secretary, "post", f"{url}/split", {"parts": [{"lead_unit": tree.g1.pk}]}), 201)
    assert [(p["number"], p["parent_id"], p["lead_unit"]["id"]) for p in parts] == [
        ("1.1", task.pk, tree.g1.pk)
    ]
    assert ok(secretary.get(f"{BASE}/tasks/{parts[0]['id']}"))["issuer"]["id"] == tree.b1.pk
    changed = ok(send(login("committee"), "patch", url, {"responsible": "王书记"}))
    assert changed["responsible"] == "王书记" and changed["content"] == task.content


def test_tasks_across_plans_are_filtered(login, tree):
    make_plan(tree.university, [tree.c1, tree.c2])
    plan = make_plan(tree.c1, [tree.b1, tree.b2])
    accept(plan.tasks.get(lead_unit=tree.b2))
    committee = login("committee")
    page = ok(committee.get(f"{BASE}/tasks"))
    assert page["count"] == 3  # C1's task of the university plan and both of C1's plan
    assert ok(committee.get(f"{BASE}/tasks?within={tree.b1.pk}"))["count"] == 1
    overdue = ok(committee.get(f"{BASE}/tasks?overdue=true"))
    assert overdue["count"] == 2 and all(t["days_overdue"] > 0 for t in overdue["items"])
    assert ok(committee.get(f"{BASE}/tasks?status=accepted"))["count"] == 1
    assert ok(committee.get(f"{BASE}/tasks?plan={plan.pk}&deadline_to=2023-06-30"))["count"] == 2
    found = errors(committee.get(f"{BASE}/tasks?within={tree.c2.pk}"))
    assert ("query", "within") in found
    found = errors(committee.get(f"{BASE}/tasks?deadline_from=六月"))
    assert found == {("query", "deadline_from"): "日期格式不正确，应为 YYYY-MM-DD。"}
    univ = login("univ")
    plans = ok(univ.get(f"{BASE}/plans?status=issued&within={tree.c1.pk}"))
    assert [p["id"] for p in plans["items"]] == [plan.pk] and plans["items"][0][
        "accepted_count"
    ] == 1


def test_lists_answer_in_few_queries(login, tree, django_assert_max_num_queries):
    for n in range(6):
        make_plan(tree.c1, [tree.b1, tree.b2], title=f"方案{n}")
        make_problem(tree.c1, tree.b1, description=f"问题{n}")
        actions.save_item(
            actions.create_list(tree.b1, 2020 + n, "task", acting_user=None),
            {"content": "事项"},
            acting_user=None,
        )
    univ = login("univ")
    for path in ("plans", "tasks", "problems", "lists"):
        univ.get(f"{BASE}/{path}")
        with django_assert_max_num_queries(6):
            assert ok(univ.get(f"{BASE}/{path}"))["count"] >= 6


# --- problems ---------------------------------------------------------------------------------


def test_a_problem_goes_round_the_loop(login, tree):
    committee, secretary = login("committee"), login("secretary")
    body = {
        "issuer": tree.c1.pk,
        "unit": tree.b1.pk,
        "year": 2023,
        "source": "self_review",
        "category": "conduct",
        "description": "支部组织生活质量不高",
    }
    problem = ok(send(committee, "post", f"{BASE}/problems", body), 201)
    assert (problem["number"], problem["level"], problem["status"]) == ("1", "unit", "listed")
    url = f"{BASE}/problems/{problem['id']}"
    ledger = {"measures": "每月开展主题党日", "responsible": "李书记", "deadline": "2099-12-31"}
    assert ok(send(secretary, "post", f"{url}/ledger", ledger))["status"] == "rectifying"
    ok(send(secretary, "post", f"{url}/progress", {"note": "已开展两次", "files": [EVIDENCE]}))
    found = errors(send(secretary, "post", f"{url}/submit", {"note": " "}))
    assert found == {("body", "note"): "请说明整改完成情况。"}
    submitted = ok(send(secretary, "post", f"{url}/submit", {"note": "整改到位"}))
    assert submitted["status"] == "submitted" and len(submitted["files"]) == 1
    verdict = {"accept": True, "note": "核验属实"}
    assert send(secretary, "post", f"{url}/verify", verdict).status_code == 403
    closed = ok(send(committee, "post", f"{url}/verify", verdict))
    assert closed["status"] == "closed" and closed["closed_on"] is not None
    steps = [entry["step"] for entry in closed["log"]]
    assert steps == ["listed", "ledger", "progress", "submitted", "closed"]
    found = errors(send(committee, "post", f"{url}/reopen", {"reason": ""}))
    assert found == {("body", "reason"): "请说明重新打开的理由。"}
    reopened = ok(send(committee, "post", f"{url}/reopen", {"reason": "回访发现反弹"}))
    assert (reopened["status"], reopened["reopened_count"]) == ("rectifying", 1)


def test_problem_refusals_and_scope(login, tree):
    committee = login("committee")
    body = {
        "issuer": tree.c1.pk,
        "unit": tree.b1.pk,
        "year": 2023,
        "source": "inspection",
        "category": "theory",
        "description": "学习不深入",
    }
    found = errors(send(committee, "post", f"{BASE}/problems", body | {"source": "rumour"}))
    assert "取值不正确" in found[("body", "source")]
    assert (
        send(committee, "post", f"{BASE}/problems", body | {"unit": tree.b3.pk}).status_code == 404
    )
    assert (
        send(committee, "post", f"{BASE}/problems", body | {"issuer": tree.c2.pk}).status_code
        == 404
    )
    assert not Problem.objects.exists()
    problem = make_problem(tree.c1, tree.b1)
    url = f"{BASE}/problems/{problem.pk}"
    found = errors(send(committee, "post", f"{url}/submit", {"note": "完成", "files": [EVIDENCE]}))
    assert "不能申请销号" in found[("body",)]
    assert not ProblemFile.objects.exists()
    early = {"measures": "整改", "responsible": "李", "deadline": "2000-01-01"}
    assert (
        "不能早于问题列入日期"
        in errors(send(committee, "post", f"{url}/ledger", early))[("body", "deadline")]
    )
    assert login("outsider").get(url).status_code == 404
    assert send(login("secretary"), "delete", url).status_code == 403
    ok(send(committee, "delete", url), 204)
    assert not Problem.objects.exists()


def test_problems_are_filtered(login, tree):
    old = close(make_problem(tree.university, tree.c1, year=2022, description="主题党日形式单一"))
    again = make_problem(tree.university, tree.c1, year=2023, description="主题党日形式单一")
    make_problem(tree.c1, tree.b1, year=2023, source="inspection")
    univ = login("univ")
    recurring = ok(univ.get(f"{BASE}/problems?recurring=true"))
    assert [p["id"] for p in recurring["items"]] == [again.pk]
    assert recurring["items"][0]["recurring_of_id"] == old.pk
    assert ok(univ.get(f"{BASE}/problems?status=closed"))["count"] == 1
    assert ok(univ.get(f"{BASE}/problems?year=2023&source=inspection"))["count"] == 1
    assert ok(univ.get(f"{BASE}/problems?within={tree.b1.pk}"))["count"] == 1
    assert ok(univ.get(f"{BASE}/problems?issuer={tree.university.pk}"))["count"] == 2
    assert ok(login("outsider").get(f"{BASE}/problems"))["count"] == 0
    assert Problem.objects.get(pk=again.pk).status == ProblemStatus.LISTED


# --- responsibility lists ---------------------------------------------------------------------


def test_lists_and_items(login, tree):
    secretary = login("secretary")
    body = {"organization": tree.b1.pk, "year": 2024, "kind": "responsibility"}
    made = ok(send(secretary, "post", f"{BASE}/lists", body), 201)
    assert (made["kind_display"], made["item_count"], made["items"]) == ("主体责任清单", 0, [])
    found = errors(send(secretary, "post", f"{BASE}/lists", body))
    assert found == {("body", "kind"): "文学院教工第一党支部2024年的主体责任清单已经建立。"}
    url = f"{BASE}/lists/{made['id']}"
    item = ok(
        send(secretary, "post", f"{url}/items", {"content": "落实三会一课", "owner": "书记"}), 201
    )
    assert (item["position"], item["status"], item["list_id"]) == (1, "planned", made["id"])
    found = errors(send(secretary, "post", f"{url}/items", {"content": "  "}))
    assert found == {("body", "content"): "请填写内容。"}
    found = errors(
        send(secretary, "patch", f"{BASE}/list-items/{item['id']}", {"status": "finished"})
    )
    assert "取值不正确" in found[("body", "status")]
    done = ok(send(secretary, "patch", f"{BASE}/list-items/{item['id']}", {"status": "done"}))
    assert done["status_display"] == "已完成" and done["content"] == "落实三会一课"
    detail = ok(secretary.get(url))
    assert (detail["item_count"], detail["done_count"]) == (1, 1)
    copied = ok(
        send(
            secretary,
            "post",
            f"{BASE}/lists/copy",
            {"organization": tree.b1.pk, "from_year": 2024, "to_year": 2025},
        ),
        201,
    )
    assert [(c["year"], c["planned_count"]) for c in copied["created"]] == [(2025, 1)]
    found = errors(
        send(
            secretary,
            "post",
            f"{BASE}/lists/copy",
            {"organization": tree.b1.pk, "from_year": 2024, "to_year": 2025},
        )
    )
    assert found == {("body", "to_year"): "2025年的这些清单均已建立，无需沿用。"}
    assert ok(secretary.get(f"{BASE}/lists?year=2025"))["count"] == 1
    ok(send(secretary, "delete", f"{BASE}/list-items/{item['id']}"), 204)
    ok(send(secretary, "delete", url), 204)
    assert ResponsibilityList.objects.count() == 1 and ListItem.objects.count() == 1


def test_lists_outside_scope(login, tree):
    duty_list = actions.create_list(tree.b1, 2024, "task", acting_user=None)
    outsider = login("outsider")
    assert outsider.get(f"{BASE}/lists/{duty_list.pk}").status_code == 404
    body = {"organization": tree.b1.pk, "year": 2024, "kind": "institution"}
    assert send(outsider, "post", f"{BASE}/lists", body).status_code == 404
    assert send(login("member"), "post", f"{BASE}/lists", body).status_code == 403
    assert ResponsibilityList.objects.count() == 1
