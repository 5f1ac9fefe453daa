"""A year of organizational life for the demo universities (`dangjian demo`).

`load_demo(scale)` gives every branch of each demo university the twelve months before today
and the planned events of the next 30 days: a theme day every month on the branch's fixed
day, committee meetings with the 第一议题 (branches with a committee), party-group meetings,
quarterly general assemblies and lectures (mostly by the secretary, ~20 % micro lectures),
~4 study sessions, the review meeting (组织生活会) around December–January, heart-to-heart
talks, volunteer service and social practice (more in student branches); lectures by
university leaders and cadres at committee level; yearly plans for about half the branches
and monthly summaries. About 6 % of the required items are missed, a few entries are late
(with a reason), a few events cancelled.

Rows go in with bulk_create: the actions would take minutes. Every row is one the actions
would accept: expected attendees are the snapshot `attendees.expected_people` takes, counts
on the event are what `attendees.count_fields` / `actions.refresh_counts` compute (done here
in Python from the rows), planned events have only leave marked. Deterministic per
university; a university that has events already is skipped, so a second run adds nothing.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.members.choices import MEMBER_CATEGORIES, Category, Status
from dangjian.members.demo_people import SEED
from dangjian.members.models import Cadre, Person
from dangjian.orglife.choices import (
    OPEN_KINDS,
    AttendanceStatus,
    CheckinMethod,
    EventKind,
    EventStatus,
    LectureLevel,
    PlanKind,
)
from dangjian.orglife.demo_text import (
    CRITICISM,
    FIRST_TOPICS,
    GUESTS,
    LATE_REASONS,
    LEAVE_REASONS,
    LECTURE_TOPICS,
    PLACES,
    PRACTICE_TOPICS,
    STUDY_TOPICS,
    THEMES,
    VOLUNTEER_TOPICS,
)
from dangjian.orglife.demo_write import insert_events, insert_rows, summaries
from dangjian.orglife.models import Attendance, Event, MonthlySummary, PlanItem, new_checkin_key
from dangjian.orglife.testing import at
from dangjian.orgs.choices import BRANCH_LEVELS, COMMITTEE_LEVELS, Kind, Level, Position
from dangjian.orgs.models import CommitteeMember, Organization
from dangjian.recruitment.demo import row

MISSED, GROUP_MISSED, LATE, CANCELLED = 0.06, 0.03, 0.02, 0.012
PRESENT, LEAVE, QR, GUESTED = 0.85, 0.10, 0.4, 0.12
STUDENT_KINDS = frozenset({Kind.UNDERGRADUATE, Kind.GRADUATE})
BATCH = 2000
COUNTS = ("活动", "已召开", "计划召开", "已取消", "出勤记录", "参加人次", "计划事项", "月报")
# A member: (id, name, category, joined_on, party group id).
Member = tuple[int, str, str, date | None, int | None]
# An attendance line, in the order of LINE (written as plain rows, not model instances).
Line = tuple[Any, ...]
LINE = ("person_id", "guest_name", "guest_unit", "is_guest", "expected", "status",
        "leave_reason", "method", "checked_in_at", "hours")  # fmt: skip
GUEST, EXPECTED, STATUS, HOURS = 3, 4, 5, 9


class Branch:
    """A branch as the year is drawn: members, party groups, committee and secretary."""

    def __init__(self, org: Organization, members: list[Member]) -> None:
        self.org, self.members = org, members
        self.groups: dict[int, list[Member]] = {}
        self.committee: list[Member] = []
        self.committee_size = 0
        self.secretary = ""
        self.student = org.kind in STUDENT_KINDS


class Year:
    """One demo university's year of organizational life, drawn from its own generator."""

    def __init__(self, index: int, root: Organization, today: date) -> None:
        self.root, self.today = root, today
        self.rng = random.Random(f"{SEED}-orglife-{index}")
        month = today.month + 12 * today.year - 12 - 1
        self.start = date(month // 12, month % 12 + 1, 1)  # the month a year ago
        self.until = today + timedelta(days=30)
        self.events: list[Event] = []
        self.rows: list[list[Line]] = []
        self.plans: list[PlanItem] = []
        self.plan_of: dict[tuple[int, date, str], PlanItem] = {}
        self.linked: list[tuple[int, PlanItem]] = []  # (event index, the item it carries out)
        self.branches = self._branches()

    # Reading the registry --------------------------------------------------------------

    def _branches(self) -> list[Branch]:
        inside = {"path__startswith": self.root.path, "dissolved_on__isnull": True}
        orgs = Organization.objects.filter(level__in=BRANCH_LEVELS, **inside).order_by("path")
        people: dict[int, list[Member]] = defaultdict(list)
        rows = (
            Person.objects.filter(
                organization__path__startswith=self.root.path,
                category__in=MEMBER_CATEGORIES,
                status=Status.NORMAL,
            )
            .order_by("pk")
            .values_list("pk", "name", "category", "joined_on", "party_group_id", "organization_id")
        )
        for pk, name, category, joined, group, org_id in rows:
            people[org_id].append((pk, name, category, joined, group))
        branches = {org.pk: Branch(org, people.get(org.pk, [])) for org in orgs}
        groups = Organization.objects.filter(level=Level.PARTY_GROUP, **inside)
        by_path = {b.org.path: b for b in branches.values()}
        for group in groups.order_by("path"):
            branch = by_path.get(group.path[: -Organization.steplen])
            if branch is not None:
                branch.groups[group.pk] = [m for m in branch.members if m[4] == group.pk]
        seats = CommitteeMember.objects.filter(
            term__organization_id__in=list(branches),
            term__closed_on__isnull=True,
            ended_on__isnull=True,
        ).values_list("term__organization_id", "name", "position", "person_id")
        for org_id, name, position, person_id in seats:
            branch = branches[org_id]
            branch.committee_size += 1
            if position == Position.SECRETARY:
                branch.secretary = name
            if person_id is not None:
                branch.committee += [m for m in branch.members if m[0] == person_id]
        return list(branches.values())

    # Events ------------------------------------------------------------------------------

    def day_in(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def add(
        self,
        org: Organization,
        kind: str,
        day: date,
        title: str,
        expected: list[Member],
        **fields: Any,
    ) -> Event | None:
        """An event on `day` (held before today, planned up to 30 days ahead) with the
        attendance of `expected`; `participants` for talks and activities."""
        participants: list[Member] = fields.pop("participants", [])
        guests: list[Member] = fields.pop("guests", [])
        plan: PlanItem | None = fields.pop("plan_item", None)
        cancelled: bool = fields.pop("cancelled", False)
        if day < self.start or day > self.until:
            return None
        r = self.rng
        hour = 9 if org.kind == Kind.RETIRED else r.choice((9, 10, 14, 15, 16, 19))
        starts = at(day, hour, r.choice((0, 0, 30)))
        status = EventStatus.HELD if day < self.today else EventStatus.PLANNED
        if cancelled:
            status, plan = EventStatus.CANCELLED, None
        elif plan is not None:
            self.linked.append((len(self.events), plan))
        event = row(
            Event,
            organization_id=org.pk,
            kind=kind,
            title=title[:200],
            status=status,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=r.choice((60, 90, 120, 150))),
            held_on=day,
            place=r.choice(PLACES),
            checkin_key=new_checkin_key(),
            **fields,
        )
        if status == EventStatus.HELD:
            recorded = min(day + timedelta(days=r.randint(0, 6)), self.today)
            if r.random() < LATE and (self.today - day).days > 45:
                recorded = day + timedelta(days=r.randint(35, min(90, (self.today - day).days)))
                event.is_late, event.late_reason = True, r.choice(LATE_REASONS)
            event.recorded_on = recorded
        reasons = LEAVE_REASONS[org.kind if org.kind in LEAVE_REASONS else ""]
        qr = r.random() < QR and kind not in OPEN_KINDS
        rows = [self.mark(event, m, reasons, qr, expected=True) for m in expected]
        if status == EventStatus.HELD:  # participants and guests are entered afterwards
            rows += [self.mark(event, m, reasons, False, expected=False) for m in participants]
            rows += [
                self.mark(event, m, reasons, False, expected=False, guest=True) for m in guests
            ]
        if status == EventStatus.HELD and r.random() < GUESTED and kind not in OPEN_KINDS:
            for _ in range(r.randint(1, 2)):
                name, unit = r.choice(GUESTS)
                rows.append((None, name, unit, True, False, AttendanceStatus.PRESENT, "",
                             CheckinMethod.MANUAL, None, None))  # fmt: skip
        self.count(event, rows, {m[0]: m[2] for m in expected})
        self.events.append(event)
        self.rows.append(rows)
        return event

    def mark(
        self,
        event: Event,
        member: Member,
        reasons: tuple[str, ...],
        qr: bool,
        *,
        expected: bool,
        guest: bool = False,
    ) -> Line:
        """A line of the sheet: ~85 % present, ~10 % on leave with a reason, the rest absent
        (talks and activities list their participants only); planned: leave asked ahead."""
        r = self.rng
        status, reason = AttendanceStatus.ABSENT, ""
        draw = r.random()
        if event.status != EventStatus.HELD:
            if draw < 0.05:  # leave asked for in advance
                status, reason = AttendanceStatus.LEAVE, r.choice(reasons)
        elif not expected or draw < PRESENT:
            status = AttendanceStatus.PRESENT
        elif draw < PRESENT + LEAVE:
            status, reason = AttendanceStatus.LEAVE, r.choice(reasons)
        method, checked = "", None
        if status == AttendanceStatus.PRESENT:
            method = CheckinMethod.MANUAL
            if qr:
                method = CheckinMethod.QR
                checked = event.starts_at - timedelta(minutes=r.randint(-10, 20))
        return (member[0], "", "", guest, expected, status, reason, method, checked, None)

    @staticmethod
    def count(event: Event, rows: list[Line], categories: dict[int, str]) -> None:
        """The counts `refresh_counts` would set, from the lines in memory (one pass)."""
        expected = present = leave = absent = guests = default = voters = voting = 0
        hours = Decimal(0)
        assembly = event.kind == EventKind.GENERAL_ASSEMBLY
        for line in rows:
            status, guest = line[STATUS], line[GUEST]
            here = status == AttendanceStatus.PRESENT
            if line[EXPECTED]:
                expected += 1
                if not assembly or categories.get(line[0]) == Category.FULL:
                    voters, voting = voters + 1, voting + here
            if here:
                guests, present = guests + guest, present + (not guest)
                if line[HOURS] is None:
                    default += 1
                else:
                    hours += line[HOURS]
            elif not guest:
                leave += status == AttendanceStatus.LEAVE
                absent += status == AttendanceStatus.ABSENT
        event.expected_count, event.present_count, event.guest_count = expected, present, guests
        event.leave_count, event.absent_count = leave, absent
        event.person_times = present + guests
        event.person_hours = hours + (event.hours or Decimal(0)) * default
        event.quorum_met = None
        if event.kind in (EventKind.GENERAL_ASSEMBLY, EventKind.COMMITTEE_MEETING) and voters:
            event.quorum_met = voting * 2 > voters

    # The year of a branch ---------------------------------------------------------------

    def months(self) -> list[date]:
        """The first days of the months from a year ago to the month 30 days ahead."""
        first, result = self.start, []
        while first <= self.until:
            result.append(first)
            first = (first + timedelta(days=32)).replace(day=1)
        return result

    def build(self) -> None:
        for branch in self.branches:
            if branch.members:
                self.branch_year(branch)
        self.committee_lectures()

    def branch_year(self, b: Branch) -> None:
        r, org = self.rng, b.org
        members = b.members
        secretary = b.secretary or r.choice(members)[1]
        planned = r.random() < 0.5
        fixed = r.randint(5, 25)  # the branch's theme day (one fixed day every month)
        common = {"host_name": secretary, "recorder_name": r.choice(members)[1]}
        for first in self.months():
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            month = f"{first.month}月"
            on = self.snapshot(b, members, first)
            theme = THEMES[(first.month + r.randint(0, 2)) % len(THEMES)]
            if planned:
                self.plan(org, first, PlanKind.THEME_DAY, theme)
            if not self.skip(first):
                day = min(first.replace(day=fixed), last)
                self.add(org, EventKind.THEME_DAY, day, f"{month}主题党日：{theme}", on,
                         plan_item=self.plan_for(org, first, PlanKind.THEME_DAY), **common)  # fmt: skip
            if r.random() < CANCELLED:  # called off, held on the fixed day instead
                self.add(org, EventKind.THEME_DAY, self.day_in(first, last), f"{month}主题党日",
                         on, cancelled=True, **common)  # fmt: skip
            if b.committee_size >= 3 and not self.skip(first):
                day = min(first.replace(day=max(1, fixed - r.randint(3, 4))), last)
                self.add(org, EventKind.COMMITTEE_MEETING, day, f"{month}支委会", self.snapshot(b, b.committee, first),
                         first_topic=r.choice(FIRST_TOPICS), agenda="1. 学习第一议题；2. 研究本月主题党日安排；3. 其他事项",
                         resolutions="同意本月主题党日方案。", **common)  # fmt: skip
            for group, people in b.groups.items():
                if r.random() >= GROUP_MISSED or first >= self.today.replace(day=1):
                    self.add(org, EventKind.GROUP_MEETING, self.day_in(first, last),
                             f"{month}党小组会", self.snapshot(b, people, first), party_group_id=group,
                             host_name=people[0][1] if people else secretary)  # fmt: skip
            if first.month % 3 == 2:  # the middle month of a quarter
                self.quarter(b, first, last, on, secretary, planned, common)
            if r.random() < 0.32:
                topic = r.choice(STUDY_TOPICS)
                self.add(org, EventKind.STUDY, self.day_in(first, last), f"集中学习研讨：{topic}", on, **common)  # fmt: skip
            self.activities(b, first, last, secretary)
        self.talks_and_review(b, secretary, common)
        if planned:  # the rest of this year's plan, not yet due
            for number in range(
                self.until.month + 1, 13 if self.until.year == self.today.year else 1
            ):
                first = date(self.today.year, number, 1)
                self.plan(org, first, PlanKind.THEME_DAY, THEMES[number % len(THEMES)])
                if number % 3 == 2:
                    self.plan(org, first, PlanKind.LECTURE, r.choice(LECTURE_TOPICS), secretary)

    def skip(self, first: date) -> bool:
        """A required item missed (~6 %); never the current month (still due)."""
        return first < self.today.replace(day=1) and self.rng.random() < MISSED

    def snapshot(self, b: Branch, people: list[Member], first: date) -> list[Member]:
        """Members on the books on the month's first day (later admissions not yet expected)."""
        return [m for m in people if m[3] is None or m[3] <= first]

    def quarter(
        self,
        b: Branch,
        first: date,
        last: date,
        on: list[Member],
        secretary: str,
        planned: bool,
        common: dict[str, str],
    ) -> None:
        r, org = self.rng, b.org
        if not self.skip(first):
            self.add(org, EventKind.GENERAL_ASSEMBLY, self.day_in(first, last),
                     f"{first.year}年第{(first.month + 2) // 3}季度支部党员大会", on,
                     agenda="1. 通报支部工作；2. 讨论发展党员事项；3. 民主评议", **common)  # fmt: skip
        topic = r.choice(LECTURE_TOPICS)
        if planned:
            self.plan(org, first, PlanKind.LECTURE, topic, secretary)
        if self.skip(first):
            return
        draw = r.random()
        level, speaker = LectureLevel.SECRETARY, secretary
        if draw > 0.9:
            level, speaker = (
                LectureLevel.EXPERT,
                r.choice(("马克思主义学院李教授", "省委党校刘教授")),
            )
        elif draw > 0.65:
            level, speaker = LectureLevel.MEMBER, r.choice(b.members)[1]
        micro = r.random() < 0.2
        self.add(org, EventKind.LECTURE, self.day_in(first, last),
                 f"{'微党课' if micro else '党课'}：{topic}", on, speaker_name=speaker,
                 lecture_level=level, is_micro=micro, plan_item=self.plan_for(org, first, PlanKind.LECTURE),
                 **common)  # fmt: skip

    def activities(self, b: Branch, first: date, last: date, host: str) -> None:
        """Volunteer service and social practice (students: summer and winter practice)."""
        r, org = self.rng, b.org
        rate = 0.16 if b.student else 0.07
        if r.random() < rate:
            people = r.sample(b.members, min(len(b.members), r.randint(5, 14)))
            topic = r.choice(VOLUNTEER_TOPICS)
            self.add(org, EventKind.VOLUNTEER, self.day_in(first, last), f"志愿服务：{topic}", [],
                     participants=people, hours=Decimal(r.choice((2, 3, 4))), host_name=host)  # fmt: skip
        season = first.month in (1, 7, 8) if b.student else first.month in (4, 10)
        if season and r.random() < (0.8 if b.student else 0.25):
            people = r.sample(b.members, min(len(b.members), r.randint(10, 24)))
            joint = r.random() < 0.3
            self.add(org, EventKind.SOCIAL_PRACTICE, self.day_in(first, last),
                     f"社会实践：{r.choice(PRACTICE_TOPICS)}", [], participants=people,
                     hours=Decimal(r.choice((4, 6, 8))), host_name=host, is_joint=joint,
                     partners="社区党委" if joint else "")  # fmt: skip

    def talks_and_review(self, b: Branch, secretary: str, common: dict[str, str]) -> None:
        r, org = self.rng, b.org
        for _ in range(r.randint(3, 8)):
            people = r.sample(b.members, min(len(b.members), r.randint(1, 2)))
            names = "、".join(m[1] for m in people)
            self.add(org, EventKind.HEART_TALK, self.day_in(self.start, self.today - timedelta(days=1)),
                     f"谈心谈话：与{names}同志", [], participants=people, host_name=secretary)  # fmt: skip
        season = date(self.today.year - 1, 12, 1)
        day = self.day_in(season, season + timedelta(days=50))
        first = day.replace(day=1)
        self.add(org, EventKind.REVIEW_MEETING, day, f"{season.year}年度组织生活会",
                 self.snapshot(b, b.members, first), criticism=r.choice(CRITICISM),
                 agenda="1. 支部班子对照检查；2. 党员逐一发言，开展批评和自我批评；3. 民主评议党员",
                 **common)  # fmt: skip

    def committee_lectures(self) -> None:
        """Lectures by university leaders and cadres for each committee (members as guests)."""
        r = self.rng
        leaders = list(
            Cadre.objects.filter(
                person__organization__path__startswith=self.root.path, is_university_leader=True
            ).values_list("person__name", flat=True)
        ) or ["校党委书记"]
        committees = Organization.objects.filter(
            path__startswith=self.root.path, level__in=COMMITTEE_LEVELS, dissolved_on__isnull=True
        ).order_by("path")
        members = [m for b in self.branches for m in b.members]
        paths = [b.org.path for b in self.branches for _ in b.members]
        secretaries = dict(
            CommitteeMember.objects.filter(
                term__organization__in=committees,
                term__closed_on__isnull=True,
                ended_on__isnull=True,
                position=Position.SECRETARY,
            ).values_list("term__organization_id", "name")
        )
        for org in committees:
            inside = [m for m, p in zip(members, paths, strict=True) if p.startswith(org.path)]
            for _ in range(r.randint(1, 3) if inside else 0):
                leader = r.random() < 0.4 or org.pk not in secretaries
                level = LectureLevel.UNIVERSITY_LEADER if leader else LectureLevel.CADRE
                speaker = r.choice(leaders) if leader else secretaries[org.pk]
                guests = r.sample(inside, min(len(inside), r.randint(30, 120)))
                topic = r.choice(LECTURE_TOPICS)
                self.add(org, EventKind.LECTURE, self.day_in(self.start, self.until),
                         f"专题党课：{topic}", [], guests=guests, speaker_name=speaker,
                         lecture_level=level, host_name=secretaries.get(org.pk, ""))  # fmt: skip

    # Plans and summaries ----------------------------------------------------------------

    def plan(
        self, org: Organization, first: date, kind: str, topic: str, speaker: str = ""
    ) -> None:
        item = row(PlanItem, organization_id=org.pk, year=first.year, month=first.month,
                   kind=kind, topic=topic[:200], speaker_name=speaker)  # fmt: skip
        self.plans.append(item)
        self.plan_of[(org.pk, first, kind)] = item

    def plan_for(self, org: Organization, first: date, kind: str) -> PlanItem | None:
        return self.plan_of.get((org.pk, first, kind))

    # Writing ----------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        """Plans, events, attendance, then the summaries of the written year."""
        with transaction.atomic():
            PlanItem.objects.bulk_create(self.plans, batch_size=BATCH)
            for index, plan in self.linked:
                self.events[index].plan_item_id = plan.pk
            insert_events(self.events)
            lines = [
                (*line, event.pk)
                for event, sheet in zip(self.events, self.rows, strict=True)
                for line in sheet
            ]
            insert_rows(Attendance, [*LINE, "event_id"], lines)
            reports = summaries(self)
            MonthlySummary.objects.bulk_create(reports, batch_size=BATCH)
        status = [e.status for e in self.events]
        return {
            "活动": len(self.events),
            "已召开": status.count(EventStatus.HELD),
            "计划召开": status.count(EventStatus.PLANNED),
            "已取消": status.count(EventStatus.CANCELLED),
            "出勤记录": len(lines),
            "参加人次": sum(e.person_times for e in self.events),
            "计划事项": len(self.plans),
            "月报": len(reports),
        }


def load_university(index: int, root: Organization, today: date) -> dict[str, int]:
    """One university's year (the tests use it on their own trees); nothing when it has
    events already."""
    if Event.objects.filter(organization__path__startswith=root.path).exists():
        return dict.fromkeys(COUNTS, 0)
    year = Year(index, root, today)
    year.build()
    return year.write()


def load_demo(scale: int = 1) -> dict[str, int]:
    """`dangjian demo` hook: a year of organizational life for demo universities 1..scale."""
    started, today = time.monotonic(), timezone.localdate()
    counts = dict.fromkeys(COUNTS, 0)
    codes = [f"U{index:03d}" for index in range(1, scale + 1)]
    for root in Organization.objects.filter(depth=1, code__in=codes).order_by("code"):
        for name, n in load_university(int(root.code[1:]), root, today).items():
            counts[name] += n
    counts["秒"] = round(time.monotonic() - started) if counts["活动"] else 0
    return counts
