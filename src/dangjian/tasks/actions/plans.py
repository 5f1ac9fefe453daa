"""State changes of plans and tasks: draft, issue, split down the tree, report, check.

A plan is drafted and issued by an organization's staff; issuing starts every task. The lead
unit of a task reports progress with evidence and asks for acceptance; the issuer (the plan's
organization, or the unit that split the task) accepts it or returns it with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.scope import ADD, CHANGE, DELETE, covers
from dangjian.orgs.models import Organization
from dangjian.tasks.actions.common import Fields, handlers, refuse_outside, store_file
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, ReportResult, TaskStatus
from dangjian.tasks.models import Milestone, Plan, ReportFile, Task, TaskReport

MAX_MILESTONES = 12


def _plan_fields(data: Mapping[str, Any], plan: Plan | None) -> dict[str, Any]:
    fields = Fields(data, plan)
    fields.text("title", gettext("方案名称"), limit=200)
    fields.text("source_document", gettext("依据文件"), limit=300, required=False)
    starts = fields.day("starts_on", gettext("开始日期"))
    ends = fields.day("ends_on", gettext("结束日期"))
    if starts and ends and ends < starts:
        fields.fail("ends_on", gettext("结束日期不能早于开始日期。"))
    fields.text("description", gettext("说明"), required=False)
    if plan is not None and starts and ends:
        for task in plan.tasks.all():
            if task.deadline < starts or task.deadline > ends:
                fields.fail(
                    "starts_on" if task.deadline < starts else "ends_on",
                    gettext("任务%(number)s的完成时限（%(day)s）将落在方案期限之外。")
                    % {"number": task.number, "day": task.deadline.isoformat()},
                )
    return fields.done()


@domain_action("tasks.plan.create", "制定实施方案")
def create_plan(organization: Organization, data: Mapping[str, Any], *, acting_user: Any) -> Plan:
    """A new plan in draft."""
    refuse_outside(acting_user, Plan, ADD, organization)
    fields = _plan_fields(data, None)
    return Plan.objects.create(organization=organization, created_by=acting_user, **fields)


@domain_action("tasks.plan.update", "修改实施方案")
def update_plan(plan: Plan, data: Mapping[str, Any], *, acting_user: Any) -> Plan:
    refuse_outside(acting_user, Plan, CHANGE, plan.organization)
    if plan.status == PlanStatus.CLOSED:
        raise DomainError(gettext("方案已办结，不能修改。"))
    fields = _plan_fields(data, plan)
    changes = {k: (getattr(plan, k), v) for k, v in fields.items() if getattr(plan, k) != v}
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    track(plan, changes={k: [str(a), str(b)] for k, (a, b) in changes.items()})
    return plan


def _tell_lead_units(tasks: Iterable[Task], title: str, url: str = "") -> None:
    for unit in {task.lead_unit for task in tasks}:
        notify(handlers(unit), title, url=url)


@domain_action("tasks.plan.issue", "下发实施方案")
def issue_plan(plan: Plan, *, acting_user: Any) -> Plan:
    """Issue a drafted plan: its tasks start, and each lead unit is told."""
    refuse_outside(acting_user, Plan, CHANGE, plan.organization)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(gettext("方案已下发。"))
    tasks = list(plan.tasks.select_related("lead_unit"))
    if not tasks:
        raise DomainError(gettext("方案还没有任务，请先分解任务再下发。"))
    plan.status, plan.issued_at = PlanStatus.ISSUED, timezone.now()
    plan.save(update_fields=["status", "issued_at", "updated_at"])
    plan.tasks.filter(status=TaskStatus.DRAFT).update(status=TaskStatus.IN_PROGRESS)
    _tell_lead_units(
        tasks,
        gettext("新任务：%(plan)s") % {"plan": plan.title},
        f"/tasks/plans/{plan.pk}/",
    )
    track(plan, detail={"tasks": len(tasks)})
    return plan


@domain_action("tasks.plan.close", "办结实施方案")
def close_plan(plan: Plan, *, acting_user: Any) -> Plan:
    """Close an issued plan once every task is accepted."""
    refuse_outside(acting_user, Plan, CHANGE, plan.organization)
    if plan.status != PlanStatus.ISSUED:
        raise DomainError(gettext("只有已下发的方案才能办结。"))
    open_count = plan.tasks.exclude(status=TaskStatus.ACCEPTED).count()
    if open_count:
        raise DomainError(gettext("还有%(n)d项任务未通过验收，不能办结。") % {"n": open_count})
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status", "updated_at"])
    return plan


@domain_action("tasks.plan.delete", "删除实施方案")
def delete_plan(plan: Plan, *, acting_user: Any) -> None:
    refuse_outside(acting_user, Plan, DELETE, plan.organization)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(gettext("方案已下发，不能删除。"))
    track(plan, detail={"title": plan.title})
    plan.delete()


def _next_number(plan: Plan, parent: Task | None) -> str:
    siblings = plan.tasks.filter(parent=parent).count()
    return f"{parent.number}.{siblings + 1}" if parent else str(siblings + 1)


def _milestones(value: Any, plan: Plan, deadline: date | None, fields: Fields) -> list[Milestone]:
    rows: list[Milestone] = []
    for n, item in enumerate(value or [], start=1):
        if not isinstance(item, Mapping):
            fields.fail("milestones", gettext("阶段节点格式不正确。"))
            break
        one = Fields(item)
        due = one.day("due", gettext("节点日期"))
        text = one.text("text", gettext("节点要求"), limit=200)
        for problem in one.errors.values():
            fields.fail(
                "milestones", gettext("第%(n)d个节点：%(problem)s") % {"n": n, "problem": problem}
            )
        if due and (due < plan.starts_on or (deadline and due > deadline)):
            fields.fail(
                "milestones",
                gettext("第%(n)d个节点的日期应在方案开始日期与任务完成时限之间。") % {"n": n},
            )
        if due and text:
            rows.append(Milestone(due=due, text=text))
    if len(rows) > MAX_MILESTONES:
        fields.fail("milestones", gettext("阶段节点不能超过%(n)d个。") % {"n": MAX_MILESTONES})
    return rows


def _task_fields(
    plan: Plan, data: Mapping[str, Any], task: Task | None, parent: Task | None
) -> tuple[dict[str, Any], list[Organization], list[Milestone] | None]:
    fields = Fields(data, task)
    number = fields.text("number", gettext("编号"), limit=20, required=False)
    if not number:
        fields.out["number"] = task.number if task else _next_number(plan, parent)
    elif plan.tasks.filter(number=number).exclude(pk=task.pk if task else 0).exists():
        fields.fail("number", gettext("编号%(n)s已被本方案的其他任务使用。") % {"n": number})
    fields.text("content", gettext("任务内容"), limit=2000)
    fields.text("criterion", gettext("验收标准"), limit=1000)
    fields.text("responsible", gettext("责任人"), limit=50, required=False)
    within = parent.lead_unit if parent else plan.organization
    lead = fields.raw("lead_unit") if "lead_unit" in data else (task.lead_unit if task else None)
    fields.out["lead_unit"] = fields.unit(lead, "lead_unit", within, gettext("请选择单位。"))
    cooperating: list[Organization] = []
    for value in data.get("cooperating_units") or []:
        unit = fields.unit(value, "cooperating_units", plan.organization, gettext("请选择单位。"))
        if unit is not None and unit != fields.out["lead_unit"]:
            cooperating.append(unit)
    deadline = fields.day("deadline", gettext("完成时限"))
    if deadline and deadline < plan.starts_on:
        fields.fail(
            "deadline",
            gettext("完成时限不能早于方案开始日期（%(day)s）。")
            % {"day": plan.starts_on.isoformat()},
        )
    elif deadline and deadline > plan.ends_on:
        fields.fail(
            "deadline",
            gettext("完成时限不能晚于方案结束日期（%(day)s）。")
            % {"day": plan.ends_on.isoformat()},
        )
    elif deadline and parent and deadline > parent.deadline:
        fields.fail(
            "deadline",
            gettext("完成时限不能晚于上级任务的完成时限（%(day)s）。")
            % {"day": parent.deadline.isoformat()},
        )
    milestones = (
        _milestones(data["milestones"], plan, deadline, fields) if "milestones" in data else None
    )
    return fields.done(), cooperating, milestones


def _save_task(
    plan: Plan,
    data: Mapping[str, Any],
    task: Task | None,
    parent: Task | None,
) -> Task:
    fields, cooperating, milestones = _task_fields(plan, data, task, parent)
    if task is None:
        position = (plan.tasks.aggregate(top=Max("position"))["top"] or 0) + 1
        started = plan.status == PlanStatus.ISSUED
        task = Task.objects.create(
            plan=plan,
            parent=parent,
            position=position,
            status=TaskStatus.IN_PROGRESS if started else TaskStatus.DRAFT,
            **fields,
        )
        track(task, detail={"plan": plan.pk, "number": task.number})
    else:
        changes = {
            k: [str(getattr(task, k)), str(v)] for k, v in fields.items() if getattr(task, k) != v
        }
        for name, value in fields.items():
            setattr(task, name, value)
        task.save()
        track(task, changes=changes)
    if "cooperating_units" in data:
        task.cooperating_units.set(cooperating)
    if milestones is not None:
        task.milestones.all().delete()
        for row in milestones:
            row.task = task
        Milestone.objects.bulk_create(milestones)
    return task


@domain_action("tasks.task.save", "分解任务")
def save_task(
    plan: Plan, data: Mapping[str, Any], task: Task | None = None, *, acting_user: Any
) -> Task:
    """Add a task to a plan or change one (not once accepted, nor in a closed plan)."""
    if task is not None and task.parent_id:
        refuse_outside(acting_user, Plan, CHANGE, task.issuer)
    else:
        refuse_outside(acting_user, Plan, CHANGE, plan.organization)
    if plan.status == PlanStatus.CLOSED:
        raise DomainError(gettext("方案已办结，不能修改任务。"))
    if task is not None and task.status == TaskStatus.ACCEPTED:
        raise DomainError(gettext("任务已通过验收，不能修改。"))
    return _save_task(plan, data, task, task.parent if task else None)


@domain_action("tasks.task.delete", "删除任务")
def delete_task(task: Task, *, acting_user: Any) -> None:
    """Remove a task that has no reports yet (nor sub-tasks with reports)."""
    refuse_outside(acting_user, Plan, CHANGE, task.issuer)
    if TaskReport.objects.filter(task__in=[task, *task.children.all()]).exists():
        raise DomainError(gettext("任务已有进展报告，不能删除。"))
    track(task, detail={"number": task.number})
    task.delete()


@domain_action("tasks.task.split", "任务分解到下级")
def split_task(task: Task, parts: Sequence[Mapping[str, Any]], *, acting_user: Any) -> list[Task]:
    """The lead unit splits its task into sub-tasks, one per unit below it; it then checks
    them as their issuer."""
    refuse_outside(acting_user, Task, CHANGE, task.lead_unit)
    if task.parent_id:
        raise DomainError(gettext("子任务不能再分解。"))
    if task.status not in OPEN_TASK:
        raise DomainError(gettext("只有办理中的任务才能分解。"))
    if not parts:
        raise DomainError({"parts": gettext("请至少选择一个下级单位。")})
    made = []
    for part in parts:
        data = {
            "content": task.content,
            "criterion": task.criterion,
            "deadline": task.deadline,
        } | dict(part)
        try:
            made.append(_save_task(task.plan, data, None, task))
        except DomainError as error:
            unit = part.get("lead_unit")
            name = (
                Organization.objects.filter(pk=getattr(unit, "pk", unit))
                .values_list("name", flat=True)
                .first()
                if str(getattr(unit, "pk", unit) or "").isdigit()
                else ""
            )
            raise DomainError(
                {k: f"{name}：{v}" if name else v for k, v in error.errors.items()}
            ) from None
    _tell_lead_units(made, gettext("新任务：%(task)s") % {"task": task.content[:40]})
    return made


def _children_open(task: Task) -> int:
    return task.children.exclude(status=TaskStatus.ACCEPTED).count()


@domain_action("tasks.task.report", "报送任务进展")
def report_progress(
    task: Task,
    data: Mapping[str, Any],
    files: Sequence[Any] = (),
    *,
    acting_user: Any,
) -> TaskReport:
    """The lead unit reports progress, with evidence; `for_acceptance` asks the issuer to check."""
    if acting_user is not None and not covers(acting_user, Task, CHANGE, task.lead_unit.path):
        raise DomainError(gettext("该任务不是本单位牵头的任务，不能报送进展。"))
    if task.plan.status != PlanStatus.ISSUED:
        raise DomainError(gettext("方案尚未下发或已办结，不能报送进展。"))
    if task.status == TaskStatus.ACCEPTED:
        raise DomainError(gettext("任务已通过验收。"))
    if task.status == TaskStatus.SUBMITTED:
        raise DomainError(gettext("任务已申请验收，请等待审核结果。"))
    fields = Fields(data)
    text = fields.text("text", gettext("进展情况"), limit=5000)
    asks = str(data.get("for_acceptance", "")).lower() in ("1", "true", "on", "yes")
    progress = 100 if asks else fields.number("progress", gettext("进度"), 0, 100)
    if asks and not files and not task.reports.filter(files__isnull=False).exists():
        fields.fail("files", gettext("申请验收须上传佐证材料。"))
    if asks and _children_open(task):
        fields.fail(
            "for_acceptance",
            gettext("还有%(n)d项子任务未通过验收，不能申请验收。") % {"n": _children_open(task)},
        )
    fields.done()
    report = TaskReport.objects.create(
        task=task,
        text=text,
        progress=progress or 0,
        for_acceptance=asks,
        result=ReportResult.PENDING if asks else ReportResult.NOTED,
        reported_by=acting_user,
    )
    for upload in files:
        store_file(ReportFile(report=report), "", upload, acting_user=acting_user)
    task.progress = max(task.progress, progress or 0)
    if asks:
        task.status = TaskStatus.SUBMITTED
        notify(
            handlers(task.issuer),
            gettext("任务申请验收：%(number)s %(task)s")
            % {"number": task.number, "task": task.content[:40]},
            url=f"/tasks/tasks/{task.pk}/",
        )
    elif task.status == TaskStatus.RETURNED:
        task.status = TaskStatus.IN_PROGRESS
    task.save(update_fields=["progress", "status"])
    track(report, detail={"task": task.pk, "progress": report.progress, "for_acceptance": asks})
    return report


@domain_action("tasks.task.check", "验收任务")
def check_report(
    report: TaskReport, accept: bool, reason: str = "", *, acting_user: Any
) -> TaskReport:
    """The issuer accepts the task, or returns it with the reason."""
    task = report.task
    if acting_user is not None and not covers(acting_user, Plan, CHANGE, task.issuer.path):
        raise DomainError(gettext("只有任务的下发单位才能验收。"))
    if report.result != ReportResult.PENDING or task.status != TaskStatus.SUBMITTED:
        raise DomainError(gettext("该报告不是待验收的申请。"))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError({"reason": gettext("退回时请说明理由。")})
    now = timezone.now()
    report.result = ReportResult.ACCEPTED if accept else ReportResult.RETURNED
    report.reason, report.checked_by, report.checked_at = reason, acting_user, now
    report.save(update_fields=["result", "reason", "checked_by", "checked_at"])
    if accept:
        task.status, task.accepted_at, task.progress = TaskStatus.ACCEPTED, now, 100
        task.completed_on = timezone.localdate(report.reported_at)
    else:
        task.status = TaskStatus.RETURNED
    task.save(update_fields=["status", "accepted_at", "progress", "completed_on"])
    title = (gettext("任务已通过验收：%(task)s") if accept else gettext("任务被退回：%(task)s")) % {
        "task": f"{task.number} {task.content[:40]}"
    }
    notify(handlers(task.lead_unit), title, reason, f"/tasks/tasks/{task.pk}/")
    track(report, detail={"task": task.pk, "accepted": accept})
    return report


@domain_action("tasks.milestone.reach", "完成阶段节点")
def reach_milestone(milestone: Milestone, day: Any = None, *, acting_user: Any) -> Milestone:
    task = milestone.task
    if acting_user is not None and not covers(acting_user, Task, CHANGE, task.lead_unit.path):
        raise DomainError(gettext("该任务不是本单位牵头的任务。"))
    fields = Fields({"reached_on": day or timezone.localdate()})
    reached = fields.day("reached_on", gettext("完成日期"))
    fields.done()
    milestone.reached_on = reached
    milestone.save(update_fields=["reached_on"])
    return milestone
