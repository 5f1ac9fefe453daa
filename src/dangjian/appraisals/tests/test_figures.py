"""Appraisal figures against hand-built campaigns: exact values, both ends of the period,
subtrees, counted-or-later only (the campaign count takes every phase), None for missing
shares, and drill-downs whose lists (through their own filters) hold the same records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.choices import RESULT_PHASES, CampaignKind
from dangjian.appraisals.filters import CampaignFilter
from dangjian.appraisals.models import Campaign, Subject
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.views.results import AppraisedFilter
from dangjian.core.figures import FigureContext, Period, all_figures, compute
from dangjian.core.testing.personas import Tree
from dangjian.members.testing import make_person

pytestmark = pytest.mark.django_db
START = timezone.localdate() + timedelta(days=10)
PERIOD = Period(START, START + timedelta(days=30))
APPRAISALS = [figure.name for figure in all_figures() if figure.app == "appraisals"]


def moment(day: date, clock: time = time.min) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def by_codes(campaign: Campaign, count: int, answers: Any) -> None:
    """`count` ballots cast with the campaign's printed codes; `answers(n)` gives ballot n."""
    for n, slip in enumerate(campaign.codes.all()[:count]):
        actions.cast_with_code(actions.reveal_code(slip), answers(n))


def counted(campaign: Campaign) -> Campaign:
    actions.close_voting(campaign, acting_user=None)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def campaigns(tree: Tree, branch_members: list[Any]) -> dict[str, Campaign]:
    """In the period: A (B1 members, 6 of 7 voted, decided 2 优秀 / 3 合格 / 1 基本合格),
    B (B2's 2 members, 2 of 3 codes, counted only), D (C1's dual review of 2 secretaries,
    decided 好 / 较好), E (university review of 1 committee secretary, decided 好),
    F (B3 satisfaction, 3 codes: 好 4 of 6 answers), G (B2 draft). Outside: C closes the
    minute before the period, H the minute after."""
    b2 = [make_person(tree.b2, name=f"乙{n}", staff_no=f"FB{n}") for n in range(2)]
    b3 = make_person(tree.b3, name="丙书记", staff_no="FC1")
    found: dict[str, Campaign] = {}

    a = make_campaign(tree.b1, closes_at=moment(PERIOD.start))
    for voter in branch_members[:6]:
        actions.cast_ballot(a, uniform_answers(a, "qualified"), voter_user=voter.user)
    graded = list(a.subjects.filter(graded=True).order_by("position"))
    plan = ["excellent", "excellent", "qualified", "qualified", "qualified", "basic"]
    actions.decide(
        counted(a), {s.pk: g for s, g in zip(graded, plan, strict=True)}, acting_user=None
    )
    found["a"] = Campaign.objects.get(pk=a.pk)

    b = make_campaign(tree.b2, voters="", codes=3, closes_at=moment(PERIOD.end, time(23, 59)))
    by_codes(b, 2, lambda n: uniform_answers(b, "qualified"))
    found["b"] = counted(b)

    d = make_campaign(
        tree.c1, CampaignKind.DUAL_REVIEW, subjects="", voters="", codes=2, open_voting=False,
        closes_at=moment(PERIOD.start + timedelta(days=5)),
    )  # fmt: skip
    actions.add_subjects(d, people=[branch_members[0], b2[0]], acting_user=None)
    actions.open_voting(d, acting_user=None)
    by_codes(d, 2, lambda n: uniform_answers(d, "good"))
    first, second = d.subjects.order_by("position")
    actions.decide(counted(d), {first.pk: "good", second.pk: "fairly_good"}, acting_user=None)
    found["d"] = Campaign.objects.get(pk=d.pk)

    e = make_campaign(
        tree.university, CampaignKind.SECRETARY_REVIEW, subjects="", voters="", codes=2,
        open_voting=False, closes_at=moment(PERIOD.start + timedelta(days=6)),
    )  # fmt: skip
    actions.add_subjects(e, people=[b3], acting_user=None)
    actions.open_voting(e, acting_user=None)
    by_codes(e, 1, lambda n: uniform_answers(e, "good"))
    found["e"] = actions.decide(counted(e), {}, acting_user=None)

    f = make_campaign(tree.b3, CampaignKind.SATISFACTION, subjects="", voters="", codes=3,
                      closes_at=moment(PERIOD.start + timedelta(days=7)))  # fmt: skip
    first_q, second_q = f.questions.filter(kind="grade").order_by("position")
    sheets = [("good", "good"), ("good", "fairly_good"), ("average", "good")]
    by_codes(f, 3, lambda n: {answer_key(None, first_q.pk): sheets[n][0],
                              answer_key(None, second_q.pk): sheets[n][1]})  # fmt: skip
    found["f"] = counted(f)

    found["g"] = make_campaign(tree.b2, open_voting=False, closes_at=moment(PERIOD.end))
    c = make_campaign(tree.b1, closes_at=moment(PERIOD.start - timedelta(days=1), time(23, 59)))
    actions.cast_ballot(c, uniform_answers(c, "qualified"), voter_user=branch_members[0].user)
    found["c"] = counted(c)
    found["h"] = make_campaign(tree.b2, closes_at=moment(PERIOD.end + timedelta(days=1)))
    return found


