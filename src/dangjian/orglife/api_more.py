"""The organizational-life API, continued: compliance, monthly summaries and yearly plans.

Operations join `api.router` (same tag, same prefix). Compliance is computed once per root
organization by `compliance.year_of` (a handful of queries whatever the number of branches);
summaries change through `summaries.py`, plan items through `plans.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Query, Schema, Status
from ninja.errors import ValidationError

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW, covering_paths, covers, user_grants
from dangjian.orglife import compliance, plans, summaries
from dangjian.orglife.api import PageQuery, anchor, located, may, page_of, router
from dangjian.orglife.choices import EventStatus, PeriodState, Requirement, SummaryStatus
from dangjian.orglife.models import APPROVE, Event, MonthlySummary, PlanItem
from dangjian.orglife.schemas import (
    ComplianceOut,
    PlanCopyIn,
    PlanCopyOut,
    PlanItemIn,
    PlanItemOut,
    PlanItemPatch,
    PlanPage,
    SummaryIn,
    SummaryOut,
    SummaryPage,
    SummaryReviewIn,
)
from dangjian.orgs.models import Organization

PLAN_FIELDS = ("year", "month", "kind", "topic", "speaker_name", "note")


# --- compliance --------------------------------------------------------------------------------


class ComplianceQuery(Schema):
    within: int | None = NinjaField(
        None, description="只统计此党组织（id）下的党支部；默认为调用者范围内最高的党组织"
    )
    year: int | None = NinjaField(None, ge=2000, le=2100, description="年度，默认今年")


def _tops(request: HttpRequest) -> list[Organization]:
    """The highest organizations in the caller's scope (the default roots)."""
    grants = [g for g in user_grants(request.user) if Event.scope.allows(g.role, VIEW)]
    visible = Organization.objects.restrict(request.user, VIEW)
    if any(g.path is None for g in grants):
        return list(visible.filter(depth=1).order_by("path"))
    paths = covering_paths(g.path for g in grants if g.path)
    return list(visible.filter(path__in=paths).order_by("path"))


def _rate(held: int, missed: int) -> float | None:
    return round(100 * held / (held + missed), 1) if held + missed else None


def _branch(row: compliance.BranchYear, year: int) -> dict[str, Any]:
    held, missed, due = row.tally(date(year, 1, 1), date(year, 12, 31))
    return {
        "id": row.branch.pk,
        "name": row.branch.name,
        "path": row.branch.path,
        "months": row.months(),
        "requirements": [
            {
                "code": code,
                "label": str(Requirement(code).label),
                "periods": [
                    {
                        "start": slot.start,
                        "end": slot.end,
                        "state": slot.state,
                        "state_display": str(PeriodState(slot.state).label),
                        "held": slot.held,
                    }
                    for slot in slots
                ],
            }
            for code, slots in row.slots.items()
        ],
        "held": held,
        "missed": missed,
        "due": due,
        "rate": _rate(held, missed),
    }


@router.get(
    "/compliance",
    response=ComplianceOut,
    summary="组织生活落实情况",
    description="范围内每个党支部当年各必开事项（支部党员大会、支委会、党小组会、党课、主题党日、"
    "组织生活会、谈心谈话等）各周期的落实状态、1-12月落实率，以及合计和落实率"
    "（已开展 /（已开展 + 未开展））。",
)
def get_compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> dict[str, Any]:
    """Per branch and period, which required items were held."""
    require(request, Event, VIEW)
    org = anchor(request, query.within, "within")
    roots = [org] if org is not None else _tops(request)
    year = query.year or timezone.localdate().year
    today = timezone.localdate()
    seen: set[int] = set()
    branches = []
    for root in roots:
        for row in compliance.year_of(root, year, today):
            if row.branch.pk not in seen:
                seen.add(row.branch.pk)
                branches.append(_branch(row, year))
    held = sum(b["held"] for b in branches)
    missed = sum(b["missed"] for b in branches)
    due = sum(b["due"] for b in branches)
    return {
        "year": year,
        "held": held,
        "missed": missed,
        "due": due,
        "rate": _rate(held, missed),
        "branches": branches,
    }


# --- monthly summaries -------------------------------------------------------------------------


class SummaryQuery(PageQuery):
    within: int | None = NinjaField(None, description="只列出此党组织（id）及其下级的月报")
    month: str | None = NinjaField(None, max_length=7, description="月份（YYYY-MM）")
    status: SummaryStatus | None = NinjaField(None, description="状态")


def _summary(summary: MonthlySummary) -> MonthlySummary:
    return MonthlySummary.objects.select_related("organization", "reviewer").get(pk=summary.pk)


@router.get(
    "/summaries",
    response=SummaryPage,
    summary="组织生活月报列表",
    description="调用者范围内党支部的组织生活月报，按月份倒序分页。",
)
def list_summaries(request: HttpRequest, filters: Query[SummaryQuery]) -> dict[str, Any]:
    """A page of the monthly summaries the caller may see."""
    require(request, MonthlySummary, VIEW)
    queryset = MonthlySummary.objects.restrict(request.user, VIEW).select_related(
        "organization", "reviewer"
    )
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(organization__path__startswith=org.path)
    if filters.month:
        try:
            queryset = queryset.filter(month=summaries.month_start(filters.month))
        except DomainError as error:
            raise ValidationError(
                [{"loc": ["query", "month"], "msg": error.message, "type": "month"}]
            ) from error
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return page_of(queryset, filters)


@router.get(
    "/summaries/{summary_id}",
    response=SummaryOut,
    summary="组织生活月报详情",
    description="月报的工作小结、报送时的当月统计和审核情况。",
)
def get_summary(request: HttpRequest, summary_id: int) -> MonthlySummary:
    """One monthly summary."""
    return _summary(get_scoped(request, MonthlySummary, VIEW, pk=summary_id))


