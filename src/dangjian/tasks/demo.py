"""Last year's theme education for the demo universities (`dangjian demo`): plan, problem
lists and the three lists of every grassroots committee.

Per university, as the seed report tells it: the university committee's implementation plan
refined into 32 checkable tasks led by the grassroots committees (a few split to their
branches), most accepted on time, some late, one returned and two still open; a problem list of
27 school-level problems (listed by the university committee) and 341 unit-level ones (listed
by the 29 grassroots committees), most closed with evidence, some still in rectification, a few
recurring from problems closed the year before; responsibility, task and institution lists of
every grassroots committee for last year and (carried over, under way) this year.

The plan goes through the actions, then its dates are moved to the days they were due (as the
appraisals demo does). Problems and last year's lists are written in bulk — 368 problems
through four actions each would take most of a minute — as exactly the rows the actions write:
the same numbers, levels, statuses, log steps and evidence rows (all pointing to one stored
tiny PDF), recurrence found by `find_recurrence`; this year's lists are `copy_year`. No
notifications for the bulk rows: last year's work is history. Deterministic per university; a
university with a plan or a problem already is skipped, so a second run adds nothing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dangjian.members.demo_people import SEED
from dangjian.orgs.choices import BRANCH_LEVELS, COMMITTEE_LEVELS
from dangjian.orgs.models import Organization
from dangjian.tasks import actions
from dangjian.tasks.actions.common import store_file
from dangjian.tasks.choices import (
    ItemStatus,
    ListKind,
    ProblemLevel,
    ProblemStatus,
    ProblemStep,
)
from dangjian.tasks.demo_text import (
    CLAIM_NOTES,
    EVIDENCE_TITLE,
    LIST_ITEMS,
    MEASURES,
    PLAN_DESCRIPTION,
    PLAN_SOURCE,
    PLAN_TITLE,
    PROGRESS,
    PROGRESS_NOTES,
    RECURRING_REPHRASE,
    RESPONSIBLE,
    RETURN_NOTES,
    RETURN_REASONS,
    SUBMIT_NOTES,
    TASKS,
    UNIT_PROBLEMS,
    UNIVERSITY_PROBLEMS,
    VERIFY_NOTES,
)
from dangjian.tasks.models import (
    ListItem,
    Plan,
    Problem,
    ProblemFile,
    ProblemLog,
    ResponsibilityList,
    Task,
    TaskReport,
)

COUNTS = ("方案", "任务", "问题", "已销号", "清单", "清单事项")
UNIT_PROBLEM_TOTAL = 341
SPLIT, LATE, RETURNED, OPEN = 4, 3, 1, 2  # of the 32 tasks; the rest accepted on time
EARLIER = 12  # problems closed the year before (some recur last year)
RECURRING = 6
BATCH = 1000
# A tiny valid PDF: one empty A4 page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = f"{EVIDENCE_TITLE}.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@dataclass
class Written:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))


class Season:
    """One demo university's theme education year, drawn from its own generator."""

    def __init__(self, index: int, root: Organization, today: date) -> None:
        self.root, self.today = root, today
        self.rng = random.Random(f"{SEED}-tasks-{index}")
        self.year = today.year - 1
        self.written = Written()
        inside = {"path__startswith": root.path, "dissolved_on__isnull": True}
        self.committees = list(
            Organization.objects.filter(
                depth=root.depth + 1, level__in=list(COMMITTEE_LEVELS), **inside
            ).order_by("path")
        )
        self.branches: dict[int, list[Organization]] = {c.pk: [] for c in self.committees}
        by_path = {c.path: c for c in self.committees}
        for branch in Organization.objects.filter(level__in=list(BRANCH_LEVELS), **inside):
            committee = by_path.get(branch.path[: len(root.path) + Organization.steplen])
            if committee is not None:
                self.branches[committee.pk].append(branch)
        self.evidence: str = ""

    # The plan ------------------------------------------------------------------------------

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def plan(self) -> None:
        """The plan and its 32 tasks through the actions, then dated as they happened."""
        r, year = self.rng, self.year
        plan = actions.create_plan(
            self.root,
            {
                "title": PLAN_TITLE.format(year=year),
                "source_document": PLAN_SOURCE,
                "starts_on": date(year, 4, 1),
                "ends_on": date(year, 12, 31),
                "description": PLAN_DESCRIPTION,
            },
            acting_user=None,
        )
        tasks = []
        for content, criterion, month, day in TASKS:
            lead = r.choice(self.committees)
            helpers = r.sample([c for c in self.committees if c != lead], r.choice((0, 0, 1, 2)))
            data = {
                "content": content,
                "criterion": criterion,
                "deadline": date(year, month, day),
                "lead_unit": lead.pk,
                "responsible": r.choice(RESPONSIBLE),
                "cooperating_units": [c.pk for c in helpers],
            }
            tasks.append(actions.save_task(plan, data, acting_user=None))
        actions.issue_plan(plan, acting_user=None)
        issued = at(date(year, 4, 10), 10)
        Plan.objects.filter(pk=plan.pk).update(
            created_at=issued - timedelta(days=5), issued_at=issued
        )
        fates = ["late"] * LATE + ["returned"] * RETURNED + ["open"] * OPEN
        fates += ["on_time"] * (len(tasks) - len(fates))
        r.shuffle(fates)
        done = [n for n, fate in enumerate(fates) if fate in ("on_time", "late")]
        split = set(r.sample(done, SPLIT))
        for n, made in enumerate(tasks):
            task = Task.objects.select_related("plan", "lead_unit").get(pk=made.pk)
            branches = self.branches[task.lead_unit_id]
            if n in split and branches:
                units = r.sample(branches, min(2, len(branches)))
                parts = actions.split_task(
                    task, [{"lead_unit": unit.pk} for unit in units], acting_user=None
                )
                for part in parts:
                    self.finish(part, "on_time")
                task.refresh_from_db()
            self.finish(task, fates[n])
        self.written.counts["方案"] += 1
        self.written.counts["任务"] += len(tasks)

    def finish(self, task: Task, fate: str) -> None:
        """Report, claim and check one task as `fate` says, then date the reports."""
        r = self.rng
        note = actions.report_progress(
            task, {"text": r.choice(PROGRESS_NOTES), "progress": r.choice((40, 50, 60))},
            acting_user=None,
        )  # fmt: skip
        mid = task.deadline - timedelta(days=r.randint(10, 25))
        self.date_report(note, max(mid, date(self.year, 4, 12)), None)
        if fate == "open":
            return
        task.refresh_from_db()
        claim = actions.report_progress(
            task, {"text": r.choice(CLAIM_NOTES), "for_acceptance": True}, [pdf()], acting_user=None
        )
        accepted = fate != "returned"
        actions.check_report(
            claim, accepted, "" if accepted else r.choice(RETURN_REASONS), acting_user=None
        )
        if fate == "late":
            reported = task.deadline + timedelta(days=r.randint(3, 20))
        else:
            reported = task.deadline - timedelta(days=r.randint(0, 8))
        reported = max(reported, mid + timedelta(days=1))
        checked = self.date_report(claim, reported, r.randint(1, 3))
        if accepted:
            Task.objects.filter(pk=task.pk).update(completed_on=reported, accepted_at=checked)

    def date_report(self, report: TaskReport, day: date, check_after: int | None) -> datetime:
        moment = at(day, self.rng.choice((9, 10, 15, 16)))
        checked = moment + timedelta(days=check_after) if check_after is not None else None
        TaskReport.objects.filter(pk=report.pk).update(reported_at=moment, checked_at=checked)
        report.files.update(uploaded_at=moment)
        return checked or moment

    # Problems ------------------------------------------------------------------------------

    def problems(self) -> None:
        """The year before's closed problems, then last year's lists (27 + 341)."""
        r = self.rng
        earlier: list[tuple[Organization, Organization, tuple[str, str, str]]] = []
        for committee in r.sample(self.committees, min(EARLIER // 2, len(self.committees))):
            units = [committee, *self.branches[committee.pk]]
            for text in r.sample(UNIT_PROBLEMS, 2):
                earlier.append((committee, r.choice(units), text))
        self.write(earlier, self.year - 1, closed_share=1.0)
        again = r.sample(earlier, min(RECURRING, len(earlier)))
        rows = [(self.root, r.choice(self.committees), text) for text in UNIVERSITY_PROBLEMS]
        per, extra = divmod(UNIT_PROBLEM_TOTAL, len(self.committees))
        lucky = set(r.sample(range(len(self.committees)), extra))
        for n, committee in enumerate(self.committees):
            units = [committee, *self.branches[committee.pk]]
            recur = [(unit, text) for issuer, unit, text in again if issuer == committee]
            picked = [t for t in UNIT_PROBLEMS if all(t != text for _u, text in recur)]
            k = per + (n in lucky) - len(recur)
            texts = r.sample(picked, k) if k <= len(picked) else r.choices(picked, k=k)
            rows += [(committee, unit, (c, s, d + RECURRING_REPHRASE)) for unit, (c, s, d) in recur]
            rows += [(committee, r.choice(units), text) for text in texts]
        self.write(rows, self.year, closed_share=0.88)

    def write(
        self, rows: list[tuple[Organization, Organization, tuple[str, str, str]]], year: int,
        closed_share: float,
    ) -> None:  # fmt: skip
        """Problems as `list_problem` → `open_ledger` → `submit_closure` → `verify` leave them."""
        r = self.rng
        numbers: dict[int, int] = {}
        problems, fates = [], []
        for issuer, unit, (category, source, description) in rows:
            numbers[issuer.pk] = numbers.get(issuer.pk, 0) + 1
            listed = self.day(date(year, 5, 15), date(year, 7, 31))
            draw = r.random()
            fate = "closed" if draw < closed_share else "rectifying" if draw < 0.97 else "submitted"
            if fate != "closed" and r.random() < 0.1:
                fate = "listed"
            recurring, score = actions.find_recurrence(unit, year, description)
            problem = Problem(
                issuer=issuer, unit=unit, year=year, number=str(numbers[issuer.pk]),
                level=ProblemLevel.UNIVERSITY if issuer.depth == 1 else ProblemLevel.UNIT,
                source=source, category=category, description=description, listed_on=listed,
                recurring_of=recurring, similarity=score if recurring else None,
                status={"closed": ProblemStatus.CLOSED, "rectifying": ProblemStatus.RECTIFYING,
                        "submitted": ProblemStatus.SUBMITTED, "listed": ProblemStatus.LISTED}[fate],
            )  # fmt: skip
            if fate != "listed":
                problem.measures, problem.responsible = r.choice(MEASURES), r.choice(RESPONSIBLE)
                problem.deadline = listed + timedelta(days=r.choice((30, 60, 90, 120, 150)))
                if fate != "closed" and r.random() < 0.5:  # long-term rectification
                    problem.deadline = self.today + timedelta(days=r.randint(20, 120))
            if fate == "closed":
                assert problem.deadline is not None
                closed = listed + timedelta(
                    days=r.randint(20, (problem.deadline - listed).days + 20)
                )
                problem.closed_on = min(closed, self.today - timedelta(days=1))
                problem.verification = r.choice(VERIFY_NOTES)
            problems.append(problem)
            fates.append(fate)
        Problem.objects.bulk_create(problems, batch_size=BATCH)
        self.logs(problems, fates)
        self.written.counts["问题"] += len(problems) if year == self.year else 0
        self.written.counts["已销号"] += fates.count("closed") if year == self.year else 0

    def logs(self, problems: list[Problem], fates: list[str]) -> None:
        """Each problem's timeline and its evidence (one stored PDF, shared)."""
        r = self.rng
        logs, files = [], []
        for problem, fate in zip(problems, fates, strict=True):
            listed = problem.listed_on
            logs.append(ProblemLog(problem=problem, step=ProblemStep.LISTED, at=at(listed, 10)))
            if fate == "listed":
                continue
            ledger = listed + timedelta(days=r.randint(2, 10))
            logs.append(
                ProblemLog(
                    problem=problem,
                    step=ProblemStep.LEDGER,
                    note=problem.measures,
                    at=at(ledger, 11),
                )
            )
            end = problem.closed_on or self.today - timedelta(days=1)
            if r.random() < 0.4 and (end - ledger).days > 4:
                logs.append(ProblemLog(problem=problem, step=ProblemStep.PROGRESS, note=r.choice(PROGRESS), at=at(self.day(ledger, end - timedelta(days=3)), 15)))  # fmt: skip
            if fate == "rectifying":
                continue
            submitted = max(ledger, end - timedelta(days=r.randint(1, 3)))
            if fate == "closed" and r.random() < 0.05:  # returned once, submitted again
                logs.append(ProblemLog(problem=problem, step=ProblemStep.SUBMITTED, note=r.choice(SUBMIT_NOTES), at=at(submitted, 9)))  # fmt: skip
                logs.append(ProblemLog(problem=problem, step=ProblemStep.RETURNED, note=RETURN_NOTES[0], at=at(submitted, 14)))  # fmt: skip
            logs.append(ProblemLog(problem=problem, step=ProblemStep.SUBMITTED, note=r.choice(SUBMIT_NOTES), at=at(submitted, 16)))  # fmt: skip
            files.append(self.evidence_for(problem, at(submitted, 16)))
            if fate == "closed":
                assert problem.closed_on is not None
                logs.append(ProblemLog(problem=problem, step=ProblemStep.CLOSED, note=problem.verification, at=at(problem.closed_on, 17)))  # fmt: skip
        ProblemLog.objects.bulk_create(logs, batch_size=BATCH)
        moments = [row.uploaded_at for row in files]
        ProblemFile.objects.bulk_create([row for row in files if row.pk is None], batch_size=BATCH)
        for row, moment in zip(files, moments, strict=True):  # bulk_create stamped them now
            row.uploaded_at = moment
        ProblemFile.objects.bulk_update(files, ["uploaded_at"], batch_size=BATCH)

    def evidence_for(self, problem: Problem, moment: datetime) -> ProblemFile:
        """The first evidence row stores the PDF (as `submit_closure` does); the others point
        to the same stored file."""
        if not self.evidence:
            row = store_file(ProblemFile(problem=problem), EVIDENCE_TITLE, pdf(), acting_user=None)
            self.evidence = row.file.name
            row.uploaded_at = moment
            return row
        row = ProblemFile(problem=problem, title=EVIDENCE_TITLE, size=len(PDF), file=self.evidence)
        row.uploaded_at = moment
        return row

    # Lists ---------------------------------------------------------------------------------

    def lists(self) -> None:
        """Last year's three lists of every grassroots committee (done, a few not finished),
        carried over to this year by `copy_year` and under way."""
        r, year = self.rng, self.year
        made = ResponsibilityList.objects.bulk_create(
            ResponsibilityList(organization=org, year=year, kind=kind)
            for org in self.committees
            for kind in ListKind.values
        )
        items = []
        for duty_list in made:
            for position, (content, owner) in enumerate(LIST_ITEMS[duty_list.kind], start=1):
                done = r.random() < 0.92
                items.append(ListItem(
                    duty_list=duty_list, position=position, content=content, owner=owner,
                    deadline=date(year, 12, 31),
                    status=ItemStatus.DONE if done else ItemStatus.IN_PROGRESS,
                ))  # fmt: skip
        ListItem.objects.bulk_create(items, batch_size=BATCH)
        for org in self.committees:
            actions.copy_year(org, year, year + 1, acting_user=None)
        fresh = list(
            ListItem.objects.filter(
                duty_list__organization__in=self.committees, duty_list__year=year + 1
            )
        )
        for item in fresh:
            draw = r.random()
            item.status = (
                ItemStatus.DONE
                if draw < 0.2
                else ItemStatus.IN_PROGRESS
                if draw < 0.7
                else ItemStatus.PLANNED
            )
        ListItem.objects.bulk_update(fresh, ["status"], batch_size=BATCH)
        self.written.counts["清单"] += 2 * len(made)
        self.written.counts["清单事项"] += len(items) + len(fresh)


def load_university(index: int, root: Organization, today: date) -> dict[str, int]:
    """One university's season (the tests use it on their own trees); nothing when it has a
    plan or a problem already."""
    if (
        Plan.objects.filter(organization__path__startswith=root.path).exists()
        or Problem.objects.filter(issuer__path__startswith=root.path).exists()
    ):
        return dict.fromkeys(COUNTS, 0)
    season = Season(index, root, today)
    with transaction.atomic():
        season.plan()
        season.problems()
        season.lists()
    return season.written.counts


def load_demo(scale: int = 1) -> dict[str, int]:
    """`dangjian demo` hook: last year's plans, problems and lists for universities 1..scale."""
    started, today = time.monotonic(), timezone.localdate()
    counts = dict.fromkeys(COUNTS, 0)
    codes = [f"U{index:03d}" for index in range(1, scale + 1)]
    for root in Organization.objects.filter(depth=1, code__in=codes).order_by("code"):
        for name, n in load_university(int(root.code[1:]), root, today).items():
            counts[name] += n
    counts["秒"] = round(time.monotonic() - started) if counts["方案"] else 0
    return counts
