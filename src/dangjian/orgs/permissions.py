"""Who may restructure an organization: shared by the web views and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext

from dangjian.core.permissions import deny
from dangjian.orgs import actions
from dangjian.orgs.models import Organization


def require_above(request: HttpRequest, org: Organization, action: str) -> None:
    """Structural changes need the grant on an organization above this one (403 otherwise)."""
    if not actions.may(request.user, action, org, strictly_below=True):
        deny(request, request.user, "无权调整本级组织", model="orgs.organization", action=action)
        raise PermissionDenied(gettext("调整隶属关系、合并、撤销、删除须由上级党组织办理。"))
