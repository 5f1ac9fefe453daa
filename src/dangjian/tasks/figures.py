"""Figures of plans, problem lists and responsibility lists (督办整改).

Tasks: the top-level tasks (sub-tasks split down the tree are the lead units' own work) whose
lead unit (牵头单位) lies in the subtree, belonging to the period by their deadline (both ends
included): for the university, every task of its plans (the seed's 32); for a committee, the
tasks it leads. Problems: those whose responsible unit lies in the subtree, by `listed_on` in
the period (for the university, its school-level list and every unit-level list). Both are the
lists' own meaning of `within`, so a figure and its drill-down show the same records. List items: those of the subtree's lists for the year of the period
end. One query per figure. A figure is None (missing, never shown as 0) when its set is empty:
no tasks, no problems, no items; rates and means also when there is nothing to divide. Every figure drills down to the list page with the filters
selecting the same records (names and parameters fixed in `tasks/urls.py`): the task list with
`within`, `top=1`, `deadline_from`, `deadline_to`; the problem list with `within`,
`listed_from`, `listed_to`; the list index with `org` and `year`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, register
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import (
    OPEN_TASK,
    ListKind,
    ProblemLevel,
    ProblemStatus,
    TaskStatus,
)
from dangjian.tasks.models import ListItem, Problem, Task

STATUSES = dict(TaskStatus.choices)
LEVELS = dict(ProblemLevel.choices)
PROBLEM_STATUSES = dict(ProblemStatus.choices)
KINDS = dict(ListKind.choices)
OPEN = [str(status) for status in OPEN_TASK]
TASKS, PROBLEMS, ITEMS, DAYS = _("项"), _("个"), _("项"), _("天")
HUNDRED, CENT, TENTH = Decimal(100), Decimal("0.01"), Decimal("0.1")


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value not in (None, "")}


def tasks_url(ctx: FigureContext, **params: Any) -> str:
    """The task list: top-level tasks of the subtree's plans due in the period, with `params`."""
    query: dict[str, Any] = {
        "within": ctx.organization.pk,
        "top": 1,
        "deadline_from": ctx.period.start.isoformat(),
        "deadline_to": ctx.period.end.isoformat(),
    }
    return f"{reverse('tasks:tasks')}?{urlencode(query | _clean(params), doseq=True)}"


def problems_url(ctx: FigureContext, **params: Any) -> str:
    """The problem list: problems listed in the subtree during the period, with `params`."""
    query: dict[str, Any] = {
        "within": ctx.organization.pk,
        "listed_from": ctx.period.start.isoformat(),
        "listed_to": ctx.period.end.isoformat(),
    }
    return f"{reverse('tasks:problems')}?{urlencode(query | _clean(params), doseq=True)}"


def lists_url(ctx: FigureContext) -> str:
    query = {"org": ctx.organization.pk, "year": ctx.period.end.year}
    return f"{reverse('tasks:lists')}?{urlencode(query)}"


def _subtree(ctx: FigureContext) -> QuerySet[Organization]:
    """Ids of the subtree's organizations, as a subquery (keeps the index on the foreign key)."""
    return Organization.objects.filter(path__startswith=ctx.organization.path).values("pk")


def plan_tasks(ctx: FigureContext) -> QuerySet[Task]:
    """Top-level tasks led by the subtree, due within the period."""
    return Task.objects.filter(
        lead_unit__in=_subtree(ctx),
        parent__isnull=True,
        deadline__gte=ctx.period.start,
        deadline__lte=ctx.period.end,
    ).order_by()


def cutoff(ctx: FigureContext) -> date:
    """The day a task is judged overdue on: the period's end, or today if that is earlier (a
    task's status is known only as it is now, and the list's `overdue=1` compares with today)."""
    return min(ctx.period.end, timezone.localdate())


def due_tasks(ctx: FigureContext) -> QuerySet[Task]:
    """Top-level tasks of the subtree's plans whose deadline passed before the cutoff (the
    overdue ones are those of them still open)."""
    return Task.objects.filter(
        lead_unit__in=_subtree(ctx), parent__isnull=True, deadline__lt=cutoff(ctx)
    ).order_by()


def listed_problems(ctx: FigureContext) -> QuerySet[Problem]:
    """Problems of units in the subtree listed during the period (both ends included)."""
    return Problem.objects.filter(
        unit__in=_subtree(ctx),
        listed_on__gte=ctx.period.start,
        listed_on__lte=ctx.period.end,
    ).order_by()


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals, None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def _by(queryset: QuerySet[Any], column: str) -> dict[str, int] | None:
    """Counts by `column`; None when there is nothing at all (a missing figure, not 0)."""
    rows = queryset.values_list(column).annotate(n=Count("pk"))
    return {str(key): n for key, n in rows} or None


@register(
    "tasks.plan_tasks",
    label=_("实施方案任务（按状态）"),
    unit=TASKS,
    kind="flow",
    keys=STATUSES,
    drilldown=lambda ctx, key: tasks_url(ctx, status=key),
    description=_("本级及下级印发的实施方案中完成时限在期间内的任务（不含分解到下级的子任务）。"),
)
def plan_task_count(ctx: FigureContext) -> dict[str, int] | None:
    return _by(plan_tasks(ctx), "status")


