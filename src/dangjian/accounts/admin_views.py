"""User and role management: the security administrator's pages (三员分立).

Every page fetches accounts through `restrict()` (`User.scope` lists only the security
administrator), and every change goes through `accounts.actions`, which enforce the
separation rules. Temporary passwords are shown once, in the answer to the POST that set
them, never stored in the session and never sent to the audit log.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from dangjian.accounts import actions
from dangjian.accounts.admin_forms import (
    GrantForm,
    ResetPasswordForm,
    UserCreateForm,
    UserProfileForm,
)
from dangjian.accounts.filters import UserFilter
from dangjian.accounts.lockout import lock_state, locked_usernames
from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.passwords import generate_password
from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped, require
from dangjian.core.roles import ADMIN_ROLES, RoleKind
from dangjian.core.scope import ADD, CHANGE, VIEW, can
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.orgs.choices import Status
from dangjian.orgs.models import Organization

USERS_CRUMB = (_("用户与角色"), "/accounts/users/")
PICKER_LIMIT = 50


def _user_crumbs(user: User, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    return [USERS_CRUMB, (str(user), reverse("accounts:user_detail", args=[user.pk])), *tail]


def _confirm(request: HttpRequest, user: User, **context: Any) -> HttpResponse:
    detail_url = reverse("accounts:user_detail", args=[user.pk])
    context.setdefault("cancel_url", detail_url)
    context["breadcrumbs"] = _user_crumbs(user, (context["page_title"], ""))
    return render(request, "core/confirm.html", context)


def _password_page(
    request: HttpRequest, user: User, password: str, *, created: bool
) -> HttpResponse:
    """The one time a temporary password is shown; the answer is never cached."""
    title = gettext("账号已创建") if created else gettext("密码已重置")
    response = render(
        request,
        "accounts/password_shown.html",
        {
            "account": user,
            "password": password,
            "created": created,
            "page_title": title,
            "breadcrumbs": _user_crumbs(user, (title, "")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class UserListView(ScopedListView):
    """All accounts, with their active roles, status and lockout, for the security admin."""

    model = User
    template_name = "accounts/user_list.html"
    filterset_class = UserFilter
    page_title = _("用户与角色")
    paginate_by = 30
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("用户与角色"), "")]

    def base_queryset(self) -> QuerySet[User]:
        grants = RoleGrant.objects.active().select_related("organization").order_by("role")
        return (
            self.scoped_queryset()
            .prefetch_related(Prefetch("role_grants", queryset=grants, to_attr="active_grants"))
            .order_by("username")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        locked = locked_usernames(user.username for user in page)
        for user in page:
            user.is_locked = user.username in locked
        context["object_list"] = page
        context["can_add"] = can(self.request.user, User, ADD)
        return context


users = UserListView.as_view()


@login_required
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    """Open an account; the initial password is typed or generated and shown once."""
    require(request, User, ADD)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or generate_password()
        try:
            user = actions.create_user(data, password=password, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            return _password_page(request, user, password, created=True)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "page_title": gettext("新建用户"),
            "submit_label": gettext("创建账号"),
            "intro": gettext("新账号没有任何角色；创建后在用户详情页授予角色。"),
            "cancel_url": reverse("accounts:users"),
            "breadcrumbs": [USERS_CRUMB, (gettext("新建用户"), "")],
        },
    )


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: profile, status, login lockout, and its role grants with history."""
    user = get_scoped(request, User, VIEW, pk=pk)
    grants = list(
        user.role_grants.select_related("organization", "granted_by").order_by(
            "revoked_at", "-granted_at"
        )
    )
    is_self = user.pk == request.user.pk
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "grants": grants,
            "lock": lock_state(user.username),
            "is_self": is_self,
            "can_change": can(request.user, User, CHANGE) and not is_self,
            "page_title": str(user),
            "breadcrumbs": [USERS_CRUMB, (str(user), "")],
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_scoped(request, User, CHANGE, pk=pk)
    initial = {"display_name": user.display_name, "phone": user.phone, "email": user.email}
    form = UserProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_user(user, form.cleaned_data, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存“%(user)s”的账号信息。") % {"user": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "page_title": gettext("编辑账号信息"),
            "intro": gettext("用户名 %(username)s 是账号的固定标识，不能修改。")
            % {"username": user.username},
            "cancel_url": reverse("accounts:user_detail", args=[user.pk]),
            "breadcrumbs": _user_crumbs(user, (gettext("编辑"), "")),
        },
    )


