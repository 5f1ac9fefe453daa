"""Figures of tasks against hand-built plans, problems and lists: exact values, both ends of
the period, subtrees (by the plan's organization, the problem's issuer, the list's
organization), None when there is nothing, one query each, and drill-downs whose lists (through
their own filters) hold the same records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse
from django.views.generic import View

from dangjian.core.figures import FigureContext, Period, all_figures, compute
from dangjian.core.testing.personas import Tree
from dangjian.tasks import actions
from dangjian.tasks.choices import ListKind, ProblemStatus, TaskStatus
from dangjian.tasks.models import Plan, Problem, Task
from dangjian.tasks.testing import accept, close, evidence, make_plan, make_problem, task_data

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2023, 4, 1), date(2023, 9, 30))
TASKS = [figure.name for figure in all_figures() if figure.app == "tasks"]

# The list pages the drill-downs name, for as long as the views are not wired in.
urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "tasks/",
        include(
            (
                [
                    path(f"{name}/", View.as_view(), name=name)
                    for name in ("tasks", "problems", "lists")
                ],
                "tasks",
            )
        ),
    )
]


@pytest.fixture(autouse=True)
def _list_pages(settings: Any) -> None:
    try:
        for name in ("tasks:tasks", "tasks:problems", "tasks:lists"):
            reverse(name)
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__


def task(plan: Plan, unit: Any, deadline: date) -> Task:
    return actions.save_task(plan, task_data(unit, deadline=deadline), acting_user=None)


def done_on(task: Task, day: date) -> Task:
    """Accepted, as if the claim had been reported on `day`."""
    accept(task)
    Task.objects.filter(pk=task.pk).update(completed_on=day)
    return Task.objects.get(pk=task.pk)


@pytest.fixture
def plans(tree: Tree) -> dict[str, Task]:
    """U's plan: T1 (C1, due on the period's first day, split to B1 and B2, accepted on the
    day), T2 (C2, due on its last day, accepted 5 days late), T3 (C1, open), T4 (C1, due the
    day after the period), T5 (C2, returned). C1's plan: T6 (B1, waiting for acceptance).
    C2's draft: T7 (B3). Sub-tasks count nowhere."""
    plan = make_plan(tree.university, [], issue=False)
    found = {
        "t1": task(plan, tree.c1, PERIOD.start),
        "t2": task(plan, tree.c2, PERIOD.end),
        "t3": task(plan, tree.c1, date(2023, 6, 30)),
        "t4": task(plan, tree.c1, date(2023, 10, 1)),
        "t5": task(plan, tree.c2, date(2023, 6, 1)),
    }
    actions.issue_plan(plan, acting_user=None)
    found = {name: Task.objects.get(pk=t.pk) for name, t in found.items()}
    for part in actions.split_task(
        found["t1"], [{"lead_unit": tree.b1.pk}, {"lead_unit": tree.b2.pk}], acting_user=None
    ):
        done_on(part, PERIOD.start)
    found["t1"] = done_on(found["t1"], PERIOD.start)
    found["t2"] = done_on(found["t2"], date(2023, 10, 5))
    claim = actions.report_progress(
        found["t5"], {"text": "完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    actions.check_report(claim, False, "材料不全", acting_user=None)
    c1_plan = make_plan(tree.c1, [], issue=False)
    found["t6"] = task(c1_plan, tree.b1, date(2023, 5, 15))
    actions.issue_plan(c1_plan, acting_user=None)
    actions.report_progress(
        Task.objects.get(pk=found["t6"].pk),
        {"text": "完成", "for_acceptance": True},
        [evidence()],
        acting_user=None,
    )
    found["t7"] = task(make_plan(tree.c2, [], issue=False), tree.b3, date(2023, 5, 1))
    return {name: Task.objects.get(pk=t.pk) for name, t in found.items()}


def listed(problem: Problem, on: date, closed: date | None = None) -> Problem:
    Problem.objects.filter(pk=problem.pk).update(listed_on=on, closed_on=closed)
    return Problem.objects.get(pk=problem.pk)


@pytest.fixture
def problems(tree: Tree) -> dict[str, Problem]:
    """School level: P1 (C1, listed on the period's first day, closed in 10 days), P2 (C2, on
    its last day, closed in 30), P3 (C1, the day before). Unit level: P4 (C1 → B1,
    rectifying), P5 (C1 → B2, listed), P6 (C2 → B3, like P0 closed for B3 in 2022)."""
    text = "支部组织生活质量不高，主题党日形式单一"
    old = close(make_problem(tree.c2, tree.b3, year=2022, description=text))
    found = {
        "p0": listed(old, date(2022, 5, 1), date(2022, 6, 1)),
        "p1": close(make_problem(tree.university, tree.c1, description="理论学习不够深入")),
        "p2": close(make_problem(tree.university, tree.c2, description="调查研究成果转化不足")),
        "p3": make_problem(tree.university, tree.c1, description="制度执行不到位"),
        "p4": make_problem(tree.c1, tree.b1, description="党员教育管理不够严格"),
        "p5": make_problem(tree.c1, tree.b2, description="学生党员发展质量有待提高"),
        "p6": make_problem(tree.c2, tree.b3, description="主题党日形式单一，支部组织生活质量不高"),
    }
    found["p1"] = listed(found["p1"], PERIOD.start, date(2023, 4, 11))
    found["p2"] = listed(found["p2"], PERIOD.end, date(2023, 10, 30))
    found["p3"] = listed(found["p3"], date(2023, 3, 31))
    ledger = {"measures": "制定整改方案", "responsible": "李书记", "deadline": "2023-08-01"}
    found["p4"] = listed(found["p4"], date(2023, 5, 1))
    actions.open_ledger(found["p4"], ledger, acting_user=None)
    found["p5"] = listed(found["p5"], date(2023, 6, 1))
    found["p6"] = listed(found["p6"], date(2023, 7, 1))
    assert found["p6"].recurring_of == found["p0"]
    return {name: Problem.objects.get(pk=p.pk) for name, p in found.items()}


@pytest.fixture
def duty_lists(tree: Tree) -> None:
    """2023: C1's responsibility list (2 items), B1's task list (1); 2024: C2's institutions."""
    for org, year, kind, items in (
        (tree.c1, 2023, ListKind.RESPONSIBILITY, 2),
        (tree.b1, 2023, ListKind.TASK, 1),
        (tree.c2, 2024, ListKind.INSTITUTION, 1),
    ):
        duty_list = actions.create_list(org, year, kind, acting_user=None)
        for n in range(items):
            actions.save_item(duty_list, {"content": f"事项{n}"}, acting_user=None)


def values(org: Any, period: Period = PERIOD) -> dict[str, Any]:
    """Each figure's value; a breakdown as its non-zero parts (None when it is missing)."""
    ctx = FigureContext(org, period)
    result: dict[str, Any] = {}
    for name in TASKS:
        value = compute(name, ctx)
        if value.parts and value.value is not None:
            result[name] = {part.key: part.value for part in value.parts if part.value}
        else:
            result[name] = value.value
    return result


def test_the_figures_are_registered() -> None:
    assert set(TASKS) == {
        "tasks.plan_tasks",
        "tasks.on_time_rate",
        "tasks.overdue",
        "tasks.problems",
        "tasks.problems_by_status",
        "tasks.rectification_rate",
        "tasks.mean_days_to_close",
        "tasks.recurring_problems",
        "tasks.lists",
    }


def test_task_figures_by_subtree_and_period(tree: Tree, plans: dict[str, Task]) -> None:
    assert plans["t5"].status == TaskStatus.RETURNED
    top = values(tree.university)
    assert top["tasks.plan_tasks"] == {
        "accepted": 2,
        "in_progress": 1,
        "returned": 1,
        "submitted": 1,
        "draft": 1,
    }
    assert top["tasks.on_time_rate"] == Decimal("50.00")  # T1 on the day, T2 late
    assert top["tasks.overdue"] == 3  # T3, T5, T6 (T2 is due on the last day, T7 a draft)
    c1 = values(tree.c1)  # the tasks C1's subtree leads: T1, T3 (U's plan), T6 (B1)
    assert c1["tasks.plan_tasks"] == {"accepted": 1, "in_progress": 1, "submitted": 1}
    assert c1["tasks.on_time_rate"] == Decimal("100.00") and c1["tasks.overdue"] == 2
    c2 = values(tree.c2)  # T2, T5 and C2's draft T7 (led by B3)
    assert c2["tasks.plan_tasks"] == {"accepted": 1, "returned": 1, "draft": 1}
    assert c2["tasks.on_time_rate"] == Decimal("0.00") and c2["tasks.overdue"] == 1
    b1 = values(tree.b1)
    assert b1["tasks.plan_tasks"] == {"submitted": 1} and b1["tasks.overdue"] == 1
    g1 = values(tree.g1)
    assert g1["tasks.plan_tasks"] is None and g1["tasks.overdue"] is None
    inner = values(tree.university, Period(date(2023, 4, 2), date(2023, 9, 29)))
    assert sum(inner["tasks.plan_tasks"].values()) == 4 and inner["tasks.on_time_rate"] is None
    assert values(tree.university, Period.on(PERIOD.end))["tasks.plan_tasks"] == {"accepted": 1}
    assert values(tree.university, Period.on(PERIOD.start))["tasks.overdue"] is None


def test_problem_figures_by_subtree_and_period(tree: Tree, problems: dict[str, Problem]) -> None:
    top = values(tree.university)
    assert top["tasks.problems"] == {"university": 2, "unit": 3}
    assert top["tasks.problems_by_status"] == {"closed": 2, "rectifying": 1, "listed": 2}
    assert top["tasks.rectification_rate"] == Decimal("40.00")
    assert top["tasks.mean_days_to_close"] == Decimal("20.0")
    assert top["tasks.recurring_problems"] == 1
    c1 = values(tree.c1)  # problems of C1's subtree: P1 (P3 was listed before), P4, P5
    assert c1["tasks.problems"] == {"university": 1, "unit": 2}
    assert c1["tasks.rectification_rate"] == Decimal("33.33")
    assert c1["tasks.mean_days_to_close"] == Decimal("10.0")
    assert c1["tasks.recurring_problems"] == 0
    assert values(tree.c2)["tasks.recurring_problems"] == 1
    nothing = values(tree.g1)
    for name in ("problems", "problems_by_status", "rectification_rate", "mean_days_to_close"):
        assert nothing[f"tasks.{name}"] is None
    assert nothing["tasks.recurring_problems"] is None
    inner = values(tree.university, Period(date(2023, 4, 2), date(2023, 9, 29)))
    assert inner["tasks.problems"] == {"unit": 3} and inner["tasks.mean_days_to_close"] is None
    assert values(tree.university, Period.year(2022))["tasks.problems_by_status"] == {"closed": 1}


def test_list_items_of_the_period_end_year(tree: Tree, duty_lists: None) -> None:
    assert values(tree.university)["tasks.lists"] == {"responsibility": 2, "task": 1}
    assert values(tree.b1)["tasks.lists"] == {"task": 1}
    assert values(tree.c2)["tasks.lists"] is None
    assert values(tree.c2, Period.year(2024))["tasks.lists"] == {"institution": 1}
    url = compute("tasks.lists.task", FigureContext(tree.c1, PERIOD)).url
    assert parse_qs(urlparse(url).query) == {"org": [str(tree.c1.pk)], "year": ["2023"]}


def test_nothing_at_all_is_none(tree: Tree) -> None:
    for name, value in values(tree.university).items():
        assert value is None, name


def selected(url: str, request: Any) -> set[int]:
    """The pks the drill-down's list selects through its own filter."""
    from dangjian.tasks.filters_plans import TaskFilter
    from dangjian.tasks.filters_problems import ProblemFilter

    parsed = urlparse(url)
    query = QueryDict(parsed.query)
    if parsed.path.endswith("/problems/"):
        found = ProblemFilter(query, queryset=Problem.objects.all(), request=request)
    else:
        found = TaskFilter(query, queryset=Task.objects.all(), request=request)  # type: ignore[assignment]
    assert found.is_valid(), found.errors
    return set(found.qs.values_list("pk", flat=True))


def test_drilldowns_list_the_same_records(
    tree: Tree, plans: Any, problems: Any, personas: Any
) -> None:
    """At the university (where the lists' `within`, by lead or responsible unit, and the
    figures' subtree, by plan organization or issuer, coincide)."""
    pytest.importorskip("dangjian.tasks.filters_plans")
    pytest.importorskip("dangjian.tasks.filters_problems")
    request = RequestFactory().get("/")
    request.user = personas["univ"]
    ctx = FigureContext(tree.university, PERIOD)
    checked = 0
    for name in TASKS:
        if name == "tasks.lists":
            continue
        value = compute(name, ctx)
        query = parse_qs(urlparse(value.url).query)
        assert query["within"] == [str(tree.university.pk)]
        counted = [value] if isinstance(value.value, int) else []
        for item in (*counted, *value.parts):
            assert len(selected(item.url, request)) == item.value, (item.name, item.url)
            checked += 1
    assert checked >= 15
    rate = compute("tasks.on_time_rate", ctx)
    assert len(selected(rate.url, request)) == 2  # the accepted tasks the rate divides
    closed = compute("tasks.rectification_rate", ctx)
    assert {problems["p1"].pk, problems["p2"].pk} == selected(closed.url, request)
    overdue = parse_qs(urlparse(compute("tasks.overdue", ctx).url).query)
    assert overdue["overdue"] == ["1"] and overdue["deadline_to"] == ["2023-09-29"]


def test_each_figure_is_one_query(
    tree: Tree, plans: Any, problems: Any, duty_lists: None, django_assert_num_queries: Any
) -> None:
    ctx = FigureContext(tree.university, PERIOD)
    for name in TASKS:
        figure = compute(name, ctx).figure
        with django_assert_num_queries(1):
            figure.compute(ctx)
    assert ProblemStatus.CLOSED in {p.status for p in problems.values()}
