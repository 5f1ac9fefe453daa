"""Accounts: users, role grants on organizations, API tokens, login and user management."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        """Connect login/logout/lockout auditing."""
        from dangjian.accounts import signals  # noqa: F401
