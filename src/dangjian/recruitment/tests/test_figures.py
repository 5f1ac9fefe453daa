"""Recruitment figures against hand-built cases: flows on the period's boundaries, the stock
by stage today and on a past day, subtrees, and drill-downs to the case list."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from dangjian.core.figures import FigureContext, Period, compute
from dangjian.core.testing.personas import Tree
from dangjian.recruitment import actions
from dangjian.recruitment.checks import voting_members
from dangjian.recruitment.choices import CaseStatus
from dangjian.recruitment.models import Case
from dangjian.recruitment.testing import Helpers, applicant, helpers_for, schedule, step_data, walk

pytestmark = pytest.mark.django_db


def conclude(case: Case, helpers: Helpers, outcome: str, **extra: Any) -> Case:
    """Record the conversion vote with `outcome` on the probation's end and its approval."""
    days = schedule(date(2023, 3, 1))
    votes = step_data(23, days, helpers, voting_members(case)) | {"outcome": outcome, **extra}
    actions.record_step(case, 23, occurred_on=days[23], data=votes, acting_user=None)
    approval = step_data(24, days, helpers, 0)
    actions.record_step(case, 24, occurred_on=days[24], data=approval, acting_user=None)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(tree: Tree) -> dict[str, Case]:
    """In c1 (b1, b2) and c2 (b3), with the dates of `schedule`:
    converted: applied 2023-03-01, activist 2023-05-01, candidate 2024-05-16, admitted
      2024-07-25, converted 2025-07-05 (approved 2025-07-25), closed 2025-08-04;
    candidate: applied 2024-01-01, activist 2024-03-01, candidate 2025-03-16;
    extended: as converted to the vote, which extends by 6 months (approved 2025-07-25);
    disqualified: as converted to the vote, which disqualifies (approved 2025-07-25);
    cancelled (b2): applied 2023-12-31, cancelled 2024-01-25;
    other (b3): applied 2024-01-01, activist 2024-03-01."""
    helpers = helpers_for(tree.b1)
    in_b2, in_b3 = helpers_for(tree.b2, 910), helpers_for(tree.b3, 920)
    found = {
        "converted": walk(applicant(tree.b1, "甲"), helpers=helpers),
        "candidate": walk(
            applicant(tree.b1, "乙"), through=7, start=date(2024, 1, 1), helpers=helpers
        ),
        "extended": walk(applicant(tree.b1, "丙"), through=22, helpers=helpers),
        "disqualified": walk(applicant(tree.b1, "丁"), through=22, helpers=helpers),
        "cancelled": walk(
            applicant(tree.b2, "戊"), through=2, start=date(2023, 12, 31), helpers=in_b2
        ),
        "other": walk(applicant(tree.b3, "己"), through=3, start=date(2024, 1, 1), helpers=in_b3),
    }
    conclude(found["extended"], helpers, "extended", extension_months=6)
    conclude(found["disqualified"], helpers, "disqualified")
    actions.cancel_case(found["cancelled"], reason="withdrawn", on="2024-01-25", acting_user=None)
    return found


def value(name: str, org: Any, start: date, end: date) -> Any:
    return compute(name, FigureContext(org, Period(start, end))).value


def test_the_cases_are_as_described(cases: dict[str, Case]) -> None:
    for case in cases.values():
        case.refresh_from_db()
    assert cases["converted"].status == CaseStatus.CONVERTED
    assert cases["extended"].next_step == 23
    assert cases["disqualified"].status == CaseStatus.DISQUALIFIED
    assert cases["cancelled"].status == CaseStatus.CANCELLED
    assert cases["candidate"].candidate_on == date(2025, 3, 16)


FLOWS = [
    ("recruitment.applications", date(2024, 1, 1), date(2024, 12, 31), 1),
    ("recruitment.applications", date(2023, 12, 31), date(2023, 12, 31), 1),
    ("recruitment.applications", date(2023, 3, 1), date(2023, 12, 31), 4),
    ("recruitment.applications", date(2023, 3, 2), date(2023, 12, 30), 0),
    ("recruitment.activists", date(2023, 5, 1), date(2024, 3, 1), 4),
    ("recruitment.activists", date(2023, 5, 2), date(2024, 2, 29), 0),
    ("recruitment.candidates", date(2024, 5, 16), date(2025, 3, 16), 4),
    ("recruitment.candidates", date(2025, 1, 1), date(2025, 3, 15), 0),
    ("recruitment.admitted", date(2024, 7, 25), date(2024, 7, 25), 3),
    ("recruitment.admitted", date(2024, 7, 26), date(2024, 12, 31), 0),
    ("recruitment.admitted", date(2024, 1, 1), date(2024, 7, 24), 0),
    ("recruitment.conversions", date(2025, 7, 5), date(2025, 7, 5), 1),
    ("recruitment.conversions", date(2025, 7, 6), date(2025, 12, 31), 0),
    ("recruitment.extensions", date(2025, 7, 25), date(2025, 12, 31), 1),
    ("recruitment.extensions", date(2025, 1, 1), date(2025, 7, 24), 0),
    ("recruitment.cancelled", date(2024, 1, 25), date(2025, 7, 25), 2),
    ("recruitment.cancelled", date(2024, 1, 26), date(2025, 7, 24), 0),
]


