"""The organization API: list, detail and every change of the tree, through the actions.

Reads go through `restrict()`; an organization outside the caller's scope does not exist for
them (404), also when it is named in a request body; a caller with no grant for the action at
all gets 403. Changes call the functions in `orgs/actions.py`; their refusals are 422 with the
field at fault (see api.py for the error format).
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW
from dangjian.orgs import actions
from dangjian.orgs.counts import member_counts
from dangjian.orgs.filters import search_organizations
from dangjian.orgs.models import CommitteeTerm, Organization
from dangjian.orgs.permissions import require_above
from dangjian.orgs.rules import structure_warnings
from dangjian.orgs.schemas import (
    FLAG_FIELDS,
    DissolveIn,
    MergeIn,
    MoveIn,
    OrganizationCreate,
    OrganizationDetail,
    OrganizationPage,
    OrganizationQuery,
    OrganizationUpdate,
    TermIn,
    TermOut,
)

router = Router(tags=["党组织"])

NOT_IN_SCOPE = _("所选党组织不存在或不在您的管理范围内。")


def with_parent(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate `parent_pk`: the parent's path is the path minus its last step (one subquery)."""
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))


def _anchor(request: HttpRequest, pk: int, field: str) -> Organization:
    """An organization named in a list filter: must be visible, else 422 on that parameter."""
    org = Organization.objects.restrict(request.user, VIEW).filter(pk=pk).first()
    if org is None:
        raise ValidationError(
            [{"loc": ["query", field], "msg": str(NOT_IN_SCOPE), "type": "not_in_scope"}]
        )
    return org


def _detail(request: HttpRequest, org: Organization) -> Organization:
    """Load what the detail schema shows onto the organization."""
    org = with_parent(Organization.objects.filter(pk=org.pk)).get()
    terms = list(
        CommitteeTerm.objects.restrict(request.user, VIEW)
        .filter(organization=org, closed_on__isnull=True)
        .prefetch_related("members")
    )
    current = terms[0] if terms else None
    count = member_counts([org]).get(org.pk)
    org.children_count = Organization.objects.get_children_count(org)  # type: ignore[attr-defined]
    org.member_count = count.total if count else None  # type: ignore[attr-defined]
    org.current_term = current  # type: ignore[attr-defined]
    org.warnings = _warnings(org, current, count.full if count else None)  # type: ignore[attr-defined]
    return org


def _warnings(org: Organization, current: CommitteeTerm | None, full: int | None) -> list[Any]:
    """The structure warnings the detail page shows (none for dissolved organizations)."""
    if not org.is_active:
        return []
    committee_size = (
        sum(1 for m in current.members.all() if m.ended_on is None) if current else None
    )
    return structure_warnings(
        level=org.level,
        kind=org.kind,
        is_joint=org.is_joint,
        joint_units=org.joint_units,
        full_members=full,
        committee_size=committee_size,
        current_term=(current.number, current.ends_on) if current else None,
        today=timezone.localdate(),
    )


@router.get(
    "",
    response=OrganizationPage,
    summary="党组织列表",
    description="按调用者的管理范围列出党组织（按组织树顺序），可按名称、拼音、编码、层级、"
    "类型、状态、所属组织、截至日期和创建标识筛选，分页返回。",
)
def list_organizations(request: HttpRequest, filters: Query[OrganizationQuery]) -> dict[str, Any]:
    """A page of the organizations the caller may see, filtered."""
    require(request, Organization, VIEW)
    queryset = Organization.objects.restrict(request.user, VIEW)
    if filters.q:
        queryset = search_organizations(queryset, filters.q)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.within is not None:
        queryset = queryset.filter(path__startswith=_anchor(request, filters.within, "within").path)
    if filters.parent is not None:
        parent = _anchor(request, filters.parent, "parent")
        queryset = queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if filters.as_of:
        queryset = queryset.existing_on(filters.as_of)
    if filters.flag:
        queryset = queryset.filter(**{FLAG_FIELDS[filters.flag]: True})
    count = queryset.count()
    page = with_parent(queryset.order_by("path"))[filters.offset : filters.offset + filters.limit]
    return {"count": count, "items": list(page)}


@router.get(
    "/{org_id}",
    response=OrganizationDetail,
    summary="党组织详情",
    description="含上级 id、层次、本届委员会及委员、创建标识、状态和组织设置提示。",
)
def get_organization(request: HttpRequest, org_id: int) -> Organization:
    """One organization in the caller's scope."""
    return _detail(request, get_scoped(request, Organization, VIEW, pk=org_id))