@register(
    "tasks.on_time_rate",
    label=_("任务按期完成率"),
    unit="%",
    kind="flow",
    drilldown=lambda ctx, key: tasks_url(ctx, status=TaskStatus.ACCEPTED.value),
    description=_(
        "期间内到期且已通过验收的任务中，完成日期不晚于完成时限的比例；没有已验收任务时不显示。"
    ),
)
def on_time_rate(ctx: FigureContext) -> Decimal | None:
    accepted = Q(status=TaskStatus.ACCEPTED)
    sums = plan_tasks(ctx).aggregate(
        done=Count("pk", filter=accepted),
        on_time=Count("pk", filter=accepted & Q(completed_on__lte=F("deadline"))),
    )
    return share(sums["on_time"], sums["done"])


@register(
    "tasks.overdue",
    label=_("逾期未完成任务"),
    unit=TASKS,
    drilldown=lambda ctx, key: overdue_url(ctx),
    description=_(
        "本级及下级印发的实施方案中，截至期末（或今天，取较早者）已过完成时限仍未通过验收的任务；"
        "没有已到期任务时不显示。"
    ),
)
def overdue(ctx: FigureContext) -> int | None:
    sums = due_tasks(ctx).aggregate(due=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN)))
    return sums["open"] if sums["due"] else None


def overdue_url(ctx: FigureContext) -> str:
    """Open tasks due before the cutoff: the list's `overdue=1` with deadlines up to the day
    before it (any start)."""
    query = {
        "within": ctx.organization.pk,
        "top": 1,
        "overdue": 1,
        "deadline_to": (cutoff(ctx) - timedelta(days=1)).isoformat(),
    }
    return f"{reverse('tasks:tasks')}?{urlencode(query)}"


@register(
    "tasks.problems",
    label=_("列入清单的问题（按层面）"),
    unit=PROBLEMS,
    kind="flow",
    keys=LEVELS,
    drilldown=lambda ctx, key: problems_url(ctx, level=key),
    description=_("本级及下级党组织在期间内列入问题清单的问题，按学校层面、二级单位层面统计。"),
)
def problems(ctx: FigureContext) -> dict[str, int] | None:
    return _by(listed_problems(ctx), "level")


@register(
    "tasks.problems_by_status",
    label=_("问题整改状态"),
    unit=PROBLEMS,
    kind="flow",
    keys=PROBLEM_STATUSES,
    drilldown=lambda ctx, key: problems_url(ctx, status=key),
    description=_("期间内列入问题清单的问题目前所处的整改环节。"),
)
def problems_by_status(ctx: FigureContext) -> dict[str, int] | None:
    return _by(listed_problems(ctx), "status")


@register(
    "tasks.rectification_rate",
    label=_("问题整改销号率"),
    unit="%",
    kind="flow",
    drilldown=lambda ctx, key: problems_url(ctx, status=ProblemStatus.CLOSED.value),
    description=_("期间内列入清单的问题中已核验销号的比例；没有问题时不显示。"),
)
def rectification_rate(ctx: FigureContext) -> Decimal | None:
    sums = listed_problems(ctx).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED))
    )
    return share(sums["closed"], sums["total"])


@register(
    "tasks.mean_days_to_close",
    label=_("问题平均整改用时"),
    unit=DAYS,
    kind="flow",
    drilldown=lambda ctx, key: problems_url(ctx, status=ProblemStatus.CLOSED.value),
    description=_(
        "期间内列入清单且已销号的问题，从列入清单到销号的平均天数；没有已销号问题时不显示。"
    ),
)
def mean_days_to_close(ctx: FigureContext) -> Decimal | None:
    # The dates come back (one query) and are subtracted here: date arithmetic in SQL differs
    # between SQLite and PostgreSQL.
    rows = listed_problems(ctx).filter(status=ProblemStatus.CLOSED, closed_on__isnull=False)
    pairs = rows.values_list("listed_on", "closed_on")
    spans = [(closed - listed).days for listed, closed in pairs if closed is not None]
    if not spans:
        return None
    return (Decimal(sum(spans)) / Decimal(len(spans))).quantize(TENTH, ROUND_HALF_UP)


@register(
    "tasks.recurring_problems",
    label=_("疑似反弹问题"),
    unit=PROBLEMS,
    kind="flow",
    drilldown=lambda ctx, key: problems_url(ctx, recurring=1),
    description=_("期间内列入清单、与同一责任单位以往年度已销号问题高度相似的问题。"),
)
def recurring_problems(ctx: FigureContext) -> int | None:
    sums = listed_problems(ctx).aggregate(
        total=Count("pk"), recurring=Count("pk", filter=Q(recurring_of__isnull=False))
    )
    return sums["recurring"] if sums["total"] else None


@register(
    "tasks.lists",
    label=_("责任清单事项（按清单类型）"),
    unit=ITEMS,
    keys=KINDS,
    drilldown=lambda ctx, key: lists_url(ctx),
    description=_("本级及下级党组织期末所在年度的主体责任清单、任务清单、制度清单中的事项。"),
)
def lists(ctx: FigureContext) -> dict[str, int] | None:
    items = ListItem.objects.filter(
        duty_list__organization__in=_subtree(ctx), duty_list__year=ctx.period.end.year
    ).order_by()
    return _by(items, "duty_list__kind")
