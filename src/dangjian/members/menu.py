"""Menu entries of the member registry."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.roles import MEMBER
from dangjian.core.scope import CHANGE, VIEW, can, user_grants
from dangjian.members.models import Cadre, CorrectionRequest, Person, Transfer


def _staff(user: object) -> bool:
    """Staff who see people beyond themselves (a member's grant shows only their own)."""
    return any(g.role != MEMBER for g in user_grants(user)) and can(user, Person, VIEW)


def has_person(user: object) -> bool:
    """Whether the account is linked to a person in the registry (its self-service pages).

    Asked by several menu entries on every page: kept on the user object for the request.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_dangjian_has_person", None)
    if cached is None:
        cached = Person.objects.filter(user=user).exists()  # type: ignore[misc]
        user._dangjian_has_person = cached  # type: ignore[attr-defined]
    return bool(cached)


_member = has_person


add_group("members", _("党员管理"), 20, "people")
add_item("members", MenuItem(_("党员名册"), "members:list", "people", _staff, "/members/"))
add_item(
    "members",
    MenuItem(
        _("组织关系转接"),
        "members:transfers",
        "arrow-left-right",
        lambda u: _staff(u) and can(u, Transfer, VIEW),
        "/members/transfers/",
    ),
)
add_item(
    "members",
    MenuItem(
        _("信息更正申请"),
        "members:corrections",
        "pencil-square",
        lambda u: _staff(u) and can(u, CorrectionRequest, CHANGE),
        "/members/corrections/",
    ),
)
add_item(
    "members",
    MenuItem(
        _("干部名册"),
        "members:cadres",
        "person-badge",
        lambda u: can(u, Cadre, VIEW),
        "/members/cadres/",
    ),
)
add_item(
    "members", MenuItem(_("我的党员档案"), "members:me", "person-vcard", _member, "/members/me/")
)