@router.post(
    "",
    response={201: OrganizationDetail},
    summary="设立党组织",
    description="在 parent 之下设立党组织；层级须符合组织设置规则（如党支部不能设在党小组之下）。",
)
def create_organization(request: HttpRequest, payload: OrganizationCreate) -> Status[Organization]:
    """Create an organization under a parent in the caller's scope."""
    require(request, Organization, ADD)
    parent = get_scoped(request, Organization, ADD, pk=payload.parent)
    org = actions.create_organization(
        payload.action_data(), parent=parent, acting_user=request.user
    )
    return Status(201, _detail(request, org))


@router.patch(
    "/{org_id}",
    response=OrganizationDetail,
    summary="修改党组织",
    description="只修改请求中给出的字段；隶属关系用 move 调整。",
)
def update_organization(
    request: HttpRequest, org_id: int, payload: OrganizationUpdate
) -> Organization:
    """Change an organization's fields."""
    org = get_scoped(request, Organization, CHANGE, pk=org_id)
    org = actions.update_organization(org, payload.action_data(), acting_user=request.user)
    return _detail(request, org)


@router.post(
    "/{org_id}/move",
    response=OrganizationDetail,
    summary="调整隶属关系",
    description="把党组织（连同其下级）调到新的上级之下；须由原上级党组织办理。",
)
def move_organization(request: HttpRequest, org_id: int, payload: MoveIn) -> Organization:
    """Move an organization and its subtree under another parent."""
    org = get_scoped(request, Organization, CHANGE, pk=org_id)
    require_above(request, org, CHANGE)
    parent = get_scoped(request, Organization, ADD, pk=payload.parent)
    org = actions.move_organization(org, parent, acting_user=request.user)
    return _detail(request, org)


@router.post(
    "/{org_id}/merge",
    response=OrganizationDetail,
    summary="合并党组织",
    description="下级组织和各项记录转入 into；本组织作为历史保留，状态为“已合并”。",
)
def merge_organization(request: HttpRequest, org_id: int, payload: MergeIn) -> Organization:
    """Merge an organization into another of the same level."""
    org = get_scoped(request, Organization, CHANGE, pk=org_id)
    require_above(request, org, CHANGE)
    into = get_scoped(request, Organization, CHANGE, pk=payload.into)
    org = actions.merge_organization(org, into, on=payload.on, acting_user=request.user)
    return _detail(request, org)


@router.post(
    "/{org_id}/dissolve",
    response=OrganizationDetail,
    summary="撤销党组织",
    description="撤销后组织及其记录保留为历史；有正常状态的下级组织时不能撤销。",
)
def dissolve_organization(request: HttpRequest, org_id: int, payload: DissolveIn) -> Organization:
    """Dissolve an organization; it stays in the tree as history."""
    org = get_scoped(request, Organization, CHANGE, pk=org_id)
    require_above(request, org, CHANGE)
    org = actions.dissolve_organization(
        org, on=payload.on, reason=payload.reason, acting_user=request.user
    )
    return _detail(request, org)


@router.delete(
    "/{org_id}",
    response={204: None},
    summary="删除误建的党组织",
    description="仅用于删除误建的组织；有下级组织或已有记录时拒绝（422），请改用撤销。",
)
def delete_organization(request: HttpRequest, org_id: int) -> Status[None]:
    """Delete an organization entered by mistake."""
    org = get_scoped(request, Organization, DELETE, pk=org_id)
    require_above(request, org, DELETE)
    actions.delete_organization(org, acting_user=request.user)
    return Status(204, None)


@router.get(
    "/{org_id}/terms",
    response=list[TermOut],
    summary="委员会届次",
    description="党组织历届委员会及委员，最新一届在前。",
)
def list_terms(request: HttpRequest, org_id: int) -> list[CommitteeTerm]:
    """The organization's committee terms with their members."""
    org = get_scoped(request, Organization, VIEW, pk=org_id)
    require(request, CommitteeTerm, VIEW)
    return list(
        CommitteeTerm.objects.restrict(request.user, VIEW)
        .filter(organization=org)
        .prefetch_related("members")
        .order_by("-number")
    )


@router.post(
    "/{org_id}/terms",
    response={201: TermOut},
    summary="登记换届",
    description="登记新一届委员会；上一届在选举日结束，其在任委员同日离任。",
)
def create_term(request: HttpRequest, org_id: int, payload: TermIn) -> Status[CommitteeTerm]:
    """Record a new committee term."""
    require(request, CommitteeTerm, ADD)
    org = get_scoped(request, Organization, CHANGE, pk=org_id)
    term = actions.start_term(org, payload.model_dump(), acting_user=request.user)
    return Status(201, CommitteeTerm.objects.prefetch_related("members").get(pk=term.pk))


__all__ = ["router", "with_parent"]
