"""Demo recruitment cases, consistent with the demo registry (`members.demo`).

`load_demo(scale)` (called by `dangjian demo` after `members.demo`, apps load in order) gives
every demo university's applicants, activists and candidates an open case at the step their
registry dates imply, and its members admitted in the last two years a case through approval
(step 17) or, once converted, through archiving (step 25): talks, mentors and introducers who
are full members of the branch, an assessment every six months, training, notices, votes with
the branch's voting members. About 2 % of conversions were extended and 3 % of cases
cancelled; a few steps are overdue and a few wait for the committee, so worklists are not
empty. Every date and value keeps the rules of `recruitment.checks` (the tests replay them).

Rows are inserted directly (as `members.demo` does): the actions would take minutes. Each
case's next step, due date and reviewer are computed in memory with `plan.position`, as
`plan.refresh` would. Deterministic per university; a university with cases is skipped.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from dangjian.members.choices import Category, Status, TransferDirection
from dangjian.members.demo import _insert
from dangjian.members.demo_people import SEED, new_instance
from dangjian.members.models import Person, Transfer
from dangjian.members.rules import add_months
from dangjian.orgs.models import Organization
from dangjian.recruitment.checks import age_on
from dangjian.recruitment.choices import (
    CancelReason,
    CaseStatus,
    ConversionOutcome,
    Decision,
    RecordState,
    ReviewLevel,
    Source,
)
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.plan import done, levels_for, position, reviewer
from dangjian.recruitment.steps import LAST, step

PIPELINE = (Category.APPLICANT, Category.ACTIVIST, Category.CANDIDATE)
CANCELLED, EXTENDED, MISSED_TALK, MISSED_ASSESSMENT = 0.03, 0.05, 0.03, 0.05
CONCLUSIONS = ("表现良好，入党动机端正", "学习认真，积极参加组织活动", "思想进步明显，群众基础较好")
FIELDS = ("category", "status", "organization", "post", "birth_date", "applied_on", "activist_on",
          "candidate_on", "joined_on", "converted_on")  # fmt: skip
M = TypeVar("M", bound=models.Model)
ARCHIVE = [code for code, _label in step(25).fields[0].choices]


_rows: dict[type, dict[str, Any]] = {}


def row(model: type[M], **values: Any) -> M:
    """An unsaved instance from attribute values (no field descriptors): tens of thousands
    of records are drawn, and `new_instance` would take most of the demo's time."""
    template = _rows.get(model)
    if template is None:
        template = _rows[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields if f.attname != "id"
        }
    obj = model.__new__(model)
    obj.__dict__.update(template)
    obj.__dict__.update(values)
    obj.__dict__["id"] = None
    obj._state = ModelState()
    return obj


class Walk:
    """One case being drawn: the case and its records in order (nothing after `today`)."""

    def __init__(self, case: Case, today: date) -> None:
        self.case, self.today = case, today
        self.records: list[StepRecord] = []

    def add(self, number: int, day: date, data: dict[str, Any] | None = None) -> bool:
        """Record step `number` on `day` unless that is still to come."""
        if day > self.today:
            return False
        self.records.append(
            row(StepRecord, step=number, occurred_on=day, data=data or {}, state=RecordState.DONE)
        )
        return True

    def submit(self, number: int, day: date, data: dict[str, Any] | None = None) -> None:
        """A step reported and waiting for the higher organization's review."""
        if self.add(number, min(day, self.today), data):
            self.records[-1].state = RecordState.SUBMITTED

    @property
    def last(self) -> date:
        return self.records[-1].occurred_on


