"""The standard Word forms of a recruitment case, filled from its step records.

入党积极分子培养考察登记表, 发展对象预审请示 and 预备党员转正情况汇总 print what the steps
recorded (fields as defined in `steps.py`); anything not recorded shows （未登记）, never a guess.
The ID number appears only masked. The whole case as one file is `documents_dossier`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH

from dangjian.core.docx import (
    as_bytes,
    chinese_date,
    grid,
    heading,
    missing,
    new_document,
    pairs,
    paragraph,
    title,
)
from dangjian.core.text import Text
from dangjian.recruitment.choices import ReviewLevel
from dangjian.recruitment.documents_facts import CaseFacts, basic_rows, load
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.plan import reviewer

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def activist_register(facts: CaseFacts) -> DocumentType:
    """入党积极分子培养考察登记表: who the activist is, how they got there, each assessment."""
    doc = new_document()
    title(
        doc,
        gettext("入党积极分子培养考察登记表"),
        gettext("培养党支部：%(org)s") % {"org": facts.case.organization.name},
    )
    heading(doc, gettext("一、基本情况"))
    pairs(doc, basic_rows(facts))
    heading(doc, gettext("二、申请入党和确定入党积极分子"))
    pairs(
        doc,
        [
            (gettext("递交入党申请书日期"), facts.date(1)),
            (gettext("接收申请的党组织"), facts.value(1, "received_by")),
            (gettext("谈话日期"), facts.date(2)),
            (gettext("谈话人"), facts.value(2, "talker")),
            (gettext("谈话情况"), facts.value(2, "summary")),
            (gettext("确定为入党积极分子日期"), facts.date(3)),
            (gettext("推荐方式"), facts.value(3, "source")),
            (gettext("决定会议"), facts.value(3, "decided_by")),
            (gettext("公示开始日期"), facts.value(3, "notice_from")),
            (gettext("公示结束日期"), facts.value(3, "notice_to")),
            (gettext("报上级党委备案日期"), facts.date(4)),
            (gettext("指定培养联系人日期"), facts.date(5)),
            (gettext("培养联系人"), facts.value(5, "mentors")),
        ],
    )
    heading(doc, gettext("三、培养教育考察"))
    assessments = facts.all(6)
    rows = [
        [
            str(index),
            chinese_date(record.occurred_on),
            facts.value(6, "conclusion", record),
            facts.value(6, "thought_reports", record),
        ]
        for index, record in enumerate(assessments, start=1)
    ]
    grid(
        doc,
        [gettext("次序"), gettext("考察日期"), gettext("考察意见"), gettext("思想汇报（份）")],
        rows or [["", "", "", ""]],
    )
    counted = [r.data["thought_reports"] for r in assessments if "thought_reports" in r.data]
    paragraph(
        doc,
        gettext("思想汇报合计：%(n)s") % {"n": gettext("%(n)d份") % {"n": sum(counted)}}
        if counted
        else gettext("思想汇报合计：%(n)s") % {"n": missing()},
        indent=False,
    )
    return doc


def pre_review_request(facts: CaseFacts) -> DocumentType:
    """发展对象预审请示: the branch asks its grassroots committee to pre-review a candidate."""
    case, name = facts.case, facts.person.name
    doc = new_document()
    title(doc, gettext("关于%(name)s同志入党的预审请示") % {"name": name})
    committee = reviewer(case.organization, ReviewLevel.COMMITTEE)
    paragraph(doc, f"{committee.name}：", indent=False)
    paragraph(
        doc,
        gettext("我支部拟发展%(name)s同志为中共预备党员，现将有关情况报告如下，请予预审。")
        % {"name": name},
    )
    heading(doc, gettext("一、发展对象基本情况"))
    basic = basic_rows(facts)  # name … ID number, then education, unit and post
    pairs(doc, [*basic[:5], basic[6], basic[9], basic[10]])
    heading(doc, gettext("二、培养考察经过"))
    pairs(
        doc,
        [
            (gettext("递交入党申请书日期"), facts.date(1)),
            (gettext("确定为入党积极分子日期"), facts.date(3)),
            (gettext("确定为发展对象日期"), facts.date(7)),
            (gettext("培养联系人"), facts.value(5, "mentors")),
            (gettext("入党介绍人"), facts.value(9, "introducers")),
            (gettext("确定入党介绍人日期"), facts.date(9)),
        ],
    )
    heading(doc, gettext("三、政治审查"))
    pairs(
        doc,
        [
            (gettext("政审结论"), facts.value(10, "conclusion")),
            (gettext("审查结论日期"), facts.date(10)),
        ],
    )
    heading(doc, gettext("四、集中培训"))
    pairs(
        doc,
        [
            (gettext("培训班名称"), facts.value(11, "course")),
            (gettext("结业日期"), facts.date(11)),
            (gettext("培训天数"), facts.value(11, "days")),
            (gettext("培训学时"), facts.value(11, "hours")),
            (gettext("结业证书编号"), facts.value(11, "certificate_no")),
        ],
    )
    heading(doc, gettext("五、支部委员会审查意见"))
    pairs(
        doc,
        [(gettext("审查日期"), facts.date(12)), (gettext("审查意见"), facts.value(12, "opinion"))],
    )
    heading(doc, gettext("六、公示情况"))
    pairs(
        doc,
        [
            (gettext("公示开始日期"), facts.value(13, "notice_from")),
            (gettext("公示结束日期"), facts.value(13, "notice_to")),
        ],
    )
    paragraph(doc, gettext("妥否，请批示。"))
    paragraph(doc, case.organization.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(doc, gettext("年　　月　　日"), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return doc


def _votes(facts: CaseFacts, number: int, record: StepRecord | None = None) -> list[str]:
    return [
        facts.value(number, field, record)
        for field in ("should_attend", "present", "votes_for", "votes_against", "votes_abstain")
    ]


def _probation(case: Case) -> str:
    if case.voted_on is None or case.probation_ends_on is None:
        return missing()
    return gettext("%(start)s至%(end)s") % {
        "start": chinese_date(case.voted_on),
        "end": chinese_date(case.probation_ends_on),
    }


VOTE_HEADERS = (_("应到"), _("实到"), _("赞成"), _("反对"), _("弃权"))


def conversion_summary(facts: CaseFacts) -> DocumentType:
    """预备党员转正情况汇总: admission, probation, the conversion vote(s) and approval."""
    case = facts.case
    doc = new_document()
    title(doc, gettext("预备党员转正情况汇总"))
    heading(doc, gettext("一、基本情况"))
    pairs(
        doc,
        [
            *basic_rows(facts)[:5],
            (gettext("所在党支部"), case.organization.name),
        ],
    )
    heading(doc, gettext("二、接收为预备党员"))
    pairs(
        doc,
        [
            (gettext("支部大会通过日期"), facts.date(15)),
            (gettext("上级党委审批日期"), facts.date(17)),
            (gettext("审批党组织"), facts.value(17, "approved_by")),
            (gettext("批复文号"), facts.value(17, "document_no")),
            (gettext("预备期"), _probation(case)),
            (
                gettext("延长预备期（月）"),
                str(case.extension_months) if case.extension_months else gettext("无"),
            ),
        ],
    )
    paragraph(doc, gettext("支部大会表决情况（有表决权党员）："), indent=False)
    grid(doc, [str(h) for h in VOTE_HEADERS], [_votes(facts, 15)])
    heading(doc, gettext("三、转正申请"))
    pairs(doc, [(gettext("提出转正申请日期"), facts.date(22))], per_row=1)
    heading(doc, gettext("四、支部大会讨论转正"))
    rows = [
        [chinese_date(r.occurred_on), facts.value(23, "outcome", r), *_votes(facts, 23, r)]
        for r in facts.all(23)
    ]
    grid(
        doc,
        [gettext("会议日期"), gettext("决议"), *(str(h) for h in VOTE_HEADERS)],
        rows or [[""] * 7],
    )
    heading(doc, gettext("五、上级党委审批"))
    rows = [
        [
            chinese_date(r.occurred_on),
            facts.value(24, "approved_by", r),
            facts.value(24, "document_no", r),
            r.get_state_display(),
        ]
        for r in facts.all(24)
    ]
    grid(
        doc,
        [gettext("审批日期"), gettext("审批党组织"), gettext("批复文号"), gettext("状态")],
        rows or [[""] * 4],
    )
    pairs(
        doc,
        [
            (gettext("转正日期"), chinese_date(case.converted_on)),
            (gettext("档案状态"), case.get_status_display()),
        ],
    )
    return doc


@dataclass(frozen=True)
class Kind:
    label: Text
    build: Callable[[CaseFacts], DocumentType]


KINDS: dict[str, Kind] = {
    "activist_register": Kind(_("入党积极分子培养考察登记表"), activist_register),
    "pre_review_request": Kind(_("发展对象预审请示"), pre_review_request),
    "conversion_summary": Kind(_("预备党员转正情况汇总"), conversion_summary),
}


def render(case: Case, kind: str) -> bytes:
    """The .docx of form `kind` (a key of KINDS) for `case`."""
    return as_bytes(KINDS[kind].build(load(case)))
