"""Filters of the case list: person search, subtree, stage, next step, status, overdue,
waiting for review. Status defaults to open cases, also when the form is unbound."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.members.filters import search_people
from dangjian.members.models import Person
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization
from dangjian.recruitment.choices import CaseStatus, ConversionOutcome, RecordState, Stage
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.plan import reviewed_paths
from dangjian.recruitment.steps import STEPS

ALL, ENDED = "all", "ended"
# Filters of what happened in a period (the figures' drill-downs): any status applies.
FLOW_FILTERS = ("done_step", "converted_from", "converted_to", "closed_from", "closed_to")


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    stage = django_filters.ChoiceFilter(
        label=_("所处阶段"), choices=Stage.choices, empty_label=_("全部阶段")
    )
    next_step = django_filters.ChoiceFilter(
        label=_("下一步骤"),
        choices=[(str(s.number), f"{s.number}. {s.label}") for s in STEPS],
        empty_label=_("全部步骤"),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*CaseStatus.choices, (ENDED, _("终止或取消资格")), (ALL, _("全部"))],
        empty_label=_("进行中"),
        method="filter_status",
    )
    overdue = django_filters.ChoiceFilter(
        label=_("办理时限"),
        choices=[("1", _("已逾期"))],
        empty_label=_("全部"),
        method="filter_overdue",
    )
    waiting = django_filters.ChoiceFilter(
        label=_("审核"),
        choices=[("1", _("待我审核")), ("any", _("待上级审核（全部）"))],
        empty_label=_("全部"),
        method="filter_waiting",
    )
    returned = django_filters.ChoiceFilter(
        label=_("退回"),
        choices=[("1", _("被退回待修改"))],
        empty_label=_("全部"),
        method="filter_returned",
    )

    done_step = django_filters.ChoiceFilter(
        label=_("期间内办理的步骤"),
        choices=[(str(s.number), f"{s.number}. {s.label}") for s in STEPS],
        empty_label=_("不限"),
        method="filter_done",
    )
    done_from = django_filters.DateFilter(
        label=_("办理日期起"), method="filter_with_done_step", widget=DateInput()
    )
    done_to = django_filters.DateFilter(
        label=_("办理日期止"), method="filter_with_done_step", widget=DateInput()
    )
    outcome = django_filters.ChoiceFilter(
        label=_("转正决议"),
        choices=[(ConversionOutcome.EXTENDED.value, ConversionOutcome.EXTENDED.label)],
        empty_label=_("不限"),
        method="filter_with_done_step",
    )
    converted_from = django_filters.DateFilter(
        label=_("转正日期起"), field_name="converted_on", lookup_expr="gte", widget=DateInput()
    )
    converted_to = django_filters.DateFilter(
        label=_("转正日期止"), field_name="converted_on", lookup_expr="lte", widget=DateInput()
    )
    closed_from = django_filters.DateFilter(
        label=_("结束日期起"), field_name="closed_on", lookup_expr="gte", widget=DateInput()
    )
    closed_to = django_filters.DateFilter(
        label=_("结束日期止"), field_name="closed_on", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = getattr(request, "user", None)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)

    @property
    def qs(self) -> QuerySet[Case]:
        queryset = super().qs
        data = self.data or {}
        if not data.get("status") and not any(data.get(name) for name in FLOW_FILTERS):
            queryset = queryset.filter(status=CaseStatus.OPEN)
        return queryset

    def filter_done(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """Cases with step `value` done between done_from and done_to (as the figures)."""
        if not value:
            return queryset
        from dangjian.recruitment.figures import extension_approvals

        data = self.form.cleaned_data
        records = StepRecord.objects.filter(step=int(value), state=RecordState.DONE)
        if data.get("done_from"):
            records = records.filter(occurred_on__gte=data["done_from"])
        if data.get("done_to"):
            records = records.filter(occurred_on__lte=data["done_to"])
        if data.get("outcome") and value == "24":
            records = extension_approvals(records)
        return queryset.filter(pk__in=records.values("case"))

    def filter_with_done_step(
        self, queryset: QuerySet[Case], name: str, value: Any
    ) -> QuerySet[Case]:
        return queryset  # read by filter_done

    def filter_q(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not value.strip():
            return queryset
        return queryset.filter(person__in=search_people(Person.objects.all(), value).values("pk"))

    def filter_within(
        self, queryset: QuerySet[Case], name: str, value: Organization
    ) -> QuerySet[Case]:
        return queryset.filter(organization__path__startswith=value.path) if value else queryset

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == ALL:
            return queryset
        if value == ENDED:
            return queryset.filter(status__in=[CaseStatus.CANCELLED, CaseStatus.DISQUALIFIED])
        return queryset.filter(status=value or CaseStatus.OPEN)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value != "1":
            return queryset
        return queryset.filter(due_on__lt=timezone.localdate(), status=CaseStatus.OPEN)

    def filter_waiting(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """'any': waiting for a higher organization; '1': for one the user decides for."""
        if not value:
            return queryset
        waiting = queryset.filter(waiting_organization__isnull=False)
        if value != "1":
            return waiting
        paths = reviewed_paths(self.user)
        if paths is None:
            return waiting
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(waiting_organization__path__startswith=path)
        return waiting.filter(condition)

    def filter_returned(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value != "1":
            return queryset
        sent_back = StepRecord.objects.filter(case=OuterRef("pk"), state=RecordState.RETURNED)
        return queryset.filter(Exists(sent_back))
