"""Filters for the audit log search page."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.models.audit import AuditCategory, AuditEvent
from dangjian.core.widgets import DateInput

DATE = DateInput()


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label=_("操作人"), field_name="actor_name", lookup_expr="icontains"
    )
    action = django_filters.CharFilter(
        label=_("操作"), field_name="action", lookup_expr="icontains"
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=AuditCategory.choices, empty_label=_("全部类别")
    )
    success = django_filters.ChoiceFilter(
        label=_("结果"),
        choices=[("1", _("成功")), ("0", _("失败"))],
        method="filter_success",
        empty_label=_("全部"),
    )
    ip = django_filters.CharFilter(label=_("来源地址"), field_name="ip_address")
    object = django_filters.CharFilter(
        label=_("对象"), field_name="object_repr", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("起始日期"), field_name="occurred_at", lookup_expr="date__gte", widget=DATE
    )
    until = django_filters.DateFilter(
        label=_("截止日期"), field_name="occurred_at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filter_success(
        self, queryset: QuerySet[AuditEvent], name: str, value: str
    ) -> QuerySet[AuditEvent]:
        return queryset.filter(success=value == "1")
