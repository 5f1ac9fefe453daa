"""Summaries of the tree for home pages: overdue re-elections, a member's branch card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dangjian.core import rules
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.rules import TERM_OVERDUE


@dataclass(frozen=True)
class OverdueTerm:
    term: CommitteeTerm
    days: int


def overdue_terms(user: Any, today: date) -> list[OverdueTerm]:
    """Current committee terms in the user's scope whose term has ended, most overdue first."""
    grace = int(rules.value(TERM_OVERDUE.code))
    terms = (
        CommitteeTerm.objects.restrict(user)
        .filter(closed_on__isnull=True, ends_on__lt=today, organization__status="active")
        .select_related("organization")
        .order_by("ends_on")
    )
    result = [OverdueTerm(t, (today - t.ends_on).days) for t in terms[:200]]
    return [item for item in result if item.days > grace]


@dataclass(frozen=True)
class BranchCard:
    org: Organization
    secretary: str
    committee: list[str]
    parent: Organization | None


def branch_card(org: Organization) -> BranchCard:
    """What a member sees of their own branch."""
    term = org.terms.filter(closed_on__isnull=True).prefetch_related("members").first()
    posts = [m for m in term.members.all() if m.ended_on is None] if term else []
    secretary = next((m.name for m in posts if m.position == "secretary"), "")
    return BranchCard(org, secretary, [str(m) for m in posts], Organization.objects.get_parent(org))
