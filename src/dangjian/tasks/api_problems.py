"""The tasks API, problem lists (整改): 清单 → 台账 → 销号.

A problem is seen by its issuer and its responsible unit (and those above them). The unit's
staff open the ledger entry, report progress and ask for close-out with evidence; only the
issuer's staff verify, return, reopen or delete: a caller who sees the problem from the other
side gets 403. Every change calls `tasks.actions`; refusals are 422 with a Chinese message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Status

from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW
from dangjian.orgs.api_kit import PageQuery, anchor, day_filter, located, may, page_of
from dangjian.tasks import actions
from dangjian.tasks.api import router
from dangjian.tasks.api_plans import organization, uploads
from dangjian.tasks.choices import (
    OPEN_PROBLEM,
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
)
from dangjian.tasks.models import Problem, ProblemLog
from dangjian.tasks.schemas import (
    LedgerIn,
    NoteIn,
    ProblemDetail,
    ProblemIn,
    ProblemPage,
    ReasonIn,
    VerifyIn,
)


class ProblemQuery(PageQuery):
    within: int | None = NinjaField(
        None, description="只列出责任单位在此党组织（id）及其下级的问题"
    )
    issuer: int | None = NinjaField(None, description="列出单位（党组织 id）")
    unit: int | None = NinjaField(None, description="责任单位（党组织 id）")
    year: int | None = NinjaField(None, ge=2000, le=2100, description="年度")
    level: ProblemLevel | None = NinjaField(None, description="层面")
    source: ProblemSource | None = NinjaField(None, description="问题来源")
    category: ProblemCategory | None = NinjaField(None, description="问题类别")
    status: ProblemStatus | None = NinjaField(None, description="状态")
    recurring: bool | None = NinjaField(None, description="true 只列出疑似反弹的问题")
    overdue: bool | None = NinjaField(None, description="true 只列出超过整改时限未销号的问题")
    listed_from: str | None = NinjaField(None, description="列入日期不早于（YYYY-MM-DD）")
    listed_to: str | None = NinjaField(None, description="列入日期不晚于（YYYY-MM-DD）")
    closed_from: str | None = NinjaField(None, description="销号日期不早于（YYYY-MM-DD）")
    closed_to: str | None = NinjaField(None, description="销号日期不晚于（YYYY-MM-DD）")


DATE_FILTERS = (
    ("listed_from", "listed_on__gte"),
    ("listed_to", "listed_on__lte"),
    ("closed_from", "closed_on__gte"),
    ("closed_to", "closed_on__lte"),
)


def problems(queryset: QuerySet[Problem]) -> QuerySet[Problem]:
    return queryset.select_related("issuer", "unit")


def problem_detail(problem: Problem) -> Problem:
    log = ProblemLog.objects.select_related("by")
    return (
        problems(Problem.objects.filter(pk=problem.pk))
        .prefetch_related("files", Prefetch("log", queryset=log))
        .get()
    )


def _unit_staff(request: HttpRequest, problem_id: int) -> Problem:
    """A problem the caller's unit rectifies: 404 outside scope, 403 for the issuer only."""
    problem = get_scoped(request, Problem, CHANGE, pk=problem_id)
    may(request, Problem, CHANGE, problem.unit)
    return problem


def _issuer_staff(request: HttpRequest, problem_id: int, action: str = CHANGE) -> Problem:
    """A problem the caller's organization listed: 403 for the responsible unit only."""
    problem = get_scoped(request, Problem, action, pk=problem_id)
    may(request, Problem, action, problem.issuer)
    return problem


@router.get(
    "/problems",
    response=ProblemPage,
    summary="问题清单",
    description="调用者范围内列出的或负责整改的问题，按年度、列出单位、编号排序分页；可按来源、类别、"
    "状态、疑似反弹、超期和日期筛选。",
)
def list_problems(request: HttpRequest, filters: Query[ProblemQuery]) -> dict[str, Any]:
    require(request, Problem, VIEW)
    queryset = problems(Problem.objects.restrict(request.user, VIEW))
    org = anchor(request, filters.within, "within")
    if org is not None:
        queryset = queryset.filter(unit__path__startswith=org.path)
    issuer = anchor(request, filters.issuer, "issuer")
    if issuer is not None:
        queryset = queryset.filter(issuer=issuer)
    unit = anchor(request, filters.unit, "unit")
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    for name in ("year", "level", "source", "category", "status"):
        if getattr(filters, name) is not None:
            queryset = queryset.filter(**{name: getattr(filters, name)})
    if filters.recurring:
        queryset = queryset.filter(recurring_of__isnull=False)
    if filters.overdue:
        queryset = queryset.filter(status__in=OPEN_PROBLEM, deadline__lt=timezone.localdate())
    for name, lookup in DATE_FILTERS:
        day = day_filter(getattr(filters, name), name)
        if day is not None:
            queryset = queryset.filter(**{lookup: day})
    return page_of(queryset, filters)