def test_flows_in_the_committee_subtree(tree: Tree, cases: dict[str, Case]) -> None:
    found = [(name, start, end, value(name, tree.c1, start, end)) for name, start, end, _ in FLOWS]
    assert found == FLOWS


def test_subtrees(tree: Tree, cases: dict[str, Case]) -> None:
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert value("recruitment.applications", tree.c2, *year) == 1
    assert value("recruitment.activists", tree.b3, *year) == 1
    assert value("recruitment.activists", tree.c1, *year) == 1
    assert value("recruitment.activists", tree.university, *year) == 2
    assert value("recruitment.cancelled", tree.b1, date(2024, 1, 1), date(2025, 12, 31)) == 1
    assert value("recruitment.cancelled", tree.b2, date(2024, 1, 1), date(2025, 12, 31)) == 1


def test_closed_cases_by_how_they_ended(tree: Tree, cases: dict[str, Case]) -> None:
    result = compute("recruitment.cancelled", FigureContext(tree.university, Period.year(2025)))
    assert {part.key: part.value for part in result.parts} == {
        "cancelled": 0,
        "disqualified": 1,
    }


def test_open_cases_by_stage_today_and_on_a_past_day(tree: Tree, cases: dict[str, Case]) -> None:
    def stages(org: Any, day: date) -> dict[str, Any]:
        result = compute("recruitment.open_by_stage", FigureContext(org, Period.on(day)))
        return {part.key: part.value for part in result.parts if part.value}

    today = timezone.localdate()
    assert stages(tree.c1, today) == {"3": 1, "5": 1}  # candidate: step 8 next; extended: 23
    assert stages(tree.university, today) == {"2": 1, "3": 1, "5": 1}
    # 2024-03-01: the three of 2023 are past their assessment (step 7 next), the candidate has
    # just become an activist (step 4 next); the cancelled case had ended.
    assert stages(tree.c1, date(2024, 3, 1)) == {"2": 1, "3": 3}
    assert stages(tree.c1, date(2024, 1, 9)) == {"1": 2, "3": 3}
    assert stages(tree.c1, date(2025, 8, 3)) == {"3": 1, "5": 2}  # converted: not archived yet
    assert stages(tree.c1, date(2023, 2, 28)) == {}
    # The reconstruction agrees with the stored stages on a day after the last step.
    assert stages(tree.c1, date(2026, 1, 1)) == stages(tree.c1, today)


def test_drill_downs_select_the_same_cases(tree: Tree, cases: dict[str, Case]) -> None:
    ctx = FigureContext(tree.c1, Period(date(2024, 1, 1), date(2024, 12, 31)))

    def query(url: str) -> dict[str, list[str]]:
        parsed = urlparse(url)
        assert parsed.path == "/recruitment/"
        return parse_qs(parsed.query)

    within = [str(tree.c1.pk)]
    assert query(compute("recruitment.admitted", ctx).url) == {
        "within": within,
        "done_step": ["17"],
        "done_from": ["2024-01-01"],
        "done_to": ["2024-12-31"],
    }
    assert query(compute("recruitment.open_by_stage.3", ctx).url) == {
        "within": within,
        "status": ["open"],
        "stage": ["3"],
    }
    assert query(compute("recruitment.cancelled", ctx).url)["status"] == ["ended"]
    assert query(compute("recruitment.conversions", ctx).url)["converted_from"] == ["2024-01-01"]


def test_each_figure_is_one_query(
    tree: Tree, cases: dict[str, Case], django_assert_num_queries: Any
) -> None:
    ctx = FigureContext(tree.c1, Period(date(2024, 1, 1), date(2024, 12, 31)))
    for name in [
        "recruitment.applications",
        "recruitment.extensions",
        "recruitment.cancelled",
        "recruitment.open_by_stage",
    ]:
        with django_assert_num_queries(1):
            compute(name, ctx)


@pytest.mark.parametrize(("name", "start", "end", "expected"), FLOWS)
def test_each_flow_lists_its_cases(
    tree: Tree,
    cases: dict[str, Case],
    personas: dict[str, Any],
    name: str,
    start: date,
    end: date,
    expected: int,
) -> None:
    """The drill-down of a flow lists as many cases as the figure counts (university staff)."""
    from dangjian.recruitment.filters import CaseFilter

    result = compute(name, FigureContext(tree.c1, Period(start, end)))
    parsed = urlparse(result.url)
    request = RequestFactory().get(result.url)
    request.user = personas["univ"]
    listed = CaseFilter(QueryDict(parsed.query), queryset=Case.objects.all(), request=request)
    assert listed.is_valid(), listed.errors
    assert listed.qs.count() == result.value == expected
