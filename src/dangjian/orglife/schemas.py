"""Request and response schemas of the organizational-life API (/api/v1/orglife).

Datetimes are ISO 8601 with the time zone, dates YYYY-MM-DD, months YYYY-MM; a choice is its
code with a `*_display` label; people and organizations are {id, name[, code]}. Hours are
numbers with one decimal. Attendance counts are those kept on the event (recomputed after
every change of its attendance), so a list shows them without reading the rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from dangjian.members.schemas import InputSchema, OrganizationRef, PersonRef, display, optional
from dangjian.orglife.choices import (
    AttendanceStatus,
    EventKind,
    EventStatus,
    LectureLevel,
    PlanKind,
    SummaryStatus,
)


def _codes(choices: Any) -> str:
    return "、".join(f"{code} {label}" for code, label in choices.choices)


KIND_CODES = _codes(EventKind)
STATUS_CODES = _codes(EventStatus)
LEVEL_CODES = _codes(LectureLevel)
ATTENDANCE_CODES = _codes(AttendanceStatus)
PLAN_CODES = _codes(PlanKind)
SUMMARY_CODES = _codes(SummaryStatus)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


# --- events -----------------------------------------------------------------------------------


class PlanItemRef(Schema):
    """The yearly-plan item an event carries out."""

    id: int
    year: int = Field(description="年度")
    month: int = Field(description="月份")
    kind: str = Field(description=f"类型：{PLAN_CODES}")
    topic: str = Field(description="主题")


class EventOut(Schema):
    """An event as the list shows it, with the attendance counts kept on it."""

    id: int
    organization: OrganizationRef = Field(description="党组织")
    party_group: OrganizationRef | None = Field(description="党小组（党小组会）")
    kind: str = Field(description=f"类型：{KIND_CODES}")
    kind_display: str = Field(description="类型（中文）")
    title: str = Field(description="主题")
    status: str = Field(description=f"状态：{STATUS_CODES}")
    status_display: str = Field(description="状态（中文）")
    starts_at: datetime = Field(description="开始时间（ISO 8601）")
    ends_at: datetime = Field(description="结束时间（ISO 8601）")
    held_on: date = Field(description="日期（开始时间的当地日期）")
    place: str = Field(description="地点")
    host_name: str = Field(description="主持人")
    speaker_name: str = Field(description="主讲人")
    lecture_level: str = Field(description=f"主讲人层级（党课）：{LEVEL_CODES}；其他为空")
    lecture_level_display: str = Field(description="主讲人层级（中文）")
    is_micro: bool = Field(description="微党课")
    hours: float | None = Field(description="每人时长（小时；志愿服务、社会实践）")
    expected_count: int = Field(description="应到人数")
    present_count: int = Field(description="实到人数（不含列席）")
    leave_count: int = Field(description="请假人数")
    absent_count: int = Field(description="缺席人数")
    guest_count: int = Field(description="列席（来宾）人数")
    person_times: int = Field(description="参加人次（实到+列席）")
    person_hours: float = Field(description="累计时长（小时）")
    quorum_met: bool | None = Field(description="是否达到法定人数（党员大会、支委会；其他为 null）")
    is_late: bool = Field(description="逾期补录")

    resolve_kind_display = staticmethod(display("kind"))
    resolve_status_display = staticmethod(display("status"))
    resolve_lecture_level_display = staticmethod(display("lecture_level"))

    @staticmethod
    def resolve_hours(obj: Any) -> float | None:
        return _number(obj.hours)

    @staticmethod
    def resolve_person_hours(obj: Any) -> float:
        return float(obj.person_hours or 0)


class EventPage(Schema):
    count: int = Field(description="符合条件的活动总数")
    page: int = Field(description="页码（从1开始）")
    page_size: int = Field(description="每页条数")
    items: list[EventOut]


class FileOut(Schema):
    """A photo or attachment of an event."""

    id: int
    kind: str = Field(description="类别：photo 照片、attachment 附件")
    kind_display: str = Field(description="类别（中文）")
    title: str = Field(description="名称")
    size: int = Field(description="大小（字节）")
    uploaded_at: datetime = Field(description="上传时间")
    url: str = Field(description="下载地址（网页）")

    resolve_kind_display = staticmethod(display("kind"))

    @staticmethod
    def resolve_url(obj: Any) -> str:
        from django.urls import reverse

        return reverse("orglife:file", args=[obj.pk])


class EventDetail(EventOut):
    """An event with its record, files, late flag and plan item."""

    recorder_name: str = Field(description="记录人")
    agenda: str = Field(description="议程")
    first_topic: str = Field(description="第一议题学习内容")
    minutes: str = Field(description="会议记录")
    resolutions: str = Field(description="决议事项")
    criticism: str = Field(description="批评与自我批评情况")
    is_joint: bool = Field(description="联合开展")
    partners: str = Field(description="联合单位")
    recorded_on: date | None = Field(description="登记为已召开的日期")
    late_reason: str = Field(description="逾期补录理由")
    plan_item: PlanItemRef | None = Field(description="落实的年度计划事项")
    files: list[FileOut] = Field(description="照片和附件")
    created_at: datetime = Field(description="创建时间")
    updated_at: datetime = Field(description="修改时间")

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())


class EventOutcome(Schema):
    """A saved event and the warnings of rules that only warn (quorum, 第一议题, late entry)."""

    event: EventDetail
    warnings: list[str] = Field(description="只提醒不拒绝的规则提示（中文）")


class EventFields(InputSchema):
    """The fields of an event as `actions.save_event` takes them."""

    title: str = optional(max_length=200, description="主题")
    status: EventStatus = optional(
        description=f"状态：{STATUS_CODES}；开始时间在将来的活动只能是 planned"
    )
    starts_at: datetime = optional(description="开始时间（ISO 8601）")
    ends_at: datetime = optional(description="结束时间（ISO 8601），晚于开始时间，不超过7天")
    place: str = optional(max_length=200, description="地点")
    host_name: str = optional(max_length=50, description="主持人")
    recorder_name: str = optional(max_length=50, description="记录人")
    speaker_name: str = optional(max_length=50, description="主讲人（党课必填）")
    lecture_level: LectureLevel | None = Field(
        None, description=f"主讲人层级（党课必填）：{LEVEL_CODES}"
    )
    is_micro: bool = optional(description="微党课")
    agenda: str = optional(max_length=20000, description="议程")
    first_topic: str = optional(max_length=20000, description="第一议题学习内容（支委会）")
    minutes: str = optional(max_length=50000, description="会议记录")
    resolutions: str = optional(max_length=20000, description="决议事项")
    criticism: str = optional(max_length=20000, description="批评与自我批评情况")
    hours: Decimal | None = Field(
        None, description="每人时长（小时，0-24；志愿服务、社会实践必填）"
    )
    is_joint: bool = optional(description="联合开展（其他单位人员可扫码签到）")
    partners: str = optional(max_length=200, description="联合单位")
    party_group: int | None = Field(None, description="党小组 id（党小组会）")
    plan_item: int | None = Field(None, description="落实的年度计划事项 id")
    justification: str = Field(
        "", max_length=300, description="补录理由：超过登记时限登记已召开的活动时必填"
    )


class EventIn(EventFields):
    organization: int = Field(description="党组织 id（党小组的会议可填党小组 id）")
    kind: EventKind = Field(description=f"类型：{KIND_CODES}")
    title: str = Field(max_length=200, description="主题")
    starts_at: datetime = Field(description="开始时间（ISO 8601）")
    ends_at: datetime = Field(description="结束时间（ISO 8601）")


class EventPatch(EventFields):
    """Changed fields only; a field left out keeps its value (the type cannot change)."""


class CancelIn(InputSchema):
    reason: str = Field(max_length=300, description="取消原因")


# --- attendance -------------------------------------------------------------------------------


class AttendanceOut(Schema):
    """One line of the attendance sheet."""

    id: int
    person: PersonRef | None = Field(description="人员；名册外的来宾为 null")
    name: str = Field(description="姓名")
    guest_name: str = Field(description="来宾姓名（名册外人员）")
    guest_unit: str = Field(description="来宾单位")
    is_guest: bool = Field(description="列席/来宾")
    expected: bool = Field(description="应到人员")
    status: str = Field(description=f"出勤：{ATTENDANCE_CODES}")
    status_display: str = Field(description="出勤（中文）")
    leave_reason: str = Field(description="请假原因")
    method: str = Field(description="登记方式：qr 扫码签到、manual 手工登记；未出席为空")
    method_display: str = Field(description="登记方式（中文）")
    checked_in_at: datetime | None = Field(description="签到时间")
    hours: float | None = Field(description="本人时长（小时）；null 为按活动时长计")

    resolve_status_display = staticmethod(display("status"))
    resolve_method_display = staticmethod(display("method"))

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_hours(obj: Any) -> float | None:
        return _number(obj.hours)


class MarkIn(InputSchema):
    """One line: a person of the registry by id, or a guest by name."""

    person_id: int | None = Field(None, description="人员 id；名册外的来宾不填")
    status: AttendanceStatus = Field(description=f"出勤：{ATTENDANCE_CODES}")
    leave_reason: str = Field("", max_length=200, description="请假原因（请假时必填）")
    is_guest: bool = Field(False, description="列席/来宾（非应到人员须为 true）")
    guest_name: str = Field("", max_length=50, description="来宾姓名（名册外人员必填）")
    guest_unit: str = Field("", max_length=100, description="来宾单位")
    hours: Decimal | None = Field(None, description="本人时长（小时）；不填按活动时长计")


class AttendanceIn(InputSchema):
    marks: list[MarkIn] = Field(
        max_length=5000, description="出勤登记，一次提交整张签到表；任一行有误则全部不保存"
    )


class CountsOut(Schema):
    """The event's attendance counts after the change (not the rows: keep the answer small)."""

    event_id: int = Field(description="活动 id")
    expected_count: int = Field(description="应到")
    present_count: int = Field(description="实到")
    leave_count: int = Field(description="请假")
    absent_count: int = Field(description="缺席")
    guest_count: int = Field(description="列席")
    person_times: int = Field(description="参加人次")
    person_hours: float = Field(description="累计时长（小时）")
    quorum_met: bool | None = Field(description="是否达到法定人数")
    lines: int = Field(description="本次提交的行数")
    warnings: list[str] = Field(description="只提醒不拒绝的规则提示（如未达法定人数）")


