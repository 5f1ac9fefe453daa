"""Filters of the campaign list. The GET names (within, kind, phase, year, closes_from,
closes_to, q) are those the appraisal figures drill down with, so a figure's number and the
list it opens count the same campaigns. `kind` may be repeated (two kinds added in a figure).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import CampaignKind, Phase
from dangjian.appraisals.models import Campaign
from dangjian.core.widgets import DateInput
from dangjian.orglife.filters import OneOrMoreSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    kind = django_filters.MultipleChoiceFilter(
        label=_("类型"), choices=CampaignKind.choices, widget=OneOrMoreSelect
    )
    phase = django_filters.ChoiceFilter(
        label=_("阶段"), choices=Phase.choices, empty_label=_("全部阶段")
    )
    year = django_filters.NumberFilter(label=_("评议年度"), field_name="year")
    closes_from = django_filters.DateFilter(
        label=_("截止日期起"),
        field_name="closes_at",
        lookup_expr="date__gte",
        widget=DateInput(),
    )
    closes_to = django_filters.DateFilter(
        label=_("截止日期止"),
        field_name="closes_at",
        lookup_expr="date__lte",
        widget=DateInput(),
    )

    class Meta:
        model = Campaign
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)
        self.form.fields["kind"].widget.choices = [("", _("全部类型")), *CampaignKind.choices]
        self.form.fields["year"].widget.attrs.update(
            {"inputmode": "numeric", "placeholder": "2024"}
        )
        self.form.fields["year"].error_messages["invalid"] = _("评议年度应为整数。")

    def filter_q(self, queryset: QuerySet[Campaign], name: str, value: str) -> QuerySet[Campaign]:
        text = value.strip()
        return queryset.filter(title__icontains=text) if text else queryset

    def filter_within(
        self, queryset: QuerySet[Campaign], name: str, value: Organization
    ) -> QuerySet[Campaign]:
        return queryset.filter(organization__path__startswith=value.path) if value else queryset
