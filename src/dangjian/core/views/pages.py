"""Home page per role, notification inbox, figures page, rule settings, system status."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import django
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import dangjian
from dangjian.core import figures as figure_registry
from dangjian.core import rules as rule_registry
from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.figures import FigureContext, Period
from dangjian.core.models import Notification, RuleSetting
from dangjian.core.permissions import deny, require
from dangjian.core.roles import ADMIN_ROLES, STAFF_ROLES, RoleKind
from dangjian.core.scope import CHANGE, VIEW, covering_paths, user_grants
from dangjian.core.widgets import DateInput


def scope_tops(user: Any) -> list[Any]:
    """The highest organizations the user's business grants cover."""
    from dangjian.orgs.models import Organization

    paths = covering_paths(g.path for g in user_grants(user) if g.path)
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page, shaped by the roles the user holds."""
    user = request.user
    roles = {grant.role for grant in user_grants(user)}
    tops = scope_tops(user)
    context: dict[str, Any] = {"page_title": gettext("首页"), "roles": roles, "tops": tops}
    from dangjian.orgs.overview import branch_card, overdue_terms

    today = timezone.localdate()
    if roles & STAFF_ROLES and tops:
        top = tops[0]
        context["top"] = top
        if not top.is_branch and top.level != "party_group":
            ctx = FigureContext(top, Period.on(today))
            names = ["orgs.total", "orgs.committees", "orgs.branches", "orgs.party_groups"]
            context["stats"] = [figure_registry.compute(name, ctx) for name in names]
            by_kind = figure_registry.compute("orgs.branches_by_kind", ctx)
            context["kind_chart"] = [  # emitted with json_script: labels are never markup
                {"name": str(part.label), "value": part.value}
                for part in by_kind.parts
                if part.value
            ]
            context["flags"] = figure_registry.compute("orgs.creation_flags", ctx)
        overdue = overdue_terms(user, today)
        context["overdue_terms"], context["overdue_total"] = overdue[:8], len(overdue)
        context["overdue_url"] = f"/orgs/?within={top.pk}&flag=overdue"
    branches = [org for org in tops if org.is_branch or org.level == "party_group"]
    if branches and roles & {RoleKind.MEMBER, RoleKind.BRANCH_SECRETARY}:
        context["my_branch"] = branch_card(branches[0])
    context["is_admin"] = bool(roles & ADMIN_ROLES)
    context["admin_roles"] = sorted(roles & ADMIN_ROLES)
    return render(request, "core/home.html", context)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The inbox: newest first; opening a message marks it read."""
    inbox = Notification.objects.restrict(request.user, VIEW)
    if request.method == "POST":
        inbox.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notifications")
    page = Paginator(inbox, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {
            "page_obj": page,
            "object_list": page.object_list,
            "page_title": gettext("通知"),
            "breadcrumbs": [(gettext("通知"), "")],
        },
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one message read and follow its link."""
    from dangjian.core.permissions import get_scoped

    note = get_scoped(request, Notification, CHANGE, pk=pk)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "core:notifications")


class FigureQueryForm(forms.Form):
    """Which organization and which period the figures are computed for."""

    organization: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=None, label=_("党组织"), empty_label=None
    )
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("截至日期"), widget=DateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from dangjian.orgs.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            Organization.objects.restrict(user).active().exclude(level="party_group")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("开始日期不能晚于截至日期。"))
        return data


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    """Every registered figure for an organization and period, with drill-down links."""
    from dangjian.orgs.models import Organization

    require(request, Organization, VIEW)
    today = timezone.localdate()
    tops = scope_tops(request.user)
    initial = {
        "organization": tops[0] if tops else None,
        "start": date(today.year, 1, 1),
        "end": today,
    }
    form = FigureQueryForm(request.GET or None, user=request.user, initial=initial)
    values: list[Any] = []
    if form.is_bound:
        if form.is_valid():
            org, start, end = (form.cleaned_data[k] for k in ("organization", "start", "end"))
        else:
            org = None
    else:
        org, start, end = initial["organization"], initial["start"], initial["end"]
    if org is not None:
        context = FigureContext(org, Period(start, end))
        previous = FigureContext(org, context.period.previous_year())
        for figure in figure_registry.all_figures():
            values.append(
                (
                    figure_registry.evaluate(figure, context),
                    figure_registry.evaluate(figure, previous),
                )
            )
    return render(
        request,
        "core/figures.html",
        {
            "form": form,
            "values": values,
            "page_title": gettext("统计指标"),
            "organization": org,
            "breadcrumbs": [(gettext("统计指标"), "")],
        },
    )


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    severity = forms.ChoiceField(
        label=_("违反时"), choices=[("refuse", _("拒绝")), ("warn", _("提醒"))]
    )
    value = forms.CharField(label=_("取值"), help_text=_("数值；区间用英文逗号分隔，如 3,5"))


def parse_rule_value(text: str, default: Any) -> Any:
    """Parse a value typed on the rules page into the type of the rule's default."""
    text = text.strip().replace("，", ",")
    try:
        if isinstance(default, bool):
            return text in {"1", "true", "是", "yes"}
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, list):
            parts = [int(part) for part in text.split(",")]
            if len(parts) != len(default):
                raise ValueError
            return parts
    except ValueError:
        raise DomainError({"value": gettext("取值格式不正确，请参照默认值填写。")})
    return text