# --- check-in ---------------------------------------------------------------------------------


class CheckinCodeOut(Schema):
    token: str = Field(description="当前签到码（每隔数十秒更换）")
    url: str = Field(description="二维码内容：党员扫码打开的签到网址")
    expires_in: int = Field(description="距下次更换的秒数")
    opens_at: datetime = Field(description="签到开放时间")
    closes_at: datetime = Field(description="签到截止时间")


class CheckinIn(InputSchema):
    token: str = Field(max_length=200, description="扫描得到的签到码")


class CheckinOut(Schema):
    event_id: int = Field(description="活动 id")
    title: str = Field(description="活动主题")
    checked_in_at: datetime = Field(description="签到时间")


# --- compliance -------------------------------------------------------------------------------


class PeriodOut(Schema):
    start: date = Field(description="周期开始")
    end: date = Field(description="周期结束")
    state: str = Field(description="held 已开展、missed 未开展（周期已过）、due 待开展")
    state_display: str = Field(description="状态（中文）")
    held: int = Field(description="周期内已召开的次数")


class RequirementOut(Schema):
    code: str = Field(description="必开事项代码")
    label: str = Field(description="必开事项")
    periods: list[PeriodOut] = Field(description="各周期的落实情况")


class BranchComplianceOut(Schema):
    id: int
    name: str = Field(description="党支部")
    path: str = Field(description="组织树路径（按此排序即按上级分组）")
    months: list[float | None] = Field(
        description="1-12月的落实率（%），null 表示当月没有可评价的事项"
    )
    requirements: list[RequirementOut] = Field(description="必开事项及各周期")
    held: int = Field(description="已开展的周期数")
    missed: int = Field(description="未开展的周期数")
    due: int = Field(description="待开展的周期数")
    rate: float | None = Field(description="落实率（%）= 已开展 /（已开展 + 未开展）")