@router.post(
    "/problems",
    response={201: ProblemDetail},
    summary="列入问题清单",
    description="列出单位把问题列入本年度清单并交给责任单位（列出单位或其下级）整改；与该单位往年已"
    "销号的问题相似的，标记为疑似反弹（recurring_of_id、similarity）。",
)
def create_problem(request: HttpRequest, payload: ProblemIn) -> Status[Problem]:
    require(request, Problem, ADD)
    issuer = organization(request, payload.issuer)
    may(request, Problem, ADD, issuer)
    data = payload.model_dump(exclude={"issuer"}, exclude_none=True)
    data["unit"] = organization(request, payload.unit)
    problem = located(lambda: actions.list_problem(issuer, data, acting_user=request.user))
    return Status(201, problem_detail(problem))


@router.get(
    "/problems/{problem_id}",
    response=ProblemDetail,
    summary="问题详情",
    description="问题、整改台账、核验意见、佐证材料和整改记录。",
)
def get_problem(request: HttpRequest, problem_id: int) -> Problem:
    return problem_detail(get_scoped(request, Problem, VIEW, pk=problem_id))


@router.post(
    "/problems/{problem_id}/ledger",
    response=ProblemDetail,
    summary="建立整改台账",
    description="责任单位填写整改措施、责任人和整改时限（建立或修改台账），问题转为整改中。",
)
def open_ledger(request: HttpRequest, problem_id: int, payload: LedgerIn) -> Problem:
    problem = _unit_staff(request, problem_id)
    data = payload.model_dump()
    located(lambda: actions.open_ledger(problem, data, acting_user=request.user))
    return problem_detail(problem)


@router.post(
    "/problems/{problem_id}/progress",
    response=ProblemDetail,
    summary="报送整改进展",
    description="责任单位报送整改进展，可附佐证材料（Base64，PDF、JPG或PNG，单个不超过10MB）。",
)
def record_progress(request: HttpRequest, problem_id: int, payload: NoteIn) -> Problem:
    problem = _unit_staff(request, problem_id)
    files = uploads(payload.files)
    located(lambda: actions.record_progress(problem, payload.note, files, acting_user=request.user))
    return problem_detail(problem)


@router.post(
    "/problems/{problem_id}/submit",
    response=ProblemDetail,
    summary="申请销号",
    description="责任单位说明整改完成情况并申请销号；须有整改佐证材料（本次附上或此前已上传）。",
)
def submit_closure(request: HttpRequest, problem_id: int, payload: NoteIn) -> Problem:
    problem = _unit_staff(request, problem_id)
    files = uploads(payload.files)
    located(lambda: actions.submit_closure(problem, payload.note, files, acting_user=request.user))
    return problem_detail(problem)


@router.post(
    "/problems/{problem_id}/verify",
    response=ProblemDetail,
    summary="核验销号",
    description="列出单位核验：accept 为 true 销号，false 退回整改（均须填写核验意见）。",
)
def verify(request: HttpRequest, problem_id: int, payload: VerifyIn) -> Problem:
    problem = _issuer_staff(request, problem_id)
    located(lambda: actions.verify(problem, payload.accept, payload.note, acting_user=request.user))
    return problem_detail(problem)


@router.post(
    "/problems/{problem_id}/reopen",
    response=ProblemDetail,
    summary="重新打开问题",
    description="列出单位发现已销号的问题未真正整改到位时重新打开，须说明理由。",
)
def reopen(request: HttpRequest, problem_id: int, payload: ReasonIn) -> Problem:
    problem = _issuer_staff(request, problem_id)
    located(lambda: actions.reopen(problem, payload.reason, acting_user=request.user))
    return problem_detail(problem)


@router.delete(
    "/problems/{problem_id}",
    response={204: None},
    summary="删除问题",
    description="列出单位删除尚未建立台账的问题；已建立台账的问题只能销号。",
)
def delete_problem(request: HttpRequest, problem_id: int) -> Status[None]:
    problem = _issuer_staff(request, problem_id, DELETE)
    located(lambda: actions.delete_problem(problem, acting_user=request.user))
    return Status(204, None)
