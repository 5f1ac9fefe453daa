"""Helpers for tests of plans and problems: a plan with tasks, a problem, an evidence file."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.orgs.models import Organization
from dangjian.tasks import actions
from dangjian.tasks.models import Plan, Problem, Task

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def evidence(name: str = "佐证材料.pdf") -> SimpleUploadedFile:
    """A small valid PDF upload."""
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def plan_data(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "学习贯彻主题教育实施方案",
        "source_document": "中央主题教育工作领导小组通知",
        "starts_on": date(2023, 4, 1),
        "ends_on": date(2023, 12, 31),
        "description": "",
    } | overrides


def task_data(lead_unit: Organization, **overrides: Any) -> dict[str, Any]:
    return {
        "content": "组织开展专题学习研讨",
        "lead_unit": lead_unit.pk,
        "deadline": date(2023, 6, 30),
        "criterion": "形成研讨记录并报送",
        "responsible": "张书记",
    } | overrides


def make_plan(
    organization: Organization, lead_units: list[Organization], *, issue: bool = True, **data: Any
) -> Plan:
    """A plan of `organization` with one task per lead unit, issued unless `issue` is False."""
    plan = actions.create_plan(organization, plan_data(**data), acting_user=None)
    for unit in lead_units:
        actions.save_task(plan, task_data(unit), acting_user=None)
    if issue:
        actions.issue_plan(plan, acting_user=None)
    plan.refresh_from_db()
    return plan


def accept(task: Task, *, reporter: Any = None, checker: Any = None) -> Task:
    """Report a task done with evidence and accept it."""
    report = actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=reporter
    )
    actions.check_report(report, True, acting_user=checker)
    task.refresh_from_db()
    return task


def make_problem(issuer: Organization, unit: Organization, **data: Any) -> Problem:
    values = {
        "year": 2023,
        "source": "investigation",
        "category": "organization",
        "description": "支部组织生活质量不高，主题党日形式单一",
        "unit": unit.pk,
    } | data
    return actions.list_problem(issuer, values, acting_user=None)


def close(problem: Problem) -> Problem:
    """Run a problem through the whole loop to close-out."""
    actions.open_ledger(
        problem,
        {"measures": "制定整改方案", "responsible": "李书记", "deadline": problem.listed_on},
        acting_user=None,
    )
    actions.submit_closure(problem, "已整改到位", [evidence()], acting_user=None)
    actions.verify(problem, True, "核验属实，同意销号", acting_user=None)
    problem.refresh_from_db()
    return problem
