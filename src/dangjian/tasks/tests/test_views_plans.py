"""The plan and task pages: list with counts, filters and export, the plan and task forms
with their refusals, a plan's page and board, the task page with report (files), check and
return, split and milestones, the tasks across plans (overdue) and my worklist
(permissions per persona: core/tests/test_permission_matrix)."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.choices import PlanStatus, ReportResult, TaskStatus
from dangjian.tasks.models import Milestone, Plan, ReportFile, Task, TaskReport
from dangjian.tasks.testing import accept, evidence, make_plan, task_data

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return response.content.decode()


def _workbook(response: Any) -> Any:
    assert "spreadsheetml" in response["Content-Type"]
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def _claim(task: Task, user: Any = None) -> TaskReport:
    return actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=user
    )


# The plan list --------------------------------------------------------------------------------


def test_list_counts_tasks_filters_and_exports(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    issued = make_plan(tree.c1, [tree.b1, tree.b2], title="主题教育实施方案")
    accept(issued.tasks.first())
    make_plan(tree.c2, [tree.b3], issue=False, title="数学学院调研方案")
    for n in range(6):
        make_plan(tree.university, [tree.c1, tree.c2], title=f"校级方案{n}")
    client = login("univ")
    with django_assert_max_num_queries(14):
        response = client.get("/tasks/plans/")
    text = _text(response)
    assert "主题教育实施方案" in text and "已下发" in text and "草拟" in text
    row = next(p for p in response.context["object_list"] if p.pk == issued.pk)
    assert (row.task_n, row.accepted_n, row.overdue_n, row.percent) == (2, 1, 1, 50)
    text = _text(client.get(f"/tasks/plans/?status=draft&within={tree.c2.pk}"))
    assert "数学学院调研方案" in text and "主题教育实施方案" not in text
    assert "主题教育" in _text(client.get("/tasks/plans/?q=主题教育实施"))
    sheet = _workbook(client.get("/tasks/plans/?export=xlsx&q=主题教育实施"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("方案名称", "印发单位")
    assert rows[1][0] == "主题教育实施方案" and rows[1][6:9] == (2, 1, 1)


def test_list_shows_only_plans_in_scope(tree: Tree, login: Any) -> None:
    make_plan(tree.c1, [tree.b1], title="文学院方案")
    assert "文学院方案" not in _text(login("outsider").get("/tasks/plans/"))
    assert "文学院方案" in _text(login("committee").get("/tasks/plans/"))
    assert login("member").get("/tasks/plans/").status_code == 403


# The plan form --------------------------------------------------------------------------------


def _plan_form(tree: Tree, **extra: str) -> dict[str, str]:
    return {
        "organization": str(tree.c1.pk),
        "title": "党纪学习教育实施方案",
        "source_document": "校党委〔2024〕5号",
        "starts_on": "2024-04-01",
        "ends_on": "2024-07-31",
    } | extra


def test_plan_is_created_and_changed_through_the_form(tree: Tree, login: Any) -> None:
    client = login("committee")
    response = client.post("/tasks/plans/add/", _plan_form(tree))
    plan = Plan.objects.get()
    assert response["Location"] == f"/tasks/plans/{plan.pk}/"
    assert plan.organization == tree.c1 and plan.status == PlanStatus.DRAFT
    assert plan.source_document == "校党委〔2024〕5号"
    page = _text(client.get(f"/tasks/plans/{plan.pk}/edit/"))
    assert 'value="2024-04-01"' in page
    response = client.post(f"/tasks/plans/{plan.pk}/edit/", _plan_form(tree, title="改后的名称"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "改后的名称"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ends_on": "2024-03-01"}, "ends_on", "结束日期不能早于开始日期"),
        ({"title": ""}, "title", "请填写方案名称"),
        ({"starts_on": "2024-13-01"}, "starts_on", "日期"),
        ({"organization": "999999"}, "organization", "管理范围内"),
    ],
)
def test_bad_plan_input_is_refused_on_its_field(
    tree: Tree, login: Any, change: dict[str, str], field: str, message: str
) -> None:
    response = login("committee").post("/tasks/plans/add/", _plan_form(tree, **change))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not Plan.objects.exists()


def test_the_add_form_offers_only_organizations_in_scope(tree: Tree, login: Any) -> None:
    response = login("secretary").post("/tasks/plans/add/", _plan_form(tree))
    assert "管理范围内" in " ".join(response.context["form"].errors["organization"])
    assert not Plan.objects.exists()


# The task form --------------------------------------------------------------------------------


def _task_form(tree: Tree, **extra: Any) -> dict[str, Any]:
    return {
        "content": "组织开展专题学习研讨",
        "criterion": "形成研讨记录并报送",
        "lead_unit": str(tree.b1.pk),
        "cooperating_units": [str(tree.b2.pk)],
        "responsible": "张书记",
        "deadline": "2023-06-30",
        "milestone_due": ["2023-05-01", "", ""],
        "milestone_text": ["制定方案", "", ""],
    } | extra


def test_task_is_added_with_cooperating_units_and_milestones(tree: Tree, login: Any) -> None:
    plan = make_plan(tree.c1, [], issue=False)
    client = login("committee")
    page = _text(client.get(f"/tasks/plans/{plan.pk}/tasks/add/"))
    assert tree.b1.name in page and tree.b3.name not in page  # within the issuer's subtree
    response = client.post(f"/tasks/plans/{plan.pk}/tasks/add/", _task_form(tree))
    assert response["Location"] == f"/tasks/plans/{plan.pk}/"
    task = Task.objects.get()
    assert (task.number, task.lead_unit, task.status) == ("1", tree.b1, TaskStatus.DRAFT)
    assert list(task.cooperating_units.all()) == [tree.b2]
    assert list(task.milestones.values_list("text", flat=True)) == ["制定方案"]
    page = _text(client.get(f"/tasks/tasks/{task.pk}/edit/"))
    assert 'value="制定方案"' in page and 'value="2023-06-30"' in page
    client.post(
        f"/tasks/tasks/{task.pk}/edit/",
        _task_form(tree, milestone_due=["", ""], milestone_text=["", ""], responsible="李书记"),
    )
    task.refresh_from_db()
    assert task.responsible == "李书记" and not task.milestones.exists()


def test_a_bad_deadline_is_shown_on_the_form_and_nothing_saved(tree: Tree, login: Any) -> None:
    plan = make_plan(tree.c1, [], issue=False)
    response = login("committee").post(
        f"/tasks/plans/{plan.pk}/tasks/add/", _task_form(tree, deadline="2023-03-01")
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["deadline"])
    assert "完成时限不能早于方案开始日期" in errors
    assert "完成时限不能早于方案开始日期" in _text(response)
    assert not Task.objects.exists() and not Milestone.objects.exists()


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"lead_unit": "999999"}, "lead_unit", "下级范围内"),
        ({"content": "", "criterion": ""}, "criterion", "请填写验收标准"),
        (
            {"milestone_due": ["2023-01-01"], "milestone_text": ["太早"]},
            "milestone_error",
            "方案开始日期与任务完成时限之间",
        ),
    ],
)
def test_bad_task_input_is_refused(
    tree: Tree, login: Any, change: dict[str, Any], where: str, message: str
) -> None:
    plan = make_plan(tree.c1, [], issue=False)
    response = login("committee").post(
        f"/tasks/plans/{plan.pk}/tasks/add/", _task_form(tree, **change)
    )
    assert response.status_code == 200
    if where == "milestone_error":
        assert message in response.context["milestone_error"]
    else:
        assert message in " ".join(response.context["form"].errors[where])
    assert not Task.objects.exists()


def test_only_the_issuer_edits_or_deletes_a_task(tree: Tree, login: Any) -> None:
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    assert login("secretary").get(f"/tasks/tasks/{task.pk}/edit/").status_code == 403
    assert login("secretary").post(f"/tasks/tasks/{task.pk}/delete/").status_code == 403
    assert login("outsider").post(f"/tasks/tasks/{task.pk}/delete/").status_code == 404
    assert "确定删除任务1" in _text(login("committee").get(f"/tasks/tasks/{task.pk}/delete/"))
    assert login("committee").post(f"/tasks/tasks/{task.pk}/delete/").status_code == 302
    assert not Task.objects.exists()


# A plan's page and board ----------------------------------------------------------------------


def test_plan_page_shows_tasks_and_the_buttons_allowed(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    plan = make_plan(tree.c1, [tree.b1, tree.b2], issue=False)
    for _n in range(6):
        actions.save_task(
            plan, task_data(tree.b2, cooperating_units=[tree.b1.pk]), acting_user=None
        )
    client = login("committee")
    with django_assert_max_num_queries(14):
        response = client.get(f"/tasks/plans/{plan.pk}/")
    text = _text(response)
    assert "下发方案" in text and "添加任务" in text and "删除" in text
    assert text.count("组织开展专题学习研讨") == 8 and tree.b2.name in text
    # The lead unit does not see a draft; once issued it sees its own task, no buttons.
    assert login("secretary").get(f"/tasks/plans/{plan.pk}/").status_code == 404
    actions.issue_plan(plan, acting_user=None)
    response = login("secretary").get(f"/tasks/plans/{plan.pk}/")
    text = _text(response)
    assert len(response.context["rows"]) == 1 and "下发方案" not in text and "修改" not in text
    assert "仅列出本单位的任务" in text
    assert "逾期" in _text(client.get(f"/tasks/plans/{plan.pk}/"))  # 2023 deadlines
    assert login("outsider").get(f"/tasks/plans/{plan.pk}/").status_code == 404
    assert login("member").get(f"/tasks/plans/{plan.pk}/").status_code == 403


def test_issue_close_and_delete(tree: Tree, login: Any) -> None:
    client = login("committee")
    empty = make_plan(tree.c1, [], issue=False)
    response = client.post(f"/tasks/plans/{empty.pk}/issue/", follow=True)
    assert "还没有任务" in _text(response)
    plan = make_plan(tree.c1, [tree.b1], issue=False)
    client.post(f"/tasks/plans/{plan.pk}/issue/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ISSUED
    assert "未通过验收" in _text(client.post(f"/tasks/plans/{plan.pk}/close/", follow=True))
    accept(plan.tasks.get())
    client.post(f"/tasks/plans/{plan.pk}/close/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert "确定删除" in _text(client.get(f"/tasks/plans/{empty.pk}/delete/"))
    assert client.post(f"/tasks/plans/{empty.pk}/delete/")["Location"] == "/tasks/plans/"
    assert not Plan.objects.filter(pk=empty.pk).exists()
    assert login("secretary").post(f"/tasks/plans/{plan.pk}/close/").status_code == 403


def test_board_counts_by_lead_unit(tree: Tree, login: Any) -> None:
    plan = make_plan(tree.university, [tree.c1, tree.c1, tree.c2])
    first, _second, third = plan.tasks.order_by("position")
    accept(first)
    _claim(third)
    actions.report_progress(_second, {"text": "推进中", "progress": 40}, acting_user=None)
    response = login("univ").get(f"/tasks/plans/{plan.pk}/board/")
    rows = {row["unit"]: row for row in response.context["rows"]}
    c1, c2 = rows[tree.c1.name], rows[tree.c2.name]
    assert (c1["total"], c1["accepted"], c1["in_progress"], c1["overdue"], c1["mean"]) == (
        2,
        1,
        1,
        1,
        70,
    )
    assert (c2["total"], c2["submitted"], c2["overdue"]) == (1, 1, 1)
    assert 'id="board-chart"' in _text(response)
    assert response.context["chart"]["units"] == [tree.c1.name, tree.c2.name]


# The task page: report, check, return, milestone, split ---------------------------------------


def test_the_lead_unit_reports_with_files(tree: Tree, login: Any) -> None:
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    client = login("secretary")
    page = _text(client.get(f"/tasks/tasks/{task.pk}/"))
    assert "验收标准" in page and "报送进展" in page and "通过验收" not in page
    response = client.post(
        f"/tasks/tasks/{task.pk}/report/",
        {
            "text": "已开展两次学习",
            "progress": "40",
            "evidence": [evidence("记录一.pdf"), evidence()],
        },
    )
    assert response["Location"] == f"/tasks/tasks/{task.pk}/"
    report = TaskReport.objects.get()
    assert report.progress == 40 and report.files.count() == 2
    task.refresh_from_db()
    assert task.progress == 40
    page = _text(client.get(f"/tasks/tasks/{task.pk}/"))
    stored = ReportFile.objects.get(title="记录一")
    assert f"/tasks/report-files/{stored.pk}/" in page and "已开展两次学习" in page
    download = client.get(f"/tasks/report-files/{stored.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert login("outsider").get(f"/tasks/report-files/{stored.pk}/").status_code == 404


def test_bad_reports_are_refused_with_nothing_saved(tree: Tree, login: Any) -> None:
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    client = login("secretary")
    url = f"/tasks/tasks/{task.pk}/report/"
    response = client.post(url, {"text": "", "progress": "140"})
    assert response.status_code == 200
    errors = response.context["report_form"].errors
    assert "请填写进展情况" in errors["text"][0] and "0至100" in errors["progress"][0]
    response = client.post(url, {"text": "完成", "for_acceptance": "on"})
    assert "申请验收须上传佐证材料" in response.context["report_form"].errors["evidence"][0]
    text_file = SimpleUploadedFile("说明.txt", b"plain text", content_type="text/plain")
    response = client.post(
        url, {"text": "完成", "progress": "10", "evidence": [evidence(), text_file]}
    )
    assert "PDF、JPG或PNG" in response.context["report_form"].errors["evidence"][0]
    assert not TaskReport.objects.exists() and not ReportFile.objects.exists()


def test_reporting_on_another_units_task_is_refused(tree: Tree, login: Any) -> None:
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    data = {"text": "越权报送", "progress": "50"}
    assert login("outsider").post(f"/tasks/tasks/{task.pk}/report/", data).status_code == 404
    assert login("member").post(f"/tasks/tasks/{task.pk}/report/", data).status_code == 403
    assert not TaskReport.objects.exists()


def test_claim_is_returned_with_a_reason_then_accepted(tree: Tree, login: Any) -> None:
    task = make_plan(tree.c1, [tree.b1]).tasks.get()
    secretary, committee = login("secretary"), login("committee")
    secretary.post(
        f"/tasks/tasks/{task.pk}/report/",
        {"text": "已完成全部学习", "for_acceptance": "on", "evidence": evidence()},
    )
    claim = TaskReport.objects.get()
    assert claim.result == ReportResult.PENDING
    page = _text(committee.get(f"/tasks/tasks/{task.pk}/"))
    assert "验收审核" in page and "报送进展" not in page.split("进展报告")[0][-200:]
    assert "通过验收" not in _text(secretary.get(f"/tasks/tasks/{task.pk}/")).split("task-facts")[0]
    url = f"/tasks/reports/{claim.pk}/check/"
    assert secretary.post(url, {"op": "accept"}).status_code == 403
    response = committee.post(url, {"op": "return", "reason": " "})
    assert response.status_code == 200
    assert "退回时请说明理由" in response.context["check_form"].errors["reason"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED
    committee.post(url, {"op": "return", "reason": "缺少研讨记录"})
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED
    page = _text(secretary.get(f"/tasks/tasks/{task.pk}/"))
    assert "缺少研讨记录" in page and "已被退回" in page
    secretary.post(
        f"/tasks/tasks/{task.pk}/report/",
        {"text": "已补充研讨记录", "for_acceptance": "on", "evidence": evidence()},
    )
    second = TaskReport.objects.get(result=ReportResult.PENDING)
    committee.post(f"/tasks/reports/{second.pk}/check/", {"op": "accept"})
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and task.progress == 100


def test_milestone_is_reached_by_the_lead_unit(tree: Tree, login: Any) -> None:
    plan = make_plan(tree.c1, [tree.b1], issue=False)
    task = plan.tasks.get()
    actions.save_task(
        plan, {"milestones": [{"due": "2023-05-01", "text": "制定方案"}]}, task, acting_user=None
    )
    actions.issue_plan(plan, acting_user=None)
    step = Milestone.objects.get()
    assert f"/tasks/milestones/{step.pk}/reach/" in _text(
        login("secretary").get(f"/tasks/tasks/{task.pk}/")
    )
    assert login("outsider").post(f"/tasks/milestones/{step.pk}/reach/").status_code == 404
    login("secretary").post(f"/tasks/milestones/{step.pk}/reach/")
    step.refresh_from_db()
    assert step.reached_on is not None


def test_the_lead_unit_splits_its_task(tree: Tree, login: Any) -> None:
    task = make_plan(tree.university, [tree.c1]).tasks.get()
    client = login("committee")
    page = _text(client.get(f"/tasks/tasks/{task.pk}/split/"))
    assert tree.b1.name in page and tree.b2.name in page and tree.b3.name not in page
    response = client.post(
        f"/tasks/tasks/{task.pk}/split/", {"units": [], f"deadline_{tree.b1.pk}": ""}
    )
    assert "请至少选择一个下级单位" in _text(response)
    response = client.post(
        f"/tasks/tasks/{task.pk}/split/",
        {"units": [str(tree.b1.pk)], f"deadline_{tree.b1.pk}": "2024-06-01"},
    )
    assert "不能晚于" in _text(response) and not task.children.exists()
    client.post(
        f"/tasks/tasks/{task.pk}/split/",
        {"units": [str(tree.b1.pk), str(tree.b2.pk)], f"deadline_{tree.b1.pk}": "2023-06-01"},
    )
    parts = list(task.children.order_by("number"))
    assert [p.number for p in parts] == ["1.1", "1.2"]
    assert parts[0].deadline == date(2023, 6, 1) and parts[1].deadline == task.deadline
    page = _text(client.get(f"/tasks/tasks/{task.pk}/"))
    assert "子任务" in page and "1.2" in page
    # B1 sees its sub-task; the issuer of it is C1.
    text = _text(login("secretary").get(f"/tasks/tasks/{parts[0].pk}/"))
    assert tree.c1.name in text and "报送进展" in text


# Tasks across plans and my worklist -----------------------------------------------------------


def test_overdue_tasks_are_sorted_most_late_first_and_exported(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    plan = make_plan(tree.university, [], issue=False)
    for day, unit in ((date(2023, 9, 1), tree.c2), (date(2023, 5, 1), tree.c1)):
        actions.save_task(
            plan, task_data(unit, deadline=day, cooperating_units=[tree.b1.pk]), acting_user=None
        )
    for _n in range(6):
        actions.save_task(plan, task_data(tree.c1, deadline=date(2023, 12, 31)), acting_user=None)
    actions.issue_plan(plan, acting_user=None)
    accept(plan.tasks.get(number="8"))
    client = login("univ")
    with django_assert_max_num_queries(16):
        response = client.get("/tasks/tasks/?overdue=1")
    rows = list(response.context["object_list"])
    assert [t.number for t in rows[:2]] == ["2", "1"] and len(rows) == 7
    assert rows[0].overdue_days > rows[1].overdue_days > 0
    text = _text(response)
    assert "逾期天数" in text and f"{rows[0].overdue_days} 天" in text
    assert tree.b1.name in text  # cooperating unit
    within = client.get(f"/tasks/tasks/?overdue=1&within={tree.c2.pk}")
    assert [t.number for t in within.context["object_list"]] == ["1"]
    sheet = _workbook(client.get("/tasks/tasks/?overdue=1&export=xlsx"))
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "编号" and values[1][1] == "2" and values[1][4] == tree.b1.name
    assert values[1][10] == rows[0].overdue_days and len(values) == 8


def test_task_list_filters_plan_status_dates_and_top(tree: Tree, login: Any) -> None:
    plan = make_plan(tree.university, [tree.c1, tree.c2])
    other = make_plan(tree.c1, [tree.b1], title="另一方案")
    actions.split_task(
        plan.tasks.get(lead_unit=tree.c1), [{"lead_unit": tree.b1.pk}], acting_user=None
    )
    make_plan(tree.c1, [tree.b2], issue=False, title="草拟方案")
    client = login("univ")

    def numbers(query: str) -> list[str]:
        return sorted(t.number for t in client.get(f"/tasks/tasks/?{query}").context["object_list"])

    assert numbers("") == ["1", "1", "1.1", "2"]  # drafts left out
    assert numbers(f"plan={other.pk}") == ["1"]
    assert numbers(f"plan={plan.pk}&top=1") == ["1", "2"]
    assert numbers("status=draft") == ["1"]
    assert numbers("deadline_from=2023-07-01") == []
    assert "请选择实施方案" in _text(client.get("/tasks/tasks/?plan=999999"))
    assert login("secretary").get("/tasks/tasks/").context["paginator"].count == 2


def test_my_tasks_groups_the_worklist(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    plan = make_plan(tree.c1, [tree.b1, tree.b1, tree.b1])
    first, second, third = plan.tasks.order_by("position")
    _claim(second)
    _claim(third)
    actions.check_report(third.reports.get(), False, "材料不全", acting_user=None)
    secretary = login("secretary")
    with django_assert_max_num_queries(12):
        response = secretary.get("/tasks/my/")
    groups = {key: rows for key, _label, rows, _hint in response.context["groups"]}
    assert {t.pk for t in groups["todo"]} == {first.pk, third.pk}
    assert [t.pk for t in groups["waiting"]] == [second.pk]
    assert response.context["claims"] == []
    response = login("committee").get("/tasks/my/")
    assert [r.task_id for r in response.context["claims"]] == [second.pk]
    assert "待我审核的验收申请" in _text(response)
    assert login("member").get("/tasks/my/").status_code == 403
