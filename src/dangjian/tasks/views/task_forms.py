"""The task form (分解任务): add a task to a plan or change one, with its lead unit picked
within the issuer's subtree, cooperating units and milestones (repeated rows due + text);
and deleting a task. Only the issuer's staff (`save_task`/`delete_task` check it again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from dangjian.core.errors import DomainError
from dangjian.core.permissions import require
from dangjian.core.scope import CHANGE
from dangjian.core.views.forms import apply_errors
from dangjian.tasks import actions
from dangjian.tasks.actions.plans import MAX_MILESTONES
from dangjian.tasks.forms_plans import TaskForm
from dangjian.tasks.models import Plan, Task
from dangjian.tasks.views.tasks import issues, plan_crumbs, plan_for, refused, task_crumbs, task_for

EMPTY_ROWS = 2


def posted_milestones(request: HttpRequest) -> list[dict[str, str]]:
    """The milestone rows of the POST, fully empty rows left out."""
    dues = request.POST.getlist("milestone_due")
    texts = request.POST.getlist("milestone_text")
    rows = []
    for due, text in zip(dues, texts, strict=False):
        if due.strip() or text.strip():
            rows.append({"due": due.strip(), "text": text.strip()})
    return rows


def _initial(task: Task) -> dict[str, Any]:
    names = ("number", "responsible", "content", "criterion")
    initial: dict[str, Any] = {name: getattr(task, name) for name in names}
    initial["deadline"] = task.deadline.isoformat()
    initial["lead_unit"] = str(task.lead_unit_id)
    initial["cooperating_units"] = [
        str(pk) for pk in task.cooperating_units.values_list("pk", flat=True)
    ]
    return initial


def _save(request: HttpRequest, plan: Plan, task: Task | None) -> HttpResponse:
    issuer = task.issuer if task is not None else plan.organization
    initial = _initial(task) if task is not None else {}
    form = TaskForm(request.POST or None, issuer=issuer, plan=plan, initial=initial)
    milestone_error = ""
    if request.method == "POST":
        rows = posted_milestones(request)
    elif task is not None:
        rows = [{"due": m.due.isoformat(), "text": m.text} for m in task.milestones.all()]
    else:
        rows = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_task(plan, form.action_data(rows), task, acting_user=request.user)
        except DomainError as error:
            milestone_error = error.errors.pop("milestones", "")
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存任务%(n)s。") % {"n": saved.number})
            return redirect("tasks:plan", pk=plan.pk)
    title = gettext("添加任务") if task is None else gettext("修改任务")
    crumbs = (
        plan_crumbs(plan, (title, ""))
        if task is None
        else task_crumbs(request.user, task, (title, ""))
    )
    blanks = max(0, min(EMPTY_ROWS, MAX_MILESTONES - len(rows)))
    return render(
        request,
        "tasks/task_form.html",
        {
            "form": form,
            "plan": plan,
            "task": task,
            "issuer": issuer,
            "milestones": rows + [{"due": "", "text": ""}] * blanks,
            "milestone_error": milestone_error,
            "max_milestones": MAX_MILESTONES,
            "page_title": title,
            "breadcrumbs": crumbs,
            "cancel_url": reverse("tasks:task", args=[task.pk])
            if task
            else reverse("tasks:plan", args=[plan.pk]),
        },
    )


@login_required
def add(request: HttpRequest, plan: int) -> HttpResponse:
    found, _own = plan_for(request, plan, CHANGE)
    return _save(request, found, None)


def _issued_task(request: HttpRequest, pk: int) -> Task:
    """A task the user sees and may change as its issuer (403 when only its lead unit)."""
    require(request, Plan, CHANGE)
    task = task_for(request, pk)
    if not issues(request.user, task):
        raise refused(request, Plan, CHANGE)
    return task


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _issued_task(request, pk)
    return _save(request, task.plan, task)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _issued_task(request, pk)
    plan = task.plan
    warning = ""
    if request.method == "POST":
        try:
            actions.delete_task(task, acting_user=request.user)
        except DomainError as error:
            warning = error.message
        else:
            messages.success(request, gettext("已删除任务。"))
            return redirect("tasks:plan", pk=plan.pk)
    title = gettext("删除任务")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": title,
            "breadcrumbs": task_crumbs(request.user, task, (title, "")),
            "question": gettext("确定删除任务%(n)s“%(content)s”吗？其子任务一并删除。")
            % {"n": task.number, "content": task.content[:60]},
            "warning": warning,
            "danger": True,
            "submit_label": gettext("删除"),
            "cancel_url": reverse("tasks:task", args=[task.pk]),
        },
    )


urlpatterns: list[URLPattern] = [
    path("plans/<int:plan>/tasks/add/", add, name="task_add"),
    path("tasks/<int:pk>/edit/", edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", delete, name="task_delete"),
]
