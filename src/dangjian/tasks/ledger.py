"""The rectification ledger (整改台账) as Excel: the problem list's rows in the user's export
scope, with the list's filters, through the core export engine (streamed, formula-safe,
audited as a security event).
"""

from __future__ import annotations

from itertools import count
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dangjian.core.io.export import ExportColumn, export_response
from dangjian.core.permissions import require
from dangjian.core.scope import EXPORT
from dangjian.tasks.filters_problems import ProblemFilter
from dangjian.tasks.models import Problem

LEDGER_NAME = _("整改台账")


def recurring_text(problem: Problem) -> str:
    """「是（2022年第3号，相似度85%）」 for a problem like one closed before; '' otherwise."""
    earlier = problem.recurring_of
    if earlier is None:
        return ""
    return gettext("是（%(year)d年第%(number)s号，相似度%(share)s）") % {
        "year": earlier.year,
        "number": earlier.number,
        "share": percent(problem.similarity),
    }


def percent(value: float | None) -> str:
    return f"{round((value or 0) * 100)}%"


def overdue_days(problem: Problem) -> int | str:
    days = problem.days_overdue()
    return days or ""


def ledger_columns() -> list[ExportColumn]:
    """The ledger's columns; 序号 counts the rows of this one file."""
    numbers = count(1)
    return [
        ExportColumn(_("序号"), lambda _problem: next(numbers), 6),
        ExportColumn(_("年度"), "year", 8),
        ExportColumn(_("层面"), "level", 12),
        ExportColumn(_("列出单位"), "issuer.name", 20),
        ExportColumn(_("责任单位"), "unit.name", 20),
        ExportColumn(_("问题来源"), "source", 10),
        ExportColumn(_("问题类别"), "category", 10),
        ExportColumn(_("问题描述"), "description", 40),
        ExportColumn(_("整改措施"), "measures", 40),
        ExportColumn(_("责任人"), "responsible", 10),
        ExportColumn(_("整改时限"), "deadline", 12),
        ExportColumn(_("状态"), "status", 10),
        ExportColumn(_("销号日期"), "closed_on", 12),
        ExportColumn(_("核验意见"), "verification", 30),
        ExportColumn(_("超期天数"), overdue_days, 10),
        ExportColumn(_("疑似反弹"), recurring_text, 24),
    ]


def ledger_rows(request: HttpRequest) -> QuerySet[Problem]:
    """The problems the user may export, filtered as the list is (bad filters are ignored,
    as on the list page)."""
    queryset: Any = Problem.objects.restrict(request.user, EXPORT)
    found = ProblemFilter(request.GET or None, queryset=queryset, request=request)
    if found.is_bound and found.is_valid():
        queryset = found.qs
    return queryset.select_related("issuer", "unit", "recurring_of").order_by(
        "year", "issuer__path", "unit__path", "listed_on", "id"
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    require(request, Problem, EXPORT)
    return export_response(
        request, ledger_rows(request), ledger_columns(), name=str(LEDGER_NAME), fmt="xlsx"
    )