def values(org: Any, period: Period = PERIOD) -> dict[str, Any]:
    ctx = FigureContext(org, period)
    result = {}
    for name in APPRAISALS:
        value = compute(name, ctx)
        parts = {part.key: part.value for part in value.parts if part.value}
        result[name] = parts if value.parts else value.value
    return result


def test_figures_of_the_university_and_of_a_committee(
    tree: Tree, campaigns: dict[str, Campaign]
) -> None:
    top = values(tree.university)
    assert top["appraisals.campaigns"] == {
        "member_appraisal": 3, "dual_review": 1, "secretary_review": 1, "satisfaction": 1,
    }  # fmt: skip
    assert top["appraisals.members_appraised"] == 9  # A's 7 (1 probationary) and B's 2
    assert top["appraisals.branch_secretaries_reviewed"] == 2
    assert top["appraisals.committee_secretaries_reviewed"] == 1
    assert top["appraisals.subjects"] == {
        "member_appraisal": 9, "dual_review": 2, "secretary_review": 1,
    }  # fmt: skip
    # (6 + 2 + 2 + 1 + 3) ballots of (7 + 3 + 2 + 2 + 3) eligible
    assert top["appraisals.turnout"] == Decimal("82.35")
    assert top["appraisals.member_grades"] == {"excellent": 2, "qualified": 3, "basic": 1}
    assert top["appraisals.review_grades"] == {"good": 2, "fairly_good": 1}
    assert top["appraisals.good_share"] == Decimal("66.67")

    c1 = values(tree.c1)
    assert c1["appraisals.campaigns"] == {"member_appraisal": 3, "dual_review": 1}
    assert c1["appraisals.committee_secretaries_reviewed"] == 0
    assert c1["appraisals.turnout"] == Decimal("83.33")  # A, B and D: 10 of 12
    assert c1["appraisals.review_grades"] == {"good": 1, "fairly_good": 1}
    assert c1["appraisals.good_share"] is None
    assert values(tree.c2)["appraisals.good_share"] == Decimal("66.67")


def test_period_boundaries_and_missing_data(tree: Tree, campaigns: dict[str, Campaign]) -> None:
    before = Period(PERIOD.start - timedelta(days=1), PERIOD.start - timedelta(days=1))
    assert values(tree.university, before)["appraisals.members_appraised"] == 7  # C
    after = Period(PERIOD.end + timedelta(days=1), PERIOD.end + timedelta(days=1))
    assert values(tree.university, after)["appraisals.campaigns"] == {"member_appraisal": 1}
    # H is still voting: no subjects appraised, no turnout, no share (None, never 0).
    empty = values(tree.university, after)
    assert empty["appraisals.members_appraised"] == 0
    assert empty["appraisals.turnout"] is None and empty["appraisals.good_share"] is None
    assert values(tree.b3, Period.year(2000))["appraisals.member_grades"] == {}


def listed(url: str, request: Any) -> set[int]:
    """The pks the drill-down's list selects through its own filter (a repeated `kind`
    of the subject list taken one kind at a time)."""
    parsed = urlparse(url)
    query = QueryDict(parsed.query, mutable=True)
    if parsed.path.endswith("/appraised/"):
        base = Subject.objects.filter(campaign__phase__in=RESULT_PHASES)
        kinds = query.getlist("kind") or [""]
        found: set[int] = set()
        for kind in kinds:
            query.setlist("kind", [kind] if kind else [])
            qs = AppraisedFilter(query, queryset=base, request=request).qs
            found |= set(qs.values_list("pk", flat=True))
        return found
    return set(CampaignFilter(query, queryset=Campaign.objects.all(), request=request).qs.values_list("pk", flat=True))  # fmt: skip


def test_drilldowns_list_the_same_records(
    tree: Tree, campaigns: dict[str, Campaign], personas: Any
) -> None:
    request = RequestFactory().get("/")
    request.user = personas["univ"]
    checked = 0
    for org in (tree.university, tree.c1):
        ctx = FigureContext(org, PERIOD)
        for name in APPRAISALS:
            value = compute(name, ctx)
            query = parse_qs(urlparse(value.url).query)
            assert query["within"] == [str(org.pk)]
            assert query["closes_from"] == [PERIOD.start.isoformat()]
            assert query["closes_to"] == [PERIOD.end.isoformat()]
            # A grade total also holds subjects not yet decided: its list shows all graded.
            whole = () if name.endswith("_grades") else (value,)
            for item in (*whole, *value.parts):
                if isinstance(item.value, int) and item.url:
                    assert len(listed(item.url, request)) == item.value, (item.name, item.url)
                    checked += 1
    assert checked > 30
    grades = compute("appraisals.member_grades.basic", FigureContext(tree.c1, PERIOD))
    assert parse_qs(urlparse(grades.url).query)["final_grade"] == ["basic"]
    reviews = compute("appraisals.review_grades", FigureContext(tree.c1, PERIOD))
    assert parse_qs(urlparse(reviews.url).query)["kind"] == ["secretary_review", "dual_review"]


def test_each_figure_is_one_query(
    tree: Tree, campaigns: Any, django_assert_num_queries: Any
) -> None:
    ctx = FigureContext(tree.university, PERIOD)
    for name in APPRAISALS:
        figure = compute(name, ctx).figure
        with django_assert_num_queries(1):
            figure.compute(ctx)
