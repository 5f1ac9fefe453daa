"""Rule settings (an institution's values for the rules apps register) and exceptions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from dangjian.core.roles import COMMITTEE, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, VIEW, ScopedManager, ScopeSpec


class RuleSetting(models.Model):
    """An override of a registered rule: its value, whether it applies, refuse or warn."""

    code = models.CharField("规则编码", max_length=80, unique=True)
    value = models.JSONField("取值", null=True, blank=True)
    enabled = models.BooleanField("启用", default=True)
    severity = models.CharField(
        "违反时", max_length=8, choices=[("refuse", "拒绝"), ("warn", "提醒")], blank=True
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: {VIEW, CHANGE}, COMMITTEE: {VIEW}, SECRETARY: {VIEW}},
        path_field=None,
    )

    class Meta:
        verbose_name = "规则设置"
        verbose_name_plural = "规则设置"

    def __str__(self) -> str:
        return self.code


class RuleException(models.Model):
    """A breach accepted by an authorized user, with the justification on record."""

    code = models.CharField("规则编码", max_length=80, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="rule_exceptions",
        verbose_name="党组织",
    )
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    message = models.TextField("违反情况")
    justification = models.TextField("理由")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人",
    )

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: {VIEW, ADD}, COMMITTEE: {VIEW, ADD}, SECRETARY: {VIEW}}
    )

    class Meta:
        verbose_name = "规则例外"
        verbose_name_plural = "规则例外"

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}#{self.object_id}"
