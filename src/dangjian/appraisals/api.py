"""The appraisal API (评议测评): campaigns, their subjects, voters and codes, and the phases.

Reads go through `restrict()`; a campaign, person or organization outside the caller's scope
does not exist for them (404), also when named in a request body; a caller with no grant for
the action gets 403. Every change calls `appraisals.actions`; refusals are 422 with a Chinese
message. Ballots, receipts, turnout, results and the decision are in `api_more.py` (same
router). The voter list says who has voted, never when or how.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Router, Status

from dangjian.appraisals import actions
from dangjian.appraisals.choices import CampaignKind, Phase
from dangjian.appraisals.models import Campaign, Subject, VoteCode, Voter
from dangjian.appraisals.schemas import (
    AddedOut,
    CampaignDetail,
    CampaignIn,
    CampaignPage,
    CampaignPatch,
    CodesIn,
    CodesOut,
    PhaseIn,
    PhaseOut,
    SubjectOut,
    SubjectsIn,
    VoterOut,
    VotersIn,
)
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW, covers
from dangjian.members.models import Person
from dangjian.orgs.api_kit import PageQuery, anchor, located, may, page_of
from dangjian.orgs.models import Organization

router = Router(tags=["评议测评"])
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

CAMPAIGN_FIELDS = ("kind", "title", "year", "opens_at", "closes_at", "instructions")


class CampaignQuery(PageQuery):
    within: int | None = NinjaField(None, description="只列出此党组织（id）及其下级发起的测评")
    kind: CampaignKind | None = NinjaField(None, description="类型")
    phase: Phase | None = NinjaField(None, description="阶段")
    year: int | None = NinjaField(None, ge=2000, le=2100, description="评议年度")


# --- helpers shared with api_more --------------------------------------------------------------


def organizer(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign the caller runs: 404 outside their scope, 403 for a voter (member)."""
    return get_scoped(request, Campaign, CHANGE, pk=campaign_id)


