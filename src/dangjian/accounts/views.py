"""Login, logout, own account page, and the lockout answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dangjian.accounts.forms import ChangePasswordForm, LoginForm
from dangjian.core import audit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeout"] = self.request.GET.get("timeout") == "1"
        context["demo"] = settings.DEBUG
        return context


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown instead of the login result while the username is locked (django-axes)."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    message = f"连续登录失败{settings.AXES_FAILURE_LIMIT}次，账号已锁定{minutes}分钟。请稍后再试，或联系安全保密管理员解锁。"
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": message}, status=429)
    form = LoginForm(request, data=None)
    return render(request, "accounts/login.html", {"form": form, "locked": message}, status=429)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Own account: roles held, and change of password."""
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["must_change_password", "password_changed_at"])
        update_session_auth_hash(request, user)
        audit.record_security("auth.password_changed", actor=user, obj=user)
        messages.success(request, "密码已修改。")
        return redirect("accounts:profile")
    grants = request.user.role_grants.active().select_related("organization")
    return render(request, "accounts/profile.html", {
        "form": form, "grants": grants, "page_title": "账号与密码",
        "breadcrumbs": [("账号与密码", "")],
    })
