"""Permission checks in templates: show a button only to users who hold the grant for it."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps

from dangjian.core.scope import can

register = template.Library()


@register.simple_tag(takes_context=True)
def can_do(context: dict[str, Any], model_label: str, action: str) -> bool:
    """`{% can_do "orgs.Organization" "import" as can_import %}`: any grant for the action.

    Whether a given record is in the user's scope is still decided by the view and action.
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return can(user, apps.get_model(model_label), action)
