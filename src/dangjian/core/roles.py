"""Role kinds. A business role is granted on an organization and covers its subtree.

The three separated administrators (三员分立) are granted without an organization and see no
business data: no app lists them in a model's scope for business records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    UNIVERSITY_STAFF = "university_staff", _("校级组织部门工作人员")
    COMMITTEE_STAFF = "committee_staff", _("基层党委工作人员")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记/委员")
    MEMBER = "member", _("党员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")
    AUDIT_ADMIN = "audit_admin", _("安全审计员")


ADMIN_ROLES = frozenset({RoleKind.SYSTEM_ADMIN, RoleKind.SECURITY_ADMIN, RoleKind.AUDIT_ADMIN})
BUSINESS_ROLES = frozenset(set(RoleKind) - ADMIN_ROLES)
STAFF_ROLES = frozenset(
    {RoleKind.UNIVERSITY_STAFF, RoleKind.COMMITTEE_STAFF, RoleKind.BRANCH_SECRETARY}
)

# Shorthands for ScopeSpec declarations.
UNIVERSITY = RoleKind.UNIVERSITY_STAFF
COMMITTEE = RoleKind.COMMITTEE_STAFF
SECRETARY = RoleKind.BRANCH_SECRETARY
MEMBER = RoleKind.MEMBER
SYSTEM_ADMIN = RoleKind.SYSTEM_ADMIN
SECURITY_ADMIN = RoleKind.SECURITY_ADMIN
AUDIT_ADMIN = RoleKind.AUDIT_ADMIN
