"""Menu entries of appraisals (评议测评)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.models import Campaign
from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.roles import MEMBER
from dangjian.core.scope import VIEW, can, user_grants
from dangjian.members.menu import has_person


def _staff(user: object) -> bool:
    """Staff who run campaigns (a member's grant shows only their own page)."""
    return any(g.role != MEMBER for g in user_grants(user)) and can(user, Campaign, VIEW)


add_group("appraisals", _("评议测评"), 40, "check2-square")
add_item(
    "appraisals",
    MenuItem(_("评议测评"), "appraisals:campaigns", "clipboard-check", _staff, "/appraisals/"),
)
add_item(
    "appraisals",
    MenuItem(
        _("评议结果汇总"), "appraisals:appraised", "list-check", _staff, "/appraisals/appraised/"
    ),
)
add_item(
    "appraisals",
    MenuItem(_("我的评议"), "appraisals:mine", "phone", has_person, "/appraisals/mine/"),
)