def in_scope(request: HttpRequest, model: type[M], ids: list[int]) -> list[M]:
    """Records named by id in a body: 404 when any is unknown or outside the caller's scope."""
    if not ids:
        return []
    manager: Any = model._default_manager
    found = list(manager.restrict(request.user, VIEW).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        deny(request, request.user, "访问范围外的对象", model=model._meta.label_lower)
        raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
    return found


def _count(model: type[models.Model], **condition: Any) -> Coalesce:
    """A count of a campaign's related rows as a subquery (no join product in the list)."""
    rows = (
        model._default_manager.filter(campaign=OuterRef("pk"), **condition)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def campaigns(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """With the organization and the list's counts, in one query."""
    return queryset.select_related("organization").annotate(
        subject_count=_count(Subject), voter_count=_count(Voter)
    )


def detail(campaign: Campaign) -> Campaign:
    """The campaign with what the detail shows, in two queries."""
    return (
        campaigns(Campaign.objects.filter(pk=campaign.pk))
        .annotate(code_count=_count(VoteCode))
        .prefetch_related("questions")
        .get()
    )


# --- campaigns ---------------------------------------------------------------------------------


@router.get(
    "/campaigns",
    response=CampaignPage,
    summary="评议测评列表",
    description="调用者范围内的民主评议党员、述职评议考核、双述双评、干部和班子测评、满意度测评、"
    "民主推荐（党员本人看到自己投票或被评议的），按投票开始时间倒序分页。",
)
def list_campaigns(request: HttpRequest, filters: Query[CampaignQuery]) -> dict[str, Any]:
    """A page of the campaigns the caller may see."""
    require(request, Campaign, VIEW)
    queryset = campaigns(Campaign.objects.restrict(request.user, VIEW))
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(organization__path__startswith=org.path)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    if filters.phase is not None:
        queryset = queryset.filter(phase=filters.phase)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    return page_of(queryset, filters)


@router.post(
    "/campaigns",
    response={201: CampaignDetail},
    summary="发起评议测评",
    description="党组织发起一次测评（筹备中），带该类型的默认问卷；可同时按来源添加评议对象和投票人、"
    "生成投票码。任一步被拒绝则全部不保存（422）。",
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    """Create a campaign, with subjects, voters and codes, in one transaction."""
    require(request, Campaign, ADD)
    org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    may(request, Campaign, ADD, org)
    data = payload.model_dump(include=set(CAMPAIGN_FIELDS))

    def run() -> Campaign:
        with transaction.atomic():
            campaign = actions.create_campaign(org, data, acting_user=request.user)
            if payload.subject_source:
                actions.add_subjects(
                    campaign, source=payload.subject_source, acting_user=request.user
                )
            if payload.voter_source:
                actions.add_voters(campaign, source=payload.voter_source, acting_user=request.user)
            if payload.codes:
                actions.generate_codes(campaign, payload.codes, acting_user=request.user)
            return campaign

    return Status(201, detail(located(run)))


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignDetail,
    summary="评议测评详情",
    description="测评的类型、阶段、投票时间、问卷、名单人数和各阶段时间。",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """One campaign with its questionnaire."""
    return detail(get_scoped(request, Campaign, VIEW, pk=campaign_id))


@router.patch(
    "/campaigns/{campaign_id}",
    response=CampaignDetail,
    summary="修改评议测评",
    description="只改请求中给出的字段；类型不能修改。投票开始后只能延后截止时间或修改投票说明。",
)
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Campaign:
    """Change some fields of a campaign."""
    campaign = organizer(request, campaign_id)
    data = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    data |= payload.model_dump(exclude_unset=True)
    located(lambda: actions.update_campaign(campaign, data, acting_user=request.user))
    return detail(campaign)


@router.delete(
    "/campaigns/{campaign_id}",
    response={204: None},
    summary="删除评议测评",
    description="只能删除尚未开始投票的测评（筹备中或述职/自评阶段）。",
)
def delete_campaign(request: HttpRequest, campaign_id: int) -> Status[None]:
    """Remove a campaign nobody has voted in."""
    campaign = get_scoped(request, Campaign, DELETE, pk=campaign_id)
    located(lambda: actions.delete_campaign(campaign, acting_user=request.user))
    return Status(204, None)


PHASE_ACTIONS: dict[str, Callable[..., Any]] = {
    "self_report": actions.open_self_report,
    "open": actions.open_voting,
    "close": actions.close_voting,
    "publish": actions.publish,
}


@router.post(
    "/campaigns/{campaign_id}/phase",
    response=PhaseOut,
    summary="推进测评阶段",
    description="self_report 开始述职/自评；open 开始投票（问卷、对象和名单随之冻结）；close "
    "结束投票并计票（返回投票率不足等提示）；publish 公示已确定的等次。阶段只能向前推进。",
)
def move_phase(request: HttpRequest, campaign_id: int, payload: PhaseIn) -> dict[str, Any]:
    """Move a campaign to its next phase."""
    campaign = organizer(request, campaign_id)
    step = PHASE_ACTIONS[payload.op]
    outcome = located(lambda: step(campaign, acting_user=request.user))
    warnings = outcome if payload.op == "close" else []
    return {"campaign": detail(campaign), "warnings": [str(w) for w in warnings]}


# --- subjects, voters and codes ---------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/subjects",
    response=list[SubjectOut],
    summary="评议对象名单",
    description="测评的评议对象、述职/自评内容和等次。测评建议等次只对组织方显示；评定等次对组织方"
    "显示，公示后对所有可见此测评的人显示。",
)
def list_subjects(request: HttpRequest, campaign_id: int) -> list[Subject]:
    """Every subject of the campaign, grades as the caller may see them."""
    campaign = get_scoped(request, Campaign, VIEW, pk=campaign_id)
    rows = list(campaign.subjects.select_related("person", "organization"))
    if not covers(request.user, Campaign, CHANGE, campaign.organization.path):
        for subject in rows:
            subject.proposed_grade = ""
            if campaign.phase != Phase.PUBLISHED:
                subject.final_grade = ""
    return rows


@router.post(
    "/campaigns/{campaign_id}/subjects",
    response={201: AddedOut},
    summary="添加评议对象",
    description="按来源（本组织党员、所属支部书记、所属党委书记、班子、干部）或指定人员、党组织添加；"
    "已在名单中的跳过，预备党员参加评议但不评定等次。只能在投票开始前调整。",
)
def add_subjects(
    request: HttpRequest, campaign_id: int, payload: SubjectsIn
) -> Status[dict[str, int]]:
    """Add subjects from a source, people and organizations."""
    campaign = organizer(request, campaign_id)
    people = in_scope(request, Person, payload.people)
    units = in_scope(request, Organization, payload.organizations)
    added = located(
        lambda: actions.add_subjects(
            campaign,
            source=payload.source,
            people=people,
            organizations=units,
            acting_user=request.user,
        )
    )
    return Status(201, {"added": added, "total": campaign.subjects.count()})


@router.get(
    "/campaigns/{campaign_id}/voters",
    response=list[VoterOut],
    summary="投票人名单",
    description="组织方查看投票人名单：人员、类型和是否已投票（从不显示投票时间或所投内容）。",
)
def list_voters(request: HttpRequest, campaign_id: int) -> list[Voter]:
    """Who may vote and whether they have."""
    campaign = organizer(request, campaign_id)
    return list(campaign.voters.select_related("person").only("person__name", "kind", "has_voted"))


@router.post(
    "/campaigns/{campaign_id}/voters",
    response={201: AddedOut},
    summary="添加投票人",
    description="按来源（本组织党员、本组织委员、所属各级书记）或指定人员（特邀）添加；已在名单中的"
    "跳过。只能在投票开始前调整。",
)
def add_voters(request: HttpRequest, campaign_id: int, payload: VotersIn) -> Status[dict[str, int]]:
    """Add voters from a source and invited people."""
    campaign = organizer(request, campaign_id)
    people = in_scope(request, Person, payload.people)
    added = located(
        lambda: actions.add_voters(
            campaign, source=payload.source, people=people, acting_user=request.user
        )
    )
    return Status(201, {"added": added, "total": campaign.voters.count()})


@router.post(
    "/campaigns/{campaign_id}/codes",
    response={201: CodesOut},
    summary="生成投票码",
    description="为没有账号的投票人生成一次性投票码（只返回个数；投票码在网页“打印票面”中连同"
    "二维码打印）。只能在投票开始前生成，每次测评最多2000个。",
)
def generate_codes(
    request: HttpRequest, campaign_id: int, payload: CodesIn
) -> Status[dict[str, int]]:
    """Add single-use codes; never answers the codes themselves."""
    campaign = organizer(request, campaign_id)
    made = located(
        lambda: actions.generate_codes(campaign, payload.count, acting_user=request.user)
    )
    return Status(201, {"generated": made, "total": campaign.codes.count()})


def _register_more() -> None:
    from dangjian.appraisals import api_more  # noqa: F401  (its operations join `router`)


_register_more()
