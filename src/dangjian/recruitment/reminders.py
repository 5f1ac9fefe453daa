"""Daily reminders of recruitment: steps falling due or overdue, and reviews left waiting.

The branch (its secretaries, else the committee staff: `responsible_users`) is reminded of a
case's next step from 7 days before its due date until it is done; the reviewing organization's
staff of a step waiting for their decision more than 7 days (or falling due within 7 days).
`core.reminders.run` sends each reminder key at most once a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.reminders import Reminder, register
from dangjian.core.roles import COMMITTEE, UNIVERSITY
from dangjian.members.actions.common import responsible_users
from dangjian.orgs.models import Organization
from dangjian.recruitment.choices import CaseStatus, RecordState
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.steps import step

DUE_SOON_DAYS = 7
WAITING_DAYS = 7


def _when(case: Case, day: date) -> str:
    assert case.due_on is not None
    late = (day - case.due_on).days
    if late > 0:
        return gettext("已逾期%(days)d天") % {"days": late}
    if late == 0:
        return gettext("今天到期")
    return gettext("将于%(day)s到期") % {"day": case.due_on.isoformat()}


def _step_title(case: Case, number: int) -> dict[str, Any]:
    return {"name": case.person.name, "n": number, "label": step(number).label}


@register
def steps_due(day: date) -> Iterator[Reminder]:
    """Next steps due within 7 days or overdue, to those who handle the branch (cases waiting
    for a review are the reviewers' to move)."""
    cases = (
        Case.objects.filter(
            status=CaseStatus.OPEN,
            due_on__lte=day + timedelta(days=DUE_SOON_DAYS),
            waiting_organization__isnull=True,
            next_step__isnull=False,
        )
        .select_related("person", "organization")
        .order_by("due_on", "pk")
    )
    recipients: dict[int, tuple[Any, ...]] = {}
    for case in cases.iterator():
        org = case.organization
        if org.pk not in recipients:
            recipients[org.pk] = tuple(responsible_users(org))
        if not recipients[org.pk]:
            continue
        number = case.next_step
        assert number is not None
        yield Reminder(
            key=f"recruitment.due:{case.pk}:{number}",
            recipients=recipients[org.pk],
            title=gettext("%(name)s 第%(n)d步“%(label)s”") % _step_title(case, number)
            + _when(case, day),
            body=gettext("培养党支部：%(org)s") % {"org": org.name},
            url=reverse("recruitment:detail", args=[case.pk]),
        )


def _reviewers(org: Organization, grants: list[Any]) -> tuple[Any, ...]:
    """Staff of committees and the university whose grants cover the reviewing organization."""
    return tuple(
        grant.user
        for grant in grants
        if grant.organization is not None and org.path.startswith(grant.organization.path)
    )


@register
def reviews_waiting(day: date) -> Iterator[Reminder]:
    """Steps waiting for a review more than 7 days, or whose due date is within 7 days."""
    from dangjian.accounts.models import RoleGrant

    records = (
        StepRecord.objects.filter(
            state=RecordState.SUBMITTED,
            case__status=CaseStatus.OPEN,
            case__waiting_organization__isnull=False,
        )
        .filter(
            Q(updated_at__date__lt=day - timedelta(days=WAITING_DAYS))
            | Q(case__due_on__lte=day + timedelta(days=DUE_SOON_DAYS))
        )
        .select_related("case__person", "case__waiting_organization")
        .order_by("updated_at", "pk")
    )
    grants: list[Any] | None = None
    recipients: dict[int, tuple[Any, ...]] = {}
    for record in records.iterator():
        case = record.case
        org = case.waiting_organization
        assert org is not None
        if grants is None:
            grants = list(
                RoleGrant.objects.active()
                .filter(role__in=[COMMITTEE, UNIVERSITY])
                .select_related("organization", "user")
            )
        if org.pk not in recipients:
            recipients[org.pk] = _reviewers(org, grants)
        if not recipients[org.pk]:
            continue
        waited = (day - timezone.localdate(record.updated_at)).days
        parts = _step_title(case, record.step) | {"days": waited}
        title = gettext("待审核：%(name)s 第%(n)d步“%(label)s”已等待%(days)d天") % parts
        if case.due_on is not None and case.due_on <= day + timedelta(days=DUE_SOON_DAYS):
            title += gettext("，") + _when(case, day)
        yield Reminder(
            key=f"recruitment.waiting:{record.pk}:{case.waiting_level}",
            recipients=recipients[org.pk],
            title=title,
            body=gettext("审核党组织：%(org)s") % {"org": org.name},
            url=reverse("recruitment:detail", args=[case.pk]),
        )