class Pipeline:
    """One university's cases, drawn from its own generator."""

    def __init__(self, index: int, root: Organization, today: date) -> None:
        self.index, self.root, self.today = index, root, today
        self.rng = random.Random(f"{SEED}-recruitment-{index}")
        inside = {"organization__path__startswith": root.path}
        arrived = set(
            Transfer.objects.filter(
                direction=TransferDirection.INBOUND,
                **{f"person__{k}": v for k, v in inside.items()},
            ).values_list("person_id", flat=True)
        )
        people = list(
            Person.objects.filter(status=Status.NORMAL, **inside).order_by("pk").only(*FIELDS)
        )
        self.people = [p for p in people if p.pk not in arrived]
        self.orgs = {o.pk: o for o in Organization.objects.within(root)}
        self.voters: dict[int, list[Person]] = {}
        for person in people:
            if person.category == Category.FULL:
                self.voters.setdefault(person.organization_id, []).append(person)
        self._reviewers: dict[tuple[int, str], Organization] = {}
        self.staff: dict[int, list[Person]] = {}  # committee staff who talk for the committee
        for person in people:
            if person.category == Category.FULL and person.post in ("professional", "management"):
                committee = self.reviewer(self.orgs[person.organization_id], ReviewLevel.COMMITTEE)
                self.staff.setdefault(committee.pk, []).append(person)
        self.walks: list[Walk] = []
        self.converted: list[tuple[date, int]] = []  # registry conversion dates to align
        self.extended = self.conversions(self.people)
        self.skipped = 0
        self.serial = 0

    def conversions(self, people: list[Person]) -> set[int]:
        """Align the conversion dates of the last two years' members with the rule (a year
        after the vote, or 18 months when extended) before anyone is chosen as introducer."""
        extended = set()
        since = self.today - timedelta(days=730)
        for person in people:
            if person.category != Category.FULL or not person.joined_on:
                continue
            if person.joined_on < since:
                continue
            months = 12
            late = add_months(person.joined_on, 18) + timedelta(days=60) <= self.today
            if late and self.rng.random() < EXTENDED:
                months = 18
                extended.add(person.pk)
            converted = add_months(person.joined_on, months)
            if converted != person.converted_on:
                person.converted_on = converted
                self.converted.append((converted, person.pk))
        return extended

    def reviewer(self, branch: Organization, level: str) -> Organization:
        key = (branch.pk, level)
        if key not in self._reviewers:
            self._reviewers[key] = reviewer(branch, level)
        return self._reviewers[key]

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def full_members(self, case: Case, count: int, on: date) -> list[int]:
        """Full members (converted by `on`) of the branch, else of its committee's staff."""
        branch = case.organization
        own = [p for p in self.voters.get(branch.pk, []) if p.converted_on and p.converted_on <= on]
        chosen = [p.pk for p in self.rng.sample(own, min(count, len(own)))]
        if len(chosen) < count:
            pool = self.staff.get(self.reviewer(branch, ReviewLevel.COMMITTEE).pk, [])
            for person in self.rng.sample(pool, min(count + 4, len(pool))):
                fits = person.converted_on and person.converted_on <= on
                if fits and len(chosen) < count and person.pk not in chosen:
                    chosen.append(person.pk)
        return [pk for pk in chosen if pk != case.person_id]

    def votes(self, case: Case) -> dict[str, int]:
        """A vote by the branch's voting members: most present, nearly all in favour."""
        should = len(self.voters.get(case.organization_id, []))
        present = should - min(self.rng.randint(0, should // 5 + 1), (should - 1) // 2)
        abstain = 1 if self.rng.random() < 0.1 and (present - 1) * 2 > should else 0
        return {
            "should_attend": should,
            "present": present,
            "votes_for": present - abstain,
            "votes_against": 0,
            "votes_abstain": abstain,
        }

    def build(self) -> None:
        year = self.today - timedelta(days=730)
        for person in self.people:
            if person.category in PIPELINE and person.applied_on:
                self.pipeline(person)
            elif (
                person.joined_on
                and person.joined_on >= year
                and person.category
                in (
                    Category.PROBATIONARY,
                    Category.FULL,
                )
            ):
                self.admitted(person)

    def open(self, person: Person) -> Walk:
        branch = self.orgs[person.organization_id]
        case = new_instance(Case, person=person, organization=branch, status=CaseStatus.OPEN)
        walk = Walk(case, self.today)
        assert person.applied_on is not None
        walk.add(1, person.applied_on, {"received_by": branch.name})
        self.walks.append(walk)
        return walk

    # Before admission --------------------------------------------------------------------

    def pipeline(self, person: Person) -> None:
        r, walk = self.rng, self.open(person)
        reached = self.early(walk, person)
        if reached and person.category == Category.CANDIDATE and person.candidate_on:
            self.candidate(walk, person.candidate_on)
        if r.random() < CANCELLED:
            walk.records = [rec for rec in walk.records if rec.state == RecordState.DONE]
            case = walk.case
            case.status, case.closed_on = CaseStatus.CANCELLED, self.day(walk.last, self.today)
            reason = r.choice(
                (CancelReason.WITHDRAWN, CancelReason.LEFT_SCHOOL, CancelReason.NOT_QUALIFIED)
            )
            case.close_reason = str(CancelReason(reason).label)

    def early(self, walk: Walk, person: Person) -> bool:
        """Steps 2–6 (application and activist stages); False when the case stops early."""
        r, case, applied = self.rng, walk.case, person.applied_on
        activist = person.activist_on
        assert applied is not None  # only people with an application date get a case
        room = ((activist - applied).days - 1) if activist else 28
        missed = not activist and (self.today - applied).days > 35 and r.random() < MISSED_TALK
        talker = self.full_members(case, 1, applied)
        if missed or not talker:
            return False
        walk.add(2, applied + timedelta(days=r.randint(3, max(3, min(28, room)))), {
            "talker": talker[0], "summary": "了解入党动机，介绍党的基本知识和入党条件"})  # fmt: skip
        if activist is None:
            return False
        age = age_on(person.birth_date, activist)
        walk.add(3, activist, {
            "source": Source.LEAGUE if age < 28 else Source.MEMBERS,
            "decided_by": "branch_committee",
            "notice_from": (activist - timedelta(days=9)).isoformat(),
            "notice_to": (activist - timedelta(days=2)).isoformat()})  # fmt: skip
        filed = activist + timedelta(days=r.randint(3, 15))
        if filed > self.today:
            if (self.today - activist).days >= 3:
                walk.submit(4, self.today)  # waits for the committee
            return False
        walk.add(4, filed)
        mentors = self.full_members(case, r.choice((1, 2)), filed)
        if not walk.add(5, filed + timedelta(days=r.randint(1, 10)), {"mentors": mentors}):
            return False
        if r.random() < MISSED_ASSESSMENT and person.category == Category.ACTIVIST:
            return False  # the assessment is overdue
        until = min(person.candidate_on or self.today, self.today)
        term = 1
        while (on := add_months(activist, 6 * term) - timedelta(days=r.randint(0, 20))) < until:
            walk.add(6, max(on, walk.last), {
                "conclusion": r.choice(CONCLUSIONS), "thought_reports": r.randint(1, 3)})  # fmt: skip
            term += 1
        return True

    def candidate(self, walk: Walk, candidate: date, vote: date | None = None) -> date | None:
        """Steps 7–15 towards the assembly vote (on `vote`, or a date of its own); the vote's
        date when held."""
        r, case = self.rng, walk.case
        walk.add(7, candidate, {
            "opinions": "听取党小组、培养联系人、党员和群众意见，一致同意",
            "decided_by": "branch_committee",
            "notice_from": (candidate - timedelta(days=9)).isoformat(),
            "notice_to": (candidate - timedelta(days=2)).isoformat()})  # fmt: skip
        filed = candidate + timedelta(days=r.randint(3, 8))
        if filed > self.today:
            if (self.today - candidate).days >= 2:
                walk.submit(8, self.today)
            return None
        walk.add(8, filed)
        free = vote is None
        vote = vote or candidate + timedelta(days=r.randint(60, 180))
        if free and vote < self.today - timedelta(days=60):
            vote = None  # waits for the assembly: the next training course
        introducers = self.full_members(case, 2, filed)
        ok = len(introducers) == 2 and walk.add(
            9, candidate + timedelta(days=r.randint(10, 18)), {"introducers": introducers}
        )
        ok = ok and walk.add(10, candidate + timedelta(days=r.randint(20, 29)), {
            "conclusion": "passed", "report": "政治历史清楚，现实表现良好，政审合格"})  # fmt: skip
        last = (vote or self.today) - timedelta(days=28)
        course = self.day(candidate + timedelta(days=30), last)
        ok = ok and walk.add(11, course, {
            "course": f"{course.year}年发展对象培训班", "days": 3, "hours": 24,
            "certificate_no": f"PX{course.year}{self.index:02d}{len(self.walks):05d}"})  # fmt: skip
        if not ok or vote is None or not self.voters.get(case.organization_id):
            return None
        walk.add(12, vote - timedelta(days=25), {"opinion": "同意提交支部大会讨论"})
        self.serial += 1
        ok = walk.add(13, vote - timedelta(days=14), {
            "notice_from": (vote - timedelta(days=22)).isoformat(),
            "notice_to": (vote - timedelta(days=16)).isoformat(), "opinion": "同意"})  # fmt: skip
        ok = ok and walk.add(14, vote - timedelta(days=10), {
            "form_no": f"{vote.year}{self.index:03d}{self.serial:05d}"})  # fmt: skip
        if not (ok and walk.add(15, vote, self.votes(case))):
            return None
        case.candidate_on, case.voted_on = candidate, vote
        case.probation_ends_on = add_months(vote, 12)
        if self.today > vote:
            committee = self.reviewer(case.organization, ReviewLevel.COMMITTEE)
            talker = self.rng.choice(self.staff.get(committee.pk) or [case.person])
            talk = self.day(vote + timedelta(days=1), min(vote + timedelta(days=20), self.today))
            walk.add(16, talk, {"talker": talker.pk, "summary": "了解入党动机和对党的认识"})
            if case.person.category == Category.CANDIDATE and self.today > talk:
                walk.submit(17, self.day(talk, vote + timedelta(days=40)), self.approval(case))
        return vote

    def approval(self, case: Case) -> dict[str, str]:
        committee = self.reviewer(case.organization, ReviewLevel.COMMITTEE)
        self.serial += 1
        return {"approved_by": committee.name, "document_no": f"{committee.short_name or '党委'}"
                f"〔{self.today.year}〕{self.serial % 900 + 1}号"}  # fmt: skip

    # Admitted ------------------------------------------------------------------------------

    def admitted(self, person: Person) -> None:
        """A member admitted in the last two years: steps 1–17, then probation."""
        r = self.rng
        if not (person.applied_on and person.activist_on and person.candidate_on):
            return
        if not self.votes_possible(person):
            self.skipped += 1
            return
        walk = self.open(person)
        vote = person.joined_on
        if not self.early(walk, person) or self.candidate(walk, person.candidate_on, vote) != vote:
            self.walks.pop()
            self.skipped += 1
            return
        case = walk.case
        assert vote is not None and case.probation_ends_on is not None
        approved = self.day(max(walk.last, vote + timedelta(days=7)), vote + timedelta(days=50))
        walk.add(17, min(approved, self.today), self.approval(case))
        case.admitted_on = walk.last
        filed = walk.last + timedelta(days=r.randint(5, 20))
        if filed > self.today:
            if (self.today - walk.last).days >= 3:
                walk.submit(18, self.today)  # waits for the university
            return
        walk.add(18, filed)
        if not walk.add(19, filed + timedelta(days=r.randint(1, 5))):
            return
        if not walk.add(20, walk.last + timedelta(days=r.randint(1, 20)), {"led_by": "支部书记"}):
            return
        ends = case.probation_ends_on
        extended = person.pk in self.extended
        self.probation(walk, vote, ends, first=True)
        if person.category != Category.FULL:
            return
        self.conversion(walk, ends, extended)
        if extended:
            case.extension_months, case.probation_ends_on = 6, add_months(ends, 6)
            self.probation(walk, ends, case.probation_ends_on, first=False)
            self.conversion(walk, case.probation_ends_on, False)
        case.converted_on = case.probation_ends_on
        archived = walk.last + timedelta(days=r.randint(5, 30))
        if walk.add(25, archived, {"checklist": ARCHIVE, "archived_at": "学校党委组织部档案室"}):
            case.status, case.closed_on = CaseStatus.CONVERTED, archived

    def votes_possible(self, person: Person) -> bool:
        return bool(self.voters.get(person.organization_id))

    def probation(self, walk: Walk, since: date, ends: date, *, first: bool) -> None:
        """Assessments every six months until the conversion application (or overdue)."""
        r = self.rng
        term = 1
        while (on := add_months(since, 6 * term)) < ends - timedelta(days=30):
            if not walk.add(21, max(on, walk.last), {"conclusion": r.choice(CONCLUSIONS)}):
                return
            term += 1
        applied = ends - timedelta(days=r.randint(10, 30))
        late = walk.case.person.category == Category.PROBATIONARY and r.random() < 0.2
        if first and not late:
            walk.add(22, max(applied, walk.last))

    def conversion(self, walk: Walk, ends: date, extended: bool) -> None:
        r = self.rng
        data: dict[str, Any] = {"outcome": ConversionOutcome.ON_TIME}
        if extended:
            data = {"outcome": ConversionOutcome.EXTENDED, "extension_months": 6}
        vote = ends + timedelta(days=r.randint(0, 10))
        walk.add(23, min(vote, self.today), {**data, **self.votes(walk.case)})
        walk.add(24, min(walk.last + timedelta(days=r.randint(5, 40)), self.today),
                 self.approval(walk.case))  # fmt: skip


# Standing and writing ----------------------------------------------------------------------


def settle(pipeline: Pipeline, walk: Walk) -> list[tuple[Review, StepRecord]]:
    """What `plan.refresh` would write on the case, and the reviews of its done steps."""
    case, records = walk.case, walk.records
    finished = done(records)
    case.applied_on = records[0].occurred_on
    for number, name in ((3, "activist_on"), (7, "candidate_on"), (15, "voted_on")):
        setattr(case, name, finished[number][0].occurred_on if number in finished else None)
    if 15 not in finished:
        case.probation_ends_on = None
    if 17 not in finished:
        case.admitted_on = None
    case.last_step = max((n for n in finished if n != 21), default=0)
    case.last_step_on = max(r.occurred_on for r in records if r.state == RecordState.DONE)
    here = position(case, records)
    case.next_step, case.due_on, case.earliest_on = here.next_step, here.due_on, here.earliest_on
    case.stage = step(min(max(here.next_step or case.last_step or 1, 1), LAST)).stage
    case.waiting_level, case.waiting_organization = "", None
    if here.waiting is not None:
        levels = levels_for(case, here.waiting.step) or [ReviewLevel.COMMITTEE]
        case.waiting_level = levels[0]
        case.waiting_organization = pipeline.reviewer(case.organization, levels[0])
    reviews = []
    for record in records:
        if record.state != RecordState.DONE or not step(record.step).review:
            continue
        for level in levels_for(case, record.step):
            review = row(
                Review,
                level=level,
                organization_id=pipeline.reviewer(case.organization, level).pk,
                decision=Decision.APPROVED,
                decided_on=record.occurred_on,
            )
            reviews.append((review, record))
    return reviews


def write(pipeline: Pipeline) -> dict[str, int]:
    """Insert the cases, their records and reviews; align the registry's conversion dates."""
    walks = pipeline.walks
    reviews = [review for walk in walks for review in settle(pipeline, walk)]
    with transaction.atomic():
        _insert(Case, [walk.case for walk in walks])
        records = []
        for walk in walks:
            for record in walk.records:
                record.case_id = walk.case.pk
            records += walk.records
        _insert(StepRecord, records)
        for review, record in reviews:
            review.record_id = record.pk
        _insert(Review, [review for review, _record in reviews])
        table = connection.ops.quote_name(Person._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET converted_on = %s WHERE id = %s",
                [(day.isoformat(), pk) for day, pk in pipeline.converted],
            )
    cases = [walk.case for walk in walks]
    today = pipeline.today
    return {
        "发展档案": len(cases),
        "进行中": sum(c.status == CaseStatus.OPEN for c in cases),
        "已转正": sum(c.status == CaseStatus.CONVERTED for c in cases),
        "已终止": sum(c.status == CaseStatus.CANCELLED for c in cases),
        "步骤记录": len(records),
        "待审核": sum(bool(c.waiting_level) for c in cases),
        "逾期": sum(bool(c.due_on and c.due_on < today) for c in cases),
    }


def load_demo(scale: int = 1) -> dict[str, int]:
    """`dangjian demo` hook: cases for demo universities 1..scale that have people, no cases."""
    started, today = time.monotonic(), timezone.localdate()
    counts = dict.fromkeys(
        ("发展档案", "进行中", "已转正", "已终止", "步骤记录", "待审核", "逾期"), 0
    )
    codes = [f"U{index:03d}" for index in range(1, scale + 1)]
    for root in Organization.objects.filter(depth=1, code__in=codes).order_by("code"):
        if Case.objects.filter(organization__path__startswith=root.path).exists():
            continue
        pipeline = Pipeline(int(root.code[1:]), root, today)
        pipeline.build()
        for name, n in write(pipeline).items():
            counts[name] += n
    counts["秒"] = round(time.monotonic() - started) if counts["发展档案"] else 0
    return counts
