"""The annual statistics table: a row per child and a total, every cell the registered figure
with its drill-down, None shown as “—”, the period form's refusals, scope, and the Excel file
(Chinese headers, numbers as numbers, formula-safe names)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from dangjian.core.figures import FigureContext, Period, compute
from dangjian.core.testing.personas import Tree
from dangjian.orglife import statistics
from dangjian.orglife.actions import Mark, record_attendance
from dangjian.orglife.choices import EventKind
from dangjian.orglife.testing import held
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)


@pytest.fixture
def data(tree: Tree) -> None:
    """B1: two theme days (one with 2 guests), a lecture; B2: a study session; B3: a theme
    day; one B1 theme day in 2024 (outside the year)."""
    theme = held(tree.b1, EventKind.THEME_DAY, date(2025, 3, 5))
    guests = [Mark("present", is_guest=True, guest_name=n, guest_unit="校团委") for n in "甲乙"]
    record_attendance(theme, guests, acting_user=None)
    held(tree.b1, EventKind.THEME_DAY, date(2025, 4, 5))
    held(tree.b1, EventKind.LECTURE, date(2025, 5, 5))
    held(tree.b2, EventKind.STUDY, date(2025, 6, 5))
    held(tree.b3, EventKind.THEME_DAY, date(2025, 6, 5))
    held(tree.b1, EventKind.THEME_DAY, date(2024, 12, 31))


def _column(name: str) -> int:
    return [column.name for column in statistics.COLUMNS].index(name)


def test_table_rows_are_children_and_a_total_each_cell_the_figure(tree: Tree, data: None) -> None:
    rows = statistics.table(tree.c1, YEAR)
    assert [row.organization.pk for row in rows] == [tree.b1.pk, tree.b2.pk, tree.c1.pk]
    assert [row.is_total for row in rows] == [False, False, True]
    b1, b2, total = rows
    assert b1.cells[_column("orglife.theme_days")].value == 2
    assert b1.cells[_column("orglife.events")].value == 3
    assert b1.cells[_column("orglife.person_times")].value == 2
    assert b2.cells[_column("orglife.study_sessions")].value == 1
    assert total.cells[_column("orglife.events")].value == 4
    assert total.cells[_column("orglife.lectures")].value == 1
    for row in rows:
        for column, cell in zip(statistics.COLUMNS, row.cells, strict=True):
            expected = compute(column.name, FigureContext(row.organization, YEAR))
            assert (cell.name, cell.value, cell.url) == (column.name, expected.value, expected.url)
    # The university's table has its committees as rows; party groups never are rows.
    assert [row.organization.pk for row in statistics.table(tree.university, YEAR)] == [
        tree.c1.pk,
        tree.c2.pk,
        tree.university.pk,
    ]
    assert [row.organization.pk for row in statistics.table(tree.b1, YEAR)] == [tree.b1.pk]


def test_page_links_each_number_and_shows_a_dash_for_none(
    tree: Tree, data: None, login: Any
) -> None:
    client = login("committee")
    response = client.get(f"/orglife/statistics/?within={tree.c1.pk}&year=2025")
    assert response.status_code == 200
    text = response.content.decode()
    assert "组织生活统计表" in text and "合计（文学院党委）" in text
    assert "文学院教工第一党支部" in text and "数学学院研究生党支部" not in text
    theme_days = compute("orglife.theme_days", FigureContext(tree.b1, YEAR))
    assert f'href="{theme_days.url.replace("&", "&amp;")}">2</a>' in text
    # A fortnight holds no whole period of a required item: the rate is unknown, not 0.
    response = client.get(
        f"/orglife/statistics/?within={tree.c1.pk}&start=2025-03-01&end=2025-03-15"
    )
    rate_cells = response.content.decode().count('title="没有可判断的数据">—</span>')
    assert rate_cells == 3  # B1, B2 and the total


def test_default_is_the_users_top_organization_this_year(tree: Tree, login: Any) -> None:
    response = login("secretary").get("/orglife/statistics/")
    assert response.status_code == 200
    assert response.context["root"].pk == tree.b1.pk
    assert response.context["period"].start.month == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "请输入年份，如 2025。"),
        ("start=2025-03-01", "按日期统计时请同时填写开始日期和截至日期。"),
        ("start=2025-05-01&end=2025-03-01", "开始日期不能晚于截至日期。"),
    ],
)
def test_bad_periods_are_refused_in_chinese(
    tree: Tree, login: Any, query: str, message: str
) -> None:
    response = login("univ").get(f"/orglife/statistics/?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["rows"] == []


def test_scope(tree: Tree, login: Any) -> None:
    assert login("outsider").get(f"/orglife/statistics/?within={tree.b1.pk}").status_code == 404
    assert login("outsider").get("/orglife/statistics/?within=abc").status_code == 404
    assert login("member").get("/orglife/statistics/?export=xlsx").status_code == 403
    assert login("norole").get("/orglife/statistics/").status_code == 403


def test_excel_has_chinese_headers_numbers_and_safe_names(
    tree: Tree, data: None, login: Any
) -> None:
    Organization.objects.filter(pk=tree.b2.pk).update(name="=HYPERLINK(1)")
    response = login("committee").get(
        f"/orglife/statistics/?within={tree.c1.pk}&year=2025&export=xlsx"
    )
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("党组织", "活动合计", "支部党员大会")
    assert rows[0][-1] == "落实率（%）"
    assert rows[1][0] == "文学院教工第一党支部"
    assert rows[1][1 + _column("orglife.theme_days")] == 2
    assert rows[2][0] == "'=HYPERLINK(1)"
    assert rows[3][0] == "文学院党委（合计）"
    assert rows[3][1 + _column("orglife.events")] == 4
