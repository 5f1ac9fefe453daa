"""Request context for the audit log, and the session idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from dangjian.core import audit
from dangjian.core.audit import RequestInfo, current_request


def client_address(request: HttpRequest) -> str | None:
    """The client's address. Behind nginx, REMOTE_ADDR is set from X-Real-IP by the proxy."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Make the client's address and agent available to audit records of this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        info = RequestInfo(client_address(request), request.META.get("HTTP_USER_AGENT", "")[:255])
        token = current_request.set(info)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class SessionTimeoutMiddleware:
    """Log out a session idle longer than SESSION_IDLE_MINUTES (absolute age: cookie age)."""

    KEY = "dangjian_last_seen"
    WRITE_EVERY = 60  # seconds; the idle timeout is minutes, so this precision is enough

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                audit.record_security("auth.session_timeout", actor=user)
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?timeout=1")
            if last is None or now - last > self.WRITE_EVERY:
                request.session[self.KEY] = now  # a write per minute, not per request
        return self.get_response(request)
