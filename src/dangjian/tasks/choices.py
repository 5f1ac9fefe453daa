"""Choices of plans, tasks, responsibility lists and problems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    ISSUED = "issued", _("已下发")
    CLOSED = "closed", _("已办结")


class TaskStatus(models.TextChoices):
    """A task's place in 下发 → 办理 → 申请验收 → 验收 (or 退回, back to work)."""

    DRAFT = "draft", _("未下发")
    IN_PROGRESS = "in_progress", _("办理中")
    SUBMITTED = "submitted", _("待验收")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已验收")


OPEN_TASK = (TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED, TaskStatus.RETURNED)


class ReportResult(models.TextChoices):
    NOTED = "noted", _("进度报告")
    PENDING = "pending", _("待验收")
    ACCEPTED = "accepted", _("通过验收")
    RETURNED = "returned", _("退回")


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("主体责任清单")
    TASK = "task", _("任务清单")
    INSTITUTION = "institution", _("制度清单")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")


class ProblemSource(models.TextChoices):
    INVESTIGATION = "investigation", _("调查研究")
    INSPECTION = "inspection", _("巡视巡察")
    SELF_REVIEW = "self_review", _("自查自纠")
    FEEDBACK = "feedback", _("意见反馈")


class ProblemLevel(models.TextChoices):
    UNIVERSITY = "university", _("学校层面")
    UNIT = "unit", _("二级单位层面")


class ProblemCategory(models.TextChoices):
    THEORY = "theory", _("理论学习")
    ORGANIZATION = "organization", _("组织建设")
    CONDUCT = "conduct", _("作风建设")
    INTEGRITY = "integrity", _("党风廉政")
    DEVELOPMENT = "development", _("事业发展")
    SERVICE = "service", _("服务师生")
    OTHER = "other", _("其他")


class ProblemStatus(models.TextChoices):
    """清单 → 台账 → 销号: listed, rectifying under a ledger entry, submitted, closed."""

    LISTED = "listed", _("已列入清单")
    RECTIFYING = "rectifying", _("整改中")
    SUBMITTED = "submitted", _("待核验")
    CLOSED = "closed", _("已销号")


OPEN_PROBLEM = (ProblemStatus.LISTED, ProblemStatus.RECTIFYING, ProblemStatus.SUBMITTED)


class ProblemStep(models.TextChoices):
    LISTED = "listed", _("列入清单")
    LEDGER = "ledger", _("建立台账")
    PROGRESS = "progress", _("整改进展")
    SUBMITTED = "submitted", _("申请销号")
    RETURNED = "returned", _("核验退回")
    CLOSED = "closed", _("核验销号")
    REOPENED = "reopened", _("重新打开")
