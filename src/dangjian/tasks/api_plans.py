"""The tasks API, plans and tasks (督办): plans, their checkable tasks, splitting a task down the
tree, progress reports and their check, and tasks across plans.

A plan is its organization's (`Plan` scope); a task is seen by the plan's organization, its
lead unit and, for a sub-task, the unit that split it. Who may act is checked before the
action so a caller who sees a record but may not do this to it gets 403: the issuer drafts,
changes and checks; the lead unit reports and splits. Also the helpers the other topics share
(organizations named in a body, Base64 evidence files).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Status
from ninja.errors import ValidationError

from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW
from dangjian.orgs.api_kit import PageQuery, anchor, day_filter, located, may, page_of
from dangjian.orgs.models import Organization
from dangjian.tasks import actions
from dangjian.tasks.api import router
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, TaskStatus
from dangjian.tasks.models import Plan, Task, TaskReport
from dangjian.tasks.schemas import (
    CheckIn,
    FileIn,
    PlanDetail,
    PlanIn,
    PlanPage,
    PlanPatch,
    ReportIn,
    ReportOut,
    SplitIn,
    TaskDetail,
    TaskIn,
    TaskOut,
    TaskPage,
    TaskPatch,
)

# --- helpers shared with api_problems and api_lists -------------------------------------------


def organization(request: HttpRequest, pk: Any) -> Organization:
    """An organization named in a body: 404 when unknown or outside the caller's scope."""
    return get_scoped(request, Organization, VIEW, pk=pk)


