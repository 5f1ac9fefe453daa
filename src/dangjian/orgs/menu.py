"""Menu entries of the organization app."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import MenuItem, add_group, add_item
from dangjian.core.scope import VIEW, can
from dangjian.orgs.models import Organization

add_group("orgs", _("组织建设"), 10, "diagram-3")
add_item(
    "orgs",
    MenuItem(
        _("组织架构"), "orgs:tree", "diagram-3", lambda u: can(u, Organization, VIEW), "/orgs/tree"
    ),
)
add_item(
    "orgs",
    MenuItem(
        _("党组织列表"), "orgs:list", "list-ul", lambda u: can(u, Organization, VIEW), "/orgs/"
    ),
)
