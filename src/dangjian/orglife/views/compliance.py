"""Compliance pages (落实情况): the heat-map of a subtree's branches and a branch's calendar.

Both read `compliance.year_of` once: it loads the subtree's held events of the year in one
query, so the heat-map of 255 branches × 12 months is a handful of queries whatever the number
of branches. Organizations are looked up only through `restrict()`; a member's own grant does
not open the overview (a staff dashboard), but does open their branch's calendar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, VIEW, covering_paths, covers, user_grants
from dangjian.orglife.choices import EventKind, EventStatus, PeriodState, Requirement
from dangjian.orglife.compliance import BranchYear, Slot, required, year_of
from dangjian.orglife.models import Event
from dangjian.orgs.choices import BRANCH_LEVELS, COMMITTEE_LEVELS
from dangjian.orgs.models import Organization

FIRST_YEAR = 2000
# Above this many branches the heat-map keeps its height and scrolls (dataZoom on the rows).
ZOOM_ROWS, CHART_HEIGHT = 25, 680
# The missed list shows the branches with the most missed items first, this many.
MISSED_SHOWN = 50
# The kind of event that fulfils each requirement (for the events list's filter).
KIND_OF: dict[str, str] = {
    Requirement.GENERAL_ASSEMBLY: EventKind.GENERAL_ASSEMBLY,
    Requirement.COMMITTEE_MEETING: EventKind.COMMITTEE_MEETING,
    Requirement.GROUP_MEETING: EventKind.GROUP_MEETING,
    Requirement.LECTURE: EventKind.LECTURE,
    Requirement.SECRETARY_LECTURE: EventKind.LECTURE,
    Requirement.THEME_DAY: EventKind.THEME_DAY,
    Requirement.REVIEW_MEETING: EventKind.REVIEW_MEETING,
    Requirement.HEART_TALK: EventKind.HEART_TALK,
}
KIND_BADGE: dict[str, str] = {
    EventKind.GENERAL_ASSEMBLY: "text-bg-danger",
    EventKind.COMMITTEE_MEETING: "text-bg-primary",
    EventKind.GROUP_MEETING: "text-bg-info",
    EventKind.LECTURE: "text-bg-warning",
    EventKind.THEME_DAY: "text-bg-success",
    EventKind.REVIEW_MEETING: "text-bg-dark",
}


def _today() -> date:
    """Today (a seam for tests that judge a year as of a fixed day)."""
    return timezone.localdate()


# Parameters ------------------------------------------------------------------------------------


def _year(request: HttpRequest, today: date) -> int:
    """`?year=`, or this year with a message when it is not a year the platform can judge."""
    raw = request.GET.get("year", "").strip()
    if not raw:
        return today.year
    value = _number(raw, 4)
    if value is not None and FIRST_YEAR <= value <= today.year + 1:
        return value
    messages.warning(
        request,
        gettext("年度“%(value)s”不正确（应为%(first)d—%(last)d年），已显示%(year)d年。")
        % {"value": raw[:10], "first": FIRST_YEAR, "last": today.year + 1, "year": today.year},
    )
    return today.year


def _number(raw: str, digits: int) -> int | None:
    """A whole number of at most `digits` digits (full-width digits too), else None."""
    return int(raw) if raw.isdecimal() and len(raw) <= digits else None


def _staff_tops(user: Any) -> list[Organization]:
    """The highest organizations the user keeps organizational life for (no member grant)."""
    paths = covering_paths(
        g.path
        for g in user_grants(user)
        if g.path and g.role != MEMBER and Event.scope.allows(g.role, VIEW)
    )
    return list(Organization.objects.restrict(user, VIEW).filter(path__in=paths))


def _within(request: HttpRequest, tops: list[Organization]) -> Organization:
    """`?within=`: an organization the user covers; the highest one otherwise (with a message
    when a value was given)."""
    raw = request.GET.get("within", "").strip()
    if not raw:
        return tops[0]
    org, pk = None, _number(raw, 12)
    if pk is not None:
        org = Organization.objects.restrict(request.user, VIEW).filter(pk=pk).first()
    if org is not None and covers(request.user, Event, VIEW, org.path):
        return org
    messages.warning(
        request,
        gettext("所选党组织不存在或不在您的管理范围内，已显示%(org)s。") % {"org": tops[0].name},
    )
    return tops[0]


def period_label(slot: Slot) -> str:
    """'3月', '第1季度', '全年' or '1—6月': how a period is named in the tables."""
    first, last = slot.start.month, slot.end.month
    if first == last:
        return gettext("%(m)d月") % {"m": first}
    if first == 1 and last == 12:
        return gettext("全年")
    if last - first == 2 and first % 3 == 1:
        return gettext("第%(q)d季度") % {"q": (first + 2) // 3}
    return gettext("%(a)d—%(b)d月") % {"a": first, "b": last}


def frequency_label(months: int) -> str:
    return {
        1: gettext("每月"),
        3: gettext("每季度"),
        6: gettext("每半年"),
        12: gettext("每年"),
    }.get(months) or gettext("每%(n)d个月") % {"n": months}


def _rate(held: int, missed: int) -> float | None:
    return round(100 * held / (held + missed), 1) if held + missed else None


@dataclass
class Tally:
    """Counts of one group of branches (the subtree, or one committee)."""

    org: Organization | None = None
    branches: int = 0
    held: int = 0
    missed: int = 0
    due: int = 0

    def add(self, row: BranchYear) -> Tally:
        """Add a branch (its counts come back as a Tally of their own)."""
        own = Tally(row.branch, 1)
        for slots in row.slots.values():
            for slot in slots:
                own.held += slot.state == PeriodState.HELD
                own.missed += slot.state == PeriodState.MISSED
                own.due += slot.state == PeriodState.DUE
        self.merge(own)
        return own

    def merge(self, other: Tally) -> None:
        self.branches += other.branches
        self.held += other.held
        self.missed += other.missed
        self.due += other.due

    @property
    def rate(self) -> float | None:
        return _rate(self.held, self.missed)


@dataclass
class Missed:
    """A branch's missed items: (label, periods) per requirement."""

    branch: Organization
    url: str
    items: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0


