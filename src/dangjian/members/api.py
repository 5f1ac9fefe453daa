"""The member registry API: people, their lifecycle, transfers, self-service and cadres.

Reads go through `restrict()`; a person, transfer or organization outside the caller's scope
does not exist for them (404), also when named in a request body; a caller with no grant for
the action at all gets 403. Every change calls a function in `members/actions.py`; its
refusals are 422 with the field at fault (see api.py for the error format). Citizen ID and
phone numbers are shown masked; the plain value only through `reveal`, which is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW, covers
from dangjian.members import actions
from dangjian.members.choices import CadreStatus
from dangjian.members.filters import PersonFilter, search_people
from dangjian.members.models import Cadre, CorrectionRequest, MemberEvent, Person, Transfer
from dangjian.members.schemas import (
    CadreIn,
    CadreOut,
    CadrePage,
    CadreQuery,
    CorrectionIn,
    CorrectionOut,
    CorrectionPage,
    CorrectionQuery,
    DecisionIn,
    ErrorOut,
    EventOut,
    FloatingIn,
    InboundIn,
    LeaveIn,
    LostContactIn,
    MeOut,
    OnIn,
    PersonCreate,
    PersonDetail,
    PersonPage,
    PersonQuery,
    PersonUpdate,
    ReasonIn,
    ReceiveIn,
    ReturnIn,
    RevealIn,
    RevealOut,
    TransferIn,
    TransferOut,
    TransferPage,
    TransferQuery,
)
from dangjian.orgs.api import NOT_IN_SCOPE
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

router = Router(tags=["党员"])
TRANSFERS, SELF_SERVICE, CADRES = ["组织关系转接"], ["党员自助与信息更正"], ["干部"]

NO_RECORD = _("您的账号尚未关联党员档案，请联系所在党支部。")
NO_TARGET = _("所选转入党组织不存在或不是正常状态的党组织。")
CHOICE = "取值不正确，可选：%(ctx)s。"  # the API's own message (api.py), kept in one wording


def _people(request: HttpRequest) -> QuerySet[Person]:
    return Person.objects.restrict(request.user, VIEW).select_related("organization", "party_group")


def _organizations(request: HttpRequest, payload: Any, *, partial: bool) -> dict[str, Any]:
    """Organization ids of a body as objects; outside the caller's scope they do not exist."""
    found: dict[str, Any] = {}
    for name in ("organization", "party_group"):
        if partial and name not in payload.model_fields_set:
            continue
        pk = getattr(payload, name)
        found[name] = None if pk is None else get_scoped(request, Organization, VIEW, pk=pk)
    return found


def _detail(person: Person) -> Person:
    """The person with what the detail schema shows loaded in one query."""
    return Person.objects.select_related("organization", "party_group").get(pk=person.pk)


def _page(queryset: QuerySet[Any], limit: int, offset: int) -> dict[str, Any]:
    return {"count": queryset.count(), "items": list(queryset[offset : offset + limit])}


def _filter_errors(filterset: PersonFilter) -> ValidationError:
    """The list form's complaints as the API's 422, one per query parameter."""
    detail = []
    for name in filterset.form.errors:
        field = filterset.filters[name]
        if name == "within":
            message = str(NOT_IN_SCOPE)
        elif "choices" in field.extra:
            codes = "、".join(str(code) for code, _label in field.extra["choices"])
            message = gettext(CHOICE) % {"ctx": codes}
        else:
            message = "；".join(str(text) for text in filterset.form.errors[name])
        detail.append({"loc": ["query", name], "msg": message, "type": "invalid"})
    return ValidationError(detail)


# --- people ------------------------------------------------------------------------------------


@router.get(
    "",
    response=PersonPage,
    summary="人员列表",
    description="按调用者的管理范围列出人员（默认在册：正常和停止党籍），筛选参数与名册页面相同，"
    "分页返回。身份证号、手机号码只显示脱敏值。",
)
def list_people(request: HttpRequest, filters: Query[PersonQuery]) -> dict[str, Any]:
    """A page of the people the caller may see, filtered as the list page filters."""
    require(request, Person, VIEW)
    filterset = PersonFilter(filters.filter_data(), queryset=_people(request))
    # As PersonFilter(request=...) does, without building the page's select options (a query).
    filterset.filters["within"].queryset = Organization.objects.restrict(request.user).exclude(
        level=Level.PARTY_GROUP
    )
    if not filterset.is_valid():
        raise _filter_errors(filterset)
    return _page(filterset.qs, filters.limit, filters.offset)


