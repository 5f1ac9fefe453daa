"""Tasks across plans (任务督办) with the overdue view and its Excel export, and the
worklist of the tasks my units lead (我的任务): to report or returned, waiting for the issuer,
and for issuers the claims waiting for my check."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import require
from dangjian.core.scope import CHANGE, EXPORT, VIEW, can, user_grants
from dangjian.core.text import Text
from dangjian.core.views.generic import ScopedListView
from dangjian.tasks.choices import ReportResult, TaskStatus
from dangjian.tasks.filters_plans import TaskFilter
from dangjian.tasks.models import Task, TaskReport

MAIN_FILTERS = ("within", "plan", "status", "overdue")
MORE_FILTERS = ("deadline_from", "deadline_to", "top")
MY_LIMIT = 200


def _cooperating(task: Task) -> str:
    return "、".join(unit.name for unit in task.cooperating_units.all())


class TaskListView(ScopedListView):
    model = Task
    template_name = "tasks/task_list.html"
    filterset_class = TaskFilter
    paginate_by = 50
    page_title = _("任务督办")
    export_name = _("任务督办台账")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("任务督办"), "")]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("实施方案"), "plan.title", 30),
        ExportColumn(_("编号"), "number", 8),
        ExportColumn(_("任务内容"), "content", 40),
        ExportColumn(_("牵头单位"), "lead_unit.name", 22),
        ExportColumn(_("配合单位"), _cooperating, 26),
        ExportColumn(_("责任人"), "responsible", 10),
        ExportColumn(_("完成时限"), "deadline", 12),
        ExportColumn(_("验收标准"), "criterion", 30),
        ExportColumn(_("状态"), "status", 10),
        ExportColumn(_("进度（%）"), "progress", 10),
        ExportColumn(_("逾期天数"), lambda task: task.days_overdue() or "", 10),
        ExportColumn(_("完成日期"), "completed_on", 12),
    ]

    def base_queryset(self) -> QuerySet[Task]:
        return self.scoped_queryset().select_related("plan", "lead_unit")

    def get_queryset(self) -> QuerySet[Task]:
        """Drafts (plans not yet issued) are left out unless the status filter asks."""
        queryset = super().get_queryset()
        if not self.request.GET.get("status"):
            queryset = queryset.exclude(status=TaskStatus.DRAFT)
        return queryset

    def export_queryset(self) -> QuerySet[Task]:
        return self.get_queryset().prefetch_related("cooperating_units")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        prefetch_related_objects(rows, "cooperating_units")
        for task in rows:
            task.overdue_days = task.days_overdue()  # type: ignore[attr-defined]
        context["object_list"] = rows
        context["can_export"] = can(self.request.user, Task, EXPORT)
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        context["more_filters"] = [form[name] for name in MORE_FILTERS]
        context["more_open"] = any(self.request.GET.get(name) for name in MORE_FILTERS)
        context["overdue_view"] = self.request.GET.get("overdue") == "1"
        return context


def my_units(user: Any) -> list[int]:
    """The organizations the user works for (staff grants), not their whole subtrees."""
    return [
        grant.organization_id
        for grant in user_grants(user)
        if grant.organization_id
        and Task.scope.allows(grant.role, CHANGE)  # type: ignore[attr-defined]
        and grant.role not in Task.scope.self_roles  # type: ignore[attr-defined]
    ]


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    require(request, Task, VIEW)
    user = request.user
    units = my_units(user)
    visible = Task.objects.restrict(user, VIEW).select_related("plan", "lead_unit")
    led = list(
        visible.filter(
            lead_unit_id__in=units,
            status__in=(TaskStatus.IN_PROGRESS, TaskStatus.RETURNED, TaskStatus.SUBMITTED),
        ).order_by("deadline", "id")[:MY_LIMIT]
    )
    for task in led:
        task.overdue_days = task.days_overdue()  # type: ignore[attr-defined]
    issued_by_me = Q(task__parent__isnull=True, task__plan__organization_id__in=units) | Q(
        task__parent__lead_unit_id__in=units
    )
    claims = list(
        TaskReport.objects.restrict(user, VIEW)
        .filter(issued_by_me, result=ReportResult.PENDING, task__status=TaskStatus.SUBMITTED)
        .select_related("task__plan", "task__lead_unit", "reported_by")
        .order_by("reported_at", "id")[:MY_LIMIT]
    )
    groups = [
        (
            "todo",
            _("待报送 / 被退回"),
            [t for t in led if t.status != TaskStatus.SUBMITTED],
            _("本单位牵头、尚未申请验收的任务，按完成时限排序。"),
        ),
        (
            "waiting",
            _("待验收"),
            [t for t in led if t.status == TaskStatus.SUBMITTED],
            _("已申请验收，等待下发单位审核。"),
        ),
    ]
    title = _("我的任务")
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "groups": groups,
            "claims": claims,
            "has_units": bool(units),
            "page_title": title,
            "breadcrumbs": [(title, "")],
        },
    )


urlpatterns: list[URLPattern] = [
    path("tasks/", TaskListView.as_view(), name="tasks"),
    path("my/", my_tasks, name="my_tasks"),
]