# The overview ----------------------------------------------------------------------------------


@login_required
def compliance_page(request: HttpRequest) -> HttpResponse:
    """The heat-map, headline figures, committee table and missed items of a subtree."""
    require(request, Event, VIEW)
    tops = _staff_tops(request.user)
    if not tops:
        deny(request, request.user, "无此操作权限", model="orglife.event", action=VIEW)
        raise PermissionDenied(gettext("落实情况仅供党组织工作人员查看。"))
    today = _today()
    year, within = _year(request, today), _within(request, tops)
    rows = year_of(within, year, today)
    total = Tally(within)
    own = [total.add(row) for row in rows]
    missed = _missed(rows, own, _calendar_urls(year))
    context = {
        "page_title": gettext("组织生活落实情况"),
        "breadcrumbs": [(gettext("组织生活"), ""), (gettext("落实情况"), "")],
        "year": year,
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 6) - 1, -1)),
        "within": within,
        "choices": _choices(request.user, tops),
        "total": total,
        "children": _children(within, own),
        "missed": missed[:MISSED_SHOWN],
        "missed_total": len(missed),
        "chart": _chart(rows, _calendar_urls(year)),
        "chart_height": CHART_HEIGHT if len(rows) > ZOOM_ROWS else max(240, 28 * len(rows) + 90),
    }
    return render(request, "orglife/compliance.html", context)


def _choices(user: Any, tops: list[Organization]) -> list[Organization]:
    """Organizations to look within: the user's tops and the committees under them."""
    query = Organization.objects.none()
    for top in tops:
        query = query | Organization.objects.filter(
            path__startswith=top.path, level__in=COMMITTEE_LEVELS
        )
    found = {org.pk: org for org in query.restrict(user, VIEW).active()}
    found.update({top.pk: top for top in tops})
    return sorted(found.values(), key=lambda org: org.path)


def _children(within: Organization, own: list[Tally]) -> list[Tally]:
    """A tally per direct child of `within` holding branches (a branch counts as its own)."""
    if within.is_branch:
        return []
    prefix = len(within.path) + Organization.steplen
    tallies: dict[str, Tally] = {}
    for branch in own:
        path = branch.org.path if branch.org is not None else ""
        tallies.setdefault(path[:prefix], Tally()).merge(branch)
    orgs = Organization.objects.filter(path__in=list(tallies)).only("pk", "name", "path", "level")
    for org in orgs:
        tallies[org.path].org = org
    return [tallies[key] for key in sorted(tallies) if tallies[key].org is not None]


def _missed(rows: list[BranchYear], own: list[Tally], urls: Callable[[int], str]) -> list[Missed]:
    """Branches with missed items, the most missed first."""
    labels: dict[tuple[int, int], str] = {}  # gettext once per kind of period
    names = {requirement: str(label) for requirement, label in Requirement.choices}
    result = []
    for row, tally in zip(rows, own, strict=True):
        if not tally.missed:
            continue
        entry = Missed(row.branch, urls(row.branch.pk), count=tally.missed)
        for requirement, slots in row.slots.items():
            gone = []
            for slot in slots:
                if slot.state == PeriodState.MISSED:
                    key = (slot.start.month, slot.end.month)
                    if key not in labels:
                        labels[key] = period_label(slot)
                    gone.append(labels[key])
            if gone:
                entry.items.append((names[requirement], "、".join(gone)))
        result.append(entry)
    result.sort(key=lambda entry: -entry.count)  # stable: path order among equals
    return result


def _calendar_urls(year: int) -> Callable[[int], str]:
    """The calendar URL of a branch by pk, reversed once for the page."""
    base = reverse("orglife:branch_compliance", args=[0]).removesuffix("0/")
    return lambda pk: f"{base}{pk}/?year={year}"


