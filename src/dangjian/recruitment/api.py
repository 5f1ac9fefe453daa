"""The recruitment API (发展党员): cases, their 25 steps, reviews and the steps catalogue.

Reads go through `restrict()`; a case, record, person or organization outside the caller's
scope does not exist for them (404), also when named in a request body; a caller with no
grant for the action at all gets 403. Every change calls a function in
`recruitment/actions.py`; its refusals are 422 with the field at fault, a step's own fields
located under `data` (["body", "data", "votes_for"]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, VIEW
from dangjian.members.models import Person
from dangjian.orgs.api import NOT_IN_SCOPE
from dangjian.orgs.models import Organization
from dangjian.recruitment import actions
from dangjian.recruitment.choices import CaseStatus, RecordState
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.plan import pending_level, reviewer, reviews
from dangjian.recruitment.schemas import (
    CancelIn,
    CaseDetail,
    CasePage,
    CaseQuery,
    OpenIn,
    OutcomeOut,
    ReviewIn,
    StepIn,
    StepOut,
)
from dangjian.recruitment.steps import STEPS, StepDef, step

router = Router(tags=["发展党员"])
R = TypeVar("R")

CASE_RELATED = ("person", "organization", "waiting_organization")
NO_STEP = "步骤应为1至25。"  # the same wording as actions._record


def _cases(request: HttpRequest, action: str = VIEW) -> QuerySet[Case]:
    return Case.objects.restrict(request.user, action).select_related(*CASE_RELATED)


def _detail(case: Case) -> Case:
    """The case with its records and their reviews in three queries."""
    reviews = Review.objects.select_related("organization")
    records = StepRecord.objects.prefetch_related(Prefetch("reviews", queryset=reviews))
    return (
        Case.objects.select_related(*CASE_RELATED)
        .prefetch_related(Prefetch("records", queryset=records))
        .get(pk=case.pk)
    )


def _record(record: StepRecord) -> StepRecord:
    reviews = Review.objects.select_related("organization")
    return StepRecord.objects.prefetch_related(Prefetch("reviews", queryset=reviews)).get(
        pk=record.pk
    )


def _outcome(outcome: actions.Outcome) -> dict[str, Any]:
    record = _record(outcome.record)
    case = Case.objects.select_related(*CASE_RELATED).get(pk=record.case_id)
    return {"record": record, "warnings": [str(w) for w in outcome.warnings], "case": case}


def _located(definition: StepDef | None, run: Callable[[], R], day: str = "occurred_on") -> R:
    """Run an action; its refusals name the step's own fields under `data`, and the step's
    date by the name the request gives it (`day`)."""
    try:
        return run()
    except DomainError as error:
        fields = {spec.name for spec in definition.fields} if definition else set()
        detail = []
        for name, text in error.errors.items():
            if name == "__all__":
                loc = ["body"]
            elif name in fields:
                loc = ["body", "data", name]
            else:
                loc = ["body", day if name == "occurred_on" else name]
            detail.append({"loc": loc, "msg": text, "type": error.code or "domain"})
        raise ValidationError(detail) from error


# --- catalogue ---------------------------------------------------------------------------------


def _step_out(definition: StepDef) -> dict[str, Any]:
    return {
        "number": definition.number,
        "code": definition.code,
        "stage": definition.stage,
        "stage_label": str(definition.stage_label),
        "label": str(definition.label),
        "date_label": str(definition.date_label),
        "review": definition.review,
        "repeatable": definition.repeatable,
        "optional": definition.optional,
        "documents": [str(text) for text in definition.documents],
        "fields": [
            {
                "name": spec.name,
                "label": str(spec.label),
                "kind": spec.kind,
                "required": spec.required,
                "choices": [{"code": code, "label": str(label)} for code, label in spec.choices],
                "at_least": spec.at_least,
                "at_most": spec.at_most,
                "help": str(spec.help),
            }
            for spec in definition.fields
        ],
    }


@router.get(
    "/steps",
    response=list[StepOut],
    summary="发展党员步骤目录",
    description="25个步骤及各步骤的字段（登记步骤时 data 的键）、是否须经审核、可否重复登记。",
)
def list_steps(request: HttpRequest) -> list[dict[str, Any]]:
    """The 25 step definitions, the API's description of a record's `data`."""
    require(request, Case, VIEW)
    return [_step_out(definition) for definition in STEPS]


# --- cases -------------------------------------------------------------------------------------


@router.get(
    "/cases",
    response=CasePage,
    summary="发展党员档案列表",
    description="调用者管理范围内的发展党员档案（党员本人只看到自己的），按下一步骤应完成日期排序，"
    "分页返回。",
)
def list_cases(request: HttpRequest, filters: Query[CaseQuery]) -> dict[str, Any]:
    """A page of the cases the caller may see."""
    require(request, Case, VIEW)
    queryset = _cases(request)
    if filters.within is not None:
        org = Organization.objects.restrict(request.user, VIEW).filter(pk=filters.within).first()
        if org is None:
            raise ValidationError(
                [{"loc": ["query", "within"], "msg": str(NOT_IN_SCOPE), "type": "not_in_scope"}]
            )
        queryset = queryset.filter(organization__path__startswith=org.path)
    if filters.stage is not None:
        queryset = queryset.filter(stage=filters.stage)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.next_step is not None:
        queryset = queryset.filter(next_step=filters.next_step)
    if filters.overdue is not None:
        late = {"status": CaseStatus.OPEN, "due_on__lt": timezone.localdate()}
        queryset = queryset.filter(**late) if filters.overdue else queryset.exclude(**late)
    offset, limit = filters.offset, filters.limit
    return {"count": queryset.count(), "items": list(queryset[offset : offset + limit])}


@router.post(
    "/cases",
    response={201: OutcomeOut},
    summary="建立发展党员档案",
    description="为名册中的非党员建立档案并登记第1步（递交入党申请书）；人员在册且没有进行中的档案。",
)
def open_case(request: HttpRequest, payload: OpenIn) -> Status[dict[str, Any]]:
    """Open a case with the application."""
    require(request, Case, ADD)
    person = get_scoped(request, Person, VIEW, pk=payload.person)
    org = None
    if payload.organization is not None:
        org = get_scoped(request, Organization, VIEW, pk=payload.organization)
    outcome = _located(
        step(1),
        lambda: actions.open_case(
            person,
            applied_on=payload.applied_on,
            organization=org,
            data=payload.data,
            justification=payload.justification,
            acting_user=request.user,
        ),
        day="applied_on",
    )
    return Status(201, _outcome(outcome))


@router.get(
    "/cases/{case_id}",
    response=CaseDetail,
    summary="发展党员档案详情",
    description="档案的现状和已登记的各步骤（内容、状态、审核意见）。",
)
def get_case(request: HttpRequest, case_id: int) -> Case:
    """One case with its records."""
    return _detail(get_scoped(request, Case, VIEW, pk=case_id))


@router.post(
    "/cases/{case_id}/steps/{number}",
    response={201: OutcomeOut},
    summary="登记发展步骤",
    description="按顺序登记第 number 步（1-25）；须经上级审核的步骤登记后待审核，被退回的步骤"
    "修改后重新报送。返回登记的步骤、规则提示和档案的新状态。",
)
def record_step(
    request: HttpRequest, case_id: int, number: int, payload: StepIn
) -> Status[dict[str, Any]]:
    """Record one step of a case."""
    case = get_scoped(request, Case, CHANGE, pk=case_id)
    if not 1 <= number <= len(STEPS):
        raise ValidationError(
            [{"loc": ["path", "number"], "msg": gettext(NO_STEP), "type": "step"}]
        )
    outcome = _located(
        step(number),
        lambda: actions.record_step(
            case,
            number,
            occurred_on=payload.occurred_on,
            data=payload.data,
            note=payload.note,
            justification=payload.justification,
            acting_user=request.user,
        ),
    )
    return Status(201, _outcome(outcome))


@router.post(
    "/cases/{case_id}/cancel",
    response=CaseDetail,
    summary="终止发展",
    description="接收为预备党员之前终止（本人撤回、不再符合条件、离校等）；之后请通过转正讨论办理。",
)
def cancel_case(request: HttpRequest, case_id: int, payload: CancelIn) -> Case:
    """Stop a case before admission."""
    case = get_scoped(request, Case, CHANGE, pk=case_id)
    _located(
        None,
        lambda: actions.cancel_case(
            case,
            reason=str(payload.reason),
            on=payload.on,
            note=payload.note,
            acting_user=request.user,
        ),
    )
    return _detail(case)


# --- reviews -----------------------------------------------------------------------------------


@router.post(
    "/records/{record_id}/review",
    response=OutcomeOut,
    summary="审核发展步骤",
    description="上级党委（或学校党委）对待审核的步骤作出决定：同意，或写明原因退回支部修改。"
    "只有审核党组织的工作人员可以审核（否则 403）。",
)
def review_record(request: HttpRequest, record_id: int, payload: ReviewIn) -> dict[str, Any]:
    """Approve or return a submitted step."""
    record = get_scoped(request, StepRecord, CHANGE, pk=record_id)
    if record.state == RecordState.SUBMITTED:
        org = reviewer(record.case.organization, pending_level(record.case, record))
        if not reviews(request.user, org):
            deny(request, request.user, "非审核党组织", model="recruitment.steprecord")
            raise PermissionDenied(gettext("该步骤应由%(org)s审核。") % {"org": org.name})
    outcome = _located(
        None,
        lambda: actions.review_step(
            record,
            decision=payload.decision,
            decided_on=payload.decided_on,
            reason=payload.reason,
            justification=payload.justification,
            acting_user=request.user,
        ),
        day="decided_on",
    )
    return _outcome(outcome)
