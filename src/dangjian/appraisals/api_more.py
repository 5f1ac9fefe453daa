"""The appraisal API, continued: ballots, receipts, turnout, results and the decision.

Operations join `api.router`. Casting is kept lean (it is benchmarked): the campaign in one
scoped query, then `actions.cast_ballot`, which refuses voters not on the list. Nothing here
logs or audits a vote; the receipt is answered once, with `Cache-Control: no-store`. Voters
without accounts use `/code-ballot` and anyone may check a receipt at `/receipts/verify`
(no authentication, so no session and no CSRF check either).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Status
from ninja.errors import HttpError, ValidationError

from dangjian.appraisals import actions, counting, rules, voting
from dangjian.appraisals.api import located, organizer, router
from dangjian.appraisals.choices import (
    DECISION_SCALE,
    CampaignKind,
    QuestionKind,
    Scale,
    option_label,
    options,
)
from dangjian.appraisals.models import Ballot, Campaign, Voter
from dangjian.appraisals.questionnaire import answer_key, ballot_items
from dangjian.appraisals.schemas import (
    BallotFormOut,
    BallotIn,
    CodeBallotIn,
    CodeReceiptOut,
    DecideIn,
    ReceiptCheckOut,
    ReceiptIn,
    ReceiptOut,
    ResultsOut,
    TurnoutOut,
)
from dangjian.core import rules as core_rules
from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import VIEW

NO_STORE = "no-store"


def _text(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


def _form(campaign: Campaign, *, on_list: bool, has_voted: bool) -> dict[str, Any]:
    """The questionnaire of `campaign` as a voter's page shows it."""
    questions, subjects = voting.ballot_form(campaign)
    try:
        voting.check_open(campaign)
        reason = ""
    except DomainError as error:
        reason = error.message
    shown = voting.subjects_of(questions, subjects)
    return {
        "campaign": campaign,
        "is_open": not reason,
        "closed_reason": reason,
        "on_list": on_list,
        "has_voted": has_voted,
        "questions": questions,
        "subjects": shown,
        "items": [
            {
                "key": answer_key(s.pk if s else None, q.pk),
                "subject_id": s.pk if s else None,
                "question_id": q.pk,
            }
            for s, q in ballot_items(questions, shown)
        ],
    }


# --- ballots -----------------------------------------------------------------------------------


def _voter_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """The campaign if the caller may see it or votes in it (invited voters from elsewhere)."""
    campaign = voting.voter_campaign(request.user, campaign_id)
    return campaign or get_scoped(request, Campaign, VIEW, pk=campaign_id)


