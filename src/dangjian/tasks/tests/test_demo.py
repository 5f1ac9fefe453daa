"""The demo's theme education on the demo university: the seed's 32 tasks, 27 school-level and
341 unit-level problems through the figures, rows as the actions leave them (log, evidence,
dates), lists for both years, the hook, speed and idempotence."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core.figures import FigureContext, Period, compute
from dangjian.core.management.commands.demo import app_demo_loaders
from dangjian.orgs import demo as org_demo
from dangjian.orgs.models import Organization
from dangjian.tasks import demo
from dangjian.tasks.choices import ListKind, ProblemStatus, ProblemStep, TaskStatus
from dangjian.tasks.models import (
    ListItem,
    Plan,
    Problem,
    ProblemFile,
    ResponsibilityList,
    Task,
    TaskReport,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def university() -> Organization:
    org_demo.build_demo_tree(1)
    return Organization.objects.get(code=org_demo.UNIVERSITY_CODE)


def figure(name: str, org: Organization, year: int) -> Any:
    return compute(name, FigureContext(org, Period.year(year)))


def test_the_demo_season_gives_the_seeds_numbers(university: Organization) -> None:
    assert "tasks" in [label for label, _ in app_demo_loaders()]
    started = time.monotonic()
    counts = demo.load_demo(1)
    assert time.monotonic() - started < 20
    today = timezone.localdate()
    year = today.year - 1
    assert counts["方案"] == 1 and counts["任务"] == 32 and counts["问题"] == 368

    tasks = figure("tasks.plan_tasks", university, year)
    assert tasks.value == 32
    by_status = {part.key: part.value for part in tasks.parts}
    assert by_status["accepted"] == 29 and by_status["returned"] == 1
    assert by_status["in_progress"] == 2
    rate = figure("tasks.on_time_rate", university, year).value
    assert 80 <= rate < 100  # 26 of 29 on time
    problems = figure("tasks.problems", university, year)
    assert {part.key: part.value for part in problems.parts} == {"university": 27, "unit": 341}
    assert 80 < figure("tasks.rectification_rate", university, year).value < 95
    assert figure("tasks.recurring_problems", university, year).value >= 6
    assert figure("tasks.mean_days_to_close", university, year).value > 20
    assert figure("tasks.problems", university, year - 1).value == 12
    assert figure("tasks.lists", university, year).value > 400
    assert figure("tasks.lists", university, today.year).value > 400

    # 29 grassroots committees list the unit-level problems; the university the school's.
    unit_level = Problem.objects.filter(year=year, level="unit")
    assert unit_level.values("issuer").distinct().count() == 29
    assert set(
        Problem.objects.filter(year=year, level="university").values_list("issuer", flat=True)
    ) == {university.pk}
    numbers = Problem.objects.filter(year=year, issuer=university).values_list("number", flat=True)
    assert sorted(int(n) for n in numbers) == list(range(1, 28))

    # Rows as the actions leave them: the loop in the log, evidence to close, dates in order.
    for problem in Problem.objects.filter(year=year).prefetch_related("log", "files"):
        steps = [row.step for row in problem.log.all()]
        assert steps[0] == ProblemStep.LISTED
        if problem.status == ProblemStatus.CLOSED:
            assert steps[-1] == ProblemStep.CLOSED and problem.files.all()
            assert problem.listed_on < problem.closed_on < today and problem.verification
        if problem.status != ProblemStatus.LISTED:
            assert (
                problem.measures and problem.responsible and problem.deadline >= problem.listed_on
            )
        if problem.recurring_of_id:
            assert problem.recurring_of.year < year and problem.similarity >= 0.6
    stored = set(ProblemFile.objects.values_list("file", flat=True))
    assert len(stored) == 1  # one tiny PDF, shared
    assert Problem.objects.filter(year=year, status=ProblemStatus.RECTIFYING).exists()

    plan = Plan.objects.get()
    assert plan.issued_at.year == year and plan.organization == university
    assert Task.objects.filter(parent__isnull=False).count() >= 4
    accepted = Task.objects.filter(status=TaskStatus.ACCEPTED)
    assert not accepted.filter(completed_on__isnull=True).exists()
    assert not TaskReport.objects.filter(reported_at__gte=timezone.now()).exists()
    assert set(Task.objects.values_list("lead_unit__depth", flat=True)) == {2, 3}

    lists = Counter(ResponsibilityList.objects.values_list("year", "kind"))
    assert all(lists[(y, kind)] == 29 for y in (year, year + 1) for kind in ListKind.values)
    assert ListItem.objects.filter(duty_list__year=year + 1, status="planned").exists()

    # A second run adds nothing.
    before = (Problem.objects.count(), Task.objects.count(), ListItem.objects.count())
    assert not any(demo.load_demo(1).values())
    assert (Problem.objects.count(), Task.objects.count(), ListItem.objects.count()) == before
    assert date(year, 1, 1) <= plan.starts_on
