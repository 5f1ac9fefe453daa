"""Template context: the left menu and unread notifications for the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dangjian.core.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Menu and inbox count; nothing for anonymous pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        from dangjian.core.models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"menu": menu_for(user, request.path), "unread_notifications": unread}
