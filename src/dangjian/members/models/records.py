"""What happens to a person: transfers, the timeline, and members' correction requests."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, EXPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.members.choices import (
    CorrectionStatus,
    EventKind,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.models.person import Person
from dangjian.orgs.models import Organization

# The protected-field name of a correction's proposed ID or phone number (core.crypto).
PROPOSED_FIELD = "members.correction.proposed"


class Transfer(models.Model):
    """A transfer of the party relationship (组织关系转接) with its introduction letter."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("人员")
    )
    direction = models.CharField(_("转接类型"), max_length=16, choices=TransferDirection.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.ISSUED
    )
    from_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("转出党组织"),
    )
    to_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("转入党组织"),
    )
    other_institution = models.CharField(_("校外党组织"), max_length=150, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=50)
    issued_on = models.DateField(_("开具日期"))
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, EXPORT},
            COMMITTEE: {VIEW, ADD, CHANGE, EXPORT},
            SECRETARY: {VIEW, ADD, CHANGE, EXPORT},
            MEMBER: {VIEW},
        },
        path_field="from_organization__path",
        also_path_fields=("to_organization__path",),
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person.name} {self.letter_no}"

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.ISSUED


class MemberEvent(models.Model):
    """One entry of a person's timeline, written by the actions (never edited)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="events", verbose_name=_("人员")
    )
    kind = models.CharField(_("事项"), max_length=24, choices=EventKind.choices)
    occurred_on = models.DateField(_("日期"))
    summary = models.CharField(_("摘要"), max_length=300)
    detail: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True
    )
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW},
            COMMITTEE: {VIEW},
            SECRETARY: {VIEW},
            MEMBER: {VIEW},
        },
        path_field="person__organization__path",
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("党员时间线")
        verbose_name_plural = _("党员时间线")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["person", "-occurred_on"], name="members_event_person")]

    def __str__(self) -> str:
        return self.summary


class CorrectionRequest(models.Model):
    """A member asks their branch to correct their own record."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("人员")
    )
    field = models.CharField(_("需更正的项目"), max_length=40)
    current_value = models.CharField(_("现登记内容"), max_length=200, blank=True)
    proposed_value = models.CharField(_("应更正为"), max_length=200)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    response = models.CharField(_("处理意见"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, CHANGE},
            COMMITTEE: {VIEW, CHANGE},
            SECRETARY: {VIEW, CHANGE},
            MEMBER: {VIEW, ADD},
        },
        path_field="person__organization__path",
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("信息更正申请")
        verbose_name_plural = _("信息更正申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.field}"