def _run(
    request: HttpRequest, user: User, action: Any, success: str, **kwargs: Any
) -> HttpResponse:
    """Call an action on POST; its refusal is shown on the user's page."""
    try:
        action(user, acting_user=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_scoped(request, User, CHANGE, pk=pk)
    if request.method == "POST":
        return _run(
            request,
            user,
            actions.deactivate_user,
            gettext("已停用账号“%(user)s”。") % {"user": user},
        )
    return _confirm(
        request,
        user,
        page_title=gettext("停用账号"),
        danger=True,
        submit_label=gettext("停用"),
        question=gettext("停用账号“%(user)s”（%(username)s）？")
        % {"user": user, "username": user.username},
        warning=gettext("停用后该账号不能登录、不能使用 API 令牌；角色授权保留，重新启用后恢复。"),
    )


@login_required
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_scoped(request, User, CHANGE, pk=pk)
    if request.method == "POST":
        return _run(
            request,
            user,
            actions.reactivate_user,
            gettext("已启用账号“%(user)s”。") % {"user": user},
        )
    return _confirm(
        request,
        user,
        page_title=gettext("启用账号"),
        submit_label=gettext("启用"),
        question=gettext("重新启用账号“%(user)s”（%(username)s）？它仍有的有效授权将随之恢复。")
        % {"user": user, "username": user.username},
    )


@login_required
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_scoped(request, User, CHANGE, pk=pk)
    if request.method == "POST":
        try:
            cleared = actions.unlock_user(user, acting_user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext("已解除“%(user)s”的登录锁定（清除%(cleared)s条失败记录）。")
                % {"user": user, "cleared": cleared},
            )
        return redirect("accounts:user_detail", pk=user.pk)
    return _confirm(
        request,
        user,
        page_title=gettext("解除登录锁定"),
        submit_label=gettext("解锁"),
        question=gettext("清除“%(user)s”（%(username)s）的登录失败记录，立即允许其再次登录？")
        % {"user": user, "username": user.username},
        warning=gettext("如果失败记录来自他人猜测密码，请先与本人核实，必要时一并重置密码。"),
    )


@login_required
@never_cache
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a temporary password (typed or generated), shown once; it must be changed."""
    user = get_scoped(request, User, CHANGE, pk=pk)
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"] or generate_password()
        try:
            actions.reset_password(user, password=password, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            return _password_page(request, user, password, created=False)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "page_title": gettext("重置密码"),
            "submit_label": gettext("重置密码"),
            "intro": gettext(
                "为“%(user)s”（%(username)s）设置临时密码。重置后其已登录的会话随即失效，下次登录须修改密码。"
            )
            % {"user": user, "username": user.username},
            "cancel_url": reverse("accounts:user_detail", args=[user.pk]),
            "breadcrumbs": _user_crumbs(user, (gettext("重置密码"), "")),
        },
    )


def organization_options(query: str, role: str, limit: int = PICKER_LIMIT) -> list[Organization]:
    """Active organizations that fit `role`, found by code, name or pinyin initials.

    This deliberately does not go through `restrict()`. The security administrator holds no
    business grant (三员分立), so scope would show them no organization at all, yet binding a
    grant needs one. What the picker reveals is only the identity of active organizations —
    name and code, which are not business records — never members, terms or any other data.
    """
    organizations = Organization.objects.filter(status=Status.ACTIVE)
    levels = actions.ROLE_LEVELS.get(role)
    if levels:
        organizations = organizations.filter(level__in=levels)
    text = query.strip()
    if text:
        lowered = text.lower().replace(" ", "")
        condition = Q(name__icontains=text) | Q(code__istartswith=text)
        if lowered.isascii():
            condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        organizations = organizations.filter(condition)
    return list(organizations.only("pk", "name", "code", "path").order_by("path")[:limit])


@login_required
def org_options(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the organization picker's options for a search and a role."""
    require(request, RoleGrant, ADD)
    role = request.GET.get("role", "")
    options = [] if role in ADMIN_ROLES else organization_options(request.GET.get("q", ""), role)
    return render(
        request,
        "accounts/_org_options.html",
        {
            "options": options,
            "admin_role": role in ADMIN_ROLES,
            "limit": PICKER_LIMIT,
        },
    )


ROLE_HINTS = [
    (RoleKind(role).label, actions.fitting_levels_text(role)) for role in actions.ROLE_LEVELS
] + [(_("系统管理员、安全保密管理员、安全审计员"), _("不关联党组织，不能与业务角色或彼此兼任"))]


@login_required
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Grant a role: business roles on an organization of a fitting level, admins on none."""
    user = get_scoped(request, User, CHANGE, pk=pk)
    require(request, RoleGrant, ADD)
    source = request.POST if request.method == "POST" else request.GET
    role, query = source.get("role", ""), source.get("q", "")
    options = [] if role in ADMIN_ROLES else organization_options(query, role)
    chosen = source.get("organization", "")
    if chosen.isdigit() and all(str(org.pk) != chosen for org in options):
        options += list(Organization.objects.filter(pk=int(chosen), status=Status.ACTIVE))
    form = GrantForm(request.POST or None, options=options, initial={"role": role})
    if request.method == "POST" and form.is_valid():
        try:
            grant = actions.grant_role(user, acting_user=request.user, **form.grant_values())
        except DomainError as error:
            apply_errors(form, error)
        else:
            where = f"（{grant.organization.name}）" if grant.organization else ""
            messages.success(
                request,
                gettext("已授予“%(user)s”%(role)s%(where)s。")
                % {"user": user, "role": grant.get_role_display(), "where": where},
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/grant_form.html",
        {
            "form": form,
            "account": user,
            "q": query,
            "admin_role": role in ADMIN_ROLES,
            "options": options,
            "selected": chosen,
            "limit": PICKER_LIMIT,
            "role_hints": ROLE_HINTS,
            "page_title": gettext("授予角色"),
            "breadcrumbs": _user_crumbs(user, (gettext("授予角色"), "")),
        },
    )


@login_required
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_scoped(request, RoleGrant, CHANGE, pk=pk)
    user = grant.user
    if request.method == "POST":
        try:
            actions.revoke_role(grant, acting_user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                gettext("已撤销“%(user)s”的%(role)s角色。")
                % {"user": user, "role": grant.get_role_display()},
            )
        return redirect("accounts:user_detail", pk=user.pk)
    where = (
        gettext("在“%(name)s”的") % {"name": grant.organization.name} if grant.organization else ""
    )
    return _confirm(
        request,
        user,
        page_title=gettext("撤销角色"),
        danger=True,
        submit_label=gettext("撤销"),
        question=gettext("撤销“%(user)s”%(where)s%(role)s角色？")
        % {"user": user, "where": where, "role": grant.get_role_display()},
        warning=gettext("撤销立即生效，该账号随即失去这一角色的全部权限；授权记录保留备查。"),
    )
