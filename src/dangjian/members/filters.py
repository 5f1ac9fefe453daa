"""Filters and search of the member list, shared by the pages, the API and figure drill-downs.

Every figure of this app drills down to this list with the same parameters (category, kind,
gender, ethnicity, education, post, age band, join year, as of a date), so a number and the
list behind it are computed by one definition.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.members.choices import (
    AGE_BANDS,
    MEMBER_CATEGORIES,
    ON_BOOKS,
    CadreRank,
    CadreStatus,
    Category,
    Education,
    Ethnicity,
    Gender,
    Post,
    Status,
    TransferDirection,
)
from dangjian.members.models import Person, Transfer
from dangjian.orgs.choices import Kind, Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization

ID_LIKE = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
SORTS = {
    "name": ("name_pinyin", "id"),
    "-joined_on": ("-joined_on", "id"),
    "joined_on": ("joined_on", "id"),
    "organization": ("organization__path", "name_pinyin", "id"),
    "staff_no": ("staff_no", "id"),
    "-updated_at": ("-updated_at", "id"),
}


def search_people(queryset: QuerySet[Person], text: str) -> QuerySet[Person]:
    """Name, full pinyin or initials ('zs' finds 张三), staff/student number, exact ID number.

    Every branch is a prefix or exact match, so each uses an index at a million rows.
    """
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return queryset
    if ID_LIKE.match(text):
        return queryset.filter(
            pk__in=Person.objects.with_id_number(text).values("pk")
        ) | queryset.filter(staff_no=text)
    lowered = text.lower()
    condition = Q(name__startswith=text) | Q(staff_no=text)
    if lowered.isascii() and lowered.isalpha():
        condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return queryset.filter(condition)


FLOW_DIRECTION = {"in": TransferDirection.INBOUND, "out": TransferDirection.OUTBOUND}


def crossing(queryset: QuerySet[Transfer], path: str, flow: str) -> QuerySet[Transfer]:
    """Letters into (out of) the subtree at `path`: from (to) another institution or from (to)
    an organization outside it — what the figures members.transfers_in/out count."""
    near, far = ("to", "from") if flow == "in" else ("from", "to")
    return queryset.filter(**{f"{near}_organization__path__startswith": path}).filter(
        Q(direction=FLOW_DIRECTION[flow]) | ~Q(**{f"{far}_organization__path__startswith": path})
    )


def birth_range(band: str, as_of: date) -> tuple[date, date] | None:
    """Birth dates of people whose age on `as_of` falls in the band."""
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            latest = _years_before(as_of, low)
            earliest = _years_before(as_of, high + 1)
            return date.fromordinal(earliest.toordinal() + 1), latest
    return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def on_books_as_of(queryset: QuerySet[Person], day: date) -> QuerySet[Person]:
    """People registered by `day` and not yet off the books (transferred out, left, died)."""
    return queryset.filter(Q(off_books_on__isnull=True) | Q(off_books_on__gt=day))


def category_as_of(queryset: QuerySet[Person], category: str, day: date) -> QuerySet[Person]:
    """People who were in `category` on `day`, from the dates of each step."""
    if category == Category.FULL:
        return queryset.filter(converted_on__lte=day)
    if category == Category.PROBATIONARY:
        return (
            queryset.filter(joined_on__lte=day)
            .filter(Q(converted_on__isnull=True) | Q(converted_on__gt=day))
            .exclude(left_on__lte=day)
        )
    if category == "members":
        return queryset.filter(joined_on__lte=day)
    order = list(Category.values)
    field = {"applicant": "applied_on", "activist": "activist_on", "candidate": "candidate_on"}[
        category
    ]
    following = order[order.index(category) + 1]
    next_field = {
        "activist": "activist_on",
        "candidate": "candidate_on",
        "probationary": "joined_on",
    }[following]
    return queryset.filter(**{f"{field}__lte": day}).filter(
        Q(**{f"{next_field}__isnull": True}) | Q(**{f"{next_field}__gt": day})
    )


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    within = within_filter()
    category = django_filters.ChoiceFilter(
        label=_("人员类别"),
        choices=[("members", _("党员（正式和预备）")), *Category.choices],
        empty_label=_("全部类别"),
        method="filter_category",
    )
    kind = django_filters.ChoiceFilter(
        label=_("支部类型"),
        choices=Kind.choices,
        empty_label=_("全部类型"),
        method="filter_kind",
    )
    gender = django_filters.ChoiceFilter(
        label=_("性别"), choices=Gender.choices, empty_label=_("全部")
    )
    ethnicity = django_filters.ChoiceFilter(
        label=_("民族"),
        choices=[("minority", _("少数民族")), *Ethnicity.choices],
        empty_label=_("全部民族"),
        method="filter_ethnicity",
    )
    education = django_filters.ChoiceFilter(
        label=_("学历"), choices=Education.choices, empty_label=_("全部学历")
    )
    post = django_filters.ChoiceFilter(
        label=_("岗位/类别"),
        choices=[("students", _("学生")), *Post.choices],
        empty_label=_("全部岗位"),
        method="filter_post",
    )
    join_year = django_filters.NumberFilter(label=_("入党年份"), method="filter_join_year")
    age_band = django_filters.ChoiceFilter(
        label=_("年龄段"),
        choices=[(code, label) for code, label, _low, _high in AGE_BANDS],
        empty_label=_("全部年龄"),
        method="filter_age_band",
    )
    status = django_filters.ChoiceFilter(
        label=_("党籍状态"),
        choices=[*Status.choices, ("all", _("全部（含已转出、出党、去世）"))],
        empty_label=_("在册（正常和停止党籍）"),
        method="filter_status",
    )
    flag = django_filters.ChoiceFilter(
        label=_("标记"),
        choices=[
            ("lost_contact", _("失去联系")),
            ("floating", _("流动党员")),
            ("cadre", _("干部")),
            ("no_account", _("未开通账号")),
        ],
        empty_label=_("全部"),
        method="filter_flag",
    )
    cadre_rank = django_filters.ChoiceFilter(
        label=_("干部职级"),
        choices=CadreRank.choices,
        empty_label=_("全部职级"),
        method="filter_cadre_rank",
    )
    off_books_from = django_filters.DateFilter(
        label=_("出册日期起"), field_name="off_books_on", lookup_expr="gte", widget=DateInput()
    )
    off_books_to = django_filters.DateFilter(
        label=_("出册日期止"), field_name="off_books_on", lookup_expr="lte", widget=DateInput()
    )
    as_of = django_filters.DateFilter(
        label=_("截至日期"), method="filter_as_of", widget=DateInput()
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=[
            ("name", _("按姓名拼音")),
            ("organization", _("按党组织")),
            ("-joined_on", _("入党日期（新→旧）")),
            ("joined_on", _("入党日期（旧→新）")),
            ("staff_no", _("按工号/学号")),
            ("-updated_at", _("最近修改")),
        ],
        empty_label=_("默认排序"),
        method="filter_sort",
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)

    @property
    def qs(self) -> QuerySet[Person]:
        """Status 'on the books' applies unless the status filter or an 'as of' date says
        otherwise, also when the form is unbound."""
        queryset = super().qs
        data = self.data or {}
        if not data.get("status") and not data.get("as_of"):
            queryset = queryset.filter(status__in=ON_BOOKS)
        return queryset

    def as_of_day(self) -> date:
        value = self.form.cleaned_data.get("as_of") if hasattr(self.form, "cleaned_data") else None
        return value or timezone.localdate()

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return search_people(queryset, value)

    def past_day(self) -> date | None:
        """The as-of date when it lies in the past: organizations are then those of that day
        (corrected by later transfers, as the figures count), not today's."""
        day = self.form.cleaned_data.get("as_of") if hasattr(self.form, "cleaned_data") else None
        return day if day and day < timezone.localdate() else None

    def filter_within(
        self, queryset: QuerySet[Person], name: str, value: Organization
    ) -> QuerySet[Person]:
        if not value:
            return queryset
        day = self.past_day()
        if day is None:
            return queryset.filter(organization__path__startswith=value.path)
        from dangjian.members.asof import placed_on

        kind = self.form.cleaned_data.get("kind") or ""
        return placed_on(queryset, day, within=value, kind=kind)

    def filter_kind(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if not value:
            return queryset
        day = self.past_day()
        if day is None:
            return queryset.filter(organization__kind=value)
        if self.form.cleaned_data.get("within"):
            return queryset  # placed together with the organization in filter_within
        from dangjian.members.asof import placed_on

        return placed_on(queryset, day, kind=value)

    def filter_category(
        self, queryset: QuerySet[Person], name: str, value: str
    ) -> QuerySet[Person]:
        if not value:
            return queryset
        if self.data.get("as_of"):
            return category_as_of(queryset, value, self.as_of_day())
        if value == "members":
            return queryset.filter(category__in=MEMBER_CATEGORIES)
        return queryset.filter(category=value)

    def filter_ethnicity(
        self, queryset: QuerySet[Person], name: str, value: str
    ) -> QuerySet[Person]:
        if value == "minority":
            return queryset.exclude(ethnicity__in=[Ethnicity.HAN, Ethnicity.OTHER])
        return queryset.filter(ethnicity=value) if value else queryset

    def filter_post(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        from dangjian.members.choices import STUDENT_POSTS

        if value == "students":
            return queryset.filter(post__in=STUDENT_POSTS)
        return queryset.filter(post=value) if value else queryset

    def filter_join_year(
        self, queryset: QuerySet[Person], name: str, value: Any
    ) -> QuerySet[Person]:
        if not value:
            return queryset
        year = int(value)
        return queryset.filter(joined_on__gte=date(year, 1, 1), joined_on__lte=date(year, 12, 31))

    def filter_age_band(
        self, queryset: QuerySet[Person], name: str, value: str
    ) -> QuerySet[Person]:
        bounds = birth_range(value, self.as_of_day()) if value else None
        if bounds is None:
            return queryset
        return queryset.filter(birth_date__gte=bounds[0], birth_date__lte=bounds[1])

    def filter_status(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        if value == "all" or not value:
            return queryset
        day = self.past_day()
        if day is not None and value == Status.SUSPENDED:
            from dangjian.members.asof import suspended_q

            return queryset.filter(suspended_q(day))
        return queryset.filter(status=value)

    def filter_flag(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        """Flags as they stood on a past as-of date (the figures' definitions), else today's."""
        day = self.past_day()
        if day is not None and value in ("lost_contact", "floating", "cadre"):
            from dangjian.members import asof

            condition = {
                "lost_contact": asof.lost_contact_q,
                "floating": asof.floating_q,
                "cadre": asof.cadre_q,
            }[value](day)
            return queryset.filter(condition)
        if value == "lost_contact":
            return queryset.filter(lost_contact=True)
        if value == "floating":
            return queryset.filter(is_floating=True)
        if value == "cadre":
            return queryset.filter(cadre__status=CadreStatus.IN_OFFICE)
        if value == "no_account":
            return queryset.filter(user__isnull=True)
        return queryset

    def filter_cadre_rank(
        self, queryset: QuerySet[Person], name: str, value: str
    ) -> QuerySet[Person]:
        return queryset.filter(cadre__rank=value) if value else queryset

    def filter_as_of(self, queryset: QuerySet[Person], name: str, value: Any) -> QuerySet[Person]:
        """On the books on that day; the category filter then reads the dates of each step."""
        if not value:
            return queryset
        registered = Q(applied_on__lte=value) | Q(joined_on__lte=value)
        return on_books_as_of(queryset, value).filter(registered)

    def filter_sort(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.order_by(*SORTS.get(value, SORTS["name"]))
