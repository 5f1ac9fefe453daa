"""Menu entries of the core pages (statistics, rules, administration)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.core.models import AuditEvent, RuleSetting
from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.roles import STAFF_ROLES, RoleKind
from dangjian.core.scope import VIEW, can


def _staff(user: Any) -> bool:
    return bool(user.has_role(*STAFF_ROLES))


add_group("stats", _("统计分析"), 80, "bar-chart")
add_item("stats", MenuItem(_("统计指标"), "core:figures", "bar-chart-line", _staff, "/figures/"))
add_group("settings", _("系统设置"), 90, "gear")
add_item(
    "settings",
    MenuItem(
        _("业务规则设置"), "core:rules", "sliders", lambda u: can(u, RuleSetting, VIEW), "/rules/"
    ),
)
add_item(
    "settings",
    MenuItem(
        _("审计日志"), "audit:list", "journal-check", lambda u: can(u, AuditEvent, VIEW), "/audit/"
    ),
)
add_item(
    "settings",
    MenuItem(
        _("系统状态"),
        "core:system",
        "hdd-stack",
        lambda u: u.has_role(RoleKind.SYSTEM_ADMIN),
        "/system/",
    ),
)
