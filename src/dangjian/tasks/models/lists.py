"""Responsibility, task and institution lists (主体责任清单、任务清单、制度清单) per
organization and year."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import ScopedQuerySet, ScopeSpec
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import ItemStatus, ListKind
from dangjian.tasks.models.common import STAFF, STAFF_ACTIONS, user_field


class ResponsibilityList(models.Model):
    """One organization's list of a kind for a year."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="duty_lists", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("清单类型"), max_length=16, choices=ListKind.choices)
    note = models.TextField(_("说明"), blank=True)
    created_by = user_field(_("创建人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(actions={r: STAFF_ACTIONS for r in STAFF})

    class Meta:
        verbose_name = _("责任清单")
        verbose_name_plural = _("责任清单")
        ordering = ["-year", "organization__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "kind"], name="tasks_list_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}"


class ListItem(models.Model):
    """One item of a list: what, who owns it, its status."""

    duty_list = models.ForeignKey(
        ResponsibilityList, on_delete=models.CASCADE, related_name="items", verbose_name=_("清单")
    )
    position = models.PositiveIntegerField(_("序号"), default=0)
    content = models.TextField(_("内容"))
    owner = models.CharField(_("责任人（部门）"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={r: STAFF_ACTIONS for r in STAFF}, path_field="duty_list__organization__path"
    )

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.content[:30]
