"""Compliance: which required items each branch held, missed or still has due, per period.

The required items and their periods are rules (orglife.period.*, in months counted from
January; a rule switched off is not required). A branch's item in a period is *held* when a
held event of the kind falls in it, *missed* when the period is over without one, and *due*
while the period runs. Party-group meetings are held when every party group of the branch met;
committee meetings are required of branches with a committee (three or more 支委). One query
reads a subtree's events of a year, so the heat-map of 255 branches × 12 months is cheap.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from dangjian.core import rules
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel, PeriodState, Requirement
from dangjian.orglife.models import Event
from dangjian.orglife.rules import FREQUENCY
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

# The requirement each kind of event fulfils (a secretary's lecture fulfils two).
FULFILS: dict[str, str] = {
    EventKind.GENERAL_ASSEMBLY: Requirement.GENERAL_ASSEMBLY,
    EventKind.COMMITTEE_MEETING: Requirement.COMMITTEE_MEETING,
    EventKind.GROUP_MEETING: Requirement.GROUP_MEETING,
    EventKind.LECTURE: Requirement.LECTURE,
    EventKind.THEME_DAY: Requirement.THEME_DAY,
    EventKind.REVIEW_MEETING: Requirement.REVIEW_MEETING,
    EventKind.HEART_TALK: Requirement.HEART_TALK,
}
MIN_COMMITTEE = 3


@dataclass(frozen=True)
class Slot:
    """One required item of one branch in one period."""

    requirement: str
    start: date
    end: date
    state: str
    held: int

    @property
    def label(self) -> str:
        return str(Requirement(self.requirement).label)


@dataclass
class BranchYear:
    """A branch's required items of a year, period by period."""

    branch: Organization
    slots: dict[str, list[Slot]] = field(default_factory=dict)

    def months(self) -> list[float | None]:
        """Per month, the share (%) of the items whose period contains it that were held;
        periods still running and not yet held are left out; None: nothing to judge."""
        held = [0] * 12
        judged = [0] * 12
        for slots in self.slots.values():
            for slot in slots:
                if slot.state == PeriodState.DUE:
                    continue
                for month in range(slot.start.month - 1, slot.end.month):
                    judged[month] += 1
                    held[month] += slot.state == PeriodState.HELD
        return [round(100 * h / n, 1) if n else None for h, n in zip(held, judged, strict=True)]

    def tally(self, start: date, end: date) -> tuple[int, int, int]:
        """(held, missed, due) of the periods lying within [start, end]."""
        counts = {PeriodState.HELD: 0, PeriodState.MISSED: 0, PeriodState.DUE: 0}
        for slots in self.slots.values():
            for slot in slots:
                if slot.start >= start and slot.end <= end:
                    counts[PeriodState(slot.state)] += 1
        return counts[PeriodState.HELD], counts[PeriodState.MISSED], counts[PeriodState.DUE]


def required() -> dict[str, int]:
    """The required items now switched on, with their periods in months (1–12)."""
    result: dict[str, int] = {}
    for requirement, definition in FREQUENCY.items():
        state = rules.get(definition.code)
        if state.enabled:
            result[requirement] = min(12, max(1, int(state.value)))
    return result


@functools.lru_cache(maxsize=256)
def periods(year: int, months: int) -> tuple[tuple[date, date], ...]:
    """The periods of a year for an item every `months` months, counted from January."""
    result = []
    for first in range(1, 13, months):
        last = min(12, first + months - 1)
        end = date(year + (last == 12), 1 if last == 12 else last + 1, 1)
        result.append((date(year, first, 1), date.fromordinal(end.toordinal() - 1)))
    return tuple(result)


def branches(root: Organization, start: date, end: date) -> list[Organization]:
    """The branches of the subtree that existed at some time in [start, end]."""
    return list(
        Organization.objects.filter(path__startswith=root.path, level=Level.BRANCH)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .order_by("path")
    )


