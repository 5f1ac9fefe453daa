"""Menu entry of user and role management (security administrator only)."""

from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import User
from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.scope import VIEW, can

add_group("settings", _("系统设置"), 90, "gear")
add_item(
    "settings",
    MenuItem(
        _("用户与角色"), "accounts:users", "people", lambda u: can(u, User, VIEW), "/accounts/users"
    ),
)