@router.post(
    "",
    response={201: PersonDetail},
    summary="登记人员",
    description="在调用者管理范围内的党组织登记人员（入党申请人至正式党员）。身份证号须有效且未登记，"
    "出生日期、性别与身份证号一致，各环节日期先后有序，入党时年满18周岁。",
)
def create_person(request: HttpRequest, payload: PersonCreate) -> Status[Person]:
    """Register a person in an organization of the caller's scope."""
    require(request, Person, ADD)
    data = payload.person_data(_organizations(request, payload, partial=False))
    person = actions.register_person(data, acting_user=request.user)
    return Status(201, _detail(person))


# --- self-service and corrections ---------------------------------------------------------------


def _own_person(request: HttpRequest) -> Person | None:
    """The record linked to the caller's account, if it is in their view scope."""
    user: Any = request.user  # authenticated: every operation requires it
    return _people(request).filter(user=user).first()


@router.get(
    "/me",
    response={200: MeOut, 404: ErrorOut},
    tags=SELF_SERVICE,
    summary="我的党员档案",
    description="调用者本人的档案、时间线和信息更正申请；账号未关联档案时为 404。",
)
def my_record(request: HttpRequest) -> Any:
    """The caller's own record with its timeline and correction requests."""
    require(request, Person, VIEW)
    person = _own_person(request)
    if person is None:
        return Status(404, {"detail": str(NO_RECORD)})
    return {
        "person": person,
        "timeline": list(_timeline(request, person)),
        "corrections": list(
            CorrectionRequest.objects.restrict(request.user, VIEW)
            .filter(person=person)
            .select_related("person")
        ),
    }


@router.post(
    "/me/corrections",
    response={201: CorrectionOut, 404: ErrorOut},
    tags=SELF_SERVICE,
    summary="申请更正本人信息",
    description="党员对本人档案提出更正申请，由所在党支部处理；同一项目只能有一个待处理的申请。",
)
def request_correction(request: HttpRequest, payload: CorrectionIn) -> Any:
    """A member asks their branch to correct their own record."""
    require(request, CorrectionRequest, ADD)
    person = _own_person(request)
    if person is None:
        return Status(404, {"detail": str(NO_RECORD)})
    correction = actions.request_correction(
        person,
        field=payload.field,
        proposed=payload.proposed,
        reason=payload.reason,
        acting_user=request.user,
    )
    return Status(201, correction)


@router.get(
    "/corrections",
    response=CorrectionPage,
    tags=SELF_SERVICE,
    summary="信息更正申请列表",
    description="调用者管理范围内党员提交的更正申请（党员本人只看到自己的），最新在前。",
)
def list_corrections(request: HttpRequest, filters: Query[CorrectionQuery]) -> dict[str, Any]:
    """Correction requests the caller may see."""
    require(request, CorrectionRequest, VIEW)
    queryset = CorrectionRequest.objects.restrict(request.user, VIEW).select_related("person")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return _page(queryset.order_by("-requested_at", "-id"), filters.limit, filters.offset)


@router.post(
    "/corrections/{correction_id}/decide",
    response=CorrectionOut,
    tags=SELF_SERVICE,
    summary="处理信息更正申请",
    description="采纳时姓名、手机号码、住址等简单项目随即更正；其他项目请另行修改档案。"
    "不采纳须填写理由。",
)
def decide_correction(
    request: HttpRequest, correction_id: int, payload: DecisionIn
) -> CorrectionRequest:
    """Accept or reject a member's correction request."""
    correction = get_scoped(request, CorrectionRequest, CHANGE, pk=correction_id)
    return actions.decide_correction(
        correction, accept=payload.accept, response=payload.response, acting_user=request.user
    )


# --- transfers ---------------------------------------------------------------------------------


def _transfers(request: HttpRequest) -> QuerySet[Transfer]:
    return Transfer.objects.restrict(request.user, VIEW).select_related(
        "person", "from_organization", "to_organization"
    )


@router.get(
    "/transfers",
    response=TransferPage,
    tags=TRANSFERS,
    summary="组织关系转接列表",
    description="转出或转入调用者管理范围的组织关系转接（党员本人只看到自己的），最新在前。",
)
def list_transfers(request: HttpRequest, filters: Query[TransferQuery]) -> dict[str, Any]:
    """Transfers from or into the caller's scope."""
    require(request, Transfer, VIEW)
    queryset = _transfers(request)
    if filters.q:
        people = search_people(Person.objects.all(), filters.q).values("pk")
        queryset = queryset.filter(person__in=people) | queryset.filter(letter_no=filters.q)
    if filters.direction:
        queryset = queryset.filter(direction=filters.direction)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.incoming is not None:
        mine = Organization.objects.restrict(request.user, VIEW).values("pk")
        if filters.incoming:
            queryset = queryset.filter(to_organization__in=mine)
        else:
            queryset = queryset.exclude(to_organization__in=mine)
    return _page(queryset.order_by("-issued_on", "-id"), filters.limit, filters.offset)


