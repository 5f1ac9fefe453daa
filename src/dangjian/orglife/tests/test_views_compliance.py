"""The compliance pages: the heat-map's data, the headline rate, the parameters, each persona's
scope, a query count that does not grow with the branches, and a branch's calendar."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core import rules
from dangjian.core.models import RuleSetting
from dangjian.orglife import compliance
from dangjian.orglife.choices import EventKind, LectureLevel, Requirement
from dangjian.orglife.rules import FREQUENCY
from dangjian.orglife.testing import held
from dangjian.orglife.views import compliance as views
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db
YEAR = 2025
TODAY = date(2025, 6, 15)
URL = "/orglife/compliance/"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The pages judge 2025 as of 15 June (May is over, June runs)."""
    monkeypatch.setattr(views, "_today", lambda: TODAY)


def _only_theme_days() -> None:
    """Every required item switched off but the monthly theme day: one slot a month."""
    for requirement, definition in FREQUENCY.items():
        if requirement != Requirement.THEME_DAY:
            RuleSetting.objects.update_or_create(
                code=definition.code, applies_to="", defaults={"enabled": False}
            )
    rules.invalidate()


def _chart(response: Any) -> dict[str, Any]:
    """The heat-map's data as the page embeds it (json_script)."""
    found = re.search(
        r'<script id="compliance-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "the heat-map's data is not on the page"
    return json.loads(found.group(1))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_heatmap_rows_are_the_branches_with_their_months(tree, login):
    _only_theme_days()
    for month in range(1, 6):
        held(tree.b1, EventKind.THEME_DAY, date(YEAR, month, 10))
    response = login("univ").get(URL, {"year": YEAR})
    assert response.status_code == 200
    data = _chart(response)
    rows = {row["full"]: row for row in data["rows"]}
    assert [row["full"] for row in data["rows"]] == [tree.b1.name, tree.b2.name, tree.b3.name]
    # B1 held January–May; B2 missed them; June runs (due, not judged) and later is not yet.
    assert rows[tree.b1.name]["values"] == [100.0] * 5 + [None] * 7
    assert rows[tree.b2.name]["values"] == [0.0] * 5 + [None] * 7
    assert rows[tree.b1.name]["group"] == tree.c1.name
    assert rows[tree.b1.name]["url"] == f"/orglife/compliance/{tree.b1.pk}/?year={YEAR}"
    assert data["months"][0] == "1月" and data["text"]["empty"] == "无可评价事项"
    total = response.context["total"]
    assert (total.branches, total.held, total.missed, total.due) == (3, 5, 10, 21)
    # The missed list names B2 and B3 with their months, and links to their calendars.
    missed = {m.branch.pk: m for m in response.context["missed"]}
    assert set(missed) == {tree.b2.pk, tree.b3.pk}
    assert missed[tree.b2.pk].items == [("主题党日", "1月、2月、3月、4月、5月")]
    assert f"/orglife/compliance/{tree.b2.pk}/?year={YEAR}" in response.content.decode()


def test_the_rate_shown_is_the_compliance_rate(tree, login):
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10))
    held(tree.b1, EventKind.GENERAL_ASSEMBLY, date(YEAR, 2, 10))
    held(tree.b2, EventKind.LECTURE, date(YEAR, 4, 2), lecture_level=LectureLevel.MEMBER)
    response = login("univ").get(URL, {"year": YEAR})
    held_count, missed = compliance.rate(
        tree.university, date(YEAR, 1, 1), date(YEAR, 12, 31), TODAY
    )
    total = response.context["total"]
    assert (total.held, total.missed) == (held_count, missed)
    expected = round(100 * held_count / (held_count + missed), 1)
    assert total.rate == expected
    assert f'data-testid="rate">{expected}<' in response.content.decode()


