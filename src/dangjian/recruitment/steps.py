"""The 25 steps of 发展党员, each with its own structured fields (domain.md §3).

A step is data: its number, stage, label, the label of its date, the fields a record of it
carries, who reviews it, and what it changes in the member registry. Forms, validation, the
API schema, documents and the legacy import all read these definitions, so a step is defined
once. Step-specific rules (intervals, introducers, votes…) live in `checks.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.core.text import Text
from dangjian.recruitment.choices import (
    Body,
    ConversionOutcome,
    ReviewConclusion,
    ReviewLevel,
    Source,
    Stage,
)

# Field kinds: how a value is entered and stored in a record's JSON `data`.
DATE, TEXT, LONG_TEXT, INT, DECIMAL, CHOICE, PERSON, PEOPLE, BOOL, CHECKLIST = (
    "date",
    "text",
    "long_text",
    "int",
    "decimal",
    "choice",
    "person",
    "people",
    "bool",
    "checklist",
)


@dataclass(frozen=True)
class FieldDef:
    """One structured field of a step record. PERSON and PEOPLE hold person ids (members of
    the registry); `at_least`/`at_most` bound a PEOPLE list or a number."""

    name: str
    label: Text
    kind: str = TEXT
    required: bool = True
    choices: tuple[tuple[str, Text], ...] = ()
    at_least: int | None = None
    at_most: int | None = None
    help: Text = ""


@dataclass(frozen=True)
class StepDef:
    number: int
    code: str
    stage: int
    label: Text
    date_label: Text
    fields: tuple[FieldDef, ...] = ()
    review: str = ""  # ReviewLevel: the step waits for that level's decision
    repeatable: bool = False  # assessments and reports recur; a conversion may be extended
    optional: bool = False  # may be skipped (a later step may follow without it)
    documents: tuple[Text, ...] = field(default=())  # scans usually attached

    @property
    def stage_label(self) -> Text:
        return Stage(self.stage).label


def _choices(enum: Any) -> tuple[tuple[str, Text], ...]:
    return tuple(enum.choices)


VOTE_FIELDS = (
    FieldDef("should_attend", _("应到有表决权党员"), INT, at_least=1),
    FieldDef("present", _("实到有表决权党员"), INT, at_least=0),
    FieldDef("votes_for", _("赞成"), INT, at_least=0),
    FieldDef("votes_against", _("反对"), INT, at_least=0),
    FieldDef("votes_abstain", _("弃权"), INT, at_least=0),
)
TALKER = FieldDef("talker", _("谈话人"), PERSON)
TALK_SUMMARY = FieldDef("summary", _("谈话情况"), LONG_TEXT, required=False)
NOTICE = (
    FieldDef("notice_from", _("公示开始日期"), DATE),
    FieldDef("notice_to", _("公示结束日期"), DATE),
)

STEPS: tuple[StepDef, ...] = (
    StepDef(1, "application", Stage.APPLICATION, _("递交入党申请书"), _("申请日期"),
            (FieldDef("received_by", _("接收申请的党组织"), TEXT, required=False),),
            documents=(_("入党申请书"),)),
    StepDef(2, "talk", Stage.APPLICATION, _("党组织派人谈话"), _("谈话日期"),
            (TALKER, TALK_SUMMARY), documents=(_("谈话记录"),)),
    StepDef(3, "activist", Stage.ACTIVIST, _("确定入党积极分子"), _("确定日期"),
            (FieldDef("source", _("推荐方式"), CHOICE, choices=_choices(Source)),
             FieldDef("decided_by", _("决定会议"), CHOICE, choices=_choices(Body)),
             FieldDef("notice_from", _("公示开始日期"), DATE, required=False),
             FieldDef("notice_to", _("公示结束日期"), DATE, required=False)),
            documents=(_("推荐材料"), _("会议记录"))),
    StepDef(4, "activist_filed", Stage.ACTIVIST, _("报上级党委备案"), _("报备日期"),
            review=ReviewLevel.COMMITTEE),
    StepDef(5, "mentors", Stage.ACTIVIST, _("指定培养联系人"), _("指定日期"),
            (FieldDef("mentors", _("培养联系人"), PEOPLE, at_least=1, at_most=2,
                      help=_("一至两名正式党员")),)),
    StepDef(6, "cultivation", Stage.ACTIVIST, _("培养教育考察"), _("考察日期"),
            (FieldDef("conclusion", _("考察意见"), LONG_TEXT),
             FieldDef("thought_reports", _("本期思想汇报（份）"), INT, required=False, at_least=0)),
            repeatable=True, documents=(_("培养考察登记表"), _("思想汇报"))),
    StepDef(7, "candidate", Stage.CANDIDATE, _("确定发展对象"), _("确定日期"),
            (FieldDef("opinions", _("听取意见情况"), LONG_TEXT),
             FieldDef("decided_by", _("决定会议"), CHOICE, choices=_choices(Body)),
             *NOTICE), documents=(_("会议记录"), _("公示材料"))),
    StepDef(8, "candidate_filed", Stage.CANDIDATE, _("报上级党委备案"), _("报备日期"),
            review=ReviewLevel.COMMITTEE),
    StepDef(9, "introducers", Stage.CANDIDATE, _("确定入党介绍人"), _("确定日期"),
            (FieldDef("introducers", _("入党介绍人"), PEOPLE, at_least=2, at_most=2,
                      help=_("两名正式党员")),)),
    StepDef(10, "political_review", Stage.CANDIDATE, _("进行政治审查"), _("审查结论日期"),
            (FieldDef("conclusion", _("政审结论"), CHOICE, choices=_choices(ReviewConclusion)),
             FieldDef("report", _("政治审查综合材料"), LONG_TEXT, required=False)),
            documents=(_("政治审查综合材料"),)),
    StepDef(11, "training", Stage.CANDIDATE, _("开展集中培训"), _("结业日期"),
            (FieldDef("course", _("培训班名称"), TEXT),
             FieldDef("days", _("培训天数"), DECIMAL, required=False, at_least=0),
             FieldDef("hours", _("培训学时"), DECIMAL, required=False, at_least=0),
             FieldDef("certificate_no", _("结业证书编号"), TEXT, required=False)),
            documents=(_("结业证书"),)),
    StepDef(12, "branch_review", Stage.ADMISSION, _("支部委员会审查"), _("审查日期"),
            (FieldDef("opinion", _("审查意见"), LONG_TEXT),)),
    StepDef(13, "pre_review", Stage.ADMISSION, _("上级党委预审"), _("预审日期"),
            (*NOTICE, FieldDef("opinion", _("预审意见"), LONG_TEXT, required=False)),
            review=ReviewLevel.COMMITTEE, documents=(_("预审请示"), _("预审批复"))),
    StepDef(14, "application_form", Stage.ADMISSION, _("填写入党志愿书"), _("填写日期"),
            (FieldDef("form_no", _("入党志愿书编号"), TEXT),), documents=(_("入党志愿书"),)),
    StepDef(15, "admission_vote", Stage.ADMISSION, _("支部大会讨论接收预备党员"), _("会议日期"),
            VOTE_FIELDS, documents=(_("支部大会记录"),)),
    StepDef(16, "committee_talk", Stage.ADMISSION, _("上级党委派人谈话"), _("谈话日期"),
            (TALKER, TALK_SUMMARY)),
    StepDef(17, "approval", Stage.ADMISSION, _("上级党委审批"), _("审批日期"),
            (FieldDef("approved_by", _("审批党组织"), TEXT),
             FieldDef("document_no", _("批复文号"), TEXT, required=False)),
            review=ReviewLevel.COMMITTEE, documents=(_("审批意见"),)),
    StepDef(18, "approval_filed", Stage.ADMISSION, _("报再上一级党委组织部门备案"), _("备案日期"),
            review=ReviewLevel.UNIVERSITY),
    StepDef(19, "placement", Stage.ADMISSION, _("编入党支部和党小组"), _("编入日期"),
            (FieldDef("party_group", _("党小组"), TEXT, required=False),)),
    StepDef(20, "oath", Stage.ADMISSION, _("入党宣誓"), _("宣誓日期"),
            (FieldDef("led_by", _("领誓人"), TEXT, required=False),)),
    StepDef(21, "education", Stage.PROBATION, _("继续教育考察"), _("考察日期"),
            (FieldDef("conclusion", _("考察意见"), LONG_TEXT),), repeatable=True),
    StepDef(22, "conversion_application", Stage.PROBATION, _("提出转正申请"), _("申请日期"),
            documents=(_("转正申请书"),)),
    StepDef(23, "conversion_vote", Stage.PROBATION, _("支部大会讨论转正"), _("会议日期"),
            (FieldDef("outcome", _("决议"), CHOICE, choices=_choices(ConversionOutcome)),
             FieldDef("extension_months", _("延长预备期（月）"), INT, required=False,
                      help=_("延长预备期时填写，6至12个月")),
             *VOTE_FIELDS), repeatable=True, documents=(_("支部大会记录"),)),
    StepDef(24, "conversion_approval", Stage.PROBATION, _("上级党委审批转正"), _("审批日期"),
            (FieldDef("approved_by", _("审批党组织"), TEXT),
             FieldDef("document_no", _("批复文号"), TEXT, required=False)),
            review=ReviewLevel.COMMITTEE, repeatable=True),
    StepDef(25, "archive", Stage.PROBATION, _("材料归档"), _("归档日期"),
            (FieldDef("checklist", _("归档材料"), CHECKLIST, required=False,
                      choices=(("application", _("入党申请书")),
                               ("activist_register", _("积极分子培养考察登记表")),
                               ("political_review", _("政治审查材料")),
                               ("training", _("培训结业证书")),
                               ("application_form", _("入党志愿书")),
                               ("conversion_application", _("转正申请书")),
                               ("minutes", _("支部大会记录")),
                               ("approvals", _("上级党委审批意见")))),
             FieldDef("archived_at", _("档案存放处"), TEXT, required=False))),
)  # fmt: skip

BY_NUMBER: dict[int, StepDef] = {step.number: step for step in STEPS}
BY_CODE: dict[str, StepDef] = {step.code: step for step in STEPS}
LAST = STEPS[-1].number


def step(number: int) -> StepDef:
    """The definition of step `number` (1–25); anything else is a programming error."""
    return BY_NUMBER[number]