@router.post(
    "/transfers/inbound",
    response={201: PersonDetail},
    tags=TRANSFERS,
    summary="接收校外转入的组织关系",
    description="登记从校外转入的党员及其介绍信；曾转出本校的人员按身份证号找回并恢复在册。",
)
def receive_inbound(request: HttpRequest, payload: InboundIn) -> Status[Person]:
    """Register a member arriving from another institution."""
    require(request, Person, ADD)
    require(request, Transfer, ADD)
    data = payload.person_data(_organizations(request, payload, partial=False))
    person = actions.receive_from_outside(
        data,
        other_institution=payload.other_institution,
        letter_no=payload.letter_no,
        issued_on=payload.issued_on,
        received_on=payload.received_on,
        acting_user=request.user,
    )
    return Status(201, _detail(person))


@router.get(
    "/transfers/{transfer_id}",
    response=TransferOut,
    tags=TRANSFERS,
    summary="组织关系转接详情",
)
def get_transfer(request: HttpRequest, transfer_id: int) -> Transfer:
    """One transfer from or into the caller's scope."""
    return get_scoped(request, Transfer, VIEW, pk=transfer_id)


@router.post(
    "/transfers/{transfer_id}/receive",
    response=TransferOut,
    tags=TRANSFERS,
    summary="接收组织关系",
    description="校内转接由转入党组织接收，人员随即转入；转出本校的，确认对方已接收后人员离开名册。",
)
def receive_transfer(request: HttpRequest, transfer_id: int, payload: ReceiveIn) -> Transfer:
    """Confirm the receipt of a transfer."""
    transfer = get_scoped(request, Transfer, CHANGE, pk=transfer_id)
    target = transfer.to_organization
    if target is not None and not covers(request.user, Person, CHANGE, target.path):
        deny(request, request.user, "非转入党组织接收", model="members.transfer", action=CHANGE)
        raise PermissionDenied(gettext("组织关系须由转入党组织接收。"))
    actions.receive_transfer(transfer, received_on=payload.received_on, acting_user=request.user)
    return _transfers(request).get(pk=transfer.pk)


@router.post(
    "/transfers/{transfer_id}/return",
    response=TransferOut,
    tags=TRANSFERS,
    summary="退回介绍信",
    description="介绍信未被使用而退回（如转入组织有误）：人员留在原党组织。",
)
def return_transfer(request: HttpRequest, transfer_id: int, payload: ReturnIn) -> Transfer:
    """Record that the letter came back unused."""
    transfer = get_scoped(request, Transfer, CHANGE, pk=transfer_id)
    actions.return_transfer(
        transfer,
        returned_on=payload.returned_on,
        reason=payload.reason,
        acting_user=request.user,
    )
    return _transfers(request).get(pk=transfer.pk)


# --- cadres ------------------------------------------------------------------------------------


@router.get(
    "/cadres",
    response=CadrePage,
    tags=CADRES,
    summary="干部名册",
    description="处级及以上干部（组织部门管理；基层党委查看本单位的），默认只列在任干部。",
)
def list_cadres(request: HttpRequest, filters: Query[CadreQuery]) -> dict[str, Any]:
    """Cadres in the caller's scope."""
    require(request, Cadre, VIEW)
    queryset = Cadre.objects.restrict(request.user, VIEW).select_related("person__organization")
    if filters.q:
        queryset = queryset.filter(
            person__in=search_people(Person.objects.all(), filters.q).values("pk")
        )
    if filters.rank:
        queryset = queryset.filter(rank=filters.rank)
    if filters.status != "all":
        queryset = queryset.filter(status=filters.status or CadreStatus.IN_OFFICE)
    if filters.within is not None:
        org = Organization.objects.restrict(request.user, VIEW).filter(pk=filters.within).first()
        if org is None:
            raise ValidationError(
                [{"loc": ["query", "within"], "msg": str(NOT_IN_SCOPE), "type": "not_in_scope"}]
            )
        queryset = queryset.filter(person__organization__path__startswith=org.path)
    return _page(queryset, filters.limit, filters.offset)


