"""Default questionnaires per kind of campaign, and validation of one ballot's answers.

Answers are a mapping '<subject id>:<question id>' → value ('0:<question id>' for a question
asked once): an option code for a grade, a whole number for a score, text for a comment.
`clean_answers` refuses anything outside the questionnaire before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.appraisals.choices import CampaignKind, QuestionKind, Scale, option_label, options
from dangjian.appraisals.models import Question, Subject
from dangjian.core.errors import DomainError
from dangjian.core.text import Text

COMMENT_LIMIT = 500


@dataclass(frozen=True)
class QuestionDraft:
    kind: str
    text: Text
    scale: str = ""
    per_subject: bool = True
    required: bool = True
    min_score: int | None = None
    max_score: int | None = None


def _grade(text: Text, scale: str, per_subject: bool = True) -> QuestionDraft:
    return QuestionDraft(QuestionKind.GRADE, text, scale, per_subject)


COMMENTS = QuestionDraft(QuestionKind.COMMENT, _("意见和建议"), per_subject=False, required=False)

DEFAULTS: dict[str, list[QuestionDraft]] = {
    CampaignKind.MEMBER_APPRAISAL: [_grade(_("评议等次"), Scale.APPRAISAL), COMMENTS],
    CampaignKind.SECRETARY_REVIEW: [
        _grade(_("抓基层党建工作综合评价"), Scale.REVIEW),
        COMMENTS,
    ],
    CampaignKind.DUAL_REVIEW: [
        _grade(_("述党建工作评价"), Scale.REVIEW),
        _grade(_("述业务工作评价"), Scale.REVIEW),
        COMMENTS,
    ],
    CampaignKind.CADRE_ASSESSMENT: [
        _grade(_("总体评价"), Scale.COMPETENCE),
        QuestionDraft(QuestionKind.SCORE, _("德能勤绩廉综合评分"), min_score=0, max_score=100),
        COMMENTS,
    ],
    CampaignKind.TEAM_ASSESSMENT: [
        _grade(_("领导班子总体评价"), Scale.REVIEW),
        _grade(_("落实全面从严治党主体责任"), Scale.REVIEW),
        COMMENTS,
    ],
    CampaignKind.SATISFACTION: [
        _grade(_("对本年度党建工作的总体评价"), Scale.REVIEW, per_subject=False),
        _grade(_("对组织生活开展情况的评价"), Scale.REVIEW, per_subject=False),
        COMMENTS,
    ],
    CampaignKind.RECOMMENDATION: [_grade(_("是否推荐"), Scale.RECOMMEND), COMMENTS],
}


def default_questions(kind: str) -> list[QuestionDraft]:
    """The questionnaire a new campaign of `kind` starts with (editable before voting)."""
    return DEFAULTS.get(kind, [COMMENTS])


def answer_key(subject_id: int | None, question_id: int) -> str:
    return f"{subject_id or 0}:{question_id}"


def ballot_items(
    questions: Sequence[Question], subjects: Sequence[Subject]
) -> list[tuple[Subject | None, Question]]:
    """Every (subject, question) a ballot answers, in the order the page shows them.

    Per-subject grade and score questions are asked for graded subjects only (probationary
    members are not graded); per-subject comments for every subject.
    """
    items: list[tuple[Subject | None, Question]] = []
    for subject in subjects:
        for question in questions:
            if not question.per_subject:
                continue
            if question.kind != QuestionKind.COMMENT and not subject.graded:
                continue
            items.append((subject, question))
    items.extend((None, question) for question in questions if not question.per_subject)
    return items


def _name(subject: Subject | None, question: Question) -> str:
    return f"{subject.name}：{question.text}" if subject else question.text


def clean_answers(
    raw: Mapping[str, Any],
    questions: Sequence[Question],
    subjects: Sequence[Subject],
) -> dict[str, Any]:
    """The answers as stored, or DomainError naming the first faulty item in Chinese."""
    if not isinstance(raw, Mapping):
        raise DomainError(gettext("选票格式不正确。"))
    items = {
        answer_key(s.pk if s else None, q.pk): (s, q) for s, q in ballot_items(questions, subjects)
    }
    unknown = [key for key in raw if key not in items]
    if unknown:
        raise DomainError(
            gettext("选票中有不属于本次测评的评价项（%(key)s）。") % {"key": unknown[0]}
        )
    cleaned: dict[str, Any] = {}
    tops: dict[int, int] = {}
    for key, (subject, question) in items.items():
        value = raw.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.required and question.kind != QuestionKind.COMMENT:
                raise DomainError(
                    gettext("请对“%(item)s”作出评价。") % {"item": _name(subject, question)}
                )
            continue
        cleaned[key] = _clean_value(value, subject, question)
        if question.kind == QuestionKind.GRADE and cleaned[key] == options(question.scale)[0][0]:
            tops[question.pk] = tops.get(question.pk, 0) + 1
    for question in questions:
        if question.max_top is not None and tops.get(question.pk, 0) > question.max_top:
            top = option_label(question.scale, options(question.scale)[0][0])
            raise DomainError(
                gettext("“%(question)s”最多只能评%(top)s%(count)s人，您评了%(given)s人。")
                % {
                    "question": question.text,
                    "top": top,
                    "count": question.max_top,
                    "given": tops[question.pk],
                }
            )
    return cleaned


def _clean_value(value: Any, subject: Subject | None, question: Question) -> Any:
    name = _name(subject, question)
    if question.kind == QuestionKind.GRADE:
        codes = [code for code, _label in options(question.scale)]
        if value not in codes:
            raise DomainError(
                gettext("“%(item)s”的评价不在可选等次内（%(choices)s）。")
                % {
                    "item": name,
                    "choices": "、".join(str(label) for _c, label in options(question.scale)),
                }
            )
        return value
    if question.kind == QuestionKind.SCORE:
        try:
            number = int(str(value))
        except ValueError:
            raise DomainError(gettext("“%(item)s”应填写整数分数。") % {"item": name})
        low = question.min_score if question.min_score is not None else 0
        high = question.max_score if question.max_score is not None else 100
        if not low <= number <= high:
            raise DomainError(
                gettext("“%(item)s”的分数应在%(low)s至%(high)s之间。")
                % {"item": name, "low": low, "high": high}
            )
        return number
    text = str(value)
    if len(text) > COMMENT_LIMIT:
        raise DomainError(
            gettext("“%(item)s”不能超过%(limit)s字。") % {"item": name, "limit": COMMENT_LIMIT}
        )
    return text
