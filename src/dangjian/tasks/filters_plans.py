"""Filters of the plan list and of the tasks across plans. The GET names are those fixed in
`tasks/urls.py` (plans: within, status, q; tasks: within, plan, status, overdue, deadline_from,
deadline_to, top), so links and exports carry the same query."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import VIEW
from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, TaskStatus
from dangjian.tasks.models import Plan, Task

YES = [("1", _("是"))]
PLAN_OPTIONS = 200


def _scoped_orgs(request: Any) -> Any:
    return Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=PlanStatus.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = Plan
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            offer_within(self, _scoped_orgs(request))

    def filter_q(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(source_document__icontains=text))

    def filter_within(
        self, queryset: QuerySet[Plan], name: str, value: Organization
    ) -> QuerySet[Plan]:
        return queryset.filter(organization__path__startswith=value.path) if value else queryset


class TaskFilter(django_filters.FilterSet):
    """Tasks across plans; `within` is the lead unit's subtree; overdue ones most late first."""

    within = within_filter()
    plan = django_filters.ModelChoiceFilter(
        label=_("实施方案"), queryset=Plan.objects.none(), empty_label=_("全部方案")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TaskStatus.choices, empty_label=_("全部状态")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("逾期"), choices=YES, empty_label=_("不限"), method="filter_overdue"
    )
    deadline_from = django_filters.DateFilter(
        label=_("完成时限起"), field_name="deadline", lookup_expr="gte", widget=DateInput()
    )
    deadline_to = django_filters.DateFilter(
        label=_("完成时限止"), field_name="deadline", lookup_expr="lte", widget=DateInput()
    )
    top = django_filters.ChoiceFilter(
        label=_("仅一级任务"), choices=YES, empty_label=_("不限"), method="filter_top"
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is None:
            return
        # Plans offered: those with a task the user sees (a lead unit sees its plans' titles);
        # set before offer_within builds the form.
        plans = Plan.objects.filter(
            pk__in=Task.objects.restrict(request.user, VIEW).values("plan_id")
        ).order_by("-starts_on", "-id")
        self.filters["plan"].queryset = plans
        offer_within(self, _scoped_orgs(request))
        choices = [("", _("全部方案")), *plans.values_list("pk", "title")[:PLAN_OPTIONS]]
        self.form.fields["plan"].widget = QuickSelect(choices=choices)
        self.form.fields["plan"].error_messages["invalid_choice"] = _("请选择实施方案。")

    def filter_within(
        self, queryset: QuerySet[Task], name: str, value: Organization
    ) -> QuerySet[Task]:
        return queryset.filter(lead_unit__path__startswith=value.path) if value else queryset

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value != "1":
            return queryset
        today = timezone.localdate()
        return queryset.filter(status__in=OPEN_TASK, deadline__lt=today).order_by(
            "deadline", "plan_id", "position", "id"
        )

    def filter_top(self, queryset: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return queryset.filter(parent__isnull=True) if value == "1" else queryset