def _groups(root: Organization, start: date, end: date) -> dict[str, frozenset[int]]:
    """Party groups that existed during [start, end], per branch path (a group's parent is
    its branch): each of them must meet for the branch's group meetings to be held."""
    found: dict[str, set[int]] = defaultdict(set)
    groups = (
        Organization.objects.filter(path__startswith=root.path, level=Level.PARTY_GROUP)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .values_list("pk", "path")
    )
    for pk, path in groups:
        found[path[: -Organization.steplen]].add(pk)
    return {path: frozenset(ids) for path, ids in found.items()}


def _with_committee(root: Organization) -> set[int]:
    from dangjian.orgs.models import CommitteeMember

    rows = (
        CommitteeMember.objects.filter(
            term__organization__path__startswith=root.path,
            term__organization__level=Level.BRANCH,
            term__closed_on__isnull=True,
            ended_on__isnull=True,
        )
        .values("term__organization_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_COMMITTEE)
    )
    return {row["term__organization_id"] for row in rows}


Held = dict[tuple[int, str], dict[int, list[int | None]]]


def _held(root: Organization, start: date, end: date) -> Held:
    """(branch id, requirement) → month → the party groups of the held events (None for
    events of the branch as a whole), from one query."""
    found: Held = defaultdict(lambda: defaultdict(list))
    subtree = Organization.objects.filter(path__startswith=root.path).values("pk")
    rows = Event.objects.filter(
        organization__in=subtree,  # a subquery: joining on the path is slow on SQLite
        status=EventStatus.HELD,
        kind__in=list(FULFILS),
        held_on__gte=start,
        held_on__lte=end,
    ).values_list("organization_id", "kind", "lecture_level", "party_group_id", "held_on")
    for org_id, kind, level, group_id, day in rows:
        found[(org_id, FULFILS[kind])][day.month].append(group_id)
        if kind == EventKind.LECTURE and level == LectureLevel.SECRETARY:
            found[(org_id, Requirement.SECRETARY_LECTURE)][day.month].append(group_id)
    return found


def year_of(root: Organization, year: int, today: date) -> list[BranchYear]:
    """Every branch of the subtree with its required items of `year`, as of `today`."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    wanted = required()
    held = _held(root, start, end)
    groups = _groups(root, start, end) if Requirement.GROUP_MEETING in wanted else {}
    committees = _with_committee(root) if Requirement.COMMITTEE_MEETING in wanted else set()
    no_groups: frozenset[int] = frozenset()
    result = []
    for branch in branches(root, start, end):
        row = BranchYear(branch)
        for requirement, months in wanted.items():
            branch_groups = groups.get(branch.path, no_groups)
            if requirement == Requirement.GROUP_MEETING and not branch_groups:
                continue
            if requirement == Requirement.COMMITTEE_MEETING and branch.pk not in committees:
                continue
            by_month = held.get((branch.pk, requirement), {})
            row.slots[requirement] = [
                _slot(requirement, first, last, by_month, branch_groups, today)
                for first, last in periods(year, months)
                if _existed(branch, first, last)
            ]
        result.append(row)
    return result


def _existed(branch: Organization, first: date, last: date) -> bool:
    if branch.founded_on and branch.founded_on > last:
        return False
    return not (branch.dissolved_on and branch.dissolved_on <= first)


def _slot(
    requirement: str,
    first: date,
    last: date,
    by_month: dict[int, list[int | None]],
    groups: frozenset[int],
    today: date,
) -> Slot:
    inside = [
        group for month in range(first.month, last.month + 1) for group in by_month.get(month, ())
    ]
    done = groups <= set(inside) if requirement == Requirement.GROUP_MEETING else bool(inside)
    if done:
        state = PeriodState.HELD
    elif last < today:
        state = PeriodState.MISSED
    else:
        state = PeriodState.DUE
    return Slot(requirement, first, last, state, len(inside))


def rate(root: Organization, start: date, end: date, today: date) -> tuple[int, int]:
    """(held, missed) over the subtree's periods lying within [start, end]."""
    held = missed = 0
    for year in range(start.year, end.year + 1):
        for row in year_of(root, year, today):
            h, m, _ = row.tally(start, end)
            held, missed = held + h, missed + m
    return held, missed
