"""Kinds of events, attendance states and the states of monthly summaries (domain.md §4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    REVIEW_MEETING = "review_meeting", _("组织生活会")
    STUDY = "study", _("集中学习研讨")
    HEART_TALK = "heart_talk", _("谈心谈话")
    VOLUNTEER = "volunteer", _("志愿服务")
    SOCIAL_PRACTICE = "social_practice", _("社会实践")


# Meetings whose resolutions need a quorum (domain.md §4: more than half must attend).
QUORUM_KINDS = frozenset({EventKind.GENERAL_ASSEMBLY, EventKind.COMMITTEE_MEETING})
# Activities that count hours per participant (志愿服务时长、社会实践时长).
HOURS_KINDS = frozenset({EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE})
# Events whose expected attendees are the committee (支委) rather than every member.
COMMITTEE_KINDS = frozenset({EventKind.COMMITTEE_MEETING})
# Events without a list of expected attendees: the participants are entered one by one.
OPEN_KINDS = frozenset({EventKind.HEART_TALK, EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE})


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("计划召开")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class LectureLevel(models.TextChoices):
    """Who gave a party lecture: the seed counts lectures by university leaders, cadres and
    secretaries (讲党课、微党课)."""

    UNIVERSITY_LEADER = "university_leader", _("校领导")
    CADRE = "cadre", _("领导干部")
    SECRETARY = "secretary", _("党组织书记")
    MEMBER = "member", _("党员")
    EXPERT = "expert", _("专家学者")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class CheckinMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    MANUAL = "manual", _("手工登记")


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class PlanKind(models.TextChoices):
    """What a branch's yearly plan schedules (主题党日 and 党课 by month)."""

    THEME_DAY = "theme_day", _("主题党日")
    LECTURE = "lecture", _("党课")
    STUDY = "study", _("集中学习研讨")


class Requirement(models.TextChoices):
    """The required items compliance checks (each a rule with its period in months)."""

    GENERAL_ASSEMBLY = "general_assembly", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    LECTURE = "lecture", _("支部党课")
    SECRETARY_LECTURE = "secretary_lecture", _("书记讲党课")
    THEME_DAY = "theme_day", _("主题党日")
    REVIEW_MEETING = "review_meeting", _("组织生活会")
    HEART_TALK = "heart_talk", _("谈心谈话")


class PeriodState(models.TextChoices):
    """A required item in one period: held, missed (the period is over), or still due."""

    HELD = "held", _("已开展")
    MISSED = "missed", _("未开展")
    DUE = "due", _("待开展")