# --- one person --------------------------------------------------------------------------------


@router.get(
    "/{person_id}",
    response=PersonDetail,
    summary="人员详情",
    description="人员的完整档案；身份证号、手机号码只显示脱敏值，完整值请用 reveal。",
)
def get_person(request: HttpRequest, person_id: int) -> Person:
    """One person in the caller's scope."""
    return _detail(get_scoped(request, Person, VIEW, pk=person_id))


@router.patch(
    "/{person_id}",
    response=PersonDetail,
    summary="修改人员信息",
    description="只修改请求中给出的字段；变更所在党组织请办理组织关系转接。",
)
def update_person(request: HttpRequest, person_id: int, payload: PersonUpdate) -> Person:
    """Change a person's record."""
    person = get_scoped(request, Person, CHANGE, pk=person_id)
    data = payload.person_data(_organizations(request, payload, partial=True))
    return _detail(actions.update_person(person, data, acting_user=request.user))


@router.delete(
    "/{person_id}",
    response={204: None},
    summary="删除误录的人员",
    description="仅用于删除误录的记录；已有转接、职务或干部记录的人员不能删除（422），"
    "请办理出党、转出等手续。",
)
def delete_person(request: HttpRequest, person_id: int) -> Status[None]:
    """Delete a record entered by mistake."""
    person = get_scoped(request, Person, DELETE, pk=person_id)
    actions.delete_person(person, acting_user=request.user)
    return Status(204, None)


@router.post(
    "/{person_id}/reveal",
    response=RevealOut,
    summary="查看完整身份证号或手机号码",
    description="返回完整值；每次查看（包括被拒绝的）都记入安全审计。无查看权限时为 403。",
)
def reveal_person(
    request: HttpRequest, person_id: int, payload: RevealIn, response: HttpResponse
) -> dict[str, str]:
    """The plain ID or phone number, audited by the reveal action."""
    person = get_scoped(request, Person, VIEW, pk=person_id)
    try:
        value = actions.reveal(person, payload.field, acting_user=request.user)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    response["Cache-Control"] = "no-store"
    return {"value": value}


def _timeline(request: HttpRequest, person: Person) -> QuerySet[MemberEvent]:
    return (
        MemberEvent.objects.restrict(request.user, VIEW)
        .filter(person=person)
        .select_related("organization", "actor")
    )


@router.get(
    "/{person_id}/timeline",
    response=list[EventOut],
    summary="人员时间线",
    description="建档、身份变化、转接、流动、失联、党籍变化等记录，最新在前。",
)
def person_timeline(request: HttpRequest, person_id: int) -> list[MemberEvent]:
    """The person's timeline."""
    person = get_scoped(request, Person, VIEW, pk=person_id)
    return list(_timeline(request, person))


# --- lifecycle: each operation calls one action ---------------------------------------------------


def _changing(request: HttpRequest, person_id: int) -> Person:
    return get_scoped(request, Person, CHANGE, pk=person_id)


@router.post(
    "/{person_id}/transfers",
    response={201: TransferOut},
    tags=TRANSFERS,
    summary="开具组织关系介绍信",
    description="校内转接：转入党组织可以是校内任一正常状态的党支部、党总支或党委，由其接收；"
    "转出本校：填写校外党组织，确认对方接收后人员离开名册。",
)
def issue_transfer(request: HttpRequest, person_id: int, payload: TransferIn) -> Status[Transfer]:
    """Issue the letter that moves a member to another organization."""
    person = _changing(request, person_id)
    require(request, Transfer, ADD)
    target = None
    if payload.direction == "internal" and payload.to_organization is not None:
        # A transfer may go anywhere in the university, also outside the issuer's scope.
        target = (
            Organization.objects.active()
            .exclude(level=Level.PARTY_GROUP)
            .filter(pk=payload.to_organization)
            .first()
        )
        if target is None:
            raise DomainError({"to_organization": str(NO_TARGET)})
    transfer = actions.issue_transfer(
        person,
        direction=payload.direction,
        letter_no=payload.letter_no,
        issued_on=payload.issued_on,
        to_organization=target,
        other_institution=payload.other_institution,
        reason=payload.reason,
        acting_user=request.user,
    )
    return Status(201, _transfers(request).get(pk=transfer.pk))


@router.post("/{person_id}/floating/start", response=PersonDetail, summary="登记流动党员")
def start_floating(request: HttpRequest, person_id: int, payload: FloatingIn) -> Person:
    """Record that a member has gone away for a while (流动党员)."""
    person = _changing(request, person_id)
    actions.start_floating(
        person,
        destination=payload.destination,
        on=payload.on,
        until=payload.until,
        acting_user=request.user,
    )
    return _detail(person)


