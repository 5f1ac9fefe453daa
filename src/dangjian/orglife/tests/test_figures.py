"""Organizational-life figures against hand-built events in B1, B2 (C1) and B3 (C2): held
events only, both ends of the period, subtrees, person-times and hours from attendance
recorded through the action, the compliance rate, and drill-downs that select the same events
as the figure (through the event list's own filters, and through the ORM)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Sum
from django.http import QueryDict
from django.test import RequestFactory

from dangjian.core import rules
from dangjian.core.figures import FigureContext, Period, all_figures, compute
from dangjian.core.models import RuleSetting
from dangjian.core.testing.personas import Tree
from dangjian.orglife import actions
from dangjian.orglife.actions import Mark
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel
from dangjian.orglife.models import Event
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db
PERIOD = Period(date(2025, 3, 1), date(2025, 6, 30))
ORGLIFE = [figure.name for figure in all_figures() if figure.app == "orglife"]


def _window(enabled: bool) -> None:
    RuleSetting.objects.update_or_create(
        code="orglife.recording_window", applies_to="", defaults={"enabled": enabled}
    )
    rules.invalidate()


def guest(name: str, **extra: Any) -> Mark:
    return Mark(status="present", is_guest=True, guest_name=name, guest_unit="校团委", **extra)


@pytest.fixture
def events(tree: Tree) -> dict[str, Event]:
    """B1: assembly on the period's first day; theme day on its last day (2 present, 1 on
    leave, 1 guest: 3 person-times); theme day the day before and study the day after
    (outside); a secretary's micro lecture and a cadre's lecture; volunteering (3 h each, one
    of 2.5 h: 5.5 h, 2 person-times); a planned theme day and a cancelled study (counted
    nowhere). B2: study (1 guest), review meeting, social practice (2 guests × 4 h).
    B3: theme day (1 guest), a member's lecture recorded late. Only that one is late."""
    _window(False)
    people = members(tree.b1, 3)
    found = {
        "assembly": held(tree.b1, EventKind.GENERAL_ASSEMBLY, PERIOD.start),
        "theme_last": held(tree.b1, EventKind.THEME_DAY, PERIOD.end),
        "theme_before": held(tree.b1, EventKind.THEME_DAY, date(2025, 2, 28)),
        "study_after": held(tree.b1, EventKind.STUDY, date(2025, 7, 1)),
        "micro": held(tree.b1, EventKind.LECTURE, date(2025, 4, 10), is_micro=True),
        "cadre": held(
            tree.b1, EventKind.LECTURE, date(2025, 4, 11), lecture_level=LectureLevel.CADRE
        ),
        "volunteer": held(tree.b1, EventKind.VOLUNTEER, date(2025, 5, 1)),
        "planned": held(tree.b1, EventKind.THEME_DAY, date(2025, 5, 10), status="planned"),
        "cancelled": held(tree.b1, EventKind.STUDY, date(2025, 5, 12), status="planned"),
        "study": held(tree.b2, EventKind.STUDY, date(2025, 3, 15)),
        "review": held(tree.b2, EventKind.REVIEW_MEETING, date(2025, 6, 1)),
        "practice": held(tree.b2, EventKind.SOCIAL_PRACTICE, date(2025, 5, 20), hours="4"),
        "theme_b3": held(tree.b3, EventKind.THEME_DAY, date(2025, 4, 1)),
    }
    _window(True)
    found["late"] = held(
        tree.b3, EventKind.LECTURE, date(2025, 5, 5), lecture_level=LectureLevel.MEMBER
    )
    actions.cancel_event(found["cancelled"], reason="改期", acting_user=None)
    a, b, c = (person.pk for person in people)
    sheets = {
        "theme_last": [
            Mark("present", a),
            Mark("present", b),
            Mark("leave", c, leave_reason="出差"),
            guest("来宾甲"),
        ],
        "theme_before": [Mark("present", a), Mark("present", b)],
        "volunteer": [Mark("present", a), Mark("present", b, hours="2.5")],
        "study": [guest("访客乙")],
        "practice": [guest("访客丙"), guest("访客丁")],
        "theme_b3": [guest("访客戊")],
    }
    for name, marks in sheets.items():
        found[name] = actions.record_attendance(found[name], marks, acting_user=None).obj
    return found


def value(name: str, org: Any, period: Period = PERIOD) -> Any:
    return compute(name, FigureContext(org, period)).value


