"""The monthly summary (组织生活月报): a branch reports its month, the committee above decides.

The month's counts are computed from the events when the summary is submitted and kept with
it (what the reviewer decided on); the narrative is the branch's own. Draft → submitted →
approved, or returned with a reason and submitted again.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.scope import ADD, covers
from dangjian.members.actions.common import responsible_users
from dangjian.orglife.choices import EventKind, EventStatus, PeriodState, SummaryStatus
from dangjian.orglife.compliance import year_of
from dangjian.orglife.models import APPROVE, Event, MonthlySummary
from dangjian.orgs.choices import BRANCH_LEVELS
from dangjian.orgs.models import Organization

TEXT_LIMIT = 5000


def month_start(value: Any) -> date:
    """The first day of a month given as a date or 'YYYY-MM'; DomainError otherwise."""
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        year, month = (int(part) for part in str(value).strip().split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise DomainError({"month": gettext("月份格式不正确，应为 YYYY-MM。")}) from None


def month_end(first: date) -> date:
    return first.replace(day=monthrange(first.year, first.month)[1])


def month_figures(org: Organization, first: date) -> dict[str, Any]:
    """The month's held events by kind, person-times and items missed, for the summary."""
    last = month_end(first)
    rows = (
        Event.objects.filter(
            organization=org, status=EventStatus.HELD, held_on__gte=first, held_on__lte=last
        )
        .values("kind")
        .annotate(n=Count("pk"), times=Sum("person_times"))
    )
    by_kind = {row["kind"]: row["n"] for row in rows}
    missed: list[str] = []
    for row in year_of(org, first.year, timezone.localdate()):
        if row.branch.pk != org.pk:
            continue
        for slots in row.slots.values():
            missed += [
                slot.label
                for slot in slots
                if slot.end == last and slot.state == PeriodState.MISSED
            ]
    return {
        "events": {kind: by_kind.get(kind, 0) for kind in EventKind.values},
        "total": sum(by_kind.values()),
        "person_times": sum(row["times"] or 0 for row in rows),
        "missed": missed,
    }


def _refuse_outside(user: Any, org: Organization) -> None:
    if user is not None and not covers(user, MonthlySummary, ADD, org.path):
        raise DomainError(gettext("您无权报送该党组织的组织生活月报。"))


@domain_action("orglife.summary.submit", _("报送组织生活月报"))
def submit_summary(
    organization: Organization, month: Any, text: str, *, submit: bool = True, acting_user: Any
) -> MonthlySummary:
    """Save the branch's summary of a month that is over; `submit` sends it for review."""
    _refuse_outside(acting_user, organization)
    if organization.level not in BRANCH_LEVELS:
        raise DomainError({"organization": gettext("组织生活月报由党支部报送。")})
    first = month_start(month)
    if month_end(first) >= timezone.localdate():
        raise DomainError({"month": gettext("该月尚未结束，月末后再报送月报。")})
    text = (text or "").strip()
    if len(text) > TEXT_LIMIT:
        raise DomainError({"text": gettext("不能超过%(n)d个字。") % {"n": TEXT_LIMIT}})
    summary, _created = MonthlySummary.objects.select_for_update().get_or_create(
        organization=organization, month=first
    )
    if summary.status in (SummaryStatus.SUBMITTED, SummaryStatus.APPROVED):
        raise DomainError(
            gettext("该月月报%(status)s，不能修改。") % {"status": summary.get_status_display()}
        )
    summary.text = text
    summary.figures = month_figures(organization, first)
    if submit:
        if not text:
            raise DomainError({"text": gettext("请填写工作小结。")})
        summary.status = SummaryStatus.SUBMITTED
        summary.submitted_at = timezone.now()
        summary.submitted_by = acting_user
        summary.reviewer = organization.superior_committee()
        summary.return_reason = ""
    summary.save()
    track(summary, detail={"month": first.isoformat(), "status": summary.status})
    if submit:
        notify(
            _reviewers(summary.reviewer),
            gettext("%(org)s报送了%(month)s组织生活月报")
            % {"org": organization.name, "month": first.strftime("%Y-%m")},
            url=f"/orglife/summaries/{summary.pk}/",
        )
    return summary


def _reviewers(org: Organization | None) -> list[Any]:
    from dangjian.accounts.models import RoleGrant
    from dangjian.core.roles import COMMITTEE, UNIVERSITY

    if org is None:
        return []
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=[COMMITTEE, UNIVERSITY], organization=org)
        .select_related("user")
    )
    return [grant.user for grant in grants]


@domain_action("orglife.summary.review", _("审核组织生活月报"))
def review_summary(
    summary: MonthlySummary, *, approve: bool, reason: str = "", acting_user: Any
) -> MonthlySummary:
    """Approve a submitted summary, or return it with a reason (the branch resubmits)."""
    summary = MonthlySummary.objects.select_for_update().get(pk=summary.pk)
    reviewer = summary.reviewer or summary.organization.superior_committee()
    if acting_user is not None and not covers(acting_user, MonthlySummary, APPROVE, reviewer.path):
        raise DomainError(gettext("月报由%(org)s审核，您无权审核。") % {"org": reviewer.name})
    if summary.status != SummaryStatus.SUBMITTED:
        raise DomainError(gettext("只能审核已报送的月报。"))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError({"reason": gettext("退回时请填写原因。")})
    if len(reason) > 300:
        raise DomainError({"reason": gettext("不能超过%(n)d个字。") % {"n": 300}})
    summary.status = SummaryStatus.APPROVED if approve else SummaryStatus.RETURNED
    summary.return_reason = "" if approve else reason
    summary.decided_at = timezone.now()
    summary.decided_by = acting_user
    summary.save()
    track(summary, detail={"status": summary.status, "reason": reason})
    if not approve:
        notify(
            responsible_users(summary.organization),
            gettext("%(month)s组织生活月报被退回：%(reason)s")
            % {"month": summary.month.strftime("%Y-%m"), "reason": reason},
            url=f"/orglife/summaries/{summary.pk}/",
        )
    return summary
