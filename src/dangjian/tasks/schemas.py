"""Request and response schemas of the tasks API (/api/v1/tasks): plans and tasks, progress
reports, problems, responsibility lists.

Dates are ISO strings (YYYY-MM-DD), datetimes ISO 8601; a choice is its code with a
`*_display` label; an organization is {id, name, code}. Evidence files travel inside the JSON
body as Base64 (`{"name": "佐证材料.pdf", "content": "JVBERi0…"}`), checked by content as the
web upload is (PDF, JPG or PNG of at most 10 MB).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from dangjian.members.schemas import InputSchema, OrganizationRef, display, optional
from dangjian.tasks.choices import (
    ItemStatus,
    ListKind,
    PlanStatus,
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    ProblemStep,
    ReportResult,
    TaskStatus,
)


def _codes(choices: Any) -> str:
    return "、".join(f"{code} {label}" for code, label in choices.choices)


def _name(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user else ""


class PageOut(Schema):
    count: int = Field(description="符合条件的总数")
    page: int = Field(description="页码（从1开始）")
    page_size: int = Field(description="每页条数")


# --- evidence ---------------------------------------------------------------------------------


class FileIn(InputSchema):
    name: str = Field(min_length=1, max_length=200, description="文件名（如 佐证材料.pdf）")
    content: str = Field(description="文件内容（Base64）：PDF、JPG或PNG，不超过10MB")


class FileOut(Schema):
    id: int
    title: str = Field(description="名称")
    size: int = Field(description="大小（字节）")
    uploaded_at: datetime = Field(description="上传时间")


# --- plans ------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    organization: OrganizationRef = Field(description="印发单位")
    title: str = Field(description="方案名称")
    source_document: str = Field(description="依据文件")
    starts_on: date = Field(description="开始日期")
    ends_on: date = Field(description="结束日期")
    status: str = Field(description=f"状态：{_codes(PlanStatus)}")
    status_display: str = Field(description="状态（中文）")
    issued_at: datetime | None = Field(description="下发时间")
    task_count: int = Field(description="任务数（含子任务）")
    accepted_count: int = Field(description="已验收的任务数")

    resolve_status_display = staticmethod(display("status"))


class PlanDetail(PlanOut):
    description: str = Field(description="说明")
    created_at: datetime = Field(description="创建时间")
    updated_at: datetime = Field(description="修改时间")


class PlanPage(PageOut):
    items: list[PlanOut]


class PlanFields(InputSchema):
    title: str = optional(max_length=200, description="方案名称")
    source_document: str = optional(max_length=300, description="依据文件")
    starts_on: date = optional(description="开始日期")
    ends_on: date = optional(description="结束日期，不早于开始日期")
    description: str = optional(max_length=20000, description="说明")


class PlanIn(PlanFields):
    organization: int = Field(description="印发单位（党组织 id）")
    title: str = Field(max_length=200, description="方案名称")
    starts_on: date = Field(description="开始日期")
    ends_on: date = Field(description="结束日期，不早于开始日期")


class PlanPatch(PlanFields):
    """Changed fields only; a closed plan cannot change."""


# --- tasks ------------------------------------------------------------------------------------


class MilestoneIn(InputSchema):
    due: date = Field(description="节点日期（方案开始日期至任务完成时限之间）")
    text: str = Field(max_length=200, description="节点要求")


class MilestoneOut(Schema):
    id: int
    due: date = Field(description="节点日期")
    text: str = Field(description="节点要求")
    reached_on: date | None = Field(description="完成日期")


class TaskOut(Schema):
    id: int
    plan_id: int = Field(description="实施方案 id")
    parent_id: int | None = Field(description="上级任务 id（分解到下级的子任务）")
    number: str = Field(description="编号（子任务如 1.2）")
    content: str = Field(description="任务内容")
    lead_unit: OrganizationRef = Field(description="牵头单位")
    responsible: str = Field(description="责任人")
    deadline: date = Field(description="完成时限")
    criterion: str = Field(description="验收标准")
    status: str = Field(description=f"状态：{_codes(TaskStatus)}")
    status_display: str = Field(description="状态（中文）")
    progress: int = Field(description="进度（%）")
    completed_on: date | None = Field(description="完成日期（通过验收的报告日期）")
    days_overdue: int = Field(description="超期天数（未验收且已过完成时限；否则为0）")

    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_days_overdue(obj: Any) -> int:
        return int(obj.days_overdue())


class PlanRef(Schema):
    id: int
    title: str = Field(description="方案名称")


class TaskDetail(TaskOut):
    plan: PlanRef = Field(description="实施方案")
    issuer: OrganizationRef = Field(
        description="验收单位：方案印发单位，子任务为上级任务的牵头单位"
    )
    cooperating_units: list[OrganizationRef] = Field(description="配合单位")
    milestones: list[MilestoneOut] = Field(description="阶段节点")
    accepted_at: datetime | None = Field(description="验收时间")

    @staticmethod
    def resolve_cooperating_units(obj: Any) -> list[Any]:
        return list(obj.cooperating_units.all())

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())


class TaskPage(PageOut):
    items: list[TaskOut]


class TaskFields(InputSchema):
    number: str = optional(max_length=20, description="编号；不填则自动编号")
    content: str = optional(max_length=2000, description="任务内容")
    lead_unit: int = optional(description="牵头单位（党组织 id，方案印发单位或其下级）")
    cooperating_units: list[int] = optional(max_length=100, description="配合单位（党组织 id）")
    responsible: str = optional(max_length=50, description="责任人")
    deadline: date = optional(description="完成时限（方案期限之内）")
    criterion: str = optional(max_length=1000, description="验收标准")
    milestones: list[MilestoneIn] = optional(
        max_length=12, description="阶段节点（给出时整体替换原有节点）"
    )


class TaskIn(TaskFields):
    content: str = Field(max_length=2000, description="任务内容")
    lead_unit: int = Field(description="牵头单位（党组织 id，方案印发单位或其下级）")
    deadline: date = Field(description="完成时限（方案期限之内）")
    criterion: str = Field(max_length=1000, description="验收标准")


class TaskPatch(TaskFields):
    """Changed fields only; an accepted task, or one of a closed plan, cannot change."""


class PartIn(InputSchema):
    lead_unit: int = Field(description="下级牵头单位（党组织 id，在本任务牵头单位之下）")
    content: str = optional(max_length=2000, description="任务内容；不填则同上级任务")
    criterion: str = optional(max_length=1000, description="验收标准；不填则同上级任务")
    deadline: date = optional(description="完成时限；不填则同上级任务，不能晚于上级任务")
    responsible: str = optional(max_length=50, description="责任人")


class SplitIn(InputSchema):
    parts: list[PartIn] = Field(max_length=200, description="子任务，每个下级单位一项")


# --- reports ----------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    task_id: int = Field(description="任务 id")
    text: str = Field(description="进展情况")
    progress: int = Field(description="进度（%）")
    for_acceptance: bool = Field(description="申请验收")
    result: str = Field(description=f"审核结果：{_codes(ReportResult)}")
    result_display: str = Field(description="审核结果（中文）")
    reason: str = Field(description="审核意见（退回理由）")
    reported_by: str = Field(description="报送人")
    reported_at: datetime = Field(description="报送时间")
    checked_by: str = Field(description="审核人")
    checked_at: datetime | None = Field(description="审核时间")
    files: list[FileOut] = Field(description="佐证材料（在网页中下载）")

    resolve_result_display = staticmethod(display("result"))

    @staticmethod
    def resolve_reported_by(obj: Any) -> str:
        return _name(obj.reported_by)

    @staticmethod
    def resolve_checked_by(obj: Any) -> str:
        return _name(obj.checked_by)

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())


class ReportIn(InputSchema):
    text: str = Field(max_length=5000, description="进展情况")
    progress: int = Field(0, ge=0, le=100, description="进度（%，申请验收时按100计）")
    for_acceptance: bool = Field(False, description="申请验收（须有佐证材料，子任务均已验收）")
    files: list[FileIn] = Field([], max_length=10, description="佐证材料（Base64）")


class CheckIn(InputSchema):
    accept: bool = Field(description="true 通过验收，false 退回")
    reason: str = Field("", max_length=2000, description="审核意见；退回时必填")


# --- problems ---------------------------------------------------------------------------------


class ProblemOut(Schema):
    id: int
    issuer: OrganizationRef = Field(description="列出单位")
    unit: OrganizationRef = Field(description="责任单位")
    year: int = Field(description="年度")
    number: str = Field(description="编号")
    level: str = Field(description=f"层面：{_codes(ProblemLevel)}")
    level_display: str = Field(description="层面（中文）")
    source: str = Field(description=f"问题来源：{_codes(ProblemSource)}")
    source_display: str = Field(description="问题来源（中文）")
    category: str = Field(description=f"问题类别：{_codes(ProblemCategory)}")
    category_display: str = Field(description="问题类别（中文）")
    description: str = Field(description="问题描述")
    measures: str = Field(description="整改措施")
    responsible: str = Field(description="责任人")
    deadline: date | None = Field(description="整改时限")
    status: str = Field(description=f"状态：{_codes(ProblemStatus)}")
    status_display: str = Field(description="状态（中文）")
    listed_on: date = Field(description="列入日期")
    closed_on: date | None = Field(description="销号日期")
    days_overdue: int = Field(description="超期天数（未销号且已过整改时限）")
    reopened_count: int = Field(description="重新打开次数")
    recurring_of_id: int | None = Field(description="疑似反弹于（往年已销号问题的 id）")
    similarity: float | None = Field(description="与该问题的相似度（0-1）")

    resolve_level_display = staticmethod(display("level"))
    resolve_source_display = staticmethod(display("source"))
    resolve_category_display = staticmethod(display("category"))
    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_days_overdue(obj: Any) -> int:
        return int(obj.days_overdue())


class LogOut(Schema):
    step: str = Field(description=f"环节：{_codes(ProblemStep)}")
    step_display: str = Field(description="环节（中文）")
    note: str = Field(description="说明")
    by: str = Field(description="办理人")
    at: datetime = Field(description="时间")

    resolve_step_display = staticmethod(display("step"))

    @staticmethod
    def resolve_by(obj: Any) -> str:
        return _name(obj.by)


class ProblemDetail(ProblemOut):
    verification: str = Field(description="核验意见")
    files: list[FileOut] = Field(description="整改佐证材料（在网页中下载）")
    log: list[LogOut] = Field(description="整改记录（时间顺序）")
    updated_at: datetime = Field(description="修改时间")

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())

    @staticmethod
    def resolve_log(obj: Any) -> list[Any]:
        return list(obj.log.all())


class ProblemPage(PageOut):
    items: list[ProblemOut]


class ProblemIn(InputSchema):
    issuer: int = Field(description="列出单位（党组织 id）")
    unit: int = Field(description="责任单位（党组织 id，列出单位或其下级）")
    year: int = Field(ge=2000, le=2100, description="年度")
    source: ProblemSource = Field(description=f"问题来源：{_codes(ProblemSource)}")
    category: ProblemCategory = Field(description=f"问题类别：{_codes(ProblemCategory)}")
    description: str = Field(max_length=2000, description="问题描述")
    number: str = Field("", max_length=20, description="编号；不填则按年度顺序编号")
    level: ProblemLevel | None = Field(
        None, description="层面；不填则按列出单位（学校党委为学校层面）"
    )


class LedgerIn(InputSchema):
    measures: str = Field(max_length=5000, description="整改措施")
    responsible: str = Field(max_length=50, description="责任人")
    deadline: date = Field(description="整改时限（不早于列入日期）")


class NoteIn(InputSchema):
    note: str = Field(max_length=5000, description="整改进展或完成情况")
    files: list[FileIn] = Field([], max_length=10, description="整改佐证材料（Base64）")


class VerifyIn(InputSchema):
    accept: bool = Field(description="true 核验销号，false 退回")
    note: str = Field(max_length=2000, description="核验意见；退回时为退回理由")


class ReasonIn(InputSchema):
    reason: str = Field(max_length=2000, description="理由")


# --- responsibility lists ---------------------------------------------------------------------


class ListOut(Schema):
    id: int
    organization: OrganizationRef = Field(description="党组织")
    year: int = Field(description="年度")
    kind: str = Field(description=f"清单类型：{_codes(ListKind)}")
    kind_display: str = Field(description="清单类型（中文）")
    note: str = Field(description="说明")
    item_count: int = Field(description="事项数")
    planned_count: int = Field(description="未开始的事项数")
    in_progress_count: int = Field(description="推进中的事项数")
    done_count: int = Field(description="已完成的事项数")
    updated_at: datetime = Field(description="修改时间")

    resolve_kind_display = staticmethod(display("kind"))


class ItemOut(Schema):
    id: int
    list_id: int = Field(description="清单 id")
    position: int = Field(description="序号")
    content: str = Field(description="内容")
    owner: str = Field(description="责任人（部门）")
    deadline: date | None = Field(description="完成时限")
    status: str = Field(description=f"状态：{_codes(ItemStatus)}")
    status_display: str = Field(description="状态（中文）")
    note: str = Field(description="备注")

    resolve_status_display = staticmethod(display("status"))

    @staticmethod
    def resolve_list_id(obj: Any) -> int:
        return int(obj.duty_list_id)


class ListDetail(ListOut):
    items: list[ItemOut] = Field(description="事项（按序号）")

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class ListPage(PageOut):
    items: list[ListOut]


class ListIn(InputSchema):
    organization: int = Field(description="党组织 id")
    year: int = Field(ge=2000, le=2100, description="年度")
    kind: ListKind = Field(description=f"清单类型：{_codes(ListKind)}")
    note: str = Field("", max_length=5000, description="说明")


class ItemFields(InputSchema):
    content: str = optional(max_length=2000, description="内容")
    owner: str = optional(max_length=100, description="责任人（部门）")
    deadline: date | None = optional(description="完成时限；null 清空")
    status: ItemStatus = optional(description=f"状态：{_codes(ItemStatus)}")
    note: str = optional(max_length=300, description="备注")


class ItemIn(ItemFields):
    content: str = Field(max_length=2000, description="内容")


class ItemPatch(ItemFields):
    """Changed fields only."""


class CopyIn(InputSchema):
    organization: int = Field(description="党组织 id")
    from_year: int = Field(ge=2000, le=2100, description="沿用的年度（如上一年）")
    to_year: int = Field(ge=2000, le=2100, description="新年度")


class CopyOut(Schema):
    created: list[ListOut] = Field(description="新建的清单（新年度已有的类型跳过）")