def _chart(rows: list[BranchYear], urls: Callable[[int], str]) -> dict[str, Any]:
    """The heat-map's data for json_script: rows in path order, grouped by their parent."""
    parents = {row.branch.path[: -Organization.steplen] for row in rows}
    groups = {
        path: short or name
        for path, short, name in Organization.objects.filter(path__in=parents).values_list(
            "path", "short_name", "name"
        )
    }
    return {
        "months": [gettext("%(m)d月") % {"m": m} for m in range(1, 13)],
        "rows": [
            {
                "name": row.branch.short_name or row.branch.name,
                "full": row.branch.name,
                "group": groups.get(row.branch.path[: -Organization.steplen], ""),
                "url": urls(row.branch.pk),
                "values": row.months(),
            }
            for row in rows
        ],
        "text": {
            "empty": gettext("无可评价事项"),
            "rate": gettext("落实率"),
            "low": gettext("0%"),
            "high": gettext("100%"),
            "click": gettext("点击查看该支部落实情况"),
        },
        "zoom": ZOOM_ROWS,
    }


# A branch's year ------------------------------------------------------------------------------


@login_required
def branch_compliance(request: HttpRequest, pk: int) -> HttpResponse:
    """A branch's required items period by period, and its events month by month."""
    branch = get_scoped(request, Organization, VIEW, pk=pk, level__in=BRANCH_LEVELS)
    today = _today()
    year = _year(request, today)
    row = next((r for r in year_of(branch, year, today) if r.branch.pk == branch.pk), None)
    row = row or BranchYear(branch)
    total = Tally(branch)
    total.add(row)
    events_url = reverse("orglife:events")
    span = f"within={branch.pk}&held_from={year}-01-01&held_to={year}-12-31"
    add_url = reverse("orglife:event_add")
    may_add = covers(request.user, Event, ADD, branch.path) and branch.is_active
    parent = Organization.objects.filter(path=branch.path[: -Organization.steplen]).first()
    context = {
        "page_title": branch.name,
        "breadcrumbs": _branch_crumbs(request, branch, year),
        "branch": branch,
        "parent": parent,
        "year": year,
        "years": list(range(today.year, max(FIRST_YEAR, today.year - 6) - 1, -1)),
        "total": total,
        "items": _items(row, events_url, span),
        "months": _calendar(request.user, branch, year),
        "events_url": f"{events_url}?{span}" if events_url else "",
        "add_url": f"{add_url}?organization={branch.pk}" if add_url and may_add else "",
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < today.year + 1 else None,
    }
    return render(request, "orglife/branch_compliance.html", context)


def _branch_crumbs(request: HttpRequest, branch: Organization, year: int) -> list[Any]:
    crumbs: list[Any] = [(gettext("组织生活"), "")]
    if _staff_tops(request.user):
        crumbs.append((gettext("落实情况"), f"{reverse('orglife:compliance')}?year={year}"))
    return [*crumbs, (branch.name, "")]


@dataclass
class Cell:
    """One cell of the items table: a period (or a gap before a branch existed)."""

    colspan: int
    slot: Slot | None = None
    label: str = ""


def _items(row: BranchYear, events_url: str, span: str) -> list[dict[str, Any]]:
    """Each required item with its frequency and a cell per period across 12 months."""
    wanted = required()
    result = []
    for requirement, slots in row.slots.items():
        cells: list[Cell] = []
        month = 1
        for slot in slots:
            if slot.start.month > month:
                cells.append(Cell(slot.start.month - month))
            cells.append(Cell(slot.end.month - slot.start.month + 1, slot, period_label(slot)))
            month = slot.end.month + 1
        if month <= 12:
            cells.append(Cell(13 - month))
        kind = KIND_OF[requirement]
        result.append(
            {
                "label": Requirement(requirement).label,
                "frequency": frequency_label(wanted.get(requirement, 12)),
                "cells": cells,
                "held": sum(s.state == PeriodState.HELD for s in slots),
                "periods": len(slots),
                "url": f"{events_url}?{span}&kind={kind}" if events_url else "",
            }
        )
    return result


def _calendar(user: Any, branch: Organization, year: int) -> list[dict[str, Any]]:
    """Twelve months, each with the held events the user may see."""
    by_month: dict[int, list[Event]] = defaultdict(list)
    events = (
        Event.objects.restrict(user, VIEW)
        .filter(
            organization=branch,
            status=EventStatus.HELD,
            held_on__gte=date(year, 1, 1),
            held_on__lte=date(year, 12, 31),
        )
        .only("pk", "kind", "title", "held_on", "starts_at", "lecture_level", "organization")
        .order_by("held_on", "starts_at", "pk")
    )
    for event in events:
        event.url = reverse("orglife:event", args=[event.pk])  # type: ignore[attr-defined]
        event.badge = KIND_BADGE.get(event.kind, "text-bg-secondary")  # type: ignore[attr-defined]
        by_month[event.held_on.month].append(event)
    return [
        {"label": gettext("%(m)d月") % {"m": month}, "events": by_month.get(month, [])}
        for month in range(1, 13)
    ]


urlpatterns: list[URLPattern] = [
    path("compliance/", compliance_page, name="compliance"),
    path("compliance/<int:pk>/", branch_compliance, name="branch_compliance"),
]
