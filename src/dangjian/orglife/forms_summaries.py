"""Filters and forms of the monthly summary pages (组织生活月报).

The forms only parse input: `summaries.submit_summary` and `review_summary` check it, and
their Chinese refusals land on the fields named here (`text`, `reason`, `month`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.scope import VIEW, covers
from dangjian.orglife.choices import SummaryStatus
from dangjian.orglife.models import APPROVE, MonthlySummary
from dangjian.orglife.summaries import month_start
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization

MINE = "1"


class MonthField(forms.CharField):
    """A month picked as YYYY-MM (`<input type=month>`), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return month_start(text)
        except DomainError:
            raise ValidationError(_("月份格式不正确，应为 YYYY-MM。")) from None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class SummaryFilter(django_filters.FilterSet):
    within = within_filter()
    month = MonthFilter(label=_("月份"), field_name="month")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=SummaryStatus.choices, empty_label=_("全部状态")
    )
    waiting = django_filters.ChoiceFilter(
        label=_("审核"),
        choices=[(MINE, _("待我审核"))],
        empty_label=_("全部"),
        method="filter_waiting",
    )

    class Meta:
        model = MonthlySummary
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)
        if request is not None:
            scoped = Organization.objects.restrict(request.user, VIEW).exclude(
                level=Level.PARTY_GROUP
            )
            offer_within(self, scoped)

    def filter_within(
        self, queryset: QuerySet[MonthlySummary], name: str, value: Organization
    ) -> QuerySet[MonthlySummary]:
        return queryset.filter(organization__path__startswith=value.path) if value else queryset

    def filter_waiting(
        self, queryset: QuerySet[MonthlySummary], name: str, value: str
    ) -> QuerySet[MonthlySummary]:
        """Submitted summaries whose reviewing committee the user decides for (a few
        committees at most, so each is checked with `covers`)."""
        if value != MINE:
            return queryset
        waiting = queryset.filter(status=SummaryStatus.SUBMITTED)
        return waiting.filter(reviewer__in=decided_by(self.user, waiting))


def decided_by(user: Any, summaries: QuerySet[MonthlySummary]) -> list[int]:
    """The reviewing organizations of `summaries` that `user` decides for."""
    reviewers = Organization.objects.filter(pk__in=summaries.values("reviewer")).values_list(
        "pk", "path"
    )
    return [pk for pk, path in reviewers if covers(user, MonthlySummary, APPROVE, path)]


class SummaryForm(forms.Form):
    """The narrative; the counts are the month's events, computed by the action."""

    text = forms.CharField(
        label=_("工作小结"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "col": "col-12"}),
        help_text=_("本月组织生活开展情况、特色做法、存在问题及下月打算，不超过5000字。"),
    )


APPROVE_DECISION, RETURN_DECISION = "approve", "return"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(APPROVE_DECISION, _("审核通过")), (RETURN_DECISION, _("退回修改"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审核结果。")},
    )
    reason = forms.CharField(
        label=_("退回原因（退回时必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
    )