@router.get(
    "/campaigns/{campaign_id}/ballot",
    response=BallotFormOut,
    summary="我的选票",
    description="调用者的选票：题目、评议对象、须作答的评价项（答案键）、现在能否投票，以及调用者"
    "是否在名单中、是否已投票。",
)
def get_ballot(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """The questionnaire for the calling voter."""
    campaign = _voter_campaign(request, campaign_id)
    user: Any = request.user
    row = (
        Voter.objects.filter(campaign=campaign, person__user=user)
        .values_list("has_voted", flat=True)
        .first()
    )
    return _form(campaign, on_list=row is not None, has_voted=bool(row))


@router.post(
    "/campaigns/{campaign_id}/ballot",
    response={201: ReceiptOut},
    summary="投票",
    description="投出调用者的无记名选票（每人一票，并发提交也只计一次）。成功时只返回一次回执码，"
    "用于核验计票；投票时间外、重复投票、不在名单中或答案不在问卷内时返回 422 并说明原因，"
    "什么也不保存。",
)
def cast_ballot(
    request: HttpRequest, response: HttpResponse, campaign_id: int, payload: BallotIn
) -> Status[dict[str, str]]:
    """Cast the caller's secret ballot; the receipt is answered only here."""
    campaign, person_id = voting.voter_listing(request.user, campaign_id)
    if campaign is None:
        campaign = get_scoped(request, Campaign, VIEW, pk=campaign_id)
    receipt = located(
        lambda: actions.cast_ballot(
            campaign, payload.answers, voter_user=request.user, person_id=person_id
        )
    )
    response["Cache-Control"] = NO_STORE
    return Status(201, {"receipt": receipt})


def _code_error(error: DomainError, where: list[str]) -> ValidationError:
    return ValidationError([{"loc": where, "msg": error.message, "type": error.code or "code"}])


@router.get(
    "/code-ballot",
    auth=None,
    response=BallotFormOut,
    summary="投票码选票",
    description="无账号的投票人以票面上的投票码取得选票（无须登录）。投票码无效或已使用时返回 422。",
)
def get_code_ballot(request: HttpRequest, code: str) -> dict[str, Any]:
    """The questionnaire a printed slip's code opens."""
    try:
        campaign = voting.campaign_for_code(code)
    except DomainError as error:
        raise _code_error(error, ["query", "code"]) from error
    return _form(campaign, on_list=True, has_voted=False)


@router.post(
    "/code-ballot",
    auth=None,
    response={201: CodeReceiptOut},
    summary="凭投票码投票",
    description="无账号的投票人凭一次性投票码投票（无须登录，不涉及会话，无须 CSRF 令牌）。每个"
    "投票码只能用一次；投票码无效、已使用、不在投票时间或答案有误时返回 422，什么也不保存。",
)
def cast_code_ballot(
    request: HttpRequest, response: HttpResponse, payload: CodeBallotIn
) -> Status[dict[str, Any]]:
    """Cast the ballot of a slip's code; the receipt is answered only here."""
    campaign, receipt = located(lambda: actions.cast_with_code(payload.code, payload.answers))
    response["Cache-Control"] = NO_STORE
    return Status(201, {"receipt": receipt, "campaign": campaign.pk})


@router.post(
    "/receipts/verify",
    auth=None,
    response=ReceiptCheckOut,
    summary="核验投票回执",
    description="投票人以回执码核验自己的选票在票箱中（已计入或将计入计票），不显示所投内容"
    "（无须登录）。",
)
def verify_receipt(request: HttpRequest, payload: ReceiptIn) -> dict[str, Any]:
    """Whether a ballot with this receipt is in a ballot box, and which."""
    found = None
    if len(voting.normalize_code(payload.receipt)) == 12:
        found = (
            Ballot.objects.filter(receipt_hash=voting.receipt_hash(payload.receipt))
            .select_related("campaign")
            .only("campaign__id", "campaign__title", "campaign__phase")
            .first()
        )
    if found is None:
        return {
            "counted": False,
            "campaign": None,
            "title": "",
            "message": gettext("未找到与此回执码对应的选票，请核对回执码。"),
        }
    campaign = found.campaign
    message = (
        gettext("您的选票已计入计票结果。")
        if campaign.has_results
        else gettext("您的选票已投入票箱，将在投票结束后计票。")
    )
    return {"counted": True, "campaign": campaign.pk, "title": campaign.title, "message": message}


# --- turnout, results, decision ---------------------------------------------------------------


def _turnout(campaign: Campaign) -> dict[str, Any]:
    if campaign.has_results:
        voted, eligible = campaign.ballot_count, campaign.eligible_count
    else:
        voted, eligible = voting.turnout(campaign)
    return {
        "phase": campaign.phase,
        "voted": voted,
        "eligible": eligible,
        "percent": _text(counting.share(voted, eligible)),
    }


@router.get(
    "/campaigns/{campaign_id}/turnout",
    response=TurnoutOut,
    summary="投票率",
    description="组织方查看实时投票率：已投票人数、应投票人数和百分比（从不显示结果）。",
)
def get_turnout(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """Voted, eligible and percent; never results."""
    return _turnout(organizer(request, campaign_id))


def _item(item: counting.ItemResult) -> dict[str, Any]:
    shares = item.shares
    question = item.question
    return {
        "question_id": question.pk,
        "question": question.text,
        "kind": question.kind,
        "answered": item.answered,
        "options": [
            {
                "code": code,
                "label": str(label),
                "count": item.counts.get(code, 0),
                "share": _text(shares.get(code)),
            }
            for code, label in options(question.scale)
        ]
        if question.kind == QuestionKind.GRADE
        else [],
        "mean": _text(item.mean),
    }


def _quota(campaign: Campaign, subjects: list[Any]) -> dict[str, Any] | None:
    if campaign.kind != CampaignKind.MEMBER_APPRAISAL:
        return None
    top = options(Scale.APPRAISAL)[0][0]
    graded = [s for s in subjects if s.graded and s.person_id is not None]
    return {
        "rule": str(core_rules.value(rules.EXCELLENT_QUOTA.code)),
        "graded": len(graded),
        "allowed": rules.quota(len(graded)),
        "proposed": sum(1 for s in graded if s.proposed_grade == top),
        "final": sum(1 for s in graded if s.final_grade == top),
    }


def results_of(campaign: Campaign) -> dict[str, Any]:
    """The whole result of a counted campaign, from its tallies."""
    if not campaign.has_results:
        raise HttpError(409, gettext("投票结束并计票后才能查看结果。"))
    scale = DECISION_SCALE[campaign.kind]
    items = counting.results(campaign)
    subjects = list(campaign.subjects.all())
    by_subject: dict[int, list[dict[str, Any]]] = {s.pk: [] for s in subjects}
    general = []
    totals: Counter[str] = Counter()
    for item in items:
        if item.question.kind == QuestionKind.GRADE and item.question.scale == scale:
            totals.update(item.counts)
        if item.subject is None:
            general.append(_item(item))
        else:
            by_subject[item.subject.pk].append(_item(item))
    overall = counting.overall_shares(campaign)
    return {
        "campaign": campaign.pk,
        "phase": campaign.phase,
        "scale": scale,
        "turnout": _turnout(campaign),
        "overall": [
            {
                "code": code,
                "label": str(label),
                "count": totals[code],
                "share": _text(overall.get(code)),
            }
            for code, label in options(scale)
        ],
        "subjects": [
            {
                "id": s.pk,
                "name": s.name,
                "post": s.post,
                "graded": s.graded,
                "proposed_grade": s.proposed_grade,
                "proposed_grade_display": option_label(scale, s.proposed_grade),
                "final_grade": s.final_grade,
                "final_grade_display": option_label(scale, s.final_grade),
                "items": by_subject[s.pk],
            }
            for s in subjects
        ],
        "general": general,
        "quota": _quota(campaign, subjects),
        "decision_note": campaign.decision_note,
    }


@router.get(
    "/campaigns/{campaign_id}/results",
    response=ResultsOut,
    summary="测评结果",
    description="计票后的结果：每个评议对象各题各等次的票数和占比、平均分、测评建议等次和评定等次，"
    "全部等次评价的总体占比，投票率，民主评议党员的优秀比例检查。投票结束并计票前为 409。",
)
def get_results(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """The count, for the organizers, once voting has closed."""
    return results_of(organizer(request, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/decide",
    response=ResultsOut,
    summary="确定评议等次",
    description="党组织确定每个评定等次的评议对象的等次（未列出的沿用测评建议等次）。民主评议党员"
    "优秀人数超过比例上限、为预备党员评定等次或等次不在可选范围内时返回 422，什么也不保存。",
)
def decide(request: HttpRequest, campaign_id: int, payload: DecideIn) -> dict[str, Any]:
    """Fix the final grades, within the quota rules."""
    campaign = organizer(request, campaign_id)
    decided = located(
        lambda: actions.decide(
            campaign, payload.grades, note=payload.note, acting_user=request.user
        )
    )
    return results_of(decided)
