"""Problem lists and their rectification: 清单 → 台账 → 销号.

A problem is listed by an issuer (the university committee for school-level problems, a
grassroots committee for its own) and assigned to a responsible unit, which records the
rectification measures, person and deadline (the ledger entry), reports progress, and asks for
close-out with evidence; the issuer verifies and closes it (销号), returns it, or reopens it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import ScopedQuerySet, ScopeSpec
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import (
    OPEN_PROBLEM,
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    ProblemStep,
)
from dangjian.tasks.models.common import STAFF, STAFF_ACTIONS, StoredFile, user_field

PROBLEM_SCOPE = ScopeSpec(
    actions={r: STAFF_ACTIONS for r in STAFF},
    path_field="unit__path",
    also_path_fields=("issuer__path",),
)


class Problem(models.Model):
    """One problem of a problem list and its rectification ledger entry."""

    issuer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="issued_problems",
        verbose_name=_("列出单位"),
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="problems", verbose_name=_("责任单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    number = models.CharField(_("编号"), max_length=20)
    level = models.CharField(_("层面"), max_length=12, choices=ProblemLevel.choices)
    source = models.CharField(_("问题来源"), max_length=16, choices=ProblemSource.choices)
    category = models.CharField(_("问题类别"), max_length=16, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    measures = models.TextField(_("整改措施"), blank=True)
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.LISTED
    )
    listed_on = models.DateField(_("列入日期"), default=timezone.localdate)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    verification = models.TextField(_("核验意见"), blank=True)
    verified_by = user_field(_("核验人"))
    reopened_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    # A problem like one closed in an earlier year for the same unit (text similarity).
    recurring_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        verbose_name=_("疑似反弹于"),
    )
    similarity = models.FloatField(_("相似度"), null=True, blank=True)
    created_by = user_field(_("创建人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = PROBLEM_SCOPE

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["-year", "issuer_id", "number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], name="tasks_problem_number"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="tasks_problem_unit"),
            models.Index(fields=["listed_on"], name="tasks_problem_listed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description[:30]}"

    @property
    def is_recurring(self) -> bool:
        return self.recurring_of_id is not None

    def days_overdue(self, today: date | None = None) -> int:
        if self.status not in OPEN_PROBLEM or self.deadline is None:
            return 0
        return max(0, ((today or timezone.localdate()) - self.deadline).days)

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.listed_on).days if self.closed_on else None


class ProblemFile(StoredFile):
    """Evidence of a problem's rectification."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="files", verbose_name=_("问题")
    )

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=PROBLEM_SCOPE.actions,
        path_field="problem__unit__path",
        also_path_fields=("problem__issuer__path",),
    )

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["id"]


class ProblemLog(models.Model):
    """One step of the loop, shown as the problem's timeline."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="log", verbose_name=_("问题")
    )
    step = models.CharField(_("环节"), max_length=12, choices=ProblemStep.choices)
    note = models.TextField(_("说明"), blank=True)
    by = user_field(_("办理人"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_step_display()
