"""Plan pages (实施方案): the list in scope with task counts, the plan form, a plan's page
with its task table and actions (issue, close, delete), the progress board by lead unit, and
the task form. Task pages and the worklists have their own modules; their URL patterns are
listed here too.

The list annotates its counts in the page's one query; a plan's page reads its tasks, their
cooperating units and the totals in a constant number of queries whatever the plan's size.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import require
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, VIEW, can, covers
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.tasks import actions
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, TaskStatus
from dangjian.tasks.filters_plans import PlanFilter
from dangjian.tasks.forms_plans import PlanForm, addable_organizations
from dangjian.tasks.models import Plan, Task
from dangjian.tasks.views import task_forms, tasks, worklists
from dangjian.tasks.views.tasks import PLANS_CRUMB, plan_crumbs, plan_for

MAIN_FILTERS = ("within", "status")
# Stacked bar colours of the board, by task status (accepted green … draft grey).
BOARD_SERIES: list[tuple[str, Text, str]] = [
    (TaskStatus.ACCEPTED, _("已验收"), "#2a9d8f"),
    (TaskStatus.SUBMITTED, _("待验收"), "#e9c46a"),
    (TaskStatus.IN_PROGRESS, _("办理中"), "#3b82f6"),
    (TaskStatus.RETURNED, _("已退回"), "#b5121b"),
    (TaskStatus.DRAFT, _("未下发"), "#9ca3af"),
]


def with_counts(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    """Annotate each plan's first-level tasks: all, accepted, overdue (one query)."""
    top = Q(tasks__parent__isnull=True)
    today = timezone.localdate()
    late = top & Q(tasks__status__in=OPEN_TASK, tasks__deadline__lt=today)
    return queryset.annotate(
        task_n=Count("tasks", filter=top),
        accepted_n=Count("tasks", filter=top & Q(tasks__status=TaskStatus.ACCEPTED)),
        overdue_n=Count("tasks", filter=late),
    )


