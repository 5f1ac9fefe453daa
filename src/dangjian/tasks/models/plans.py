"""Implementation plans broken into checkable tasks, their milestones and progress reports.

A plan is issued by an organization; each task has a lead unit that reports progress and asks
for acceptance, and an issuer that checks it: the plan's organization, or for a sub-task (a
task split down the tree) the lead unit of the task it was split from.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import CHANGE, EXPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import OPEN_TASK, PlanStatus, ReportResult, TaskStatus
from dangjian.tasks.models.common import STAFF, STAFF_ACTIONS, StoredFile, user_field

# Lead units see and report on their tasks; the issuer (and those above it) check them.
TASK_ACTIONS: dict[str, frozenset[str]] = {
    role: frozenset({VIEW, CHANGE, EXPORT}) for role in STAFF
}
TASK_PATHS = ("lead_unit__path", "parent__lead_unit__path")


class Plan(models.Model):
    """An implementation plan (实施方案) issued by an organization for a period."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="task_plans",
        verbose_name=_("印发单位"),
    )
    title = models.CharField(_("方案名称"), max_length=200)
    source_document = models.CharField(_("依据文件"), max_length=300, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    created_by = user_field(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(actions={r: STAFF_ACTIONS for r in STAFF})

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """One checkable task of a plan: what, who leads, by when, and what makes it done."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("实施方案")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("上级任务"),
    )
    number = models.CharField(_("编号"), max_length=20)
    position = models.PositiveIntegerField(_("排序"), default=0)
    content = models.TextField(_("任务内容"))
    lead_unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("牵头单位")
    )
    cooperating_units = models.ManyToManyField(
        Organization, blank=True, related_name="cooperating_tasks", verbose_name=_("配合单位")
    )
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("完成时限"))
    criterion = models.TextField(_("验收标准"))
    status = models.CharField(
        _("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=TASK_ACTIONS, path_field="plan__organization__path", also_path_fields=TASK_PATHS
    )

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="tasks_task_number"),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="tasks_task_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.content[:30]}"

    @property
    def issuer(self) -> Organization:
        """Who checks this task: the plan's organization, or the unit that split it."""
        return self.parent.lead_unit if self.parent_id else self.plan.organization  # type: ignore[union-attr]

    def days_overdue(self, today: date | None = None) -> int:
        """Days past the deadline while not accepted (0 when on time or accepted)."""
        if self.status not in OPEN_TASK:
            return 0
        return max(0, ((today or timezone.localdate()) - self.deadline).days)


class Milestone(models.Model):
    """A dated step of a task (阶段节点), marked reached by the lead unit."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("任务")
    )
    due = models.DateField(_("节点日期"))
    text = models.CharField(_("节点要求"), max_length=200)
    reached_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("阶段节点")
        verbose_name_plural = _("阶段节点")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text


class TaskReport(models.Model):
    """A progress report of the lead unit; with `for_acceptance` it asks to be checked."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("任务")
    )
    text = models.TextField(_("进展情况"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    for_acceptance = models.BooleanField(_("申请验收"), default=False)
    result = models.CharField(
        _("审核结果"), max_length=12, choices=ReportResult.choices, default=ReportResult.NOTED
    )
    reason = models.TextField(_("审核意见"), blank=True)
    reported_by = user_field(_("报送人"))
    reported_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    checked_by = user_field(_("审核人"))
    checked_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=TASK_ACTIONS,
        path_field="task__plan__organization__path",
        also_path_fields=tuple(f"task__{path}" for path in TASK_PATHS),
    )

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


class ReportFile(StoredFile):
    """Evidence attached to a progress report."""

    report = models.ForeignKey(
        TaskReport, on_delete=models.CASCADE, related_name="files", verbose_name=_("进展报告")
    )

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=TASK_ACTIONS,
        path_field="report__task__plan__organization__path",
        also_path_fields=tuple(f"report__task__{path}" for path in TASK_PATHS),
    )

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]