@router.post("/{person_id}/floating/end", response=PersonDetail, summary="结束流动")
def end_floating(request: HttpRequest, person_id: int, payload: OnIn) -> Person:
    """Record that a floating member is back."""
    person = _changing(request, person_id)
    actions.end_floating(person, on=payload.on, acting_user=request.user)
    return _detail(person)


@router.post("/{person_id}/contact/lost", response=PersonDetail, summary="登记失联党员")
def mark_lost_contact(request: HttpRequest, person_id: int, payload: LostContactIn) -> Person:
    """Record that the branch lost contact with a member."""
    person = _changing(request, person_id)
    actions.mark_lost_contact(person, since=payload.since, acting_user=request.user)
    return _detail(person)


@router.post("/{person_id}/contact/restored", response=PersonDetail, summary="恢复联系")
def restore_contact(request: HttpRequest, person_id: int, payload: OnIn) -> Person:
    """Record that contact with a member is restored."""
    person = _changing(request, person_id)
    actions.restore_contact(person, on=payload.on, acting_user=request.user)
    return _detail(person)


@router.post(
    "/{person_id}/suspend",
    response=PersonDetail,
    summary="停止党籍",
    description="如失去联系满6个月；只适用于党籍正常的党员。",
)
def suspend_person(request: HttpRequest, person_id: int, payload: ReasonIn) -> Person:
    """Suspend a member's standing."""
    person = _changing(request, person_id)
    actions.suspend(person, on=payload.on, reason=payload.reason, acting_user=request.user)
    return _detail(person)


@router.post("/{person_id}/restore", response=PersonDetail, summary="恢复党籍")
def restore_standing(request: HttpRequest, person_id: int, payload: ReasonIn) -> Person:
    """Restore a suspended member's standing."""
    person = _changing(request, person_id)
    actions.restore_standing(person, on=payload.on, reason=payload.reason, acting_user=request.user)
    return _detail(person)


@router.post(
    "/{person_id}/leave",
    response=PersonDetail,
    summary="出党",
    description="退党、劝退、除名、开除党籍、自行脱党或取消预备党员资格：人员离开名册。",
)
def leave_party(request: HttpRequest, person_id: int, payload: LeaveIn) -> Person:
    """Record that a member left the party."""
    person = _changing(request, person_id)
    actions.leave_party(person, on=payload.on, reason=payload.reason, acting_user=request.user)
    return _detail(person)


@router.post("/{person_id}/death", response=PersonDetail, summary="登记去世")
def record_death(request: HttpRequest, person_id: int, payload: OnIn) -> Person:
    """Record a member's death: they leave the books."""
    person = _changing(request, person_id)
    actions.record_death(person, on=payload.on, acting_user=request.user)
    return _detail(person)


# --- a person's cadre record ---------------------------------------------------------------------


def _cadre(request: HttpRequest, person_id: int, action: str) -> Cadre:
    """The cadre record of a person in the caller's scope (403 first without a cadre grant)."""
    require(request, Cadre, action)
    person = get_scoped(request, Person, VIEW, pk=person_id)
    return get_scoped(request, Cadre, action, person=person)


@router.get("/{person_id}/cadre", response=CadreOut, tags=CADRES, summary="干部信息")
def get_person_cadre(request: HttpRequest, person_id: int) -> Cadre:
    """A person's cadre record."""
    return _cadre(request, person_id, VIEW)


@router.put(
    "/{person_id}/cadre",
    response=CadreOut,
    tags=CADRES,
    summary="登记或修改干部信息",
    description="组织部门登记人员的干部信息（职级、职务、任职单位）；已离任的重新登记即为在任。",
)
def save_person_cadre(request: HttpRequest, person_id: int, payload: CadreIn) -> Cadre:
    """Create or replace a person's cadre record."""
    require(request, Cadre, CHANGE)
    person = get_scoped(request, Person, VIEW, pk=person_id)
    return actions.save_cadre(person, payload.model_dump(), acting_user=request.user)


@router.post("/{person_id}/cadre/end", response=CadreOut, tags=CADRES, summary="登记干部离任")
def end_person_cadre(request: HttpRequest, person_id: int, payload: OnIn) -> Cadre:
    """Record that a cadre left office."""
    cadre = _cadre(request, person_id, CHANGE)
    return actions.end_cadre(cadre, on=payload.on, acting_user=request.user)


__all__ = ["router"]
