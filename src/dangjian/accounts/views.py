"""Login, logout, own account page, and the lockout answer."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.accounts import actions
from dangjian.accounts.forms import ChangePasswordForm, LoginForm
from dangjian.accounts.models import User
from dangjian.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeout"] = self.request.GET.get("timeout") == "1"
        context["demo"] = settings.DEBUG
        return context


@login_required
@require_POST
@never_cache
def logout_view(request: HttpRequest) -> HttpResponse:
    """End the session and say so, with a link to log in again.

    The page is rendered rather than redirected to the login page, so that the answer of a
    successful logout differs from the answer to a visitor who was not logged in at all.
    """
    logout(request)
    return render(request, "accounts/logged_out.html", {"page_title": gettext("已退出登录")})


def lockout_message() -> str:
    """The Chinese text shown while a username is locked (limits from settings)."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return gettext(
        "连续登录失败%(AXES_FAILURE_LIMIT)s次，账号已锁定%(minutes)s分钟。请稍后再试，或联系安全保密管理员解锁。"
    ) % {"AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Any = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """Shown instead of the login result while the username is locked (django-axes)."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    form = LoginForm(request, data=None)
    return render(request, "accounts/login.html", {"form": form, "locked": message}, status=429)


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    """Own account: roles held, and change of password (required after a reset)."""
    user = cast(User, request.user)
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(
                user, password=form.cleaned_data["new_password1"], acting_user=user
            )
        except DomainError as error:
            for name, text in error.errors.items():
                form.add_error("new_password1" if name == "password" else None, text)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, gettext("密码已修改。"))
            return redirect("accounts:profile")
    grants = user.role_grants.active().select_related("organization")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "grants": grants,
            "page_title": gettext("账号与密码"),
            "breadcrumbs": [(gettext("账号与密码"), "")],
        },
    )
