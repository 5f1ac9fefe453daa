"""The figures API: values match hand counts on the test tree; scope and period checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.core import figures
from dangjian.core.testing.personas import Tree
from dangjian.orgs import actions

FIGURES = "/api/v1/figures"


def by_name(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return {item["name"]: item for item in response.json()}


@pytest.fixture
def univ(login: Any) -> Client:
    return login("univ")


def test_every_figure_for_the_callers_top_organization_this_year(univ: Client, tree: Tree) -> None:
    values = by_name(univ.get(FIGURES))
    assert set(values) == {figure.name for figure in figures.all_figures()}
    today = timezone.localdate()
    total = values["orgs.total"]
    assert total["organization"] == tree.university.pk
    assert (total["start"], total["end"]) == (date(today.year, 1, 1).isoformat(), today.isoformat())
    assert (total["label"], total["unit"], total["value"]) == ("党组织总数", "个", 7)
    assert values["orgs.committees"]["value"] == 2
    assert values["orgs.branches"]["value"] == 3
    assert values["orgs.party_groups"]["value"] == 1
    assert total["url"].startswith("/orgs/?within=")


def test_breakdown_parts_match_the_tree(univ: Client, tree: Tree) -> None:
    values = by_name(univ.get(FIGURES))
    levels = {part["name"]: part["value"] for part in values["orgs.by_level"]["parts"]}
    assert levels == {
        "orgs.by_level.university_committee": 1,
        "orgs.by_level.committee": 2,
        "orgs.by_level.general_branch": 0,
        "orgs.by_level.branch": 3,
        "orgs.by_level.temporary_branch": 0,
        "orgs.by_level.party_group": 1,
    }
    assert values["orgs.by_level"]["value"] == 7
    kinds = {
        part["name"].rsplit(".", 1)[1]: part["value"]
        for part in values["orgs.branches_by_kind"]["parts"]
    }
    assert (kinds["teacher"], kinds["undergraduate"], kinds["graduate"], kinds["admin"]) == (
        1,
        1,
        1,
        0,
    )
    branch_part = next(p for p in values["orgs.by_level"]["parts"] if p["name"].endswith(".branch"))
    assert branch_part["label"] == "党支部"
    assert "level=branch" in branch_part["url"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("c1", {"orgs.total": 4, "orgs.branches": 2, "orgs.party_groups": 1, "orgs.committees": 1}),
        ("b1", {"orgs.total": 2, "orgs.branches": 1, "orgs.party_groups": 1, "orgs.committees": 0}),
        ("c2", {"orgs.total": 2, "orgs.branches": 1, "orgs.party_groups": 0, "orgs.committees": 1}),
    ],
)
def test_figures_of_a_subtree(
    univ: Client, tree: Tree, where: str, expected: dict[str, int]
) -> None:
    org = getattr(tree, where)
    values = by_name(univ.get(f"{FIGURES}?organization={org.pk}"))
    assert {name: values[name]["value"] for name in expected} == expected
    assert values["orgs.total"]["organization"] == org.pk


def test_default_organization_is_the_callers_own(login: Any, tree: Tree) -> None:
    values = by_name(login("secretary").get(FIGURES))
    assert values["orgs.total"]["organization"] == tree.b1.pk
    assert values["orgs.total"]["value"] == 2


def test_named_figures_in_the_order_asked(univ: Client, tree: Tree) -> None:
    response = univ.get(f"{FIGURES}?names=orgs.branches, orgs.by_level.party_group,orgs.total")
    assert [(v["name"], v["value"]) for v in response.json()] == [
        ("orgs.branches", 3),
        ("orgs.by_level.party_group", 1),
        ("orgs.total", 7),
    ]


def test_unknown_names_are_a_chinese_422(univ: Client, tree: Tree) -> None:
    response = univ.get(f"{FIGURES}?names=orgs.total,orgs.nothing,orgs.by_level.cell")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "names"],
            "msg": "未知的统计指标：orgs.nothing、orgs.by_level.cell。",
            "type": "unknown_figure",
        }
    ]


def test_stock_figures_count_as_of_the_end_date(univ: Client, tree: Tree) -> None:
    actions.dissolve_organization(tree.b2, on=date(2020, 7, 1), reason="撤并", acting_user=None)
    url = f"{FIGURES}?organization={tree.c1.pk}&names=orgs.branches"
    before = univ.get(f"{url}&start=2020-01-01&end=2020-06-30").json()[0]
    after = univ.get(f"{url}&start=2020-01-01&end=2020-07-01").json()[0]
    assert (before["value"], after["value"]) == (2, 1)
    # In 2004 only B1 (founded 2001) existed; B2 was founded in 2005 and B3 in 2010.
    early = by_name(univ.get(f"{FIGURES}?start=2004-01-01&end=2004-12-31"))
    assert early["orgs.branches"]["value"] == 1
    assert early["orgs.total"]["value"] == 5


def test_one_figure(univ: Client, tree: Tree) -> None:
    response = univ.get(f"{FIGURES}/orgs.branches?organization={tree.c1.pk}&end=2024-12-31")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["value"], body["start"], body["end"]) == (
        "orgs.branches",
        2,
        "2024-01-01",
        "2024-12-31",
    )
    assert body["parts"] == []


def test_one_part_of_a_breakdown(univ: Client, tree: Tree) -> None:
    body = univ.get(f"{FIGURES}/orgs.branches_by_kind.teacher").json()
    assert (body["name"], body["label"], body["value"]) == (
        "orgs.branches_by_kind.teacher",
        "教职工",
        1,
    )


def test_unknown_figure_is_404(univ: Client, tree: Tree) -> None:
    response = univ.get(f"{FIGURES}/orgs.nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "未知的统计指标“orgs.nothing”。"}


def test_organization_outside_scope_is_404(login: Any, tree: Tree) -> None:
    outsider = login("outsider")
    assert outsider.get(f"{FIGURES}?organization={tree.c1.pk}").status_code == 404
    assert outsider.get(f"{FIGURES}/orgs.total?organization={tree.b1.pk}").status_code == 404
    assert outsider.get(f"{FIGURES}?organization=999999").status_code == 404


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor", "norole"])
def test_no_business_role_is_403(login: Any, tree: Tree, persona: str) -> None:
    assert login(persona).get(f"{FIGURES}?organization={tree.university.pk}").status_code == 403


def test_period_checks_are_chinese_422(univ: Client, tree: Tree) -> None:
    response = univ.get(f"{FIGURES}?start=2024-06-01&end=2024-01-01")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "start"]
    assert response.json()["detail"][0]["msg"] == "开始日期不能晚于截至日期。"
    response = univ.get(f"{FIGURES}?end=2024-02-30")
    assert response.json()["detail"][0]["loc"] == ["query", "end"]
    assert response.json()["detail"][0]["msg"] == "日期格式不正确，应为 YYYY-MM-DD。"
