"""Campaigns of appraisal and secret ballots, on one ballot engine (domain.md §5).

Secrecy is in the shape of the tables: `Voter` says who may vote and whether they have; a
`Ballot` holds one anonymous set of answers. Nothing joins them: a ballot has no voter, no
user, no code, no time and a random id (its order says nothing about when it was cast), and
a voter row has no time either. Votes are not written to the audit log (its time would date
the ballot). `Tally` rows are the count, reproducible from the ballots (counting.py).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import (
    CampaignKind,
    Phase,
    QuestionKind,
    Scale,
    SubjectKind,
    VoterKind,
)
from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.members.models import Person
from dangjian.orgs.models import Organization

STAFF_ACTIONS = {VIEW, ADD, CHANGE, DELETE, EXPORT}


def _member_campaigns(user: Any) -> Q:
    """A member sees the campaigns they vote in or are appraised in."""
    voting = Voter.objects.filter(person__user=user).values("campaign")
    appraised = Subject.objects.filter(person__user=user).values("campaign")
    return Q(pk__in=voting) | Q(pk__in=appraised)


class Campaign(models.Model):
    """One appraisal, review, evaluation or recommendation held by an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("党组织")
    )
    kind = models.CharField(_("类型"), max_length=24, choices=CampaignKind.choices, db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("评议年度"))
    phase = models.CharField(
        _("阶段"), max_length=16, choices=Phase.choices, default=Phase.DRAFT, db_index=True
    )
    instructions = models.TextField(_("投票说明"), blank=True)
    opens_at = models.DateTimeField(_("投票开始时间"))
    closes_at = models.DateTimeField(_("投票截止时间"))
    # Counting: how many voted, the ballots counted and a digest of the tallies.
    eligible_count = models.PositiveIntegerField(_("应投票人数"), default=0)
    ballot_count = models.PositiveIntegerField(_("有效票数"), default=0)
    tally_digest = models.CharField(max_length=64, blank=True, editable=False)
    counted_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("确定等次时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    decision_note = models.TextField(_("确定等次说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: STAFF_ACTIONS,
            COMMITTEE: STAFF_ACTIONS,
            SECRETARY: STAFF_ACTIONS,
            MEMBER: {VIEW},
        },
        self_filter=_member_campaigns,
    )

    class Meta:
        verbose_name = _("评议测评")
        verbose_name_plural = _("评议测评")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["kind", "closes_at"], name="appraisals_kind_closes")]

    def __str__(self) -> str:
        return self.title

    @property
    def has_results(self) -> bool:
        return self.phase in (Phase.COUNTED, Phase.DECIDED, Phase.PUBLISHED)


class Question(models.Model):
    """One item of the questionnaire, asked once or for each subject."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="questions", verbose_name=_("测评")
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    scale = models.CharField(_("评价等次"), max_length=16, choices=Scale.choices, blank=True)
    per_subject = models.BooleanField(_("对每个评议对象评价"), default=True)
    required = models.BooleanField(_("必答"), default=True)
    # At most this many subjects may get the scale's first option on one ballot (推荐 ≤ N).
    max_top = models.PositiveSmallIntegerField(_("最多选择首项人数"), null=True, blank=True)
    min_score = models.PositiveSmallIntegerField(_("最低分"), null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(_("最高分"), null=True, blank=True)

    class Meta:
        verbose_name = _("测评题目")
        verbose_name_plural = _("测评题目")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Subject(models.Model):
    """Who or what is appraised: a member, a secretary, a team or an organization."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("测评")
    )
    kind = models.CharField(
        _("对象类型"), max_length=16, choices=SubjectKind.choices, default=SubjectKind.PERSON
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisals",
        verbose_name=_("人员"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appraisal_subjects",
        verbose_name=_("所在党组织"),
    )
    name = models.CharField(_("评议对象"), max_length=100)
    post = models.CharField(_("职务/类别"), max_length=100, blank=True)
    position = models.PositiveIntegerField(_("序号"), default=0)
    # Probationary members take part but are not graded (domain.md §5).
    graded = models.BooleanField(_("评定等次"), default=True)
    report = models.TextField(_("述职/自评内容"), blank=True)
    report_file = models.FileField(_("述职报告附件"), upload_to="appraisals/%Y/", blank=True)
    self_grade = models.CharField(_("自评等次"), max_length=16, blank=True)
    reported_on = models.DateField(_("提交日期"), null=True, blank=True)
    proposed_grade = models.CharField(_("测评建议等次"), max_length=16, blank=True)
    final_grade = models.CharField(_("评定等次"), max_length=16, blank=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Campaign.scope.actions,
        path_field="campaign__organization__path",
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(person__isnull=False),
                name="appraisals_subject_once",
                violation_error_message=_("此人已是本次测评的评议对象。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Voter(models.Model):
    """Who may vote, and whether they have: never when, never how (no link to a ballot)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="voters", verbose_name=_("测评")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="ballots_due", verbose_name=_("人员")
    )
    kind = models.CharField(
        _("投票人类型"), max_length=12, choices=VoterKind.choices, default=VoterKind.MEMBER
    )
    has_voted = models.BooleanField(_("已投票"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Campaign.scope.actions,
        path_field="campaign__organization__path",
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                name="appraisals_voter_once",
                violation_error_message=_("此人已在本次测评的投票人名单中。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class VoteCode(models.Model):
    """A single-use code printed on a slip (with its QR) for a voter without an account.

    The code is kept encrypted so slips can be printed again before voting; a code used is
    marked used, with no time and no link to the ballot it cast.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="codes", verbose_name=_("测评")
    )
    serial = models.PositiveIntegerField(_("票号"))
    code_cipher = models.TextField(editable=False)
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    used = models.BooleanField(_("已使用"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={UNIVERSITY: STAFF_ACTIONS, COMMITTEE: STAFF_ACTIONS, SECRETARY: STAFF_ACTIONS},
        path_field="campaign__organization__path",
    )

    class Meta:
        verbose_name = _("投票码")
        verbose_name_plural = _("投票码")
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "serial"], name="appraisals_code_serial")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}-{self.serial:04d}"


def new_ballot_id() -> uuid.UUID:
    return uuid.uuid4()


class Ballot(models.Model):
    """One anonymous ballot: answers keyed '<subject id>:<question id>' ('0:' for a question
    asked once). No voter, no code, no time; the random id gives no order of casting.

    `receipt_hash` lets the voter (who alone saw the receipt) confirm it was counted.
    """

    id = models.UUIDField(primary_key=True, default=new_ballot_id, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    answers = models.JSONField()
    receipt_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(_("选票"))


class Tally(models.Model):
    """The count of one option (or the score sum) for a subject and question."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tallies")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.CASCADE, related_name="tallies"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="tallies")
    option = models.CharField(max_length=16, blank=True)
    count = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("计票结果")
        verbose_name_plural = _("计票结果")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subject", "question", "option"], name="appraisals_tally_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_id or 0}:{self.question_id}:{self.option}={self.count}"
