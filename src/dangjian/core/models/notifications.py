"""In-app inbox. E-mail and later channels are sent from the same rows."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import RoleKind
from dangjian.core.scope import CHANGE, VIEW, ScopedManager, ScopeSpec


class Notification(models.Model):
    """A message to one user; read when opened."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)
    key = models.CharField(
        _("提醒键"),
        max_length=120,
        blank=True,
        db_index=True,
        help_text=_("同一提醒每天只发一次：按接收人、键和日期去重。"),
    )

    objects = ScopedManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={role: {VIEW, CHANGE} for role in RoleKind},
        path_field=None,
        self_roles=frozenset(RoleKind),
        self_filter=lambda user: Q(recipient=user),
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
