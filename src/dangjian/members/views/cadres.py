"""The cadre list (干部名册): the organization department's, and each committee's own."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from dangjian.core.io.export import ExportColumn
from dangjian.core.text import Text
from dangjian.core.views.generic import ScopedListView
from dangjian.members.choices import CadreRank, CadreStatus
from dangjian.members.filters import search_people
from dangjian.members.models import Cadre, Person

RANK_ORDER = Case(
    *(When(rank=code, then=Value(i)) for i, code in enumerate(CadreRank.values)),
    output_field=IntegerField(),
)


class CadreFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    rank = django_filters.ChoiceFilter(
        label=_("职级"), choices=CadreRank.choices, empty_label=_("全部职级")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[*CadreStatus.choices, ("all", _("全部（含已离任）"))],
        empty_label=_("在任"),
        method="filter_status",
    )
    team = django_filters.CharFilter(
        label=_("所在领导班子"), field_name="team", lookup_expr="icontains"
    )

    class Meta:
        model = Cadre
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filter_q(self, queryset: QuerySet[Cadre], name: str, value: str) -> QuerySet[Cadre]:
        """The person (name, pinyin, staff number, exact ID number) or the position."""
        text = (value or "").strip()
        if not text:
            return queryset
        people = search_people(Person.objects.all(), text).values("pk")
        return queryset.filter(Q(person__in=people) | Q(position__icontains=text))

    def filter_status(self, queryset: QuerySet[Cadre], name: str, value: str) -> QuerySet[Cadre]:
        """'all' keeps former cadres; no value means in office (the view's default)."""
        return queryset if value in ("all", "") else queryset.filter(status=value)


class CadreListView(ScopedListView):
    """Cadres of the user's scope; only the organization department and committees see it."""

    model = Cadre
    template_name = "members/cadre_list.html"
    filterset_class = CadreFilter
    page_title = _("干部名册")
    export_name = _("干部名册")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("干部名册"), "")]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("姓名"), "person.name", 10),
        ExportColumn(_("工号"), "person.staff_no", 12),
        ExportColumn(_("性别"), "person.gender", 6),
        ExportColumn(_("出生日期"), "person.birth_date", 12),
        ExportColumn(_("职级"), "rank", 10),
        ExportColumn(_("现任职务"), "position", 24),
        ExportColumn(_("任职单位"), "unit", 20),
        ExportColumn(_("所在领导班子"), "team", 20),
        ExportColumn(_("校领导班子成员"), "is_university_leader", 10),
        ExportColumn(_("任现职日期"), "appointed_on", 12),
        ExportColumn(_("任现职级日期"), "rank_since", 12),
        ExportColumn(_("状态"), "status", 8),
        ExportColumn(_("离任日期"), "left_office_on", 12),
        ExportColumn(_("所在党组织"), "person.organization.name", 24),
    ]

    def base_queryset(self) -> QuerySet[Cadre]:
        """Cadres in office unless a status is asked for; university leaders, then by rank."""
        queryset = self.scoped_queryset().select_related("person", "person__organization")
        if not self.request.GET.get("status"):
            queryset = queryset.filter(status=CadreStatus.IN_OFFICE)
        return queryset.order_by("-is_university_leader", RANK_ORDER, "person__name_pinyin", "id")