def test_every_figure_is_registered_as_a_flow() -> None:
    assert set(ORGLIFE) >= {
        "orglife.events",
        "orglife.lectures",
        "orglife.micro_lectures",
        "orglife.study_sessions",
        "orglife.theme_days",
        "orglife.person_times",
        "orglife.theme_study_person_times",
        "orglife.volunteer_person_times",
        "orglife.volunteer_hours",
        "orglife.practice_person_times",
        "orglife.practice_hours",
        "orglife.review_meetings",
        "orglife.compliance_rate",
        "orglife.late_entries",
    }
    assert {figure.kind for figure in all_figures() if figure.app == "orglife"} == {"flow"}


def test_counts_of_held_events_by_subtree(tree: Tree, events: dict[str, Event]) -> None:
    by_kind = {
        p.key: p.value
        for p in compute("orglife.events", FigureContext(tree.university, PERIOD)).parts
    }
    assert by_kind == {
        "general_assembly": 1,
        "committee_meeting": 0,
        "group_meeting": 0,
        "lecture": 3,
        "theme_day": 2,
        "review_meeting": 1,
        "study": 1,
        "heart_talk": 0,
        "volunteer": 1,
        "social_practice": 1,
    }
    assert value("orglife.events", tree.university) == 10
    assert value("orglife.events", tree.c1) == 8
    assert value("orglife.events", tree.b3) == 2
    lectures = compute("orglife.lectures", FigureContext(tree.university, PERIOD))
    assert lectures.value == 3
    assert {p.key: p.value for p in lectures.parts if p.value} == {
        "secretary": 1,
        "cadre": 1,
        "member": 1,
    }
    assert value("orglife.lectures", tree.c1) == 2
    assert value("orglife.micro_lectures", tree.university) == 1
    assert value("orglife.micro_lectures", tree.c2) == 0
    assert value("orglife.study_sessions", tree.university) == 1
    assert value("orglife.theme_days", tree.university) == 2
    assert value("orglife.theme_days", tree.c1) == 1
    assert value("orglife.review_meetings", tree.university) == 1
    assert value("orglife.review_meetings", tree.c2) == 0
    assert value("orglife.late_entries", tree.university) == 1
    assert value("orglife.late_entries", tree.c1) == 0


def test_person_times_and_hours(tree: Tree, events: dict[str, Event]) -> None:
    times = compute("orglife.person_times", FigureContext(tree.university, PERIOD))
    assert times.value == 3 + 1 + 2 + 1 + 2  # theme days, study, volunteering, practice
    assert {p.key: p.value for p in times.parts if p.value} == {
        "theme_day": 4,
        "study": 1,
        "volunteer": 2,
        "social_practice": 2,
    }
    assert value("orglife.theme_study_person_times", tree.university) == 5
    assert value("orglife.theme_study_person_times", tree.c1) == 4
    assert value("orglife.volunteer_person_times", tree.university) == 2
    assert value("orglife.volunteer_hours", tree.university) == Decimal("5.5")
    assert value("orglife.practice_person_times", tree.c1) == 2
    assert value("orglife.practice_hours", tree.c1) == Decimal("8.0")
    assert value("orglife.practice_hours", tree.c2) == Decimal("0")
    assert value("orglife.person_times", tree.b1) == 5


def test_the_period_ends_are_included_the_days_beyond_are_not(
    tree: Tree, events: dict[str, Event]
) -> None:
    assert value("orglife.events", tree.b1, Period.on(PERIOD.start)) == 1  # the assembly
    assert value("orglife.theme_days", tree.b1, Period.on(PERIOD.end)) == 1
    day_before = Period.on(date(2025, 2, 28))
    assert value("orglife.theme_days", tree.b1, day_before) == 1  # outside PERIOD, counted here
    assert value("orglife.study_sessions", tree.b1, Period.on(date(2025, 7, 1))) == 1
    assert value("orglife.person_times", tree.b1, Period(date(2025, 2, 28), PERIOD.end)) == 7


def test_compliance_rate(tree: Tree, events: dict[str, Event]) -> None:
    """Periods lying within March–June 2025, all over: B1 holds the June theme day and the
    Q2 lecture, misses 3 theme days, 4 party-group months (G1) and the Q2 assembly (its
    assembly fell in Q1); B2 misses 4 theme days, the Q2 assembly and lecture; B3 holds the
    April theme day and the Q2 lecture, misses 3 theme days and the Q2 assembly."""
    assert value("orglife.compliance_rate", tree.b1) == 20.0  # 2 / (2 + 8)
    assert value("orglife.compliance_rate", tree.c1) == 12.5  # 2 / (2 + 14)
    assert value("orglife.compliance_rate", tree.university) == round(100 * 4 / 22, 1)
    # A period with no required item lying wholly within it: nothing to judge.
    assert (
        value("orglife.compliance_rate", tree.b1, Period(PERIOD.start, date(2025, 3, 15))) is None
    )


