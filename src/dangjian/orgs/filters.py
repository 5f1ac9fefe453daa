"""Filters for the organization list: subtree, level, kind, status, flags, name/pinyin search."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orgs.choices import Kind, Level, Status
from dangjian.orgs.models import Organization, OrganizationQuerySet


def search_organizations(queryset: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    """Match name, code, full pinyin or pinyin initials ('wxy' finds 文学院)."""
    text = text.strip()
    if not text:
        return queryset
    lowered = text.lower().replace(" ", "")
    condition = Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__iexact=text)
    if lowered.isascii():
        condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        condition |= Q(name_initials__contains=lowered)
    return queryset.filter(condition)


WITHIN_OPTIONS = 400


def within_choices(scoped: OrganizationQuerySet, selected: Any) -> list[tuple[Any, str]]:
    """Options of the 'within' select: the highest levels first, at most WITHIN_OPTIONS.

    Listing every organization of a large scope would make each list page megabytes; deeper
    organizations are reached through links (drill-downs, the tree) and still validate.
    """
    fields = ("pk", "name", "depth", "path")
    rows = list(scoped.active().order_by("depth", "path").values_list(*fields)[:WITHIN_OPTIONS])
    if selected and str(selected).isdigit() and all(str(row[0]) != str(selected) for row in rows):
        rows += list(scoped.filter(pk=selected).values_list(*fields))
    rows.sort(key=lambda row: row[3])  # shown in tree order, indented by depth
    top = min((row[2] for row in rows), default=1)
    return [("", gettext("全部党组织"))] + [
        (pk, f"{'　' * (depth - top)}{name}") for pk, name, depth, _ in rows
    ]


def within_filter() -> django_filters.ModelChoiceFilter:
    """The 'within' (所属党组织) filter of a list: a subtree; `offer_within` sets its scope."""
    return django_filters.ModelChoiceFilter(
        label=_("所属党组织"),
        queryset=Organization.objects.none(),
        method="filter_within",
        empty_label=_("全部党组织"),
    )


def offer_within(filterset: django_filters.FilterSet, scoped: OrganizationQuerySet) -> None:
    """Accept any organization of the scope in `within`; offer the top of it as options."""
    filterset.filters["within"].queryset = scoped
    selected = filterset.data.get("within") if filterset.data else None
    field = filterset.form.fields["within"]
    field.widget = QuickSelect(attrs=field.widget.attrs, choices=within_choices(scoped, selected))


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    level = django_filters.ChoiceFilter(
        label=_("层级"), choices=Level.choices, empty_label=_("全部层级")
    )
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=Kind.choices, empty_label=_("全部类型")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*Status.choices, ("all", _("全部（含历史）"))],
        empty_label=_("正常"),
        method="filter_status",
    )
    flag = django_filters.ChoiceFilter(
        label=_("创建标识"),
        method="filter_flag",
        empty_label=_("全部"),
        choices=[
            ("model", _("样板支部")),
            ("benchmark", _("标杆院系")),
            ("studio", _("双带头人工作室")),
            ("joint", _("联合党支部")),
            ("overdue", _("逾期未换届")),
        ],
    )
    as_of = django_filters.DateFilter(
        label=_("截至日期"), method="filter_as_of", widget=DateInput()
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)

    def filter_q(
        self, queryset: QuerySet[Organization], name: str, value: str
    ) -> QuerySet[Organization]:
        return search_organizations(queryset, value)

    def filter_within(
        self, queryset: QuerySet[Organization], name: str, value: Organization
    ) -> QuerySet[Organization]:
        return queryset.filter(path__startswith=value.path) if value else queryset

    def filter_status(
        self, queryset: QuerySet[Organization], name: str, value: str
    ) -> QuerySet[Organization]:
        """'all' keeps dissolved and merged ones; no value means active (the list's default)."""
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_flag(
        self, queryset: QuerySet[Organization], name: str, value: str
    ) -> QuerySet[Organization]:
        if value == "overdue":
            return queryset.filter(
                terms__closed_on__isnull=True, terms__ends_on__lt=timezone.localdate()
            )
        field = {
            "model": "is_model_branch",
            "benchmark": "is_benchmark_department",
            "studio": "is_dual_leader_studio",
            "joint": "is_joint",
        }.get(value)
        return queryset.filter(**{field: True}) if field else queryset

    def filter_as_of(
        self, queryset: QuerySet[Organization], name: str, value: Any
    ) -> QuerySet[Organization]:
        return queryset.existing_on(value) if value else queryset  # type: ignore[attr-defined]
