"""The organization tree (materialized path) and committee terms."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import (
    ADD,
    CHANGE,
    DELETE,
    EXPORT,
    IMPORT,
    VIEW,
    ScopedQuerySet,
    ScopeSpec,
)
from dangjian.orgs.choices import BRANCH_LEVELS, Kind, Level, Position, Status


def pinyin_of(text: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese name, for 'zs' → 张三 style search."""
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return full[:255], initials[:100]


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet["Organization"]):
    def active(self) -> OrganizationQuerySet:
        return self.filter(status=Status.ACTIVE)

    def within(self, org: Organization) -> OrganizationQuerySet:
        """The organization and its whole subtree."""
        return self.filter(path__startswith=org.path)

    def existing_on(self, day: date) -> OrganizationQuerySet:
        """Organizations that existed on a day: founded by then, not yet dissolved."""
        return self.filter(
            models.Q(founded_on__isnull=True) | models.Q(founded_on__lte=day),
            models.Q(dissolved_on__isnull=True) | models.Q(dissolved_on__gt=day),
        )


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    """Treebeard's tree operations with `restrict()` and the helpers above."""

    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A party organization: university committee down to party group."""

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    code = models.CharField(_("组织编码"), max_length=40, unique=True)
    level = models.CharField(_("层级"), max_length=24, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, blank=True)
    unit = models.CharField(_("所在单位"), max_length=100, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    dissolution_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("并入"),
    )
    is_joint = models.BooleanField(_("联合党支部"), default=False)
    joint_units = models.PositiveSmallIntegerField(_("联合单位数"), null=True, blank=True)
    is_model_branch = models.BooleanField(_("样板支部"), default=False)
    is_benchmark_department = models.BooleanField(_("标杆院系"), default=False)
    is_dual_leader_studio = models.BooleanField(_("“双带头人”书记工作室"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    note = models.TextField(_("备注"), blank=True)
    name_pinyin = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = OrganizationManager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT},
            COMMITTEE: {VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT},
            SECRETARY: {VIEW, CHANGE, EXPORT},
            MEMBER: {VIEW},
        },
        path_field="path",
    )

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        # No explicit path index: for the unique `path` column Django already creates a
        # varchar_pattern_ops index on PostgreSQL, which serves restrict()'s prefix matches.

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_pinyin, self.name_initials = pinyin_of(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_branch(self) -> bool:
        return self.level in BRANCH_LEVELS

    @property
    def may_approve_admissions(self) -> bool:
        """Temporary branches may not approve admissions (domain.md §2)."""
        return self.level != Level.TEMPORARY_BRANCH

    def superior_committee(self) -> Organization:
        """The grassroots committee a branch reports to: the nearest 党委 above it (or the
        university committee at the top); what decides its admissions and its reports."""
        chain = self.ancestors_and_self()
        for org in reversed(chain[:-1] or chain):
            if org.level in (Level.COMMITTEE, Level.UNIVERSITY_COMMITTEE):
                return org
        return chain[0]

    def ancestors_and_self(self) -> list[Organization]:
        """The path from the top of the tree to this organization (for breadcrumbs)."""
        steps = [self.path[: i + self.steplen] for i in range(0, len(self.path), self.steplen)]
        return list(Organization.objects.filter(path__in=steps).order_by("depth"))


class CommitteeTerm(models.Model):
    """One term (届) of an organization's elected committee."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="terms", verbose_name=_("党组织")
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    elected_on = models.DateField(_("选举日期"))
    term_years = models.PositiveSmallIntegerField(_("任期（年）"))
    ends_on = models.DateField(_("任期届满日期"))
    closed_on = models.DateField(_("换届日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, DELETE},
            COMMITTEE: {VIEW, ADD, CHANGE, DELETE},
            SECRETARY: {VIEW, ADD, CHANGE},
            MEMBER: {VIEW},
        }
    )

    class Meta:
        verbose_name = _("委员会届次")
        verbose_name_plural = _("委员会届次")
        ordering = ["organization", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="orgs_term_unique")
        ]

    def __str__(self) -> str:
        return gettext("%(organization)s 第%(number)s届") % {
            "organization": self.organization,
            "number": self.number,
        }

    @property
    def is_current(self) -> bool:
        return self.closed_on is None


class CommitteeMember(models.Model):
    """A member of a committee term with a position (secretary, organization member …)."""

    term = models.ForeignKey(
        CommitteeTerm, on_delete=models.CASCADE, related_name="members", verbose_name=_("届次")
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=24, choices=Position.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_posts",
        verbose_name=_("账号"),
    )
    person = models.ForeignKey(
        "members.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("人员"),
    )
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=CommitteeTerm.scope.actions, path_field="term__organization__path"
    )

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["term", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"