class PlanListView(ScopedListView):
    model = Plan
    template_name = "tasks/plan_list.html"
    filterset_class = PlanFilter
    paginate_by = 30
    page_title = _("实施方案")
    export_name = _("实施方案一览")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("实施方案"), "")]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("方案名称"), "title", 36),
        ExportColumn(_("印发单位"), "organization.name", 24),
        ExportColumn(_("依据文件"), "source_document", 30),
        ExportColumn(_("开始日期"), "starts_on", 12),
        ExportColumn(_("结束日期"), "ends_on", 12),
        ExportColumn(_("状态"), "status", 10),
        ExportColumn(_("任务数"), "task_n", 8),
        ExportColumn(_("已验收"), "accepted_n", 8),
        ExportColumn(_("逾期"), "overdue_n", 8),
        ExportColumn(_("下发时间"), "issued_at", 18),
    ]

    def base_queryset(self) -> QuerySet[Plan]:
        scoped = self.scoped_queryset().select_related("organization")
        return with_counts(scoped).order_by("-starts_on", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for plan in context["object_list"]:
            plan.percent = round(100 * plan.accepted_n / plan.task_n) if plan.task_n else 0
        user = self.request.user
        context["can_add"] = can(user, Plan, ADD)
        context["can_export"] = can(user, Plan, EXPORT)
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        return context


# The plan form --------------------------------------------------------------------------------


def _plan_form(request: HttpRequest, form: PlanForm, plan: Plan | None) -> HttpResponse:
    title = gettext("制定实施方案") if plan is None else gettext("修改实施方案")
    crumbs = (
        [(PLANS_CRUMB[0], reverse("tasks:plans")), (title, "")]
        if plan is None
        else plan_crumbs(plan, (title, ""))
    )
    return render(
        request,
        "tasks/plan_form.html",
        {
            "form": form,
            "plan": plan,
            "page_title": title,
            "breadcrumbs": crumbs,
            "cancel_url": reverse("tasks:plan", args=[plan.pk]) if plan else reverse("tasks:plans"),
            "submit_label": gettext("保存"),
        },
    )


@login_required
def add(request: HttpRequest) -> HttpResponse:
    require(request, Plan, ADD)
    user = request.user
    initial = {"organization": request.GET.get("organization", "")}
    form = PlanForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        organization = addable_organizations(user).get(pk=form.cleaned_data["organization"])
        try:
            plan = actions.create_plan(organization, form.action_data(), acting_user=user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已创建实施方案，请分解任务后下发。"))
            return redirect("tasks:plan", pk=plan.pk)
    return _plan_form(request, form, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _own = plan_for(request, pk, CHANGE)
    names = ("title", "source_document", "starts_on", "ends_on", "description")
    initial = {name: getattr(plan, name) for name in names}
    initial |= {"starts_on": plan.starts_on.isoformat(), "ends_on": plan.ends_on.isoformat()}
    form = PlanForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_plan(plan, form.action_data(), acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存实施方案。"))
            return redirect("tasks:plan", pk=plan.pk)
    return _plan_form(request, form, plan)


# A plan's page --------------------------------------------------------------------------------


def ordered_tasks(rows: list[Task]) -> list[Task]:
    """First-level tasks in order, each followed by its sub-tasks (a sub-task whose parent
    the user does not see stands on its own)."""
    shown = {task.pk for task in rows}
    children: dict[int, list[Task]] = {}
    for task in rows:
        if task.parent_id in shown:
            children.setdefault(task.parent_id, []).append(task)  # type: ignore[arg-type]
    result: list[Task] = []
    for task in rows:
        if task.parent_id not in shown:
            result.append(task)
            result += children.get(task.pk, [])
    return result


def plan_tasks(user: Any, plan: Plan) -> list[Task]:
    rows = list(
        Task.objects.restrict(user, VIEW)
        .filter(plan=plan)
        .select_related("lead_unit")
        .prefetch_related("cooperating_units")
        .order_by("position", "id")
    )
    return ordered_tasks(rows)


def _totals(rows: list[Task]) -> dict[str, int]:
    top = [task for task in rows if not task.parent_id] or rows
    accepted = len([t for t in top if t.status == TaskStatus.ACCEPTED])
    return {
        "tasks": len(top),
        "accepted": accepted,
        "submitted": len([t for t in top if t.status == TaskStatus.SUBMITTED]),
        "overdue": len([t for t in rows if t.days_overdue()]),
        "percent": round(100 * accepted / len(top)) if top else 0,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan, own = plan_for(request, pk)
    user = request.user
    rows = plan_tasks(user, plan)
    owner = own and covers(user, Plan, CHANGE, plan.organization.path)
    draft, closed = plan.status == PlanStatus.DRAFT, plan.status == PlanStatus.CLOSED
    for task in rows:
        task.overdue_days = task.days_overdue()  # type: ignore[attr-defined]
    context = {
        "plan": plan,
        "own": own,
        "page_title": plan.title,
        "breadcrumbs": [(PLANS_CRUMB[0], reverse("tasks:plans")), (plan.title, "")],
        "rows": rows,
        "totals": _totals(rows),
        "can_edit": owner and not closed,
        "can_issue": owner and draft and bool(rows),
        "can_close": owner and plan.status == PlanStatus.ISSUED,
        "can_delete": draft and own and covers(user, Plan, DELETE, plan.organization.path),
    }
    return render(request, "tasks/plan_detail.html", context)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _own = plan_for(request, pk, CHANGE)
    try:
        actions.issue_plan(plan, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("方案已下发，各牵头单位已收到通知。"))
    return redirect("tasks:plan", pk=plan.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _own = plan_for(request, pk, CHANGE)
    try:
        actions.close_plan(plan, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("方案已办结。"))
    return redirect("tasks:plan", pk=plan.pk)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _own = plan_for(request, pk, DELETE)
    back = reverse("tasks:plan", args=[plan.pk])
    warning = ""
    if request.method == "POST":
        try:
            actions.delete_plan(plan, acting_user=request.user)
        except DomainError as error:
            warning = error.message
        else:
            messages.success(request, gettext("已删除实施方案。"))
            return redirect("tasks:plans")
    title = gettext("删除实施方案")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": title,
            "breadcrumbs": plan_crumbs(plan, (title, "")),
            "question": gettext("确定删除实施方案“%(title)s”及其全部任务吗？删除后不能恢复。")
            % {"title": plan.title},
            "warning": warning,
            "danger": True,
            "submit_label": gettext("删除"),
            "cancel_url": back,
        },
    )


# The board ------------------------------------------------------------------------------------


def board_rows(user: Any, plan: Plan) -> list[dict[str, Any]]:
    """Per lead unit: tasks by status, overdue and mean progress (one grouped query)."""
    today = timezone.localdate()
    by_status = {
        status: Count("pk", filter=Q(status=status)) for status, _label, _c in BOARD_SERIES
    }
    rows = (
        Task.objects.restrict(user, VIEW)
        .filter(plan=plan)
        .order_by()
        .values("lead_unit_id", "lead_unit__name", "lead_unit__path")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(status__in=OPEN_TASK, deadline__lt=today)),
            mean=Avg("progress"),
            **by_status,
        )
        .order_by("lead_unit__path")
    )
    found: list[dict[str, Any]] = [dict(row) for row in rows]
    return [
        {
            "unit": row["lead_unit__name"],
            "unit_id": row["lead_unit_id"],
            "total": row["total"],
            "overdue": row["overdue"],
            "mean": round(row["mean"] or 0),
            **{status: row[status] for status, _label, _c in BOARD_SERIES},
        }
        for row in found
    ]


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _own = plan_for(request, pk)
    rows = board_rows(request.user, plan)
    chart = {
        "units": [row["unit"] for row in rows],
        "series": [
            {"name": str(label), "color": colour, "data": [row[status] for row in rows]}
            for status, label, colour in BOARD_SERIES
            if any(row[status] for row in rows)
        ],
    }
    totals = {key: sum(row[key] for row in rows) for key in ("total", "overdue")}
    totals |= {status: sum(row[status] for row in rows) for status, _l, _c in BOARD_SERIES}
    title = gettext("推进情况")
    return render(
        request,
        "tasks/board.html",
        {
            "plan": plan,
            "rows": rows,
            "totals": totals,
            "chart": chart,
            "chart_height": max(220, 36 * len(rows) + 90),
            "tasks_url": reverse("tasks:tasks"),
            "page_title": title,
            "breadcrumbs": plan_crumbs(plan, (title, "")),
        },
    )


urlpatterns: list[URLPattern] = [
    path("plans/", PlanListView.as_view(), name="plans"),
    path("plans/add/", add, name="plan_add"),
    path("plans/<int:pk>/", detail, name="plan"),
    path("plans/<int:pk>/edit/", edit, name="plan_edit"),
    path("plans/<int:pk>/issue/", issue, name="plan_issue"),
    path("plans/<int:pk>/close/", close, name="plan_close"),
    path("plans/<int:pk>/delete/", delete, name="plan_delete"),
    path("plans/<int:pk>/board/", board, name="plan_board"),
    *task_forms.urlpatterns,
    *tasks.urlpatterns,
    *worklists.urlpatterns,
]