class ComplianceOut(Schema):
    year: int = Field(description="年度")
    held: int = Field(description="已开展的周期数合计")
    missed: int = Field(description="未开展的周期数合计")
    due: int = Field(description="待开展的周期数合计")
    rate: float | None = Field(description="落实率（%）；没有可评价的周期为 null")
    branches: list[BranchComplianceOut] = Field(description="范围内的党支部")


# --- monthly summaries ------------------------------------------------------------------------


class SummaryOut(Schema):
    """A branch's monthly report of organizational life."""

    id: int
    organization: OrganizationRef = Field(description="党支部")
    month: str = Field(description="月份（YYYY-MM）")
    status: str = Field(description=f"状态：{SUMMARY_CODES}")
    status_display: str = Field(description="状态（中文）")
    text: str = Field(description="工作小结")
    figures: dict[str, Any] = Field(
        description="报送时的当月统计：events（各类型次数）、total、person_times、missed（未开展事项）"
    )
    reviewer: OrganizationRef | None = Field(description="审核党组织")
    submitted_at: datetime | None = Field(description="报送时间")
    decided_at: datetime | None = Field(description="审核时间")
    return_reason: str = Field(description="退回原因")

    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_month(obj: Any) -> str:
        return f"{obj.month:%Y-%m}"


