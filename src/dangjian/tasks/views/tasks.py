"""A task's page (督办): content, acceptance criterion, milestones, sub-tasks and the report
timeline, with the lead unit's report form and split, and the issuer's accept / return.

Who may act comes from the actions: the lead unit reports, reaches milestones and splits; the
issuer (the plan's organization, or the unit that split the task) checks. Buttons are shown
with the same `covers(...)` tests, and the actions still refuse on their own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import CHANGE, VIEW, covers
from dangjian.core.text import Text
from dangjian.core.uploads import scan_type
from dangjian.core.views.forms import apply_errors
from dangjian.tasks import actions
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, ReportResult, TaskStatus
from dangjian.tasks.forms_plans import CheckForm, ReportForm, SplitForm
from dangjian.tasks.models import Milestone, Plan, ReportFile, Task, TaskReport

PLANS_CRUMB: tuple[Text, str] = (_("实施方案"), "/tasks/plans/")
# A plan reached through one of its tasks (a lead unit's) once it is issued.
SHOWN_PLAN = (PlanStatus.ISSUED, PlanStatus.CLOSED)
REPORTABLE = (TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
# A split's refusals shown on the units (any other field's at the top of the form).
SPLIT_FIELDS = {"parts": "units", "lead_unit": "units"}


def refused(request: HttpRequest, model: type[Any], action: str) -> PermissionDenied:
    """Audit and build the 403 of a user who sees the record but may not do this to it."""
    deny(request, request.user, "无此操作权限", model=model._meta.label_lower, action=action)
    return PermissionDenied(gettext("您没有执行此操作的权限。"))


def plan_for(request: HttpRequest, pk: int, action: str = VIEW) -> tuple[Plan, bool]:
    """The plan and whether it is in the user's own scope.

    A lead unit sees an issued plan through its task (only its tasks shown, no actions):
    the plan's notification links there. 404 when the user sees neither; 403 (audited) when
    the user sees it but may not do `action`.
    """
    require(request, Plan, action)
    user = request.user
    found = Plan.objects.restrict(user, action).select_related("organization").filter(pk=pk)
    plan = found.first()
    if plan is not None:
        return plan, True
    via_tasks = (
        Plan.objects.select_related("organization")
        .filter(pk=pk, status__in=SHOWN_PLAN)
        .filter(pk__in=Task.objects.restrict(user, VIEW).values("plan_id"))
        .first()
    )
    if action == VIEW and via_tasks is not None:
        return via_tasks, False
    if via_tasks is not None or Plan.objects.restrict(user, VIEW).filter(pk=pk).exists():
        raise refused(request, Plan, action)
    if Plan.objects.filter(pk=pk).exists():
        deny(request, user, "访问范围外的对象", model="tasks.plan", action=action)
    raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))


def task_query(user: Any) -> QuerySet[Task]:
    return Task.objects.restrict(user, VIEW).select_related(
        "plan__organization", "lead_unit", "parent__lead_unit"
    )


def task_for(request: HttpRequest, pk: int) -> Task:
    """A task the user sees (404 otherwise), with what its page and checks read."""
    require(request, Task, VIEW)
    task = task_query(request.user).filter(pk=pk).first()
    if task is None:
        return get_scoped(request, Task, VIEW, pk=pk)  # the audited 404
    return task


def issues(user: Any, task: Task) -> bool:
    """Whether the user acts for the task's issuer (checks it, edits it)."""
    return covers(user, Plan, CHANGE, task.issuer.path)


def leads(user: Any, task: Task) -> bool:
    """Whether the user acts for the task's lead unit (reports on it)."""
    return covers(user, Task, CHANGE, task.lead_unit.path)


def sees_plan(user: Any, plan: Plan) -> bool:
    in_scope = Plan.objects.restrict(user, VIEW).filter(pk=plan.pk).exists()
    return in_scope or plan.status in SHOWN_PLAN


