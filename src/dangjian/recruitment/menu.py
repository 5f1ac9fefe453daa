"""Menu entries of the recruitment pipeline (发展党员)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.roles import MEMBER
from dangjian.core.scope import VIEW, can, user_grants
from dangjian.recruitment.models import Case


def _staff(user: object) -> bool:
    """Staff who handle cases (a member's grant shows only their own case)."""
    return any(g.role != MEMBER for g in user_grants(user)) and can(user, Case, VIEW)


def _routed(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


add_group("recruitment", _("发展党员"), 30, "person-up")
add_item(
    "recruitment",
    MenuItem(_("发展党员档案"), "recruitment:list", "folder2-open", _staff, "/recruitment/"),
)
add_item(
    "recruitment",
    MenuItem(
        _("发展工作台"),
        "recruitment:worklist",
        "list-check",
        lambda u: _staff(u) and _routed("recruitment:worklist"),
        "/recruitment/worklist/",
    ),
)
