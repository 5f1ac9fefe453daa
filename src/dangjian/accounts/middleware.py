"""Login security that applies to every request of a signed-in user.

Both classes go after `dangjian.core.middleware.SessionTimeoutMiddleware` in MIDDLEWARE, so
an idle session is ended before anything else is decided.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit

LOGIN_AT = "dangjian_login_at"
MUST_CHANGE_MESSAGE = _("首次登录或密码已被重置，请先在“账号与密码”页面修改密码。")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionLifetimeMiddleware:
    """End a session SESSION_COOKIE_AGE seconds after login, however active it has been.

    Django's database session slides its expiry forward whenever the session is saved, and
    the idle-timeout middleware saves it on every request, so without this check an active
    session would never end. The login time is stored by the login signal handler.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            started = request.session.get(LOGIN_AT)
            if started is None:
                request.session[LOGIN_AT] = now
            elif now - started > settings.SESSION_COOKIE_AGE:
                audit.record_security(
                    "auth.session_expired", actor=user, obj=user, message="会话超过最长有效期"
                )
                logout(request)
                if _is_api(request):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?timeout=1")
        return self.get_response(request)


class MustChangePasswordMiddleware:
    """Until a new or reset account changes its password, only the profile page works.

    Pages answer with a redirect to the profile page (htmx requests get `HX-Redirect`);
    API calls answer 403 with a Chinese message, so a temporary password never becomes a
    working API session. Logout, static files and the language switch stay reachable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def exempt(path: str) -> bool:
        """Paths a user with a temporary password may still open."""
        allowed = (
            reverse("accounts:profile"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        )
        prefixes = (settings.STATIC_URL or "/static/", "/i18n/")
        return path in allowed or path.startswith(prefixes)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self.exempt(request.path)
        ):
            if _is_api(request):
                return JsonResponse({"detail": str(MUST_CHANGE_MESSAGE)}, status=403)
            target = reverse("accounts:profile")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)
