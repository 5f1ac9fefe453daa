"""Daily reminders of tasks and problems: due within the rule's days and overdue (to the lead
unit), claims waiting more than three days (to the issuer), problems past their rectification
deadline (to the responsible unit); boundary days, once a day, nothing for drafts, claims or
finished work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core import reminders, rules
from dangjian.core.models import Notification, RuleSetting
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.models import Task, TaskReport
from dangjian.tasks.testing import accept, evidence, make_plan, make_problem

pytestmark = pytest.mark.django_db
DUE = date(2023, 6, 30)  # task_data's deadline


def run(day: date, capture: Any, kind: str = "") -> list[tuple[str, str, str, str]]:
    """The tasks notifications of one run: (recipient, title, body, url)."""
    start = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with capture(execute=True):
        reminders.run(day)
    return list(
        Notification.objects.filter(id__gt=start, key__startswith=f"tasks.{kind}")
        .order_by("recipient__username", "id")
        .values_list("recipient__username", "title", "body", "url")
    )


def claim(task: Task, on: date) -> TaskReport:
    report = actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    moment = timezone.make_aware(datetime.combine(on, time(16)))
    TaskReport.objects.filter(pk=report.pk).update(reported_at=moment)
    return report


def test_a_task_due_soon_then_overdue_reminds_once_a_day(
    tree: Tree, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    task = make_plan(tree.university, [tree.c1]).tasks.get()
    url = f"/tasks/tasks/{task.pk}/"
    assert run(DUE - timedelta(days=8), capture) == []
    first = run(DUE - timedelta(days=7), capture)
    assert first == [
        (
            "committee",
            "任务即将到期：1 组织开展专题学习研讨",
            "完成时限：2023-06-30，还有7天。",
            url,
        )
    ]
    assert run(DUE - timedelta(days=7), capture) == []  # not twice a day
    assert run(DUE, capture)[0][2] == "完成时限：2023-06-30，还有0天。"
    late = run(DUE + timedelta(days=1), capture)
    assert late == [
        (
            "committee",
            "任务已逾期：1 组织开展专题学习研讨",
            "完成时限：2023-06-30，已逾期1天。",
            url,
        )
    ]
    assert run(DUE + timedelta(days=1), capture) == []
    assert run(DUE + timedelta(days=2), capture, "overdue")[0][2].endswith("已逾期2天。")


def test_the_lead_follows_the_rule(
    tree: Tree, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    RuleSetting.objects.update_or_create(
        code="tasks.remind_before_days", applies_to="", defaults={"value": 2}
    )
    rules.invalidate()
    make_plan(tree.university, [tree.c1])
    capture = django_capture_on_commit_callbacks
    assert run(DUE - timedelta(days=3), capture) == []
    assert len(run(DUE - timedelta(days=2), capture, "due")) == 1


def test_drafts_claims_and_accepted_tasks_are_not_reminded_to_the_lead_unit(
    tree: Tree, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_plan(tree.university, [tree.c1], issue=False)
    plan = make_plan(tree.university, [tree.c1, tree.c2])
    first, second = plan.tasks.order_by("number")
    accept(first)
    claim(second, DUE)
    capture = django_capture_on_commit_callbacks
    assert run(DUE - timedelta(days=1), capture, "due") == []
    assert run(DUE + timedelta(days=3), capture, "overdue") == []


def test_a_claim_waiting_more_than_three_days_reminds_the_issuer(
    tree: Tree, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    task = make_plan(tree.university, [tree.c1]).tasks.get()
    part = actions.split_task(task, [{"lead_unit": tree.b1.pk}], acting_user=None)[0]
    waiting = claim(part, date(2023, 6, 10))
    assert run(date(2023, 6, 13), capture, "claim") == []  # three days: not yet
    sent = run(date(2023, 6, 14), capture, "claim")
    assert sent == [
        (
            "committee",  # C1 split the task: it checks the part
            "任务待验收：1.1 组织开展专题学习研讨",
            "验收申请已等待4天，请及时审核。",
            f"/tasks/tasks/{part.pk}/",
        )
    ]
    assert run(date(2023, 6, 14), capture, "claim") == []
    actions.check_report(waiting, True, acting_user=None)
    claim(Task.objects.get(pk=task.pk), date(2023, 6, 10))
    # The university committee has no secretary nor committee staff: its staff check.
    assert [row[0] for row in run(date(2023, 6, 15), capture, "claim")] == ["univ"]


def test_a_problem_past_its_deadline_reminds_the_unit_daily(
    tree: Tree, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    problem = make_problem(tree.c1, tree.b1, description="党员教育管理不够严格")
    deadline = problem.listed_on + timedelta(days=10)
    ledger = {"measures": "制定整改方案", "responsible": "李书记", "deadline": deadline}
    actions.open_ledger(problem, ledger, acting_user=None)
    untouched = make_problem(tree.c1, tree.b2, description="学生党员发展质量有待提高")
    assert untouched.deadline is None
    assert run(deadline, capture, "problem") == []
    sent = run(deadline + timedelta(days=1), capture, "problem")
    assert sent == [
        (
            "secretary",
            "整改已逾期：党员教育管理不够严格",
            f"整改时限：{deadline.isoformat()}，已逾期1天。",
            f"/tasks/problems/{problem.pk}/",
        )
    ]
    assert run(deadline + timedelta(days=1), capture, "problem") == []
    assert len(run(deadline + timedelta(days=2), capture, "problem")) == 1
    actions.submit_closure(problem, "已整改", [evidence()], acting_user=None)
    assert run(deadline + timedelta(days=3), capture, "problem") == []
