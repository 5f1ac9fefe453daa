"""Member figures against hand-built people: as-of dates, subtrees, transfers after the day,
people who left or died, suspended members, age bands, and drill-downs that list the same
records."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils import timezone

from dangjian.core import figures
from dangjian.core.figures import FigureContext, Period
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.asof import in_subtree_on, members_on, placed_on
from dangjian.members.choices import Category, Post
from dangjian.members.filters import PersonFilter
from dangjian.members.models import Person
from dangjian.members.testing import make_id_number, make_person
from dangjian.orgs.models import Organization

BEFORE = date(2024, 1, 1)  # before every move below
MID = date(2024, 6, 30)  # after the internal transfer, before the outbound and inbound ones
YEAR = Period.year(2024)
EARLY = date(2024, 5, 25)  # after D's letter was issued, before it was received


def member(org: Organization, name: str, **extra: Any) -> Person:
    return make_person(org, name=name, **extra)


def probationary(org: Organization, name: str, joined: date, **extra: Any) -> Person:
    return make_person(
        org,
        name=name,
        category=Category.PROBATIONARY,
        applied_on=joined - timedelta(days=700),
        activist_on=joined - timedelta(days=600),
        candidate_on=joined - timedelta(days=100),
        joined_on=joined,
        converted_on=None,
        **extra,
    )


def pipeline(org: Organization, name: str, category: str, **dates: date) -> Person:
    data: dict[str, Any] = {
        "applied_on": None,
        "activist_on": None,
        "candidate_on": None,
        "joined_on": None,
        "converted_on": None,
    }
    data.update(dates)
    return make_person(org, name=name, category=category, **data)


@pytest.fixture
def people(tree: Tree) -> dict[str, Person]:
    """Ten people of known history on the test tree (see the module docstring of each)."""
    p: dict[str, Person] = {}
    p["a"] = member(tree.b1, "安娜", gender="female", birth_date=date(1990, 3, 15))
    p["b"] = probationary(
        tree.b2,
        "白云",
        date(2024, 1, 10),
        birth_date=date(2001, 5, 5),
        ethnicity="15",
        education="high_school",
        post=Post.UNDERGRADUATE,
    )
    p["c"] = pipeline(tree.b2, "陈晨", Category.APPLICANT, applied_on=date(2024, 3, 1))
    p["j"] = pipeline(
        tree.b2,
        "蒋杰",
        Category.CANDIDATE,
        applied_on=date(2022, 3, 1),
        activist_on=date(2022, 9, 1),
        candidate_on=date(2023, 10, 1),
    )
    # Moved from B1 (C1) to B3 (C2) on 1 June 2024.
    p["d"] = member(tree.b1, "邓东")
    transfer = actions.issue_transfer(
        p["d"],
        direction="internal",
        letter_no="NB-1",
        issued_on=date(2024, 5, 20),
        to_organization=tree.b3,
        acting_user=None,
    )
    actions.receive_transfer(transfer, received_on=date(2024, 6, 1), acting_user=None)
    # Transferred out of the university from B1 on 1 September 2024.
    p["e"] = member(tree.b1, "鄂尔")
    transfer = actions.issue_transfer(
        p["e"],
        direction="outbound",
        letter_no="OUT-1",
        issued_on=date(2024, 8, 20),
        other_institution="中共某某公司委员会",
        acting_user=None,
    )
    actions.receive_transfer(transfer, received_on=date(2024, 9, 1), acting_user=None)
    # Arrived from outside into B3 on 15 September 2024 (joined the party in 2018).
    birth = date(1998, 2, 2)
    p["f"] = actions.receive_from_outside(
        {
            "name": "范菲",
            "id_number": make_id_number(birth, "female"),
            "gender": "female",
            "birth_date": birth,
            "organization": tree.b3,
            "category": Category.FULL,
            "applied_on": date(2016, 10, 1),
            "activist_on": date(2017, 3, 1),
            "candidate_on": date(2018, 3, 1),
            "joined_on": date(2018, 6, 1),
            "converted_on": date(2019, 6, 1),
            "post": Post.MASTER_STUDENT,
            "education": "bachelor",
        },
        other_institution="中共某某大学委员会",
        letter_no="IN-1",
        issued_on=date(2024, 9, 1),
        received_on=date(2024, 9, 15),
        acting_user=None,
    )
    p["g"] = member(tree.b1, "葛戈")
    actions.leave_party(p["g"], on=date(2024, 5, 1), reason="withdrawal", acting_user=None)
    p["h"] = member(tree.b1, "何禾", birth_date=date(1940, 1, 1), post=Post.RETIRED)
    actions.record_death(p["h"], on=date(2024, 2, 1), acting_user=None)
    p["i"] = member(tree.b3, "伊依")
    actions.suspend(p["i"], on=date(2024, 3, 1), reason="失去联系超过六个月", acting_user=None)
    return p


def value(name: str, org: Organization, period: Period | None = None) -> Any:
    period = period or Period.on(timezone.localdate())
    return figures.compute(name, FigureContext(org, period)).value


def parts(name: str, org: Organization, period: Period | None = None) -> dict[str, Any]:
    period = period or Period.on(timezone.localdate())
    result = figures.compute(name, FigureContext(org, period))
    return {part.key: part.value for part in result.parts}


def drilldown_count(url: str, user: Any) -> int:
    """How many records the member list's filter gives for a drill-down URL."""
    parsed = urlparse(url)
    assert parsed.path == "/members/"
    data = QueryDict(parsed.query)
    request = RequestFactory().get(url)
    request.user = user
    filterset = PersonFilter(data, queryset=Person.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def test_today_counts_members_on_the_books_only(tree: Tree, people: dict[str, Person]) -> None:
    u = tree.university
    assert value("members.total", u) == 5  # a, b, d, f, i (suspended still counted)
    assert value("members.full", u) == 4
    assert value("members.probationary", u) == 1
    assert parts("members.by_category", u) == {
        "applicant": 1,
        "activist": 0,
        "candidate": 1,
        "probationary": 1,
        "full": 4,
    }
    assert value("members.suspended", u) == 1
    assert value("members.female", u) == 2
    assert value("members.minority", u) == 1
    assert value("members.students", u) == 2  # b (undergraduate), f (master student)
    assert parts("members.by_gender", u) == {"male": 3, "female": 2}
    kinds = parts("members.by_kind", u)
    assert (kinds["teacher"], kinds["undergraduate"], kinds["graduate"]) == (1, 1, 3)
    assert parts("members.by_join_year", u)["2024"] == 1


def test_subtrees_today(tree: Tree, people: dict[str, Person]) -> None:
    assert value("members.total", tree.c1) == 2  # a, b
    assert value("members.total", tree.c2) == 3  # d, f, i
    assert value("members.total", tree.b1) == 1
    assert parts("members.by_category", tree.b2)["applicant"] == 1


def test_as_of_a_past_day_people_are_where_they_were(tree: Tree, people: dict[str, Person]) -> None:
    before = Period.on(BEFORE)
    # On 1 January 2024: d still in B1; e, g, h still on the books; b not yet a member;
    # f not yet here; i a member, not yet suspended.
    assert value("members.total", tree.c1, before) == 5  # a, d, e, g, h
    assert value("members.total", tree.c2, before) == 1  # i
    assert value("members.total", tree.university, before) == 6
    assert value("members.suspended", tree.university, before) == 0
    assert parts("members.by_kind", tree.university, before)["teacher"] == 5
    assert parts("members.by_category", tree.university, before) == {
        "applicant": 0,
        "activist": 0,
        "candidate": 2,  # j, and b until she joins on 10 January
        "probationary": 0,
        "full": 6,
    }
    mid = Period.on(MID)
    # 30 June 2024: d moved to B3; g left, h died; e still here; f not yet.
    assert value("members.total", tree.c1, mid) == 3  # a, b, e
    assert value("members.total", tree.c2, mid) == 2  # d, i
    assert parts("members.by_kind", tree.university, mid) == {
        "teacher": 2,
        "undergraduate": 1,
        "graduate": 2,
        "admin": 0,
        "retired": 0,
        "mixed": 0,
    }
    # The day a death or a departure is recorded it takes effect.
    assert value("members.total", tree.b1, Period.on(date(2024, 1, 31))) == 5
    assert value("members.total", tree.b1, Period.on(date(2024, 2, 1))) == 4


def test_the_list_filter_helper_gives_the_same_people(
    tree: Tree, people: dict[str, Person]
) -> None:
    for day in (BEFORE, MID, date(2024, 9, 10), timezone.localdate()):
        for org in (tree.university, tree.c1, tree.c2, tree.b1, tree.b3):
            listed = in_subtree_on(members_on(day), org, day).count()
            assert listed == value("members.total", org, Period.on(day)), (day, org.code)
            kinds = parts("members.by_kind", org, Period.on(day))
            for kind in ("teacher", "graduate"):
                placed = placed_on(members_on(day), day, within=org, kind=kind).count()
                assert placed == kinds[kind], (day, org.code, kind)


def test_flows_of_a_year(tree: Tree, people: dict[str, Person]) -> None:
    u, c1, c2 = tree.university, tree.c1, tree.c2
    assert value("members.left", u, YEAR) == 1
    assert value("members.deceased", u, YEAR) == 1
    assert value("members.deceased", c2, YEAR) == 0
    assert value("members.left", u, Period.year(2023)) == 0
    assert value("members.transfers_in", u, YEAR) == 1  # f; internal moves are not counted
    assert value("members.transfers_out", u, YEAR) == 1  # e
    assert value("members.transfers_out", c1, YEAR) == 2  # e, and d to another committee
    assert value("members.transfers_in", c2, YEAR) == 2  # d and f
    assert value("members.transfers_in", c1, YEAR) == 0


def test_age_bands_turn_on_the_birthday(tree: Tree) -> None:
    day = date(2025, 6, 15)
    late = {
        "applied_on": date(2015, 10, 1),
        "activist_on": date(2016, 4, 1),
        "candidate_on": date(2017, 5, 1),
        "joined_on": date(2017, 6, 1),
        "converted_on": date(2018, 6, 1),
    }
    make_person(tree.b1, name="满三十", birth_date=date(1995, 6, 15), **late)  # 30 on the day
    make_person(tree.b1, name="满三一", birth_date=date(1994, 6, 15), **late)  # 31 on the day
    make_person(tree.b1, name="将三一", birth_date=date(1994, 6, 16), **late)  # 31 tomorrow
    make_person(tree.b1, name="满八一", birth_date=date(1944, 6, 15), post=Post.RETIRED)
    bands = parts("members.by_age_band", tree.university, Period.on(day))
    assert (bands["to30"], bands["31_35"], bands["71_80"], bands["from81"]) == (2, 1, 0, 1)
    next_day = parts("members.by_age_band", tree.university, Period.on(day + timedelta(days=1)))
    assert (next_day["to30"], next_day["31_35"]) == (1, 2)


def test_cadres_in_office_by_rank(tree: Tree, people: dict[str, Person]) -> None:
    data = {"position": "院长", "unit": "文学院", "appointed_on": date(2023, 1, 1)}
    actions.save_cadre(people["a"], {**data, "rank": "division_chief"}, acting_user=None)
    cadre = actions.save_cadre(people["d"], {**data, "rank": "deputy_division"}, acting_user=None)
    actions.end_cadre(cadre, on=date(2025, 1, 1), acting_user=None)
    now = parts("members.cadres", tree.university)
    assert (now["division_chief"], now["deputy_division"]) == (1, 0)
    then = parts("members.cadres", tree.university, Period.on(date(2024, 12, 31)))
    assert (then["division_chief"], then["deputy_division"]) == (1, 1)
    assert value("members.cadres", tree.university, Period.on(date(2022, 12, 31))) == 0


def test_figures_take_one_query_for_today_and_three_for_a_past_day(
    tree: Tree, people: dict[str, Person], django_assert_num_queries: Any
) -> None:
    today = FigureContext(tree.university, Period.on(timezone.localdate()))
    past = FigureContext(tree.c1, Period.on(BEFORE))
    for name in ("members.total", "members.by_category", "members.by_age_band"):
        with django_assert_num_queries(1):
            figures.compute(name, today)
        with django_assert_num_queries(3):  # the later transfers, the rest, the moved
            figures.compute(name, past)


@pytest.mark.parametrize(
    "name",
    [
        "members.total",
        "members.full",
        "members.probationary",
        "members.by_category",
        "members.by_kind",
        "members.by_gender",
        "members.female",
        "members.minority",
        "members.by_education",
        "members.by_post",
        "members.students",
        "members.by_age_band",
        "members.by_join_year",
        "members.suspended",
        "members.floating",
        "members.lost_contact",
        "members.cadres",
    ],
)
def test_drilldown_lists_the_counted_records(
    tree: Tree, people: dict[str, Person], personas: dict[str, Any], name: str
) -> None:
    univ = personas["univ"]
    states_that_ended_later(people)
    contexts = [
        FigureContext(tree.university, Period.on(timezone.localdate())),
        FigureContext(tree.c1, Period.on(timezone.localdate())),
        FigureContext(tree.b2, Period.on(MID)),  # no transfer touches B2
        # Past days that later transfers correct: D was still in B1 (C1) on 25 May.
        *(FigureContext(org, Period.on(EARLY)) for org in (tree.university, tree.c1, tree.c2)),
        FigureContext(tree.c2, Period.on(MID)),
        FigureContext(tree.university, Period.on(BEFORE)),
    ]
    for ctx in contexts:
        result = figures.compute(name, ctx)
        assert drilldown_count(result.url, univ) == result.value, (name, ctx.organization.code)
        for part in result.parts:
            if part.value:
                assert drilldown_count(part.url, univ) == part.value, part.name


def test_drilldown_parameters(tree: Tree, people: dict[str, Person]) -> None:
    ctx = FigureContext(tree.c1, Period.on(MID))
    url = figures.compute("members.by_gender.female", ctx).url
    query = parse_qs(urlparse(url).query)
    assert query == {
        "within": [str(tree.c1.pk)],
        "as_of": ["2024-06-30"],
        "category": ["members"],
        "gender": ["female"],
    }
    flow = figures.compute("members.left", FigureContext(tree.c1, YEAR)).url
    assert "status=left" in flow and "off_books_from=2024-01-01" in flow


def states_that_ended_later(people: dict[str, Person]) -> None:
    """Flags that were true on the past days and are no longer (or the other way round), so
    a drill-down must read them as of the day: A floated Apr–Aug,
    D lost contact Mar–Jul and was a cadre until 2025, B has floated since July; I's
    standing was restored in 2025."""
    a, b, d, i = (people[k] for k in "abdi")
    actions.start_floating(a, destination="深圳", on=date(2024, 4, 1), until=None, acting_user=None)
    actions.end_floating(a, on=date(2024, 8, 1), acting_user=None)
    actions.start_floating(b, destination="上海", on=date(2024, 7, 1), until=None, acting_user=None)
    actions.mark_lost_contact(d, since=date(2024, 3, 1), acting_user=None)
    actions.restore_contact(d, on=date(2024, 7, 1), acting_user=None)
    data = {"position": "副院长", "unit": "文学院", "appointed_on": date(2023, 1, 1)}
    cadre = actions.save_cadre(d, {**data, "rank": "deputy_division"}, acting_user=None)
    actions.end_cadre(cadre, on=date(2025, 1, 1), acting_user=None)
    actions.restore_standing(i, on=date(2025, 2, 1), reason="恢复联系", acting_user=None)


def test_past_flags_read_as_of_the_day(
    tree: Tree, people: dict[str, Person], personas: dict[str, Any]
) -> None:
    states_that_ended_later(people)
    ctx = FigureContext(tree.university, Period.on(MID))
    expected = {
        "members.floating": 1,
        "members.lost_contact": 1,
        "members.cadres": 1,
        "members.suspended": 1,
    }
    for name, count in expected.items():
        result = figures.compute(name, ctx)
        assert result.value == count, name
        assert drilldown_count(result.url, personas["univ"]) == count, name
    today = FigureContext(tree.university, Period.on(timezone.localdate()))
    assert figures.compute("members.floating", today).value == 1  # B now, not A
    assert figures.compute("members.suspended", today).value == 0


def transfer_count(url: str, user: Any) -> int:
    """How many letters the transfer list gives for a drill-down URL (its default tab)."""
    parsed = urlparse(url)
    assert parsed.path == "/members/transfers/"
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return int(response.context["paginator"].count)


@pytest.mark.parametrize("name", ["members.transfers_in", "members.transfers_out"])
def test_transfer_flows_drill_down_to_the_letters(
    tree: Tree, people: dict[str, Person], personas: dict[str, Any], name: str
) -> None:
    for org in (tree.university, tree.c1, tree.c2, tree.b1, tree.b3):
        for period in (YEAR, Period.year(2023), Period(date(2024, 6, 1), date(2024, 8, 31))):
            result = figures.compute(name, FigureContext(org, period))
            listed = transfer_count(result.url, personas["univ"])
            assert listed == result.value, (name, org.code, period)


@pytest.mark.parametrize("name", ["members.left", "members.deceased"])
def test_off_books_flows_drill_down(
    tree: Tree, people: dict[str, Person], personas: dict[str, Any], name: str
) -> None:
    for org in (tree.university, tree.c1, tree.b1, tree.c2):
        for period in (YEAR, Period.year(2023), Period(date(2024, 1, 1), date(2024, 2, 29))):
            result = figures.compute(name, FigureContext(org, period))
            assert drilldown_count(result.url, personas["univ"]) == result.value, (name, org.code)
