"""The annual statistics table of organizational life (组织生活统计表).

One row per direct child of an organization (party groups excepted: their meetings are kept
by their branch) and a total row for the organization itself. Every cell is a registered
figure computed with `core.figures.compute`, so each number carries the drill-down to the
events behind it; a value the figure does not know (None) stays None, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.figures import FigureContext, FigureValue, Period, compute
from dangjian.core.io.export import ExportColumn
from dangjian.core.text import Text
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization


@dataclass(frozen=True)
class Column:
    """A column of the table: the figure (or part of a breakdown) and its short header."""

    name: str
    header: Text


COLUMNS: list[Column] = [
    Column("orglife.events", _("活动合计")),
    Column("orglife.events.general_assembly", _("支部党员大会")),
    Column("orglife.events.committee_meeting", _("支委会")),
    Column("orglife.events.group_meeting", _("党小组会")),
    Column("orglife.lectures", _("党课")),
    Column("orglife.micro_lectures", _("其中微党课")),
    Column("orglife.theme_days", _("主题党日")),
    Column("orglife.study_sessions", _("集中学习研讨")),
    Column("orglife.review_meetings", _("组织生活会")),
    Column("orglife.events.heart_talk", _("谈心谈话")),
    Column("orglife.person_times", _("参加人次")),
    Column("orglife.theme_study_person_times", _("主题党日和学习研讨人次")),
    Column("orglife.volunteer_person_times", _("志愿服务人次")),
    Column("orglife.volunteer_hours", _("志愿服务时长（小时）")),
    Column("orglife.practice_person_times", _("社会实践人次")),
    Column("orglife.practice_hours", _("社会实践时长（小时）")),
    Column("orglife.compliance_rate", _("落实率（%）")),
]


@dataclass(frozen=True)
class Row:
    """One organization's cells, in the order of `COLUMNS`."""

    organization: Organization
    cells: list[FigureValue]
    is_total: bool = False


def children(root: Organization, period: Period) -> list[Organization]:
    """The direct children of `root` that existed at some time in the period."""
    return list(
        Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
        .exclude(level=Level.PARTY_GROUP)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.start))
        .order_by("path")
    )


def row_for(org: Organization, period: Period, *, is_total: bool = False) -> Row:
    """Every column's figure for `org`; a breakdown is evaluated once for all its parts."""
    context = FigureContext(org, period)
    evaluated: dict[str, FigureValue] = {}
    cells = []
    for column in COLUMNS:
        base = column.name if column.name.count(".") == 1 else column.name.rsplit(".", 1)[0]
        if base not in evaluated:
            evaluated[base] = compute(base, context)
        value = evaluated[base]
        if base != column.name:
            key = column.name.rsplit(".", 1)[1]
            value = next(part for part in value.parts if part.key == key)
        cells.append(value)
    return Row(org, cells, is_total)


def table(root: Organization, period: Period) -> list[Row]:
    """The rows of the children of `root`, then the total row (`root` itself)."""
    rows = [row_for(child, period) for child in children(root, period)]
    rows.append(row_for(root, period, is_total=True))
    return rows


def _cell(index: int) -> Any:
    def value(row: Row) -> Any:
        number = row.cells[index].value
        return float(number) if number is not None and not isinstance(number, int) else number

    return value


def export_columns() -> list[ExportColumn]:
    """The Excel columns: the organization, then one per figure (None stays empty)."""
    columns = [
        ExportColumn(
            _("党组织"),
            lambda row: (
                f"{row.organization.name}（{_('合计')}）" if row.is_total else row.organization.name
            ),
            30,
        )
    ]
    columns += [
        ExportColumn(column.header, _cell(index), 12) for index, column in enumerate(COLUMNS)
    ]
    return columns
