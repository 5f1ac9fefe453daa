"""Cadres: people with a cadre record (处级 and above), the subjects of cadre supervision."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, IMPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.members.choices import CadreRank, CadreStatus
from dangjian.members.models.person import Person


class Cadre(models.Model):
    """A person's cadre record: rank, position, unit and leadership team."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="cadre", verbose_name=_("人员")
    )
    rank = models.CharField(_("职级"), max_length=24, choices=CadreRank.choices, db_index=True)
    position = models.CharField(_("现任职务"), max_length=100)
    unit = models.CharField(_("任职单位"), max_length=100)
    team = models.CharField(_("所在领导班子"), max_length=100, blank=True)
    is_university_leader = models.BooleanField(_("校领导班子成员"), default=False)
    appointed_on = models.DateField(_("任现职日期"), null=True, blank=True)
    rank_since = models.DateField(_("任现职级日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CadreStatus.choices, default=CadreStatus.IN_OFFICE
    )
    left_office_on = models.DateField(_("离任日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # Cadres are managed by the organization department; committees see their own unit's.
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT},
            COMMITTEE: {VIEW, EXPORT},
        },
        path_field="person__organization__path",
    )

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["rank", "person__name_pinyin"]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.position}）"
