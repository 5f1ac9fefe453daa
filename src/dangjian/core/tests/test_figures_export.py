"""The figures registry on the organization figures, and formula-safe exports."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dangjian.core import figures
from dangjian.core.figures import FigureContext, Period
from dangjian.core.io.export import ExportColumn, safe_cell, xlsx_bytes
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def ctx(org, day=date(2026, 11, 1)) -> FigureContext:
    return FigureContext(org, Period.on(day))


def test_organizations_by_level_for_a_subtree(tree) -> None:
    value = figures.compute("orgs.by_level", ctx(tree.university))
    parts = {part.key: part.value for part in value.parts}
    assert parts["university_committee"] == 1 and parts["committee"] == 2
    assert parts["branch"] == 3 and parts["party_group"] == 1 and parts["general_branch"] == 0
    assert value.value == 7
    assert figures.compute("orgs.by_level.branch", ctx(tree.c1)).value == 2
    assert figures.compute("orgs.branches", ctx(tree.c2)).value == 1


def test_figures_as_of_a_date_respect_founding_and_dissolution(tree) -> None:
    assert figures.compute("orgs.branches", ctx(tree.c1, date(2003, 1, 1))).value == 1
    Organization.objects.filter(pk=tree.b2.pk).update(
        status="dissolved", dissolved_on=date(2024, 1, 1)
    )
    assert figures.compute("orgs.branches", ctx(tree.c1, date(2023, 12, 31))).value == 2
    assert figures.compute("orgs.branches", ctx(tree.c1, date(2024, 1, 1))).value == 1


def test_breakdown_by_kind_and_drilldown_links(tree, login) -> None:
    value = figures.compute("orgs.branches_by_kind", ctx(tree.university))
    parts = {part.key: part for part in value.parts}
    assert (
        parts["teacher"].value == 1 and parts["graduate"].value == 1 and parts["retired"].value == 0
    )
    url = parts["teacher"].url
    assert (
        url.startswith("/orgs/?")
        and f"within={tree.university.pk}" in url
        and "kind=teacher" in url
    )
    listed = [org.code for org in login("univ").get(url).context["object_list"]]
    assert listed == ["C1-B1"]


def test_every_figure_computes_and_serializes(tree) -> None:
    for figure in figures.all_figures():
        value = figures.evaluate(figure, ctx(tree.university))
        data = value.as_dict()
        assert data["name"] == figure.name and data["unit"] == figure.unit


def test_previous_year_period() -> None:
    period = Period(date(2024, 3, 1), date(2024, 2, 29))
    assert period.previous_year() == Period(date(2023, 3, 1), date(2023, 2, 28))


def test_unknown_figure_is_a_key_error(tree) -> None:
    with pytest.raises(KeyError):
        figures.compute("orgs.nothing", ctx(tree.university))


def test_figures_page_shows_values_with_links(tree, login) -> None:
    page = login("committee").get("/figures/").content.decode()
    assert "orgs.branches" in page and "上年同期" in page
    bad = (
        login("committee")
        .get("/figures/", {"organization": tree.c1.pk, "start": "2024-05-01", "end": "2024-01-01"})
        .content.decode()
    )
    assert "开始日期不能晚于截至日期" in bad


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-1+1", "@cmd", "\t=x", "＝1+1"])
def test_formula_like_text_is_neutralized(text: str) -> None:
    assert safe_cell(text) == "'" + text


def test_plain_values_pass_through() -> None:
    assert safe_cell(-5) == -5 and safe_cell("党支部") == "党支部" and safe_cell(None) == ""
    assert safe_cell(True) == "是"


def test_xlsx_export_has_header_and_safe_cells() -> None:
    rows = [{"name": '=HYPERLINK("http://x")', "n": 3}]
    data = xlsx_bytes(
        rows, [ExportColumn("名称", lambda r: r["name"]), ExportColumn("数量", lambda r: r["n"])]
    )
    sheet = load_workbook(BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["名称", "数量"]
    assert sheet["A2"].value.startswith("'=") and sheet["B2"].value == 3
