"""Request and response schemas of the recruitment API (/api/v1/recruitment).

Dates are ISO strings (YYYY-MM-DD); a choice is its code with a `*_display` label; people and
organizations are {id, name[, code]}. A step record's structured fields are the JSON object
`data`, keyed by the field names of the steps catalogue (`GET /recruitment/steps`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from dangjian.members.schemas import InputSchema, OrganizationRef, PersonRef, display
from dangjian.recruitment.choices import CancelReason, CaseStatus, Stage
from dangjian.recruitment.steps import step

STATUS_CODES = "、".join(f"{code} {label}" for code, label in CaseStatus.choices)
STAGE_CODES = "、".join(f"{code} {label}" for code, label in Stage.choices)
CANCEL_CODES = "、".join(f"{code} {label}" for code, label in CancelReason.choices)


# --- output -----------------------------------------------------------------------------------


class ReviewOut(Schema):
    """A higher organization's decision on a submitted step."""

    id: int
    level: str = Field(description="审核层级：committee 基层党委、university 学校党委")
    level_display: str = Field(description="审核层级（中文）")
    organization: OrganizationRef = Field(description="审核党组织")
    decision: str = Field(description="审核结果：approved 同意、returned 退回")
    decision_display: str = Field(description="审核结果（中文）")
    reason: str = Field(description="意见（退回原因）")
    decided_on: date = Field(description="审核日期")

    resolve_level_display = staticmethod(display("level"))
    resolve_decision_display = staticmethod(display("decision"))


class RecordOut(Schema):
    """A recorded step with its fields and its reviews."""

    id: int
    step: int = Field(description="步骤（1-25）")
    label: str = Field(description="步骤名称")
    occurred_on: date = Field(description="日期（含义见步骤目录的 date_label）")
    state: str = Field(description="状态：done 已完成、submitted 待审核、returned 已退回")
    state_display: str = Field(description="状态（中文）")
    data: dict[str, Any] = Field(description="步骤内容，字段见步骤目录；人员为人员 id")
    note: str = Field(description="备注")
    recorded_at: datetime = Field(description="登记时间")
    reviews: list[ReviewOut] = Field(description="审核意见，先后有序")

    resolve_state_display = staticmethod(display("state"))

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(step(obj.step).label)

    @staticmethod
    def resolve_reviews(obj: Any) -> list[Any]:
        return list(obj.reviews.all())


class CaseOut(Schema):
    """A case as the worklist shows it: where it stands and who must act."""

    id: int
    person: PersonRef = Field(description="人员")
    organization: OrganizationRef = Field(description="培养党支部")
    status: str = Field(description=f"状态：{STATUS_CODES}")
    status_display: str = Field(description="状态（中文）")
    stage: int = Field(description=f"所处阶段：{STAGE_CODES}")
    stage_display: str = Field(description="所处阶段（中文）")
    last_step: int = Field(description="已完成的最后步骤（0 表示尚无）")
    last_step_on: date | None = Field(description="最近步骤日期")
    next_step: int | None = Field(description="下一步骤；办结后为 null")
    next_step_label: str = Field(description="下一步骤名称")
    due_on: date | None = Field(description="下一步骤应完成日期")
    earliest_on: date | None = Field(description="下一步骤最早可办理日期")
    days_overdue: int = Field(description="超期天数（未超期为 0）")
    waiting_level: str = Field(description="待审核层级：committee、university；不待审核为空")
    waiting_level_display: str = Field(description="待审核层级（中文）")
    waiting_organization: OrganizationRef | None = Field(description="待审核党组织")
    returned_reason: str = Field(description="最近一次退回的原因")
    applied_on: date | None = Field(description="申请入党日期")
    activist_on: date | None = Field(description="确定积极分子日期")
    candidate_on: date | None = Field(description="确定发展对象日期")
    voted_on: date | None = Field(description="支部大会通过日期")
    admitted_on: date | None = Field(description="上级党委审批日期")
    probation_ends_on: date | None = Field(description="预备期满日期")
    extension_months: int = Field(description="延长预备期（月）")
    converted_on: date | None = Field(description="转正日期")
    closed_on: date | None = Field(description="结束日期")
    close_reason: str = Field(description="结束原因")

    resolve_status_display = staticmethod(display("status"))
    resolve_stage_display = staticmethod(display("stage"))
    resolve_waiting_level_display = staticmethod(display("waiting_level"))

    @staticmethod
    def resolve_next_step_label(obj: Any) -> str:
        return str(step(obj.next_step).label) if obj.next_step else ""

    @staticmethod
    def resolve_days_overdue(obj: Any) -> int:
        if obj.status != CaseStatus.OPEN or obj.due_on is None:
            return 0
        return max(0, (timezone.localdate() - obj.due_on).days)


