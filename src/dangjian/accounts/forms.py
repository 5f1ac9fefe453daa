"""Login and password forms with Chinese messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败多次将临时锁定账号。"),
        "inactive": _("该账号已停用，请联系安全保密管理员。"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update(
            {"autofocus": True, "placeholder": gettext("用户名")}
        )
        self.fields["username"].label = gettext("用户名")
        self.fields["password"].widget.attrs.update({"placeholder": gettext("密码")})
        self.fields["password"].label = gettext("密码")


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs["col"] = "col-md-8"


__all__ = ["ChangePasswordForm", "LoginForm", "forms"]
