"""Kinds of campaign, their phases, grade scales and question kinds (domain.md §5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.text import Text


class CampaignKind(models.TextChoices):
    MEMBER_APPRAISAL = "member_appraisal", _("民主评议党员")
    SECRETARY_REVIEW = "secretary_review", _("党组织书记抓党建述职评议考核")
    DUAL_REVIEW = "dual_review", _("支部书记“双述双评”")
    CADRE_ASSESSMENT = "cadre_assessment", _("干部考核测评")
    TEAM_ASSESSMENT = "team_assessment", _("领导班子考核测评")
    SATISFACTION = "satisfaction", _("满意度测评")
    RECOMMENDATION = "recommendation", _("民主推荐")


class Phase(models.TextChoices):
    """A campaign moves forward only: each step is an action (actions.py)."""

    DRAFT = "draft", _("筹备中")
    SELF_REPORT = "self_report", _("述职/自评")
    VOTING = "voting", _("投票中")
    COUNTED = "counted", _("已计票")
    DECIDED = "decided", _("已确定等次")
    PUBLISHED = "published", _("已公示")


PHASE_ORDER = list(Phase)
# Results (tallies, shares, comments) exist only once voting has closed.
RESULT_PHASES = frozenset({Phase.COUNTED, Phase.DECIDED, Phase.PUBLISHED})


class SubjectKind(models.TextChoices):
    PERSON = "person", _("个人")
    TEAM = "team", _("领导班子")
    ORGANIZATION = "organization", _("党组织")


class VoterKind(models.TextChoices):
    MEMBER = "member", _("本组织党员")
    COMMITTEE = "committee", _("委员会委员")
    INVITED = "invited", _("特邀人员")


class QuestionKind(models.TextChoices):
    GRADE = "grade", _("等次评价")
    SCORE = "score", _("打分")
    COMMENT = "comment", _("意见建议")


class Scale(models.TextChoices):
    """Grade scales: each lists its options best first (the first is the 'top' grade)."""

    APPRAISAL = "appraisal", _("优秀/合格/基本合格/不合格")
    REVIEW = "review", _("好/较好/一般/差")
    COMPETENCE = "competence", _("优秀/称职/基本称职/不称职")
    SATISFACTION = "satisfaction", _("满意/基本满意/不满意")
    RECOMMEND = "recommend", _("推荐/不推荐")


SCALE_OPTIONS: dict[str, list[tuple[str, Text]]] = {
    Scale.APPRAISAL: [
        ("excellent", _("优秀")),
        ("qualified", _("合格")),
        ("basic", _("基本合格")),
        ("unqualified", _("不合格")),
    ],
    Scale.REVIEW: [
        ("good", _("好")),
        ("fairly_good", _("较好")),
        ("average", _("一般")),
        ("poor", _("差")),
    ],
    Scale.COMPETENCE: [
        ("excellent", _("优秀")),
        ("competent", _("称职")),
        ("basic", _("基本称职")),
        ("incompetent", _("不称职")),
    ],
    Scale.SATISFACTION: [
        ("satisfied", _("满意")),
        ("basic", _("基本满意")),
        ("dissatisfied", _("不满意")),
    ],
    Scale.RECOMMEND: [("yes", _("推荐")), ("no", _("不推荐"))],
}


def options(scale: str) -> list[tuple[str, Text]]:
    """The (code, label) options of a scale, best first."""
    return SCALE_OPTIONS.get(scale, [])


def option_label(scale: str, code: str) -> str:
    """The Chinese label of an option code on a scale (the code itself when unknown)."""
    return str(dict(options(scale)).get(code, code))


# The scale whose final grades a campaign decides (the grades given to each subject).
DECISION_SCALE: dict[str, str] = {
    CampaignKind.MEMBER_APPRAISAL: Scale.APPRAISAL,
    CampaignKind.SECRETARY_REVIEW: Scale.REVIEW,
    CampaignKind.DUAL_REVIEW: Scale.REVIEW,
    CampaignKind.CADRE_ASSESSMENT: Scale.COMPETENCE,
    CampaignKind.TEAM_ASSESSMENT: Scale.REVIEW,
    CampaignKind.SATISFACTION: Scale.REVIEW,
    CampaignKind.RECOMMENDATION: Scale.RECOMMEND,
}
