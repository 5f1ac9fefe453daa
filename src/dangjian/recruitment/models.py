"""A recruitment case per person, its step records, reviews and scans.

`Case` keeps what the worklists sort and filter by (next step, its due date, who must act),
recomputed by `plan.refresh` after every action, so a worklist is one indexed query; days
overdue are computed from the due date when shown, never stored.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, IMPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.members.models import Person
from dangjian.orgs.models import Organization
from dangjian.recruitment.choices import (
    CaseStatus,
    Decision,
    RecordState,
    ReviewLevel,
    Stage,
)

STAFF_ACTIONS = {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT}


class Case(models.Model):
    """One person's way from application to conversion (发展党员全程纪实)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="recruitment_cases", verbose_name=_("人员")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="recruitment_cases",
        verbose_name=_("培养党支部"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    stage = models.PositiveSmallIntegerField(
        _("所处阶段"), choices=Stage.choices, default=Stage.APPLICATION
    )
    last_step = models.PositiveSmallIntegerField(_("已完成步骤"), default=0)
    last_step_on = models.DateField(_("最近步骤日期"), null=True, blank=True)
    next_step = models.PositiveSmallIntegerField(_("下一步骤"), null=True, blank=True)
    due_on = models.DateField(_("应完成日期"), null=True, blank=True, db_index=True)
    earliest_on = models.DateField(_("最早可办理日期"), null=True, blank=True)
    waiting_level = models.CharField(
        _("待审核层级"), max_length=16, choices=ReviewLevel.choices, blank=True
    )
    waiting_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recruitment_reviews_due",
        verbose_name=_("待审核党组织"),
    )
    returned_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    # Dates the rules and figures read, copied from the step records.
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定发展对象日期"), null=True, blank=True)
    voted_on = models.DateField(_("支部大会通过日期"), null=True, blank=True)
    admitted_on = models.DateField(_("上级党委审批日期"), null=True, blank=True)
    probation_ends_on = models.DateField(_("预备期满日期"), null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), default=0)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    close_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    is_legacy = models.BooleanField(_("历史导入"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: STAFF_ACTIONS,
            COMMITTEE: STAFF_ACTIONS,
            SECRETARY: {VIEW, ADD, CHANGE, EXPORT, IMPORT},
            MEMBER: {VIEW},
        },
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("发展党员档案")
        verbose_name_plural = _("发展党员档案")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="open"),
                name="recruitment_one_open_case",
                violation_error_message=_("此人已有进行中的发展党员档案。"),
            )
        ]
        indexes = [models.Index(fields=["status", "next_step"], name="recruitment_case_next")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_stage_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class StepRecord(models.Model):
    """A step as recorded: its date, its structured fields, and its review state."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="records", verbose_name=_("档案")
    )
    step = models.PositiveSmallIntegerField(_("步骤"))
    occurred_on = models.DateField(_("日期"))
    data: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("内容"), default=dict, blank=True
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=RecordState.choices, default=RecordState.DONE
    )
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Case.scope.actions,
        path_field="case__organization__path",
        self_filter=lambda user: Q(case__person__user=user),
    )

    class Meta:
        verbose_name = _("发展步骤记录")
        verbose_name_plural = _("发展步骤记录")
        ordering = ["case", "step", "occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                condition=~Q(step__in=[6, 21, 23, 24]),
                name="recruitment_step_once",
                violation_error_message=_("该步骤已登记。"),
            )
        ]

    def __str__(self) -> str:
        from dangjian.recruitment.steps import step

        return f"{self.step}. {step(self.step).label}"


class Review(models.Model):
    """A higher organization's decision on a submitted step (approved, or returned with a
    reason); the history stays when a step is resubmitted."""

    record = models.ForeignKey(
        StepRecord, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("步骤")
    )
    level = models.CharField(_("审核层级"), max_length=16, choices=ReviewLevel.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核党组织")
    )
    decision = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("意见"), max_length=300, blank=True)
    decided_on = models.DateField(_("审核日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: {VIEW}, COMMITTEE: {VIEW}, SECRETARY: {VIEW}, MEMBER: {VIEW}},
        path_field="record__case__organization__path",
        self_filter=lambda user: Q(record__case__person__user=user),
    )

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["record", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_decision_display()}"


def scan_path(instance: Attachment, filename: str) -> str:
    return f"recruitment/{instance.case_id}/{filename}"


class Attachment(models.Model):
    """A scan attached to a step (application letter, minutes, certificates…)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("档案")
    )
    step = models.PositiveSmallIntegerField(_("步骤"))
    title = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=scan_path)
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Case.scope.actions,
        path_field="case__organization__path",
        self_filter=lambda user: Q(case__person__user=user),
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["step", "id"]

    def __str__(self) -> str:
        return self.title