def uploads(files: Iterable[FileIn]) -> list[SimpleUploadedFile]:
    """Base64 evidence as uploads (the action checks their content); bad Base64 is 422."""
    found = []
    for n, one in enumerate(files):
        try:
            content = base64.b64decode(one.content, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(
                [
                    {
                        "loc": ["body", "files", n, "content"],
                        "msg": gettext("第%(n)d个文件的内容不是有效的Base64编码。") % {"n": n + 1},
                        "type": "base64",
                    }
                ]
            ) from None
        found.append(SimpleUploadedFile(one.name, content))
    return found


def count_of(model: type[models.Model], link: str, **condition: Any) -> Coalesce:
    """A count of related rows as a subquery (no join product in a list)."""
    rows = (
        model._default_manager.filter(**{link: OuterRef("pk")}, **condition)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


# --- plans ------------------------------------------------------------------------------------


class PlanQuery(PageQuery):
    within: int | None = NinjaField(None, description="只列出此党组织（id）及其下级印发的方案")
    status: PlanStatus | None = NinjaField(None, description="状态")
    q: str | None = NinjaField(None, max_length=100, description="方案名称或依据文件包含")


def plans(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    return queryset.select_related("organization").annotate(
        task_count=count_of(Task, "plan"),
        accepted_count=count_of(Task, "plan", status=TaskStatus.ACCEPTED),
    )


def plan_detail(plan: Plan) -> Plan:
    return plans(Plan.objects.filter(pk=plan.pk)).get()


@router.get(
    "/plans",
    response=PlanPage,
    summary="实施方案列表",
    description="调用者范围内的党组织印发的实施方案，按开始日期倒序分页，含任务数和已验收数。",
)
def list_plans(request: HttpRequest, filters: Query[PlanQuery]) -> dict[str, Any]:
    """A page of the plans the caller may see."""
    require(request, Plan, VIEW)
    queryset = plans(Plan.objects.restrict(request.user, VIEW))
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(organization__path__startswith=org.path)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        queryset = queryset.filter(Q(title__icontains=text) | Q(source_document__icontains=text))
    return page_of(queryset, filters)


@router.post(
    "/plans",
    response={201: PlanDetail},
    summary="制定实施方案",
    description="党组织制定一份实施方案（草拟），再分解任务、下发。",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[Plan]:
    require(request, Plan, ADD)
    org = organization(request, payload.organization)
    may(request, Plan, ADD, org)
    data = payload.model_dump(exclude={"organization"}, exclude_unset=True)
    plan = located(lambda: actions.create_plan(org, data, acting_user=request.user))
    return Status(201, plan_detail(plan))


@router.get(
    "/plans/{plan_id}", response=PlanDetail, summary="实施方案详情", description="方案及任务统计。"
)
def get_plan(request: HttpRequest, plan_id: int) -> Plan:
    return plan_detail(get_scoped(request, Plan, VIEW, pk=plan_id))


@router.patch(
    "/plans/{plan_id}",
    response=PlanDetail,
    summary="修改实施方案",
    description="只改请求中给出的字段；已办结的方案不能修改，任务的完成时限须仍在方案期限之内。",
)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> Plan:
    plan = get_scoped(request, Plan, CHANGE, pk=plan_id)
    data = payload.model_dump(exclude_unset=True)
    located(lambda: actions.update_plan(plan, data, acting_user=request.user))
    return plan_detail(plan)


@router.delete(
    "/plans/{plan_id}",
    response={204: None},
    summary="删除实施方案",
    description="只能删除尚未下发的方案（连同其任务）。",
)
def delete_plan(request: HttpRequest, plan_id: int) -> Status[None]:
    plan = get_scoped(request, Plan, DELETE, pk=plan_id)
    located(lambda: actions.delete_plan(plan, acting_user=request.user))
    return Status(204, None)


@router.post(
    "/plans/{plan_id}/issue",
    response=PlanDetail,
    summary="下发实施方案",
    description="下发草拟的方案：各任务开始办理，并通知各牵头单位。没有任务的方案不能下发。",
)
def issue_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = get_scoped(request, Plan, CHANGE, pk=plan_id)
    located(lambda: actions.issue_plan(plan, acting_user=request.user))
    return plan_detail(plan)


@router.post(
    "/plans/{plan_id}/close",
    response=PlanDetail,
    summary="办结实施方案",
    description="全部任务通过验收后办结方案。",
)
def close_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = get_scoped(request, Plan, CHANGE, pk=plan_id)
    located(lambda: actions.close_plan(plan, acting_user=request.user))
    return plan_detail(plan)


# --- tasks ------------------------------------------------------------------------------------


def tasks(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("lead_unit")


def task_detail(task: Task) -> Task:
    return (
        Task.objects.select_related("plan__organization", "lead_unit", "parent__lead_unit")
        .prefetch_related("cooperating_units", "milestones")
        .get(pk=task.pk)
    )


def _task_values(request: HttpRequest, payload: TaskIn | TaskPatch) -> dict[str, Any]:
    """The body as `actions.save_task` takes it, organizations looked up in scope (404)."""
    data = payload.model_dump(exclude_unset=True)
    if data.get("lead_unit") is not None:
        data["lead_unit"] = organization(request, data["lead_unit"])
    if "cooperating_units" in data:
        data["cooperating_units"] = [
            organization(request, pk) for pk in dict.fromkeys(data["cooperating_units"] or [])
        ]
    return data


def _issuer_may(request: HttpRequest, task: Task) -> None:
    """Only the issuer's staff change, remove or check a task (403 for its lead unit)."""
    may(request, Plan, CHANGE, task.issuer)


@router.get(
    "/plans/{plan_id}/tasks",
    response=list[TaskOut],
    summary="方案的任务",
    description="方案的全部任务（含分解到下级的子任务），按排序。",
)
def list_plan_tasks(request: HttpRequest, plan_id: int) -> list[Task]:
    plan = get_scoped(request, Plan, VIEW, pk=plan_id)
    return list(tasks(plan.tasks.all()))


@router.post(
    "/plans/{plan_id}/tasks",
    response={201: TaskDetail},
    summary="分解任务",
    description="为方案添加一项任务：内容、牵头单位（印发单位或其下级）、配合单位、责任人、完成时限、"
    "验收标准和阶段节点。已下发的方案新增的任务直接开始办理。",
)
def create_task(request: HttpRequest, plan_id: int, payload: TaskIn) -> Status[Task]:
    plan = get_scoped(request, Plan, CHANGE, pk=plan_id)
    data = _task_values(request, payload)
    task = located(lambda: actions.save_task(plan, data, acting_user=request.user))
    return Status(201, task_detail(task))


@router.get(
    "/tasks/{task_id}",
    response=TaskDetail,
    summary="任务详情",
    description="任务、验收单位、配合单位和阶段节点。",
)
def get_task(request: HttpRequest, task_id: int) -> Task:
    return task_detail(get_scoped(request, Task, VIEW, pk=task_id))


@router.patch(
    "/tasks/{task_id}",
    response=TaskDetail,
    summary="修改任务",
    description="下发单位修改给出的字段（牵头单位只能报送进展，403）；已验收的任务不能修改。",
)
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    task = get_scoped(request, Task, CHANGE, pk=task_id)
    _issuer_may(request, task)
    data = _task_values(request, payload)
    located(lambda: actions.save_task(task.plan, data, task, acting_user=request.user))
    return task_detail(task)


@router.delete(
    "/tasks/{task_id}",
    response={204: None},
    summary="删除任务",
    description="下发单位删除还没有进展报告的任务（连同其子任务）。",
)
def delete_task(request: HttpRequest, task_id: int) -> Status[None]:
    task = get_scoped(request, Task, CHANGE, pk=task_id)
    _issuer_may(request, task)
    located(lambda: actions.delete_task(task, acting_user=request.user))
    return Status(204, None)


@router.post(
    "/tasks/{task_id}/split",
    response={201: list[TaskOut]},
    summary="任务分解到下级",
    description="牵头单位把办理中的任务分解给下级单位，每个单位一项子任务；未给出的内容、验收标准、"
    "完成时限同上级任务。子任务由分解单位验收。任一项被拒绝则全部不保存。",
)
def split_task(request: HttpRequest, task_id: int, payload: SplitIn) -> Status[list[Task]]:
    task = get_scoped(request, Task, CHANGE, pk=task_id)
    may(request, Task, CHANGE, task.lead_unit)
    parts = []
    for part in payload.parts:
        values = part.model_dump(exclude_unset=True)
        values["lead_unit"] = organization(request, part.lead_unit)
        parts.append(values)
    made = located(lambda: actions.split_task(task, parts, acting_user=request.user))
    return Status(201, list(tasks(Task.objects.filter(pk__in=[t.pk for t in made]))))


class TaskQuery(PageQuery):
    within: int | None = NinjaField(
        None, description="只列出牵头单位在此党组织（id）及其下级的任务"
    )
    plan: int | None = NinjaField(None, description="实施方案 id")
    status: TaskStatus | None = NinjaField(None, description="状态")
    overdue: bool | None = NinjaField(None, description="true 只列出超期未验收的任务")
    top: bool | None = NinjaField(None, description="true 只列出方案的一级任务（不含子任务）")
    deadline_from: str | None = NinjaField(None, description="完成时限不早于（YYYY-MM-DD）")
    deadline_to: str | None = NinjaField(None, description="完成时限不晚于（YYYY-MM-DD）")


@router.get(
    "/tasks",
    response=TaskPage,
    summary="任务督办列表",
    description="调用者能看到的各方案的任务（本单位牵头的、本单位下发的），按完成时限排序分页；"
    "可筛选超期未验收的任务。",
)
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> dict[str, Any]:
    require(request, Task, VIEW)
    queryset = tasks(Task.objects.restrict(request.user, VIEW)).order_by("deadline", "id")
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(lead_unit__path__startswith=org.path)
    if filters.plan is not None:
        queryset = queryset.filter(plan_id=filters.plan)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.overdue:
        queryset = queryset.filter(status__in=OPEN_TASK, deadline__lt=timezone.localdate())
    if filters.top:
        queryset = queryset.filter(parent__isnull=True)
    first = day_filter(filters.deadline_from, "deadline_from")
    last = day_filter(filters.deadline_to, "deadline_to")
    if first is not None:
        queryset = queryset.filter(deadline__gte=first)
    if last is not None:
        queryset = queryset.filter(deadline__lte=last)
    return page_of(queryset, filters)


# --- reports ----------------------------------------------------------------------------------


def reports(queryset: QuerySet[TaskReport]) -> QuerySet[TaskReport]:
    return queryset.select_related("reported_by", "checked_by").prefetch_related("files")


@router.get(
    "/tasks/{task_id}/reports",
    response=list[ReportOut],
    summary="任务进展报告",
    description="任务的进展报告和验收申请，最新的在前，含审核结果和佐证材料。",
)
def list_reports(request: HttpRequest, task_id: int) -> list[TaskReport]:
    task = get_scoped(request, Task, VIEW, pk=task_id)
    return list(reports(TaskReport.objects.filter(task=task)))


@router.post(
    "/tasks/{task_id}/reports",
    response={201: ReportOut},
    summary="报送任务进展",
    description="牵头单位报送进展（text、progress），或申请验收（for_acceptance: true，须有佐证材料，"
    "子任务均已验收）。佐证材料以 Base64 放在 files 中（PDF、JPG或PNG，单个不超过10MB，"
    "整个请求不超过10MB），也可在网页中上传。",
)
def create_report(request: HttpRequest, task_id: int, payload: ReportIn) -> Status[TaskReport]:
    task = get_scoped(request, Task, CHANGE, pk=task_id)
    may(request, Task, CHANGE, task.lead_unit)
    files = uploads(payload.files)
    data = payload.model_dump(exclude={"files"})
    report = located(lambda: actions.report_progress(task, data, files, acting_user=request.user))
    return Status(201, reports(TaskReport.objects.filter(pk=report.pk)).get())


@router.post(
    "/reports/{report_id}/check",
    response=ReportOut,
    summary="验收任务",
    description="下发单位审核验收申请：accept 为 true 通过验收，false 退回（须说明理由）。",
)
def check_report(request: HttpRequest, report_id: int, payload: CheckIn) -> TaskReport:
    report = get_scoped(request, TaskReport, CHANGE, pk=report_id)
    _issuer_may(request, report.task)
    located(
        lambda: actions.check_report(
            report, payload.accept, payload.reason, acting_user=request.user
        )
    )
    return reports(TaskReport.objects.filter(pk=report.pk)).get()