def _query(url: str) -> dict[str, list[str]]:
    parsed = urlparse(url)
    assert parsed.path == "/orglife/events/"
    return parse_qs(parsed.query)


def emulate(query: dict[str, list[str]]) -> Any:
    """The events the list selects with these GET parameters, written out with the ORM."""
    from dangjian.orgs.models import Organization

    root = Organization.objects.get(pk=query["within"][0])
    rows = Event.objects.filter(
        organization__path__startswith=root.path,
        status=query["status"][0],
        held_on__gte=query["held_from"][0],
        held_on__lte=query["held_to"][0],
    )
    if "kind" in query:
        rows = rows.filter(kind__in=query["kind"])
    if "lecture_level" in query:
        rows = rows.filter(lecture_level=query["lecture_level"][0])
    if query.get("micro") == ["1"]:
        rows = rows.filter(is_micro=True)
    if query.get("late") == ["1"]:
        rows = rows.filter(is_late=True)
    return rows


def _matches(figure_value: Any, rows: Any) -> None:
    unit = str(figure_value.figure.unit)
    if unit == "人次":
        expected = rows.aggregate(n=Sum("person_times"))["n"] or 0
    elif unit == "小时":
        expected = rows.aggregate(n=Sum("person_hours"))["n"] or Decimal(0)
    else:
        expected = rows.count()
    assert figure_value.value == expected, (figure_value.name, figure_value.url)


def test_drilldowns_select_the_same_events(
    tree: Tree, events: dict[str, Event], personas: dict[str, Any]
) -> None:
    from dangjian.orglife.filters import EventFilter

    request = RequestFactory().get("/orglife/events/")
    request.user = personas["univ"]
    client_checked = 0
    from django.test import Client

    client = Client()
    client.force_login(personas["univ"])
    for name in ORGLIFE:
        if name == "orglife.compliance_rate":
            continue
        for org in (tree.university, tree.c1, tree.b3):
            computed = compute(name, FigureContext(org, PERIOD))
            for item in (computed, *computed.parts):
                query = _query(item.url)
                assert query["within"] == [str(org.pk)]
                assert query["status"] == [EventStatus.HELD]
                assert query["held_from"] == ["2025-03-01"]
                assert query["held_to"] == ["2025-06-30"]
                _matches(item, emulate(query))
                if len(query.get("kind", [])) <= 1:  # the list filters on one kind
                    listed = EventFilter(
                        QueryDict(urlparse(item.url).query),
                        queryset=Event.objects.all(),
                        request=request,
                    ).qs
                    _matches(item, listed)
        if client_checked < 3:
            response = client.get(compute(name, FigureContext(tree.c1, PERIOD)).url)
            assert response.status_code == 200
            client_checked += 1


def test_drilldown_parameters(tree: Tree, events: dict[str, Event]) -> None:
    ctx = FigureContext(tree.c1, PERIOD)
    micro = _query(compute("orglife.micro_lectures", ctx).url)
    assert micro["kind"] == ["lecture"] and micro["micro"] == ["1"]
    level = _query(compute("orglife.lectures.cadre", ctx).url)
    assert level["kind"] == ["lecture"] and level["lecture_level"] == ["cadre"]
    assert _query(compute("orglife.late_entries", ctx).url)["late"] == ["1"]
    both = _query(compute("orglife.theme_study_person_times", ctx).url)
    assert sorted(both["kind"]) == ["study", "theme_day"]
    rate = urlparse(compute("orglife.compliance_rate", ctx).url)
    assert rate.path == "/orglife/compliance/"
    assert parse_qs(rate.query) == {"within": [str(tree.c1.pk)], "year": ["2025"]}


def test_each_event_figure_is_one_query(
    tree: Tree, events: dict[str, Event], django_assert_num_queries: Any
) -> None:
    ctx = FigureContext(tree.university, PERIOD)
    for name in ORGLIFE:
        if name == "orglife.compliance_rate":
            continue
        with django_assert_num_queries(1):
            compute(name, ctx)
