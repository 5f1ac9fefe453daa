"""Menu entries of organizational life (组织生活)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.roles import MEMBER
from dangjian.core.scope import VIEW, can, user_grants
from dangjian.members.menu import has_person
from dangjian.orglife.models import Event, MonthlySummary, PlanItem


def _staff(user: object, model: type = Event) -> bool:
    """Staff who keep records (a member's grant shows only their own page)."""
    return any(g.role != MEMBER for g in user_grants(user)) and can(user, model, VIEW)


add_group("orglife", _("组织生活"), 35, "calendar-check")
for label, name, icon, visible, prefix in (
    (_("组织生活记录"), "orglife:events", "journal-text", _staff, "/orglife/events/"),
    (_("我的组织生活"), "orglife:mine", "phone", has_person, "/orglife/mine/"),
    (_("落实情况"), "orglife:compliance", "grid-3x3", _staff, "/orglife/compliance/"),
    (
        _("组织生活月报"),
        "orglife:summaries",
        "file-earmark-check",
        lambda u: _staff(u, MonthlySummary),
        "/orglife/summaries/",
    ),
    (
        _("年度计划"),
        "orglife:plans",
        "calendar3",
        lambda u: _staff(u, PlanItem),
        "/orglife/plans/",
    ),
    (_("统计报表"), "orglife:statistics", "table", _staff, "/orglife/statistics/"),
):
    add_item(
        "orglife",
        MenuItem(label, name, icon, visible, prefix),
    )
