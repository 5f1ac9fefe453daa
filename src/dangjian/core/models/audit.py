"""Append-only, hash-chained audit events (after zulip's RealmAuditLog, with a MAC chain)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import AUDIT_ADMIN
from dangjian.core.scope import EXPORT, VIEW, ScopedManager, ScopeSpec


class AuditCategory(models.TextChoices):
    BUSINESS = "business", _("业务操作")
    SECURITY = "security", _("安全事件")
    SYSTEM = "system", _("系统管理")


class AuditEvent(models.Model):
    """One event. `seq` numbers the chain; `mac` covers this row and the previous row's mac."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=255, blank=True)
    category = models.CharField(
        _("类别"), max_length=16, choices=AuditCategory.choices, default=AuditCategory.BUSINESS
    )
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    message = models.TextField(_("说明"), blank=True)
    prev_mac = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(actions={AUDIT_ADMIN: {VIEW, EXPORT}}, path_field=None)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["actor_name", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        """The action's Chinese name (the code stays visible beside it on the pages)."""
        from dangjian.core.audit import action_label

        return action_label(self.action)


class AuditChainHead(models.Model):
    """The chain's last sequence number and MAC; locked while a row is appended."""

    last_seq = models.BigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return gettext("审计链头 #%(last_seq)s") % {"last_seq": self.last_seq}