@domain_action("core.rule.update", _("修改业务规则"))
def update_rule(
    code: str,
    *,
    value: Any,
    enabled: bool,
    severity: str,
    acting_user: Any,
    applies_to: str = "",
    reset: bool = False,
) -> RuleSetting:
    """Change an institution's setting of a rule, in general or for one scope (students,
    teachers…); `reset` drops a scope's own setting (audited, cache invalidated on commit)."""
    definition = rule_registry.get(code).definition
    if applies_to and applies_to not in rule_registry.SCOPES:
        raise DomainError({"applies_to": gettext("适用范围不正确。")})
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise DomainError({"value": gettext("取值不能为负数。")})
    setting, _ = RuleSetting.objects.get_or_create(code=code, applies_to=applies_to)
    if reset and applies_to:
        track(setting, changes={"applies_to": (applies_to, "")}, detail={"reset": True})
        setting.delete()
        rule_registry.invalidate()
        return setting
    before = {"value": setting.value, "enabled": setting.enabled, "severity": setting.severity}
    setting.value = None if value == definition.default else value
    setting.enabled, setting.severity, setting.updated_by = enabled, severity, acting_user
    setting.save()
    track(
        setting,
        changes={
            k: (before[k], getattr(setting, k)) for k in before if before[k] != getattr(setting, k)
        },
    )
    from django.db import transaction

    rule_registry.invalidate()
    transaction.on_commit(rule_registry.invalidate)
    return setting


def _shown(value: Any) -> Any:
    return ",".join(str(v) for v in value) if isinstance(value, list) else value


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """The registered rules with their current values; editable by university staff."""
    require(request, RuleSetting, VIEW)
    from dangjian.core.scope import can

    editable = can(request.user, RuleSetting, CHANGE)
    error_code, form_errors = "", {}
    if request.method == "POST":
        if not editable:
            deny(request, request.user, "无权修改规则", action="change")
            raise PermissionDenied(gettext("您没有修改规则的权限。"))
        code = request.POST.get("code", "")
        try:
            state = rule_registry.get(code)
            value = parse_rule_value(request.POST.get("value", ""), state.definition.default)
            severity = request.POST.get("severity", state.severity)
            if severity not in {"refuse", "warn"}:
                raise DomainError({"severity": gettext("请选择“拒绝”或“提醒”。")})
            update_rule(
                code,
                value=value,
                enabled=request.POST.get("enabled") == "on",
                severity=severity,
                acting_user=request.user,
                applies_to=request.POST.get("applies_to", ""),
                reset=request.POST.get("reset") == "1",
            )
        except KeyError:
            messages.error(request, gettext("没有这条规则。"))
        except DomainError as error:
            error_code, form_errors = code, error.errors
        else:
            messages.success(
                request, gettext("已保存规则“%(label)s”。") % {"label": state.definition.label}
            )
            return redirect("core:rules")
    rows = []
    for definition in rule_registry.all_rules():
        state = rule_registry.get(definition.code)
        scoped = []
        for scope, label in rule_registry.SCOPES.items():
            if (definition.code, scope) in rule_registry._settings():
                own = rule_registry.get(definition.code, scope)
                scoped.append(
                    {"scope": scope, "label": label, "state": own, "shown": _shown(own.value)}
                )
        rows.append(
            {
                "state": state,
                "shown": _shown(state.value),
                "scoped": scoped,
                "errors": form_errors if definition.code == error_code else {},
            }
        )
    return render(
        request,
        "core/rules.html",
        {
            "rows": rows,
            "scopes": list(rule_registry.SCOPES.items()),
            "editable": editable,
            "page_title": gettext("业务规则设置"),
            "breadcrumbs": [(gettext("业务规则设置"), "")],
        },
    )


@login_required
def system_status(request: HttpRequest) -> HttpResponse:
    """System administrator's page: versions, database, jobs, assets — no business data."""
    if not request.user.has_role(RoleKind.SYSTEM_ADMIN):  # type: ignore[union-attr]
        deny(request, request.user, "非系统管理员访问系统状态")
        raise PermissionDenied(gettext("仅系统管理员可查看系统状态。"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    facts = [
        (gettext("Dangjian 版本"), dangjian.__version__),
        ("Python", sys.version.split()[0]),
        ("Django", django.get_version()),
        (gettext("数据库"), f"{connection.vendor} {connection.settings_dict.get('NAME')}"),
        (gettext("运行环境"), settings.ENVIRONMENT),
        (
            gettext("后台任务"),
            "Celery + Redis"
            if settings.REDIS_URL
            else gettext("进程内同步执行（未配置 REDIS_URL）"),
        ),
        (
            gettext("会话空闲超时"),
            gettext("%(SESSION_IDLE_MINUTES)s 分钟")
            % {"SESSION_IDLE_MINUTES": settings.SESSION_IDLE_MINUTES},
        ),
        (
            gettext("会话最长有效期"),
            gettext("%(SESSION_COOKIE_AGE)s 分钟")
            % {"SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE // 60},
        ),
        (
            gettext("登录失败锁定"),
            gettext("%(AXES_FAILURE_LIMIT)s 次 / %(AXES_COOLOFF_TIME)s 分钟")
            % {
                "AXES_FAILURE_LIMIT": settings.AXES_FAILURE_LIMIT,
                "AXES_COOLOFF_TIME": int(settings.AXES_COOLOFF_TIME * 60),
            },
        ),
        (gettext("时区"), settings.TIME_ZONE),
    ]
    return render(
        request,
        "core/system.html",
        {
            "facts": facts,
            "page_title": gettext("系统状态"),
            "breadcrumbs": [(gettext("系统状态"), "")],
        },
    )
