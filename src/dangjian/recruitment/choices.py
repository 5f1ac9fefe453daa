"""Choices of the recruitment pipeline."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.IntegerChoices):
    """The five stages of 《中国共产党发展党员工作细则》."""

    APPLICATION = 1, _("申请入党")
    ACTIVIST = 2, _("入党积极分子的确定和培养教育")
    CANDIDATE = 3, _("发展对象的确定和考察")
    ADMISSION = 4, _("预备党员的接收")
    PROBATION = 5, _("预备党员的教育考察和转正")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CONVERTED = "converted", _("已转正")
    CANCELLED = "cancelled", _("已终止")
    DISQUALIFIED = "disqualified", _("取消预备党员资格")


class RecordState(models.TextChoices):
    """A step's record: done, waiting for a higher organization, or sent back."""

    DONE = "done", _("已完成")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")


class ReviewLevel(models.TextChoices):
    """Who reviews a step: the grassroots committee above the branch, or the university."""

    COMMITTEE = "committee", _("基层党委")
    UNIVERSITY = "university", _("学校党委")


class Decision(models.TextChoices):
    APPROVED = "approved", _("同意")
    RETURNED = "returned", _("退回")


class ConversionOutcome(models.TextChoices):
    ON_TIME = "on_time", _("按期转正")
    EXTENDED = "extended", _("延长预备期")
    DISQUALIFIED = "disqualified", _("取消预备党员资格")


class Source(models.TextChoices):
    """How an activist was put forward (党员推荐, 团组织推优, 群团组织推荐)."""

    MEMBERS = "members", _("党员推荐")
    LEAGUE = "league", _("团组织推优")
    MASS = "mass", _("群团组织推荐")


class Body(models.TextChoices):
    """Which meeting decided (支部委员会, or 支部党员大会 where there is no committee)."""

    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    ASSEMBLY = "assembly", _("支部党员大会")


class ReviewConclusion(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class CancelReason(models.TextChoices):
    WITHDRAWN = "withdrawn", _("本人撤回申请")
    NOT_QUALIFIED = "not_qualified", _("不再符合条件")
    LEFT_SCHOOL = "left_school", _("毕业或离校")
    TRANSFERRED = "transferred", _("转至其他单位培养")
    OTHER = "other", _("其他")
