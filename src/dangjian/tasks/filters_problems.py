"""Filters of the problem list and the rectification ledger (整改台账).

The GET names are fixed by `tasks/urls.py` (within, issuer, unit, year, level, source,
category, status, recurring, overdue, listed_from/to, closed_from/to), so a figure's number,
the list it opens and the ledger exported from it count the same problems. `within` is the
responsible unit's subtree; `issuer` and `unit` are one organization each.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import WITHIN_OPTIONS, within_filter
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import (
    OPEN_PROBLEM,
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
)
from dangjian.tasks.models import Problem

OPEN = "open"
YES = [("1", _("是"))]
ORG_FILTERS = {"within": _("全部党组织"), "issuer": _("全部列出单位"), "unit": _("全部责任单位")}


def _org_filter(label: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=label, queryset=Organization.objects.none(), empty_label=_("不限")
    )


class ProblemFilter(django_filters.FilterSet):
    within = within_filter()
    issuer = _org_filter(_("列出单位"))
    unit = _org_filter(_("责任单位"))
    year = django_filters.NumberFilter(label=_("年度"), field_name="year")
    level = django_filters.ChoiceFilter(
        label=_("层面"), choices=ProblemLevel.choices, empty_label=_("不限")
    )
    source = django_filters.ChoiceFilter(
        label=_("问题来源"), choices=ProblemSource.choices, empty_label=_("不限")
    )
    category = django_filters.ChoiceFilter(
        label=_("问题类别"), choices=ProblemCategory.choices, empty_label=_("不限")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*ProblemStatus.choices, (OPEN, _("未销号"))],
        empty_label=_("全部状态"),
        method="filter_status",
    )
    recurring = django_filters.ChoiceFilter(
        label=_("疑似反弹"), choices=YES, empty_label=_("不限"), method="filter_flag"
    )
    overdue = django_filters.ChoiceFilter(
        label=_("超期未销号"), choices=YES, empty_label=_("不限"), method="filter_flag"
    )
    listed_from = django_filters.DateFilter(
        label=_("列入日期起"), field_name="listed_on", lookup_expr="gte", widget=DateInput()
    )
    listed_to = django_filters.DateFilter(
        label=_("列入日期止"), field_name="listed_on", lookup_expr="lte", widget=DateInput()
    )
    closed_from = django_filters.DateFilter(
        label=_("销号日期起"), field_name="closed_on", lookup_expr="gte", widget=DateInput()
    )
    closed_to = django_filters.DateFilter(
        label=_("销号日期止"), field_name="closed_on", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = Problem
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["year"].widget.attrs.update({"min": 2000, "max": 2100, "step": 1})
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            self._offer_organizations(scoped)

    def _offer_organizations(self, scoped: Any) -> None:
        """Accept any organization of the scope in within/issuer/unit; offer the top levels
        of it (one query for the three selects, plus one per value not among them)."""
        fields = ("pk", "name", "depth", "path")
        rows = list(scoped.active().order_by("depth", "path").values_list(*fields)[:WITHIN_OPTIONS])
        known = {str(row[0]) for row in rows}
        for name, empty in ORG_FILTERS.items():
            self.filters[name].queryset = scoped
            field = self.form.fields[name]
            field.queryset = scoped  # type: ignore[attr-defined]
            selected = str(self.data.get(name) or "") if self.data else ""
            shown = list(rows)
            if selected.isdigit() and selected not in known:
                shown += list(scoped.filter(pk=selected).values_list(*fields))
            shown.sort(key=lambda row: row[3])
            top = min((row[2] for row in shown), default=1)
            choices = [("", str(empty))] + [
                (pk, f"{'　' * (depth - top)}{label}") for pk, label, depth, _path in shown
            ]
            field.widget = QuickSelect(attrs=field.widget.attrs, choices=choices)

    def filter_within(
        self, queryset: QuerySet[Problem], name: str, value: Organization
    ) -> QuerySet[Problem]:
        return queryset.filter(unit__path__startswith=value.path) if value else queryset

    def filter_status(
        self, queryset: QuerySet[Problem], name: str, value: str
    ) -> QuerySet[Problem]:
        if value == OPEN:
            return queryset.filter(status__in=OPEN_PROBLEM)
        return queryset.filter(status=value) if value else queryset

    def filter_flag(self, queryset: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        if value != "1":
            return queryset
        if name == "recurring":
            return queryset.filter(recurring_of__isnull=False)
        return queryset.filter(status__in=OPEN_PROBLEM, deadline__lt=timezone.localdate())

    def without(self, skipped: str) -> QuerySet[Problem]:
        """The queryset with every valid filter but `skipped` (the loop counts ignore the
        status filter, so each count links to its own status)."""
        queryset = self.queryset.all()
        if not (self.is_bound and self.is_valid()):
            return queryset
        for name, value in self.form.cleaned_data.items():
            if name != skipped:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def status_counts(queryset: QuerySet[Problem]) -> dict[str, int]:
    """How many problems are at each step of the loop (one query)."""
    counts = queryset.order_by().aggregate(
        total=Count("pk"),
        **{status.value: Count("pk", filter=Q(status=status)) for status in ProblemStatus},
    )
    return {name: value or 0 for name, value in counts.items()}