def plan_crumbs(plan: Plan, *more: tuple[Text, str]) -> list[tuple[Text, str]]:
    return [
        (PLANS_CRUMB[0], reverse("tasks:plans")),
        (plan.title, reverse("tasks:plan", args=[plan.pk])),
        *more,
    ]


def task_crumbs(user: Any, task: Task, *more: tuple[Text, str]) -> list[tuple[Text, str]]:
    plan = task.plan
    crumbs: list[tuple[Text, str]] = [(PLANS_CRUMB[0], reverse("tasks:plans"))]
    if sees_plan(user, plan):
        crumbs.append((plan.title, reverse("tasks:plan", args=[plan.pk])))
    else:
        crumbs = [(_("任务督办"), reverse("tasks:tasks"))]
    label = gettext("任务%(number)s") % {"number": task.number}
    return [*crumbs, (label, reverse("tasks:task", args=[task.pk])), *more]


def _detail_context(request: HttpRequest, task: Task, **forms: Any) -> dict[str, Any]:
    user = request.user
    plan = task.plan
    files = ReportFile.objects.restrict(user, VIEW)
    reports = list(
        TaskReport.objects.restrict(user, VIEW)
        .filter(task=task)
        .select_related("reported_by", "checked_by")
        .prefetch_related(Prefetch("files", queryset=files))
    )
    children = list(task_query(user).filter(parent=task).order_by("position", "id"))
    milestones = list(task.milestones.all())
    is_lead, is_issuer = leads(user, task), issues(user, task)
    can_report = is_lead and plan.status == PlanStatus.ISSUED and task.status in REPORTABLE
    pending = next((r for r in reports if r.result == ReportResult.PENDING), None)
    can_check = is_issuer and task.status == TaskStatus.SUBMITTED and pending is not None
    editable = is_issuer and plan.status != PlanStatus.CLOSED
    editable = editable and task.status != TaskStatus.ACCEPTED
    can_split = is_lead and not task.parent_id and task.status in OPEN_TASK
    label = gettext("任务%(number)s") % {"number": task.number}
    return {
        "task": task,
        "plan": plan,
        "page_title": label,
        "breadcrumbs": [*task_crumbs(user, task)[:-1], (label, "")],
        "cooperating": list(task.cooperating_units.order_by("path")),
        "milestones": milestones,
        "children": children,
        "reports": reports,
        "pending": pending,
        "is_lead": is_lead,
        "can_report": can_report,
        "can_check": can_check,
        "can_reach": is_lead and plan.status == PlanStatus.ISSUED,
        "can_edit": editable,
        "can_delete": editable and not reports and not children,
        "can_split": can_split,
        "days_overdue": task.days_overdue(),
        "report_form": forms.get("report_form")
        or (ReportForm(initial={"progress": task.progress}) if can_report else None),
        "check_form": forms.get("check_form"),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_for(request, pk)
    return render(request, "tasks/task_detail.html", _detail_context(request, task))


def _renamed(error: DomainError) -> DomainError:
    names = {"file": "evidence", "title": "evidence", "files": "evidence"}
    error.errors = {names.get(k, k): v for k, v in error.errors.items()}
    return error


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report progress (or claim acceptance) with files; GET goes to the task's form."""
    require(request, Task, CHANGE)
    task = task_for(request, pk)
    if request.method != "POST":
        return redirect(reverse("tasks:task", args=[task.pk]) + "#report")
    if not leads(request.user, task):
        raise refused(request, Task, CHANGE)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = actions.report_progress(task, data, data["evidence"], acting_user=request.user)
        except DomainError as error:
            apply_errors(form, _renamed(error))
        else:
            text = gettext("已申请验收，请等待下发单位审核。") if done.for_acceptance else None
            messages.success(request, text or gettext("已报送进展。"))
            return redirect("tasks:task", pk=task.pk)
    task.refresh_from_db(fields=["status", "progress"])
    context = _detail_context(request, task, report_form=form)
    return render(request, "tasks/task_detail.html", context)


@login_required
@require_POST
def check(request: HttpRequest, report: int) -> HttpResponse:
    """The issuer accepts a claim or returns it with a reason (op=accept|return)."""
    require(request, Plan, CHANGE)
    claim = get_scoped(request, TaskReport, VIEW, pk=report)
    task = task_for(request, claim.task_id)
    if not issues(request.user, task):
        raise refused(request, TaskReport, CHANGE)
    form = CheckForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["op"] == "accept"
        try:
            actions.check_report(
                claim, accept, form.cleaned_data["reason"], acting_user=request.user
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                gettext("任务已通过验收。") if accept else gettext("已退回，并通知牵头单位。"),
            )
            return redirect("tasks:task", pk=task.pk)
    task.refresh_from_db(fields=["status"])
    context = _detail_context(request, task, check_form=form)
    return render(request, "tasks/task_detail.html", context)


@login_required
@require_POST
def reach(request: HttpRequest, milestone: int) -> HttpResponse:
    """The lead unit marks a milestone reached (today, or the posted day)."""
    require(request, Task, CHANGE)
    step = (
        Milestone.objects.filter(pk=milestone, task__in=Task.objects.restrict(request.user, VIEW))
        .select_related("task__lead_unit")
        .first()
    )
    if step is None:
        raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
    if not leads(request.user, step.task):
        raise refused(request, Task, CHANGE)
    try:
        actions.reach_milestone(step, request.POST.get("day") or None, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("已标记节点“%(text)s”完成。") % {"text": step.text})
    return redirect("tasks:task", pk=step.task_id)


@login_required
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead unit splits its task, one sub-task per unit below it (optional deadlines)."""
    require(request, Task, CHANGE)
    task = task_for(request, pk)
    if not leads(request.user, task):
        raise refused(request, Task, CHANGE)
    form = SplitForm(request.POST or None, lead_unit=task.lead_unit)
    if request.method == "POST" and form.is_valid():
        parts = []
        for pk_text in form.cleaned_data["units"]:
            part: dict[str, Any] = {"lead_unit": int(pk_text)}
            day = request.POST.get(f"deadline_{pk_text}", "").strip()
            if day:
                part["deadline"] = day
            parts.append(part)
        try:
            made = actions.split_task(task, parts, acting_user=request.user)
        except DomainError as error:
            error.errors = {SPLIT_FIELDS.get(k, "__all__"): v for k, v in error.errors.items()}
            apply_errors(form, error)
        else:
            messages.success(
                request, gettext("已分解为%(n)d项子任务，并通知各单位。") % {"n": len(made)}
            )
            return redirect("tasks:task", pk=task.pk)
    title = gettext("分解到下级单位")
    deadlines = {
        k[len("deadline_") :]: v for k, v in request.POST.items() if k.startswith("deadline_")
    }
    return render(
        request,
        "tasks/task_split.html",
        {
            "task": task,
            "form": form,
            "rows": [
                (
                    unit,
                    str(unit.pk) in (form["units"].value() or []),
                    deadlines.get(str(unit.pk), ""),
                )
                for unit in form.rows
            ],
            "page_title": title,
            "breadcrumbs": task_crumbs(request.user, task, (title, "")),
            "cancel_url": reverse("tasks:task", args=[task.pk]),
        },
    )


@login_required
def download(request: HttpRequest, file: int) -> FileResponse:
    """An evidence file, only to users who see the task; never cached publicly."""
    stored = get_scoped(request, ReportFile, VIEW, pk=file)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("文件不存在。")) from None
    kind = scan_type(handle.read(16))
    handle.seek(0)
    extension = kind[0] if kind else "bin"
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        filename=f"{stored.title}.{extension}",
        as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("tasks/<int:pk>/", detail, name="task"),
    path("tasks/<int:pk>/split/", split, name="task_split"),
    path("tasks/<int:pk>/report/", report, name="task_report"),
    path("reports/<int:report>/check/", check, name="report_check"),
    path("milestones/<int:milestone>/reach/", reach, name="milestone_reach"),
    path("report-files/<int:file>/", download, name="report_file"),
]