@router.post(
    "/summaries",
    response=SummaryOut,
    summary="撰写或报送组织生活月报",
    description="党支部保存（submit=false）或报送（submit=true）已结束月份的月报；当月统计自动生成。"
    "已报送或已审核的月报不能修改，被退回的可修改后重新报送。",
)
def submit_summary(request: HttpRequest, payload: SummaryIn) -> MonthlySummary:
    """Save or submit a branch's summary of a month."""
    require(request, MonthlySummary, ADD)
    org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    may(request, MonthlySummary, ADD, org)
    summary = located(
        lambda: summaries.submit_summary(
            org, payload.month, payload.text, submit=payload.submit, acting_user=request.user
        )
    )
    return _summary(summary)


@router.post(
    "/summaries/{summary_id}/review",
    response=SummaryOut,
    summary="审核组织生活月报",
    description="上级党委对已报送的月报作出决定：审核通过，或写明原因退回。只有审核党组织的工作人员"
    "可以审核（否则 403）。",
)
def review_summary(
    request: HttpRequest, summary_id: int, payload: SummaryReviewIn
) -> MonthlySummary:
    """Approve or return a submitted summary."""
    summary = get_scoped(request, MonthlySummary, VIEW, pk=summary_id)
    reviewer = summary.reviewer or summary.organization.superior_committee()
    if not covers(request.user, MonthlySummary, APPROVE, reviewer.path):
        deny(request, request.user, "非审核党组织", model="orglife.monthlysummary")
        raise PermissionDenied(gettext("月报由%(org)s审核，您无权审核。") % {"org": reviewer.name})
    located(
        lambda: summaries.review_summary(
            summary, approve=payload.approve, reason=payload.reason, acting_user=request.user
        )
    )
    return _summary(summary)


# --- yearly plans ------------------------------------------------------------------------------


class PlanQuery(PageQuery):
    organization: int | None = NinjaField(None, description="党组织 id")
    year: int | None = NinjaField(None, description="年度")


def _plan_items(queryset: QuerySet[PlanItem]) -> QuerySet[PlanItem]:
    """With the organization and the held events carrying each item out (two more queries)."""
    held = Event.objects.filter(status=EventStatus.HELD).only("pk", "plan_item_id")
    return queryset.select_related("organization").prefetch_related(
        Prefetch("events", queryset=held, to_attr="held_events")
    )


def _plan_item(item: PlanItem) -> PlanItem:
    return _plan_items(PlanItem.objects.filter(pk=item.pk)).get()


@router.get(
    "/plan-items",
    response=PlanPage,
    summary="年度计划事项列表",
    description="党组织年度计划中的主题党日、党课、集中学习研讨，按月份排列，含是否已由活动落实。",
)
def list_plan_items(request: HttpRequest, filters: Query[PlanQuery]) -> dict[str, Any]:
    """A page of plan items the caller may see."""
    require(request, PlanItem, VIEW)
    queryset = _plan_items(PlanItem.objects.restrict(request.user, VIEW))
    org = anchor(request, filters.organization, "organization")
    if org is not None:
        queryset = queryset.filter(organization=org)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    return page_of(queryset, filters)


@router.post(
    "/plan-items",
    response={201: PlanItemOut},
    summary="添加年度计划事项",
    description="在党组织某年度某月的计划中添加一项主题党日、党课或集中学习研讨。",
)
def create_plan_item(request: HttpRequest, payload: PlanItemIn) -> Status[PlanItem]:
    """Add an item to a plan."""
    require(request, PlanItem, ADD)
    org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    may(request, PlanItem, ADD, org)
    data = payload.model_dump(exclude={"organization"})
    item = located(lambda: plans.save_plan_item(org, data, acting_user=request.user))
    return Status(201, _plan_item(item))


@router.post(
    "/plan-items/copy",
    response={201: PlanCopyOut},
    summary="沿用上年度计划",
    description="以上一年度的计划事项为本年度计划的初稿（主题保留，可再修改）；本年度已有事项时不能沿用。",
)
def copy_plan(request: HttpRequest, payload: PlanCopyIn) -> Status[dict[str, Any]]:
    """Start a year's plan from the previous year's."""
    require(request, PlanItem, ADD)
    org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    may(request, PlanItem, ADD, org)
    created = located(lambda: plans.copy_plan(org, payload.year, acting_user=request.user))
    return Status(201, {"year": payload.year, "created": created})


@router.patch(
    "/plan-items/{item_id}",
    response=PlanItemOut,
    summary="修改年度计划事项",
    description="只改请求中给出的字段；已由活动落实的事项不能修改类型。",
)
def update_plan_item(request: HttpRequest, item_id: int, payload: PlanItemPatch) -> PlanItem:
    """Change some fields of a plan item."""
    item = get_scoped(request, PlanItem, CHANGE, pk=item_id)
    data = {name: getattr(item, name) for name in PLAN_FIELDS}
    data |= payload.model_dump(exclude_unset=True)
    located(
        lambda: plans.save_plan_item(item.organization, data, item=item, acting_user=request.user)
    )
    return _plan_item(item)


@router.delete(
    "/plan-items/{item_id}",
    response={204: None},
    summary="删除年度计划事项",
    description="删除尚未由已召开的活动落实的事项。",
)
def delete_plan_item(request: HttpRequest, item_id: int) -> Status[None]:
    """Remove a plan item."""
    item = get_scoped(request, PlanItem, DELETE, pk=item_id)
    located(lambda: plans.delete_plan_item(item, acting_user=request.user))
    return Status(204, None)