class SummaryPage(Schema):
    count: int = Field(description="符合条件的月报总数")
    page: int = Field(description="页码")
    page_size: int = Field(description="每页条数")
    items: list[SummaryOut]


class SummaryIn(InputSchema):
    organization: int = Field(description="党支部 id")
    month: str = Field(max_length=7, description="月份（YYYY-MM），须已结束")
    text: str = Field("", max_length=5000, description="工作小结（报送时必填）")
    submit: bool = Field(True, description="true 报送审核，false 只保存草稿")


class SummaryReviewIn(InputSchema):
    approve: bool = Field(description="true 审核通过，false 退回")
    reason: str = Field("", max_length=300, description="退回原因（退回时必填）")


# --- yearly plans -----------------------------------------------------------------------------


class PlanItemOut(Schema):
    """One item of a yearly plan and the held event that carried it out."""

    id: int
    organization: OrganizationRef = Field(description="党组织")
    year: int = Field(description="年度")
    month: int = Field(description="月份")
    kind: str = Field(description=f"类型：{PLAN_CODES}")
    kind_display: str = Field(description="类型（中文）")
    topic: str = Field(description="主题")
    speaker_name: str = Field(description="主讲人")
    note: str = Field(description="备注")
    done: bool = Field(description="已由已召开的活动落实")
    event_id: int | None = Field(description="落实该事项的活动 id")

    resolve_kind_display = staticmethod(display("kind"))

    @staticmethod
    def resolve_event_id(obj: Any) -> int | None:
        held = getattr(obj, "held_events", [])
        return held[0].pk if held else None

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return bool(getattr(obj, "held_events", []))


class PlanPage(Schema):
    count: int = Field(description="符合条件的事项总数")
    page: int = Field(description="页码")
    page_size: int = Field(description="每页条数")
    items: list[PlanItemOut]


class PlanFields(InputSchema):
    year: int = optional(description="年度（2000-2100）")
    month: int = optional(description="月份（1-12）")
    kind: PlanKind = optional(description=f"类型：{PLAN_CODES}")
    topic: str = optional(max_length=200, description="主题")
    speaker_name: str = optional(max_length=50, description="主讲人")
    note: str = optional(max_length=300, description="备注")


class PlanItemIn(PlanFields):
    organization: int = Field(description="党组织 id")
    year: int = Field(description="年度（2000-2100）")
    month: int = Field(description="月份（1-12）")
    kind: PlanKind = Field(description=f"类型：{PLAN_CODES}")
    topic: str = Field(max_length=200, description="主题")


class PlanItemPatch(PlanFields):
    """Changed fields only; a field left out keeps its value."""


class PlanCopyIn(InputSchema):
    organization: int = Field(description="党组织 id")
    year: int = Field(ge=2000, le=2100, description="要编制的年度（沿用上一年度的事项）")


class PlanCopyOut(Schema):
    year: int = Field(description="年度")
    created: int = Field(description="沿用的事项数")
