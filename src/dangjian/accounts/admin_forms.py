"""Forms of the security administrator's pages; they parse input, the actions decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import ADMIN_ROLES, RoleKind
from dangjian.core.widgets import DateInput
from dangjian.orgs.choices import Status
from dangjian.orgs.models import Organization

PASSWORD_HELP = _("留空则由系统生成随机临时密码。保存后密码只显示一次；本人首次登录须修改密码。")


class OptionalPasswordField(forms.CharField):
    """A typed temporary password, or empty for a generated one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext("临时密码"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("help_text", PASSWORD_HELP)
        kwargs.setdefault("widget", forms.PasswordInput(attrs={"autocomplete": "new-password"}))
        super().__init__(**kwargs)


class UserProfileForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("电子邮箱"), max_length=254, required=False, widget=forms.EmailInput()
    )


class UserCreateForm(UserProfileForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录用，创建后不能修改；可用字母、数字和 @ . + - _，如工号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    password = OptionalPasswordField(label=_("初始密码"))

    field_order = ["username", "display_name", "phone", "email", "password"]


class ResetPasswordForm(forms.Form):
    password = OptionalPasswordField()


class OrganizationPickField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An active organization, shown by name and code only (see admin_views.org_options)."""

    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.code}）"


def end_of_day(day: Any) -> datetime:
    """A grant valid 'until' a date is valid through that whole day, local time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"))
    organization = OrganizationPickField(
        label=_("党组织"),
        required=False,
        queryset=Organization.objects.none(),
        widget=forms.Select(attrs={"size": 8}),
    )
    valid_until = forms.DateField(
        label=_("有效期至"),
        required=False,
        widget=DateInput(),
        help_text=_("含当日；留空为长期有效。"),
    )

    def __init__(
        self, *args: Any, options: list[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = [("", gettext("请选择角色"))] + [
            (value, label) for value, label in RoleKind.choices
        ]
        # Changing the role reloads the organization options for the levels it fits.
        role.widget.attrs.update(
            {
                "hx-get": reverse("accounts:org_options"),
                "hx-trigger": "change",
                "hx-target": "#id_organization",
                "hx-include": "#org-q",
            }
        )
        field = cast(OrganizationPickField, self.fields["organization"])
        # Any active organization is accepted; only the search results are rendered.
        field.queryset = Organization.objects.filter(status=Status.ACTIVE)
        widget = cast(forms.Select, field.widget)
        widget.choices = [(org.pk, field.label_from_instance(org)) for org in options or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in ADMIN_ROLES:
            data["organization"] = None
        return data

    def grant_values(self) -> dict[str, Any]:
        """Keyword arguments for `actions.grant_role`."""
        day = self.cleaned_data.get("valid_until")
        return {
            "role": self.cleaned_data["role"],
            "organization": self.cleaned_data.get("organization"),
            "valid_until": end_of_day(day) if day else None,
        }
