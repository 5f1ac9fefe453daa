"""Menu entries of organizational life (组织生活); pages add their items as they are routed."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import add_group

add_group("orglife", _("组织生活"), 35, "calendar-check")
