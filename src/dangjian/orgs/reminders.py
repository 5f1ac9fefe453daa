"""Reminders of the organization tree: committees overdue for re-election (换届)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from dangjian.accounts.models import RoleGrant
from dangjian.core import rules
from dangjian.core.reminders import Reminder, register
from dangjian.core.roles import RoleKind
from dangjian.orgs.models import CommitteeTerm
from dangjian.orgs.rules import TERM_OVERDUE


@register
def overdue_reelections(day: date) -> Iterator[Reminder]:
    """Tell the organization's secretaries and the committee staff above it."""
    grace = int(rules.value(TERM_OVERDUE.code))
    terms = list(
        CommitteeTerm.objects.filter(
            closed_on__isnull=True, ends_on__lt=day, organization__status="active"
        ).select_related("organization")
    )
    if not terms:
        return
    grants = list(
        RoleGrant.objects.active()
        .filter(role__in=[RoleKind.COMMITTEE_STAFF, RoleKind.BRANCH_SECRETARY])
        .select_related("user", "organization")
    )
    for term in terms:
        days = (day - term.ends_on).days
        if days <= grace:
            continue
        org = term.organization
        recipients = tuple(
            grant.user
            for grant in grants
            if grant.user.is_active
            and grant.organization is not None
            and org.path.startswith(grant.organization.path)
        )
        if recipients:
            yield Reminder(
                key=f"orgs.term_overdue:{term.pk}",
                recipients=recipients,
                title=f"{org.name}第{term.number}届委员会已逾期{days}天未换届",
                body=f"任期于{term.ends_on:%Y年%m月%d日}届满，请按期组织换届选举。",
                url=reverse("orgs:detail", args=[org.pk]),
            )