class CasePage(Schema):
    count: int = Field(description="符合条件的档案总数")
    items: list[CaseOut]


class CaseDetail(CaseOut):
    """A case with every recorded step."""

    records: list[RecordOut] = Field(description="已登记的步骤，按步骤先后")

    @staticmethod
    def resolve_records(obj: Any) -> list[Any]:
        return list(obj.records.all())


class OutcomeOut(Schema):
    """A recorded or reviewed step, the warnings to show, and the case's new standing."""

    record: RecordOut
    warnings: list[str] = Field(description="只提醒不拒绝的规则提示（中文）")
    case: CaseOut


class ChoiceOut(Schema):
    code: str = Field(description="代码")
    label: str = Field(description="名称")


class FieldOut(Schema):
    """One structured field of a step (a key of the record's `data`)."""

    name: str = Field(description="字段名（data 中的键）")
    label: str = Field(description="名称")
    kind: str = Field(
        description="类型：date、text、long_text、int、decimal、choice、person（人员 id）、"
        "people（人员 id 列表）、bool、checklist（代码列表）"
    )
    required: bool = Field(description="必填")
    choices: list[ChoiceOut] = Field(description="可选值（choice、checklist）")
    at_least: int | None = Field(description="最小值或最少人数")
    at_most: int | None = Field(description="最大值或最多人数")
    help: str = Field(description="说明")


class StepOut(Schema):
    """One of the 25 steps."""

    number: int = Field(description="步骤（1-25）")
    code: str = Field(description="步骤代码")
    stage: int = Field(description="所属阶段")
    stage_label: str = Field(description="所属阶段（中文）")
    label: str = Field(description="步骤名称")
    date_label: str = Field(description="日期的含义")
    review: str = Field(description="须经审核的层级：committee、university；无须审核为空")
    repeatable: bool = Field(description="可多次登记（考察、转正讨论等）")
    optional: bool = Field(description="可跳过")
    documents: list[str] = Field(description="通常附上的材料")
    fields: list[FieldOut] = Field(description="步骤内容的字段")


# --- input ------------------------------------------------------------------------------------


class StepData(InputSchema):
    data: dict[str, Any] = Field(
        default_factory=dict, description="步骤内容，字段见步骤目录；人员填人员 id"
    )
    justification: str = Field(
        "",
        max_length=500,
        description="例外理由：违反可例外的规则时，有权限的用户填写理由后仍可登记",
    )


class OpenIn(StepData):
    person: int = Field(description="人员 id（名册中的入党申请人等非党员）")
    applied_on: date = Field(description="递交入党申请书日期（第1步）")
    organization: int | None = Field(None, description="培养党支部 id；不填则为人员所在党组织")


class StepIn(StepData):
    occurred_on: date = Field(description="日期（含义见步骤目录的 date_label）")
    note: str = Field("", max_length=2000, description="备注")


class ReviewIn(InputSchema):
    decision: Literal["approved", "returned"] = Field(description="approved 同意、returned 退回")
    decided_on: date = Field(description="审核日期")
    reason: str = Field("", max_length=300, description="意见；退回时必填")
    justification: str = Field(
        "", max_length=500, description="例外理由（审批超过期限等可例外的规则）"
    )


class CancelIn(InputSchema):
    reason: CancelReason = Field(description=f"终止原因：{CANCEL_CODES}")
    on: date = Field(description="终止日期")
    note: str = Field("", max_length=300, description="说明")


# --- query ------------------------------------------------------------------------------------


class CaseQuery(Schema):
    within: int | None = Field(None, description="只列出此党组织（id）及其下级的档案")
    stage: Stage | None = Field(None, description=f"所处阶段：{STAGE_CODES}")
    status: CaseStatus | None = Field(None, description=f"状态，默认全部：{STATUS_CODES}")
    next_step: int | None = Field(None, ge=1, le=25, description="下一步骤（1-25）")
    overdue: bool | None = Field(
        None, description="true 只列出进行中且下一步骤已超期的，false 只列出未超期的"
    )
    limit: int = Field(50, ge=1, le=500, description="每页条数（1-500）")
    offset: int = Field(0, ge=0, description="跳过的条数")
