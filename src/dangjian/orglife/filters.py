"""Filters of the event list. The GET names are those the figures' drill-downs link with
(within, kind, status, held_from, held_to, lecture_level, micro, late, joint), so a figure's
number and the list it opens count the same events. Cancelled events are left out unless
the status filter asks for them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel
from dangjian.orglife.models import Event
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization

ALL = "all"


class OneOrMoreSelect(forms.Select):
    """A one-line select that also takes the kind repeated in the query string
    (`kind=theme_day&kind=study`): a figure that adds two kinds drills down to both."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else [data.get(name)]
        return [value for value in values if value]


YES = [("1", _("是"))]


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    kind = django_filters.MultipleChoiceFilter(
        label=_("类型"),
        choices=EventKind.choices,
        widget=OneOrMoreSelect,
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*EventStatus.choices, (ALL, _("全部（含已取消）"))],
        empty_label=_("未取消"),
        method="filter_status",
    )
    held_from = django_filters.DateFilter(
        label=_("日期起"), field_name="held_on", lookup_expr="gte", widget=DateInput()
    )
    held_to = django_filters.DateFilter(
        label=_("日期止"), field_name="held_on", lookup_expr="lte", widget=DateInput()
    )
    lecture_level = django_filters.ChoiceFilter(
        label=_("主讲人层级"), choices=LectureLevel.choices, empty_label=_("不限")
    )
    micro = django_filters.ChoiceFilter(
        label=_("微党课"), choices=YES, empty_label=_("不限"), method="filter_flag"
    )
    late = django_filters.ChoiceFilter(
        label=_("逾期补录"), choices=YES, empty_label=_("不限"), method="filter_flag"
    )
    joint = django_filters.ChoiceFilter(
        label=_("联合开展"), choices=YES, empty_label=_("不限"), method="filter_flag"
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)
        # The filter hands the field's choices to the widget: put "all kinds" back first
        # (after offer_within, which must run before the form is built).
        self.form.fields["kind"].widget.choices = [("", _("全部类型")), *EventKind.choices]

    @property
    def qs(self) -> QuerySet[Event]:
        queryset = super().qs
        if not (self.data or {}).get("status"):
            queryset = queryset.exclude(status=EventStatus.CANCELLED)
        return queryset

    def filter_q(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text) | Q(place__icontains=text) | Q(speaker_name__icontains=text)
        )

    def filter_within(
        self, queryset: QuerySet[Event], name: str, value: Organization
    ) -> QuerySet[Event]:
        return queryset.filter(organization__path__startswith=value.path) if value else queryset

    def filter_status(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if value == ALL:
            return queryset
        if value:
            return queryset.filter(status=value)
        return queryset.exclude(status=EventStatus.CANCELLED)

    def filter_flag(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        field = {"micro": "is_micro", "late": "is_late", "joint": "is_joint"}[name]
        return queryset.filter(**{field: True}) if value == "1" else queryset
