"""Yearly plan pages (年度计划): a branch's twelve months of theme days, lectures and study
sessions, each shown as carried out (a held event names it) or not, and the forms that
change the plan through `orglife.plans`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW, covers, user_grants
from dangjian.core.views.forms import action_form
from dangjian.members.models import Person
from dangjian.orglife import plans
from dangjian.orglife.choices import EventStatus, PlanKind
from dangjian.orglife.forms_plans import PlanItemForm
from dangjian.orglife.models import Event, PlanItem
from dangjian.orglife.summaries import month_end
from dangjian.orgs.choices import BRANCH_LEVELS
from dangjian.orgs.models import Organization

KIND_COLOURS: dict[str, str] = {
    PlanKind.THEME_DAY: "danger",
    PlanKind.LECTURE: "primary",
    PlanKind.STUDY: "info",
}
TEMPLATE = "orglife/plan_form.html"


def plan_url(org: Organization | None, year: int) -> str:
    query: dict[str, Any] = {"year": year}
    if org is not None:
        query = {"organization": org.pk, **query}
    return f"{reverse('orglife:plans')}?{urlencode(query)}"


def _own_organizations(user: Any) -> set[int]:
    """A member sees the plan of the branch they belong to (the self filter of PlanItem)."""
    if not any(g.role == MEMBER for g in user_grants(user)):
        return set()
    return set(Person.objects.filter(user=user).values_list("organization_id", flat=True))


def _sees_plan(user: Any, org: Organization, own: set[int]) -> bool:
    return covers(user, PlanItem, VIEW, org.path) or org.pk in own


def _param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


def _year(request: HttpRequest) -> int:
    """The year asked for; this year when none, a message when it is not a sensible year."""
    text = _param(request, "year")
    this_year = timezone.localdate().year
    if not text:
        return this_year
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    messages.warning(request, gettext("年度应为2000至2100之间的整数，已显示本年度。"))
    return this_year


def _organization(request: HttpRequest, action: str) -> Organization:
    """The branch named by ?organization=: 404 outside scope, 403 without `action` on it."""
    text = _param(request, "organization")
    if not text.isdigit():
        raise Http404(gettext("请选择党支部。"))
    org = get_scoped(request, Organization, VIEW, pk=int(text))
    if not covers(request.user, PlanItem, action, org.path):
        deny(request, request.user, "无此操作权限", model="orglife.planitem", action=action)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    return org


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    require(request, PlanItem, VIEW)
    user, today = request.user, timezone.localdate()
    year = _year(request)
    own = _own_organizations(user)
    options = [
        org
        for org in Organization.objects.restrict(user, VIEW)
        .active()
        .filter(level__in=BRANCH_LEVELS)
        .order_by("path")
        if _sees_plan(user, org, own)
    ]
    org: Organization | None = options[0] if options else None
    text = request.GET.get("organization", "").strip()
    if text:
        if not text.isdigit():
            raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
        org = get_scoped(request, Organization, VIEW, pk=int(text))
        if org.level not in BRANCH_LEVELS:
            messages.error(request, gettext("年度计划由党支部编制，请选择党支部。"))
            org = options[0] if options else None
        elif not _sees_plan(user, org, own):
            raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
        elif org not in options:
            options.append(org)  # a dissolved branch reached by its link
    months, done, total = [], 0, 0
    if org is not None:
        held = Event.objects.filter(status=EventStatus.HELD).order_by("held_on", "id")
        items = list(
            PlanItem.objects.restrict(user, VIEW)
            .filter(organization=org, year=year)
            .prefetch_related(Prefetch("events", queryset=held, to_attr="held_events"))
            .order_by("month", "id")
        )
        for number in range(1, 13):
            over = month_end(date(year, number, 1)) < today
            rows = [item for item in items if item.month == number]
            for item in rows:
                item.done = bool(item.held_events)  # type: ignore[attr-defined]
                item.overdue = over and not item.done  # type: ignore[attr-defined]
                item.colour = KIND_COLOURS.get(item.kind, "secondary")  # type: ignore[attr-defined]
            months.append({"number": number, "items": rows, "over": over})
        total = len(items)
        done = len([item for item in items if item.done])  # type: ignore[attr-defined]
    can_edit = org is not None and covers(user, PlanItem, ADD, org.path)
    return render(
        request,
        "orglife/plan.html",
        {
            "page_title": _("年度计划"),
            "breadcrumbs": [(_("年度计划"), "")],
            "organization": org,
            "options": options,
            "year": year,
            "months": months,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "can_edit": can_edit,
            "can_copy": can_edit and total == 0,
            "add_url": f"{reverse('orglife:plan_item_add')}?"
            + urlencode({"organization": org.pk, "year": year})
            if org
            else "",
            "previous_url": plan_url(org, year - 1),
            "next_url": plan_url(org, year + 1),
        },
    )


def _form_context(org: Organization, year: int, title: str) -> dict[str, Any]:
    back = plan_url(org, year)
    return {
        "organization": org,
        "page_title": title,
        "breadcrumbs": [(_("年度计划"), back), (title, "")],
        "cancel_url": back,
    }


@login_required
def add(request: HttpRequest) -> HttpResponse:
    require(request, PlanItem, ADD)
    org = _organization(request, ADD)
    if org.level not in BRANCH_LEVELS:
        messages.error(request, gettext("年度计划由党支部编制，请选择党支部。"))
        return redirect("orglife:plans")
    year = _year(request)
    month = str(timezone.localdate().month)
    form = PlanItemForm(
        request.POST or None, initial={"year": year, "month": month, "kind": PlanKind.THEME_DAY}
    )
    return action_form(
        request,
        form,
        lambda data: plans.save_plan_item(org, data, acting_user=request.user),
        success=gettext("已添加计划事项。"),
        next_url=lambda item: plan_url(item.organization, item.year),
        template=TEMPLATE,
        submit_label=gettext("添加"),
        **_form_context(org, year, gettext("添加年度计划事项")),
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped(request, PlanItem, CHANGE, pk=pk)
    initial = {name: getattr(item, name) for name in ("year", "month", "kind", "topic")}
    initial |= {"speaker_name": item.speaker_name, "note": item.note}
    form = PlanItemForm(request.POST or None, initial=initial)
    return action_form(
        request,
        form,
        lambda data: plans.save_plan_item(
            item.organization, data, item=item, acting_user=request.user
        ),
        success=gettext("已保存计划事项。"),
        next_url=lambda saved: plan_url(saved.organization, saved.year),
        template=TEMPLATE,
        item=item,
        carried_out=item.events.filter(status=EventStatus.HELD).exists(),
        **_form_context(item.organization, item.year, gettext("修改年度计划事项")),
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped(request, PlanItem, DELETE, pk=pk)
    back = plan_url(item.organization, item.year)
    warning = ""
    if request.method == "POST":
        try:
            plans.delete_plan_item(item, acting_user=request.user)
        except DomainError as error:
            warning = error.message
        else:
            messages.success(request, gettext("已删除计划事项。"))
            return redirect(back)
    title = gettext("删除年度计划事项")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": title,
            "breadcrumbs": [(_("年度计划"), back), (title, "")],
            "question": gettext("确定删除%(year)d年%(month)d月的计划事项“%(topic)s”吗？")
            % {"year": item.year, "month": item.month, "topic": item.topic},
            "warning": warning,
            "danger": True,
            "submit_label": gettext("删除"),
            "cancel_url": back,
        },
    )


@login_required
@require_POST
def copy(request: HttpRequest) -> HttpResponse:
    """Start the year's plan from last year's items (沿用上年度计划)."""
    require(request, PlanItem, ADD)
    org = _organization(request, ADD)
    text = _param(request, "year")
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        messages.error(request, gettext("年度应为2000至2100之间的整数。"))
        return redirect(plan_url(org, timezone.localdate().year))
    year = int(text)
    try:
        count = plans.copy_plan(org, year, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            gettext("已沿用%(prev)d年度的%(n)d项计划事项，请逐项修改。")
            % {"prev": year - 1, "n": count},
        )
    return redirect(plan_url(org, year))


urlpatterns = [
    path("plans/", plan, name="plans"),
    path("plans/add/", add, name="plan_item_add"),
    path("plans/<int:pk>/edit/", edit, name="plan_item_edit"),
    path("plans/<int:pk>/delete/", delete, name="plan_item_delete"),
    path("plans/copy/", copy, name="plan_copy"),
]
