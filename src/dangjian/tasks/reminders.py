"""Daily reminders of plans and problems (through core.reminders, at most once a day each):
tasks of issued plans due within `tasks.remind_before_days` days and tasks past their deadline
(to the lead unit), claims for acceptance waiting for the issuer's check for more than
CLAIM_WAIT_DAYS days (to the issuer), problems in rectification past their deadline (to the
responsible unit).

A task waiting for acceptance is the issuer's turn, not the lead unit's: it is not reminded as
due or overdue, but as a claim to check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core import reminders, rules
from dangjian.orgs.models import Organization
from dangjian.tasks.actions.common import handlers
from dangjian.tasks.choices import PlanStatus, ProblemStatus, ReportResult, TaskStatus
from dangjian.tasks.models import Problem, Task, TaskReport

CLAIM_WAIT_DAYS = 3
WORKING = (TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)  # the lead unit's turn


def _cached(find: Callable[[Organization], list[Any]]) -> Callable[[Organization], tuple[Any, ...]]:
    """`find` remembered per organization for one run (many tasks share a lead unit)."""
    known: dict[int, tuple[Any, ...]] = {}

    def get(org: Organization) -> tuple[Any, ...]:
        if org.pk not in known:
            known[org.pk] = tuple(find(org))
        return known[org.pk]

    return get


def _task_url(task: Task) -> str:
    return f"/tasks/tasks/{task.pk}/"


def _working_tasks() -> Any:
    return Task.objects.filter(plan__status=PlanStatus.ISSUED, status__in=WORKING).select_related(
        "lead_unit"
    )


def due_tasks(day: date) -> Iterator[reminders.Reminder]:
    """Tasks being worked on whose deadline is today or within the rule's days."""
    lead = int(rules.value("tasks.remind_before_days"))
    who = _cached(handlers)
    soon = _working_tasks().filter(deadline__gte=day, deadline__lte=day + timedelta(days=lead))
    for task in soon.order_by("deadline", "pk"):
        days = (task.deadline - day).days
        yield reminders.Reminder(
            key=f"tasks.due:{task.pk}",
            recipients=who(task.lead_unit),
            title=gettext("任务即将到期：%(number)s %(task)s")
            % {"number": task.number, "task": task.content[:40]},
            body=gettext("完成时限：%(deadline)s，还有%(days)d天。")
            % {"deadline": task.deadline.isoformat(), "days": days},
            url=_task_url(task),
        )


def overdue_tasks(day: date) -> Iterator[reminders.Reminder]:
    """Tasks being worked on past their deadline: a message every day until done."""
    who = _cached(handlers)
    for task in _working_tasks().filter(deadline__lt=day).order_by("deadline", "pk"):
        yield reminders.Reminder(
            key=f"tasks.overdue:{task.pk}",
            recipients=who(task.lead_unit),
            title=gettext("任务已逾期：%(number)s %(task)s")
            % {"number": task.number, "task": task.content[:40]},
            body=gettext("完成时限：%(deadline)s，已逾期%(days)d天。")
            % {"deadline": task.deadline.isoformat(), "days": (day - task.deadline).days},
            url=_task_url(task),
        )


def claims_waiting(day: date) -> Iterator[reminders.Reminder]:
    """Claims for acceptance reported more than CLAIM_WAIT_DAYS days before `day` and not
    checked yet."""
    zone = timezone.get_current_timezone()
    before = timezone.make_aware(
        datetime.combine(day - timedelta(days=CLAIM_WAIT_DAYS), time.min), zone
    )
    claims = TaskReport.objects.filter(
        result=ReportResult.PENDING,
        task__status=TaskStatus.SUBMITTED,
        task__plan__status=PlanStatus.ISSUED,
        reported_at__lt=before,
    ).select_related("task__plan__organization", "task__parent__lead_unit")
    who = _cached(handlers)
    for claim in claims.order_by("reported_at", "pk"):
        task = claim.task
        waited = (day - timezone.localdate(claim.reported_at)).days
        yield reminders.Reminder(
            key=f"tasks.claim:{claim.pk}",
            recipients=who(task.issuer),
            title=gettext("任务待验收：%(number)s %(task)s")
            % {"number": task.number, "task": task.content[:40]},
            body=gettext("验收申请已等待%(days)d天，请及时审核。") % {"days": waited},
            url=_task_url(task),
        )


def problems_overdue(day: date) -> Iterator[reminders.Reminder]:
    """Problems in rectification past their deadline."""
    who = _cached(handlers)
    late = Problem.objects.filter(status=ProblemStatus.RECTIFYING, deadline__lt=day)
    for problem in late.select_related("unit").order_by("deadline", "pk"):
        assert problem.deadline is not None
        yield reminders.Reminder(
            key=f"tasks.problem:{problem.pk}",
            recipients=who(problem.unit),
            title=gettext("整改已逾期：%(text)s") % {"text": problem.description[:40]},
            body=gettext("整改时限：%(deadline)s，已逾期%(days)d天。")
            % {"deadline": problem.deadline.isoformat(), "days": (day - problem.deadline).days},
            url=f"/tasks/problems/{problem.pk}/",
        )


reminders.register(due_tasks)
reminders.register(overdue_tasks)
reminders.register(claims_waiting)
reminders.register(problems_overdue)