def test_children_of_within_are_tallied(tree, login):
    _only_theme_days()
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10))
    response = login("univ").get(URL, {"year": YEAR})
    children = {t.org.pk: t for t in response.context["children"]}
    assert set(children) == {tree.c1.pk, tree.c2.pk}
    assert (children[tree.c1.pk].branches, children[tree.c1.pk].missed) == (2, 9)
    assert children[tree.c1.pk].rate == 10.0 and children[tree.c2.pk].rate == 0.0
    # The missed list puts the branches with the most missed items first.
    assert [m.branch.pk for m in response.context["missed"]] == [tree.b2.pk, tree.b3.pk, tree.b1.pk]
    assert response.context["missed_total"] == 3
    # Looking within C1: its branches are its children.
    response = login("univ").get(URL, {"year": YEAR, "within": tree.c1.pk})
    assert [t.org.pk for t in response.context["children"]] == [tree.b1.pk, tree.b2.pk]
    assert [r["full"] for r in _chart(response)["rows"]] == [tree.b1.name, tree.b2.name]


@pytest.mark.parametrize("year", ["abc", "1999", "2099", "20x5", "-1", "²", "9" * 5000])
def test_a_bad_year_shows_this_year_with_a_message(tree, login, year):
    response = login("univ").get(URL, {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == TODAY.year
    assert any("年度" in m and "不正确" in m for m in _messages(response))


@pytest.mark.parametrize("within", ["abc", "999999", "-3", "1.5", "²", "9" * 5000])
def test_a_bad_within_shows_the_users_top_with_a_message(tree, login, within):
    response = login("committee").get(URL, {"within": within})
    assert response.status_code == 200
    assert response.context["within"] == tree.c1
    assert any("不在您的管理范围内" in m for m in _messages(response))


def test_within_outside_scope_is_not_shown(tree, login):
    response = login("committee").get(URL, {"within": tree.c2.pk, "year": YEAR})
    assert response.context["within"] == tree.c1
    assert tree.b3.name not in response.content.decode()
    assert any("不在您的管理范围内" in m for m in _messages(response))


def test_a_secretary_sees_only_their_branch(tree, login):
    response = login("secretary").get(URL, {"year": YEAR})
    assert response.status_code == 200
    assert [r["full"] for r in _chart(response)["rows"]] == [tree.b1.name]
    assert [org.pk for org in response.context["choices"]] == [tree.b1.pk]
    assert response.context["children"] == []
    response = login("secretary").get(URL, {"year": YEAR, "within": tree.university.pk})
    assert response.context["within"] == tree.b1


def test_the_outsider_sees_their_subtree_and_not_a_c1_branch(tree, login):
    response = login("outsider").get(URL, {"year": YEAR})
    assert [r["full"] for r in _chart(response)["rows"]] == [tree.b3.name]
    response = login("outsider").get(f"{URL}{tree.b1.pk}/")
    assert response.status_code == 404


def test_a_member_may_not_open_the_overview_but_sees_their_branch(tree, login):
    assert login("member").get(URL).status_code == 403
    assert login("member").get(f"{URL}{tree.b1.pk}/").status_code == 200
    assert login("member").get(f"{URL}{tree.b2.pk}/").status_code == 404


def test_the_branch_page_refuses_what_is_not_a_branch(tree, login):
    for org in (tree.g1, tree.c1):
        assert login("univ").get(f"{URL}{org.pk}/").status_code == 404
    assert login("univ").get(f"{URL}999999/").status_code == 404


def _more_branches(tree, count: int) -> None:
    """`count` more branches under C2, each with a party group and a few events."""
    for n in range(count):
        parent = Organization.objects.get(pk=tree.c2.pk)
        branch = Organization.objects.add_child(
            parent, dict(name=f"测试党支部{n}", code=f"C2-X{n}", level=Level.BRANCH)
        )
        branch = Organization.objects.get(pk=branch.pk)
        Organization.objects.add_child(
            branch, dict(name=f"测试党小组{n}", code=f"C2-X{n}-G", level=Level.PARTY_GROUP)
        )
        held(branch, EventKind.THEME_DAY, date(YEAR, 1 + n % 5, 3))


def _count(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    return len(queries)


def test_the_overview_takes_the_same_queries_for_3_and_12_branches(
    tree, login, django_assert_max_num_queries
):
    client = login("univ")
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10))
    _count(client)  # rules and the session warm
    few = _count(client)
    _more_branches(tree, 9)
    with django_assert_max_num_queries(few):
        response = client.get(URL, {"year": YEAR})
    assert len(_chart(response)["rows"]) == 12
    assert few <= 15  # session, user, grants, menu and a handful of the page's own


def test_the_branch_calendar_shows_each_period_and_the_events(tree, login):
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 10), title="一月主题党日")
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 1, 20), title="一月第二次主题党日")
    held(tree.b1, EventKind.THEME_DAY, date(YEAR, 3, 5), title="三月主题党日")
    held(tree.b1, EventKind.GENERAL_ASSEMBLY, date(YEAR, 2, 5), title="一季度党员大会")
    response = login("secretary").get(f"{URL}{tree.b1.pk}/", {"year": YEAR})
    assert response.status_code == 200
    items = {str(item["label"]): item for item in response.context["items"]}
    theme = items["主题党日"]
    assert theme["frequency"] == "每月"
    states = [cell.slot.state if cell.slot else None for cell in theme["cells"]]
    assert states[:7] == ["held", "missed", "held", "missed", "missed", "due", "due"]
    assert theme["cells"][0].slot.held == 2 and (theme["held"], theme["periods"]) == (2, 12)
    assembly = items["支部党员大会"]
    assert assembly["frequency"] == "每季度"
    assert [(c.colspan, c.label, c.slot.state) for c in assembly["cells"]][:2] == [
        (3, "第1季度", "held"),
        (3, "第2季度", "due"),
    ]
    assert items["组织生活会"]["frequency"] == "每年"
    assert items["组织生活会"]["cells"][0].label == "全年"
    assert theme["url"].endswith(
        f"?within={tree.b1.pk}&held_from={YEAR}-01-01&held_to={YEAR}-12-31&kind=theme_day"
    )
    months = response.context["months"]
    assert [e.title for e in months[0]["events"]] == ["一月主题党日", "一月第二次主题党日"]
    assert months[1]["events"][0].url == reverse("orglife:event", args=[months[1]["events"][0].pk])
    assert months[3]["events"] == []
    content = response.content.decode()
    assert 'data-state="missed"' in content and 'data-state="due"' in content
    assert "三月主题党日" in content and "本月无已召开的活动" in content
    assert f"/orglife/events/add/?organization={tree.b1.pk}" in content


def test_the_branch_page_offers_recording_only_to_who_may_add(tree, login):
    content = login("member").get(f"{URL}{tree.b1.pk}/").content.decode()
    assert 'data-testid="add-event"' not in content
    assert (
        'data-testid="add-event"' in login("committee").get(f"{URL}{tree.b1.pk}/").content.decode()
    )


def test_the_branch_page_takes_a_bad_year_with_a_message(tree, login):
    response = login("secretary").get(f"{URL}{tree.b1.pk}/", {"year": "二〇二五"})
    assert response.status_code == 200 and response.context["year"] == TODAY.year
    assert any("不正确" in m for m in _messages(response))


def test_a_branch_founded_mid_year_has_gaps_before(tree, login):
    Organization.objects.filter(pk=tree.b2.pk).update(founded_on=date(YEAR, 4, 1))
    response = login("committee").get(f"{URL}{tree.b2.pk}/", {"year": YEAR})
    theme = next(i for i in response.context["items"] if str(i["label"]) == "主题党日")
    assert theme["cells"][0].slot is None and theme["cells"][0].colspan == 3
    assert sum(cell.colspan for cell in theme["cells"]) == 12
