"""Events of organizational life, their attendance, files, yearly plans and monthly summaries.

`Event` keeps its attendance counts (expected, present, on leave, absent, guests, person-times,
hours, quorum) recomputed by `actions.refresh_counts` after every change of its attendance, so
figures and lists sum columns of one table; person-times are never typed by hand. `held_on` is
the local date of `starts_at`, so periods and compliance compare dates, not time zones.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import COMMITTEE, MEMBER, SECRETARY, UNIVERSITY
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, VIEW, ScopedQuerySet, ScopeSpec
from dangjian.members.models import Person
from dangjian.orglife.choices import (
    AttendanceStatus,
    CheckinMethod,
    EventKind,
    EventStatus,
    LectureLevel,
    PlanKind,
    SummaryStatus,
)
from dangjian.orgs.models import Organization

# Deciding a monthly summary is for the committee above a branch, not for the branch itself.
APPROVE = "approve"
STAFF_ACTIONS = {VIEW, ADD, CHANGE, DELETE, EXPORT}


def _member_events(user: Any) -> Q:
    """A member sees the events of their own organization and those they attended."""
    own = Person.objects.filter(user=user).values("organization")
    attended = Attendance.objects.filter(person__user=user).values("event")
    return Q(organization__in=own) | Q(pk__in=attended)


def new_checkin_key() -> str:
    return secrets.token_hex(16)


class Event(models.Model):
    """One meeting, lecture, theme day, talk or activity of an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="events", verbose_name=_("党组织")
    )
    party_group = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_events",
        verbose_name=_("党小组"),
    )
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices, db_index=True)
    title = models.CharField(_("主题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=EventStatus.choices, default=EventStatus.HELD
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    held_on = models.DateField(_("日期"), db_index=True, editable=False)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    host_name = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder_name = models.CharField(_("记录人"), max_length=50, blank=True)
    speaker_name = models.CharField(_("主讲人"), max_length=50, blank=True)
    lecture_level = models.CharField(
        _("主讲人层级"), max_length=24, choices=LectureLevel.choices, blank=True
    )
    is_micro = models.BooleanField(_("微党课"), default=False)
    agenda = models.TextField(_("议程"), blank=True)
    first_topic = models.TextField(_("第一议题学习内容"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    resolutions = models.TextField(_("决议事项"), blank=True)
    criticism = models.TextField(_("批评与自我批评情况"), blank=True)
    hours = models.DecimalField(
        _("时长（小时/人）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    is_joint = models.BooleanField(_("联合开展"), default=False)
    partners = models.CharField(_("联合单位"), max_length=200, blank=True)
    plan_item = models.ForeignKey(
        "PlanItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("年度计划事项"),
    )
    # Recorded after the window (orglife.recording_window): flagged, with the reason given.
    recorded_on = models.DateField(_("登记日期"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期补录"), default=False)
    late_reason = models.CharField(_("补录理由"), max_length=300, blank=True)
    checkin_key = models.CharField(max_length=32, default=new_checkin_key, editable=False)
    # Counts from the attendance rows (actions.refresh_counts).
    expected_count = models.PositiveIntegerField(_("应到"), default=0)
    present_count = models.PositiveIntegerField(_("实到"), default=0)
    leave_count = models.PositiveIntegerField(_("请假"), default=0)
    absent_count = models.PositiveIntegerField(_("缺席"), default=0)
    guest_count = models.PositiveIntegerField(_("列席"), default=0)
    person_times = models.PositiveIntegerField(_("参加人次"), default=0)
    person_hours = models.DecimalField(
        _("累计时长（小时）"), max_digits=9, decimal_places=1, default=0
    )
    quorum_met = models.BooleanField(_("达到法定人数"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
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
        self_filter=_member_events,
    )

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "held_on"], name="orglife_event_org_day"),
            models.Index(fields=["kind", "status", "held_on"], name="orglife_event_kind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}：{self.title}"

    @property
    def is_held(self) -> bool:
        return self.status == EventStatus.HELD


class Attendance(models.Model):
    """A person's attendance at an event: expected attendee or guest, present/leave/absent."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("活动")
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("人员"),
    )
    # Guests (列席, 联合活动的其他单位人员) may have no record in the registry: a name then.
    guest_name = models.CharField(_("姓名"), max_length=50, blank=True)
    guest_unit = models.CharField(_("单位"), max_length=100, blank=True)
    is_guest = models.BooleanField(_("列席/来宾"), default=False)
    expected = models.BooleanField(_("应到"), default=False)
    status = models.CharField(
        _("出勤"), max_length=12, choices=AttendanceStatus.choices, default=AttendanceStatus.ABSENT
    )
    leave_reason = models.CharField(_("请假原因"), max_length=200, blank=True)
    method = models.CharField(
        _("登记方式"), max_length=12, choices=CheckinMethod.choices, blank=True
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    hours = models.DecimalField(
        _("时长（小时）"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Event.scope.actions,
        path_field="event__organization__path",
        self_filter=lambda user: Q(person__user=user),
    )

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["-expected", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False),
                name="orglife_attendance_once",
                violation_error_message=_("此人已在本次活动的出勤名单中。"),
            )
        ]
        indexes = [models.Index(fields=["person", "event"], name="orglife_attendance_person")]

    def __str__(self) -> str:
        return f"{self.display_name} {self.get_status_display()}"

    @property
    def display_name(self) -> str:
        return self.person.name if self.person is not None else self.guest_name


class EventFile(models.Model):
    """A photo or an attachment (signed minutes, slides) of an event."""

    PHOTO, ATTACHMENT = "photo", "attachment"
    KINDS = ((PHOTO, _("照片")), (ATTACHMENT, _("附件")))

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="files", verbose_name=_("活动")
    )
    kind = models.CharField(_("类别"), max_length=12, choices=KINDS)
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="orglife/%Y/%m/")
    size = models.PositiveIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions=Event.scope.actions,
        path_field="event__organization__path",
        self_filter=lambda user: Q(event__in=Event.objects.filter(_member_events(user))),
    )

    class Meta:
        verbose_name = _("活动材料")
        verbose_name_plural = _("活动材料")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """One line of a branch's yearly plan: a theme day, lecture or study session in a month."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    kind = models.CharField(_("类型"), max_length=16, choices=PlanKind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    speaker_name = models.CharField(_("主讲人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: STAFF_ACTIONS,
            COMMITTEE: STAFF_ACTIONS,
            SECRETARY: STAFF_ACTIONS,
            MEMBER: {VIEW},
        },
        self_filter=lambda user: Q(
            organization__in=Person.objects.filter(user=user).values("organization")
        ),
    )

    class Meta:
        verbose_name = _("年度计划事项")
        verbose_name_plural = _("年度计划事项")
        ordering = ["organization", "year", "month", "id"]
        indexes = [models.Index(fields=["organization", "year"], name="orglife_plan_org_year")]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 {self.get_kind_display()}：{self.topic}"


class MonthlySummary(models.Model):
    """A branch's monthly report of organizational life (组织生活月报), decided above."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="monthly_summaries",
        verbose_name=_("党组织"),
    )
    month = models.DateField(_("月份"))  # the first day of the month
    status = models.CharField(
        _("状态"), max_length=12, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    text = models.TextField(_("工作小结"), blank=True)
    # The month's counts as they stood when submitted (what the reviewer decided on).
    figures = models.JSONField(_("当月统计"), default=dict, blank=True)
    reviewer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="summaries_to_review",
        verbose_name=_("审核党组织"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("报送人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审核人"),
    )
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={
            UNIVERSITY: {VIEW, ADD, CHANGE, EXPORT, APPROVE},
            COMMITTEE: {VIEW, ADD, CHANGE, EXPORT, APPROVE},
            SECRETARY: {VIEW, ADD, CHANGE, EXPORT},
        },
    )

    class Meta:
        verbose_name = _("组织生活月报")
        verbose_name_plural = _("组织生活月报")
        ordering = ["-month", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="orglife_summary_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.month:%Y-%m}"
