"""Request and response schemas of the appraisal API (/api/v1/appraisals).

Datetimes are ISO 8601 with the time zone; a choice is its code with a `*_display` label;
shares are percentages as strings with two decimals ("99.09"), null when nothing was answered.
Nothing here joins a voter to a ballot: the voter list says only who has voted, a ballot's
receipt is answered once to the voter who cast it and never again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import field_validator

from dangjian.appraisals.actions import MAX_CODES
from dangjian.appraisals.choices import CampaignKind, Phase, QuestionKind, Scale, VoterKind
from dangjian.appraisals.sources import SUBJECT_SOURCES, VOTER_SOURCES
from dangjian.members.schemas import InputSchema, OrganizationRef, PersonRef, display, optional


def _codes(choices: Any) -> str:
    return "、".join(f"{code} {label}" for code, label in choices.choices)


def _sources(named: dict[str, Any]) -> str:
    return "、".join(f"{code} {label}" for code, label in named.items())


KIND_CODES = _codes(CampaignKind)
PHASE_CODES = _codes(Phase)
SUBJECT_SOURCE_CODES = _sources(SUBJECT_SOURCES)
VOTER_SOURCE_CODES = _sources(VOTER_SOURCES)


def _source(value: str, named: dict[str, Any]) -> str:
    """A named source, or a Chinese refusal listing the sources."""
    if value and value not in named:
        raise ValueError(gettext("取值不正确，可选：%(codes)s。") % {"codes": "、".join(named)})
    return value


# --- campaigns --------------------------------------------------------------------------------


class OptionOut(Schema):
    code: str = Field(description="等次代码，选票中填写此代码")
    label: str = Field(description="等次（中文）")


class QuestionOut(Schema):
    """One item of the questionnaire, with the options of its scale."""

    id: int
    position: int = Field(description="序号")
    kind: str = Field(description=f"题型：{_codes(QuestionKind)}")
    kind_display: str = Field(description="题型（中文）")
    text: str = Field(description="题目")
    scale: str = Field(description=f"评价等次（等次评价题）：{_codes(Scale)}")
    options: list[OptionOut] = Field(description="可选等次，最好的在前")
    per_subject: bool = Field(description="对每个评议对象评价（false 为整卷只答一次）")
    required: bool = Field(description="必答")
    max_top: int | None = Field(description="一张选票最多对几人选首项（如“推荐”）")
    min_score: int | None = Field(description="最低分（打分题）")
    max_score: int | None = Field(description="最高分（打分题）")

    resolve_kind_display = staticmethod(display("kind"))

    @staticmethod
    def resolve_options(obj: Any) -> list[dict[str, str]]:
        from dangjian.appraisals.choices import options

        return [{"code": code, "label": str(label)} for code, label in options(obj.scale)]


class CampaignOut(Schema):
    """A campaign as the list shows it."""

    id: int
    organization: OrganizationRef = Field(description="发起的党组织")
    kind: str = Field(description=f"类型：{KIND_CODES}")
    kind_display: str = Field(description="类型（中文）")
    title: str = Field(description="名称")
    year: int = Field(description="评议年度")
    phase: str = Field(description=f"阶段：{PHASE_CODES}")
    phase_display: str = Field(description="阶段（中文）")
    opens_at: datetime = Field(description="投票开始时间")
    closes_at: datetime = Field(description="投票截止时间")
    subject_count: int = Field(description="评议对象数")
    voter_count: int = Field(description="投票人名单人数（不含投票码）")
    eligible_count: int = Field(description="应投票人数（开始投票时确定，含投票码）")
    ballot_count: int = Field(description="有效票数（计票后）")

    resolve_kind_display = staticmethod(display("kind"))
    resolve_phase_display = staticmethod(display("phase"))


class CampaignDetail(CampaignOut):
    """A campaign with its questionnaire and the dates of its phases."""

    instructions: str = Field(description="投票说明")
    code_count: int = Field(description="已生成的投票码数")
    questions: list[QuestionOut] = Field(description="问卷")
    has_results: bool = Field(description="已计票（可查看结果）")
    counted_at: datetime | None = Field(description="计票时间")
    decided_at: datetime | None = Field(description="确定等次时间")
    published_at: datetime | None = Field(description="公示时间")
    decision_note: str = Field(description="确定等次说明")
    created_at: datetime = Field(description="创建时间")
    updated_at: datetime = Field(description="修改时间")

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())


class CampaignPage(Schema):
    count: int = Field(description="符合条件的测评总数")
    page: int = Field(description="页码（从1开始）")
    page_size: int = Field(description="每页条数")
    items: list[CampaignOut]


class CampaignFields(InputSchema):
    """The fields of a campaign as `actions.update_campaign` takes them."""

    title: str = optional(max_length=200, description="名称")
    year: int = optional(ge=2000, le=2100, description="评议年度")
    opens_at: datetime = optional(description="投票开始时间（ISO 8601）")
    closes_at: datetime = optional(description="投票截止时间（ISO 8601），晚于开始时间")
    instructions: str = optional(max_length=5000, description="投票说明")


class CampaignIn(CampaignFields):
    """A new campaign; subjects, voters and codes may be added in the same request."""

    organization: int = Field(description="发起的党组织 id")
    kind: CampaignKind = Field(description=f"类型：{KIND_CODES}")
    title: str = Field(max_length=200, description="名称")
    year: int = Field(ge=2000, le=2100, description="评议年度")
    opens_at: datetime = Field(description="投票开始时间（ISO 8601）")
    closes_at: datetime = Field(description="投票截止时间（ISO 8601）")
    subject_source: str = Field("", description=f"评议对象来源（可不填）：{SUBJECT_SOURCE_CODES}")
    voter_source: str = Field("", description=f"投票人来源（可不填）：{VOTER_SOURCE_CODES}")
    codes: int = Field(0, ge=0, le=MAX_CODES, description="同时生成的投票码个数（无账号的投票人）")

    @field_validator("subject_source")
    @classmethod
    def _subject_source(cls, value: str) -> str:
        return _source(value, SUBJECT_SOURCES)

    @field_validator("voter_source")
    @classmethod
    def _voter_source(cls, value: str) -> str:
        return _source(value, VOTER_SOURCES)


class CampaignPatch(CampaignFields):
    """Changed fields only; while voting only the closing time (later) and instructions."""


class PhaseIn(InputSchema):
    op: Literal["self_report", "open", "close", "publish"] = Field(
        description="self_report 开始述职/自评、open 开始投票、close 结束投票并计票、publish 公示"
    )


class PhaseOut(Schema):
    campaign: CampaignDetail
    warnings: list[str] = Field(description="只提醒不拒绝的规则提示（如投票率不足）")


# --- subjects, voters, codes ------------------------------------------------------------------


class SubjectOut(Schema):
    """Who or what is appraised. Grades: proposed ones for the organizers only; final ones
    for the organizers, and for everyone once published."""

    id: int
    kind: str = Field(description="对象类型：person 个人、team 领导班子、organization 党组织")
    kind_display: str = Field(description="对象类型（中文）")
    person: PersonRef | None = Field(description="人员（个人）")
    organization: OrganizationRef | None = Field(description="所在（或被评议的）党组织")
    name: str = Field(description="评议对象")
    post: str = Field(description="职务/类别")
    position: int = Field(description="序号")
    graded: bool = Field(description="评定等次（预备党员参加评议但不评定等次）")
    report: str = Field(description="述职/自评内容")
    has_report_file: bool = Field(description="有述职报告附件")
    self_grade: str = Field(description="自评等次代码")
    reported_on: date | None = Field(description="述职/自评提交日期")
    proposed_grade: str = Field(description="测评建议等次代码（组织方可见）")
    final_grade: str = Field(description="评定等次代码")

    resolve_kind_display = staticmethod(display("kind"))

    @staticmethod
    def resolve_has_report_file(obj: Any) -> bool:
        return bool(obj.report_file)


class PeopleIn(InputSchema):
    source: str = Field("", description="来源（可不填）")
    people: list[int] = Field([], max_length=5000, description="另外添加的人员 id")


class SubjectsIn(PeopleIn):
    source: str = Field("", description=f"评议对象来源（可不填）：{SUBJECT_SOURCE_CODES}")
    organizations: list[int] = Field(
        [], max_length=1000, description="作为评议对象的党组织或领导班子 id"
    )

    @field_validator("source")
    @classmethod
    def _known(cls, value: str) -> str:
        return _source(value, SUBJECT_SOURCES)


class VotersIn(PeopleIn):
    source: str = Field("", description=f"投票人来源（可不填）：{VOTER_SOURCE_CODES}")
    people: list[int] = Field([], max_length=5000, description="特邀投票人的人员 id")

    @field_validator("source")
    @classmethod
    def _known(cls, value: str) -> str:
        return _source(value, VOTER_SOURCES)


class AddedOut(Schema):
    added: int = Field(description="本次新增人数（已在名单中的跳过）")
    total: int = Field(description="名单现有人数")


class VoterOut(Schema):
    """Who may vote and whether they have: never when, never how."""

    person_id: int = Field(description="人员 id")
    name: str = Field(description="姓名")
    kind: str = Field(description=f"投票人类型：{_codes(VoterKind)}")
    has_voted: bool = Field(description="已投票")

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person.name)


class CodesIn(InputSchema):
    count: int = Field(ge=1, le=MAX_CODES, description=f"生成个数（1-{MAX_CODES}）")


class CodesOut(Schema):
    generated: int = Field(description="本次生成的投票码个数（投票码在网页“打印票面”中打印）")
    total: int = Field(description="本次测评的投票码总数")


# --- ballots ----------------------------------------------------------------------------------


class BallotSubjectOut(Schema):
    """A subject as the ballot shows it (no grades)."""

    id: int
    name: str = Field(description="评议对象")
    post: str = Field(description="职务/类别")
    graded: bool = Field(description="评定等次（false：只可填写意见）")
    report: str = Field(description="述职/自评内容")


class BallotItemOut(Schema):
    key: str = Field(description="答案键：“评议对象id:题目id”，整卷只答一次的题为“0:题目id”")
    subject_id: int | None = Field(description="评议对象 id；整卷只答一次的题为 null")
    question_id: int = Field(description="题目 id")


class BallotCampaignOut(Schema):
    id: int
    title: str = Field(description="名称")
    kind: str = Field(description=f"类型：{KIND_CODES}")
    kind_display: str = Field(description="类型（中文）")
    instructions: str = Field(description="投票说明")
    opens_at: datetime = Field(description="投票开始时间")
    closes_at: datetime = Field(description="投票截止时间")

    resolve_kind_display = staticmethod(display("kind"))


class BallotFormOut(Schema):
    """The questionnaire for one voter: what to answer, and whether they may."""

    campaign: BallotCampaignOut
    is_open: bool = Field(description="现在可以投票")
    closed_reason: str = Field(description="不能投票的原因（中文）；可以投票时为空")
    on_list: bool = Field(description="调用者在投票人名单中（投票码始终为 true）")
    has_voted: bool = Field(description="调用者已投过票")
    questions: list[QuestionOut] = Field(description="题目")
    subjects: list[BallotSubjectOut] = Field(description="评议对象")
    items: list[BallotItemOut] = Field(description="须作答的评价项，按页面顺序")


class BallotIn(InputSchema):
    answers: dict[str, Any] = Field(
        description="答案：键为评价项的 key，值为等次代码、整数分数或意见文字"
    )


class CodeBallotIn(BallotIn):
    code: str = Field(max_length=40, description="票面上的投票码（大小写、空格和连字符不计）")


class ReceiptOut(Schema):
    receipt: str = Field(description="投票回执码：只返回这一次，请投票人自行保存，用于核验计票")


class CodeReceiptOut(ReceiptOut):
    campaign: int = Field(description="测评 id")


class ReceiptIn(InputSchema):
    receipt: str = Field(max_length=40, description="投票回执码")


class ReceiptCheckOut(Schema):
    counted: bool = Field(description="票箱中有这张选票")
    campaign: int | None = Field(description="测评 id；未找到为 null")
    title: str = Field(description="测评名称；未找到为空")
    message: str = Field(description="核验结果（中文）")


# --- turnout, results, decision ---------------------------------------------------------------


class TurnoutOut(Schema):
    phase: str = Field(description=f"阶段：{PHASE_CODES}")
    voted: int = Field(description="已投票人数（名单中已投票的人数加已使用的投票码数）")
    eligible: int = Field(description="应投票人数")
    percent: str | None = Field(description="投票率（%，两位小数）")


class ShareOut(Schema):
    code: str = Field(description="等次代码")
    label: str = Field(description="等次（中文）")
    count: int = Field(description="票数")
    share: str | None = Field(description="占比（%，两位小数）")


class ItemResultOut(Schema):
    question_id: int = Field(description="题目 id")
    question: str = Field(description="题目")
    kind: str = Field(description="题型")
    answered: int = Field(description="作答票数")
    options: list[ShareOut] = Field(description="各等次票数和占比（等次评价题）")
    mean: str | None = Field(description="平均分（打分题，两位小数）")


class SubjectResultOut(Schema):
    id: int
    name: str = Field(description="评议对象")
    post: str = Field(description="职务/类别")
    graded: bool = Field(description="评定等次")
    proposed_grade: str = Field(description="测评建议等次代码")
    proposed_grade_display: str = Field(description="测评建议等次（中文）")
    final_grade: str = Field(description="评定等次代码")
    final_grade_display: str = Field(description="评定等次（中文）")
    items: list[ItemResultOut] = Field(description="各题结果")


class QuotaOut(Schema):
    rule: str = Field(description="优秀等次比例上限（如 1/3）")
    graded: int = Field(description="参评正式党员人数")
    allowed: int = Field(description="最多可评优秀人数")
    proposed: int = Field(description="建议为优秀的人数")
    final: int = Field(description="评定为优秀的人数")


class ResultsOut(Schema):
    """The count of a closed campaign: per subject and question, overall, turnout, quota."""

    campaign: int = Field(description="测评 id")
    phase: str = Field(description=f"阶段：{PHASE_CODES}")
    scale: str = Field(description="确定等次所用的评价等次")
    turnout: TurnoutOut
    overall: list[ShareOut] = Field(description="全部等次评价的各等次占比（如“好 99.09%”）")
    subjects: list[SubjectResultOut] = Field(description="各评议对象的结果")
    general: list[ItemResultOut] = Field(description="整卷只答一次的题目的结果")
    quota: QuotaOut | None = Field(description="优秀比例检查（民主评议党员）")
    decision_note: str = Field(description="确定等次说明")


class DecideIn(InputSchema):
    grades: dict[int, str] = Field(
        default_factory=dict, description="评议对象 id → 等次代码；未列出的沿用测评建议等次"
    )
    note: str = Field("", max_length=2000, description="确定等次说明")
