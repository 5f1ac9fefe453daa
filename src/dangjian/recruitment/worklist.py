"""Worklist queries (发展工作台): what a user must do next on the recruitment cases in scope.

Every section reads the case's denormalized standing (next step, due date, reviewer), so each
is one indexed query over `Case.objects.restrict(user)`; days overdue and days waiting are
computed from today, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.urls import reverse

from dangjian.core.scope import CHANGE, VIEW
from dangjian.recruitment.choices import CaseStatus, RecordState, Stage
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.plan import reviewed_paths
from dangjian.recruitment.steps import step

UPCOMING_DAYS = 30


def open_cases(user: Any, action: str = VIEW) -> QuerySet[Case]:
    """Open cases the user may do `action` on, with what a row shows."""
    return (
        Case.objects.restrict(user, action)
        .filter(status=CaseStatus.OPEN)
        .select_related("person", "organization", "waiting_organization")
    )


def _submitted_at() -> Subquery:
    """When the waiting record was last submitted or decided at a lower level."""
    records = StepRecord.objects.filter(case=OuterRef("pk"), state=RecordState.SUBMITTED)
    return Subquery(
        records.order_by("-updated_at").annotate(d=TruncDate("updated_at")).values("d")[:1]
    )


def waiting_for_me(user: Any) -> QuerySet[Case]:
    """Cases waiting for a review the user decides, longest waiting first."""
    paths = reviewed_paths(user)
    cases = open_cases(user).filter(waiting_organization__isnull=False)
    if paths is not None:
        if not paths:
            return cases.none()
        condition = Q()
        for path in paths:
            condition |= Q(waiting_organization__path__startswith=path)
        cases = cases.filter(condition)
    return cases.annotate(submitted_on=_submitted_at()).order_by("submitted_on", "due_on", "pk")


def overdue(user: Any, today: date) -> QuerySet[Case]:
    """Open cases whose next step is past its due date, most overdue first."""
    return open_cases(user).filter(due_on__lt=today).order_by("due_on", "pk")


def coming(user: Any, today: date, days: int = UPCOMING_DAYS) -> QuerySet[Case]:
    """Open cases whose next step falls due within `days` (today included), soonest first."""
    return (
        open_cases(user)
        .filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))
        .order_by("due_on", "pk")
    )


def returned(user: Any) -> QuerySet[Case]:
    """Open cases with a step sent back by the reviewer, for those who record the steps."""
    sent_back = StepRecord.objects.filter(case=OuterRef("pk"), state=RecordState.RETURNED)
    step = Subquery(sent_back.order_by("step").values("step")[:1])
    return (
        open_cases(user, CHANGE)
        .filter(Exists(sent_back))
        .annotate(returned_step=step)
        .order_by("updated_at", "pk")
    )


def stage_counts(user: Any) -> dict[int, int]:
    """Open cases in scope per stage (every stage present, zero included)."""
    rows = (
        Case.objects.restrict(user, VIEW)
        .filter(status=CaseStatus.OPEN)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    found = dict(rows)
    return {stage: found.get(stage, 0) for stage in Stage.values}


def days_between(earlier: date | None, later: date) -> int | None:
    return (later - earlier).days if earlier else None


# Links to the case list ---------------------------------------------------------------------


def list_url(within: Any = None, **params: Any) -> str:
    """The case list (`recruitment:list`) with its filters; `within` an organization or id."""
    query: dict[str, Any] = {}
    if within is not None:
        query["within"] = getattr(within, "pk", within)
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    base = reverse("recruitment:list")
    return f"{base}?{urlencode(query, doseq=True)}" if query else base


@dataclass(frozen=True)
class StageCount:
    stage: int
    label: str
    count: int
    url: str


def stage_distribution(user: Any, within: Any = None) -> list[StageCount]:
    """Open cases per stage, each linked to the list of those cases."""
    return [
        StageCount(stage, str(Stage(stage).label), n, list_url(within, stage=stage, status="open"))
        for stage, n in stage_counts(user).items()
    ]


def with_days(cases: Iterable[Case], today: date) -> list[Case]:
    """Rows with `days_overdue` (and `days_waiting` for waiting ones) set for the page."""
    rows = list(cases)
    for case in rows:
        late = days_between(case.due_on, today)
        case.days_overdue = late if late and late > 0 else 0  # type: ignore[attr-defined]
        case.days_left = -late if late is not None and late <= 0 else None  # type: ignore[attr-defined]
        submitted = getattr(case, "submitted_on", None)
        case.days_waiting = days_between(submitted, today)  # type: ignore[attr-defined]
        number = getattr(case, "returned_step", None) or case.next_step
        case.step_number = number  # type: ignore[attr-defined]
        case.step_label = str(step(number).label) if number else ""  # type: ignore[attr-defined]
    return rows
