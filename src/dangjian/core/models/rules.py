"""Rule settings (an institution's values for the rules apps register) and exceptions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, VIEW, ScopedManager, ScopeSpec


class RuleSetting(models.Model):
    """An override of a registered rule: its value, whether it applies, refuse or warn."""

    code = models.CharField(_("规则编码"), max_length=80)
    # "" is the institution's general setting; a scope (see core.rules.SCOPES) overrides it.
    applies_to = models.CharField(_("适用范围"), max_length=32, blank=True, default="")
    value = models.JSONField(_("取值"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    severity = models.CharField(
        _("违反时"), max_length=8, choices=[("refuse", _("拒绝")), ("warn", _("提醒"))], blank=True
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("修改人"),
    )

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: {VIEW, CHANGE}, COMMITTEE: {VIEW}, SECRETARY: {VIEW}},
        path_field=None,
    )

    class Meta:
        verbose_name = _("规则设置")
        verbose_name_plural = _("规则设置")
        constraints = [
            models.UniqueConstraint(fields=["code", "applies_to"], name="core_rule_setting_scope")
        ]

    def __str__(self) -> str:
        return self.code


class RuleException(models.Model):
    """A breach accepted by an authorized user, with the justification on record."""

    code = models.CharField(_("规则编码"), max_length=80, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="rule_exceptions",
        verbose_name=_("党组织"),
    )
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    message = models.TextField(_("违反情况"))
    justification = models.TextField(_("理由"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: {VIEW, ADD}, COMMITTEE: {VIEW, ADD}, SECRETARY: {VIEW}}
    )

    class Meta:
        verbose_name = _("规则例外")
        verbose_name_plural = _("规则例外")

    def __str__(self) -> str:
        return f"{self.code} {self.object_type}#{self.object_id}"
