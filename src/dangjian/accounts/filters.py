"""Filters for the security administrator's user list."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.lockout import locked_usernames_query
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.roles import RoleKind
from dangjian.orgs.filters import search_organizations
from dangjian.orgs.models import Organization

NO_ROLE = "none"


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    role = django_filters.ChoiceFilter(
        label=_("角色"),
        method="filter_role",
        empty_label=_("全部角色"),
        choices=[*RoleKind.choices, (NO_ROLE, _("无角色"))],
    )
    organization = django_filters.CharFilter(label=_("授权党组织"), method="filter_organization")
    active = django_filters.ChoiceFilter(
        label=_("状态"),
        method="filter_active",
        empty_label=_("全部"),
        choices=[("1", _("启用")), ("0", _("停用"))],
    )
    locked = django_filters.ChoiceFilter(
        label=_("登录锁定"),
        method="filter_locked",
        empty_label=_("全部"),
        choices=[("1", _("已锁定")), ("0", _("未锁定"))],
    )

    class Meta:
        model = User
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = gettext("用户名 / 姓名 / 手机号")
        self.form.fields["organization"].widget.attrs["placeholder"] = gettext(
            "名称 / 编码 / 拼音首字母"
        )

    def filter_q(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(username__icontains=text)
            | Q(display_name__icontains=text)
            | Q(phone__contains=text.replace(" ", ""))
        )

    def filter_role(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        active = RoleGrant.objects.active()
        if value == NO_ROLE:
            return queryset.exclude(pk__in=active.values("user_id"))
        return queryset.filter(pk__in=active.filter(role=value).values("user_id"))

    def filter_organization(
        self, queryset: QuerySet[User], name: str, value: str
    ) -> QuerySet[User]:
        """Users with an active grant on a matching organization (names and codes only)."""
        if not value.strip():
            return queryset
        orgs = search_organizations(Organization.objects.all(), value).values("pk")
        grants = RoleGrant.objects.active().filter(organization__in=orgs)
        return queryset.filter(pk__in=grants.values("user_id"))

    def filter_active(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=value == "1")

    def filter_locked(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        locked = locked_usernames_query()
        if value == "1":
            return queryset.filter(username__in=locked)
        return queryset.exclude(username__in=locked)
