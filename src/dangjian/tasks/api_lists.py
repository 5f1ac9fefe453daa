"""The tasks API, responsibility lists (主体责任清单、任务清单、制度清单): the lists of an
organization and year, their items, and a new year started from last year's.

Lists are the work of staff and secretaries (members: 403); an organization or list outside
the caller's scope is 404, also when named in a body. Every change calls `tasks.actions`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Status

from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, VIEW
from dangjian.orgs.api_kit import PageQuery, anchor, located, may, page_of
from dangjian.tasks import actions
from dangjian.tasks.api import router
from dangjian.tasks.api_plans import count_of, organization
from dangjian.tasks.choices import ItemStatus, ListKind
from dangjian.tasks.models import ListItem, ResponsibilityList
from dangjian.tasks.schemas import (
    CopyIn,
    CopyOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    ListDetail,
    ListIn,
    ListPage,
)


class ListQuery(PageQuery):
    within: int | None = NinjaField(None, description="只列出此党组织（id）及其下级的清单")
    organization: int | None = NinjaField(None, description="只列出此党组织（id）本级的清单")
    year: int | None = NinjaField(None, ge=2000, le=2100, description="年度")
    kind: ListKind | None = NinjaField(None, description="清单类型")


def duty_lists(queryset: QuerySet[ResponsibilityList]) -> QuerySet[ResponsibilityList]:
    """With the organization and the item counts by status, in one query."""
    return queryset.select_related("organization").annotate(
        item_count=count_of(ListItem, "duty_list"),
        planned_count=count_of(ListItem, "duty_list", status=ItemStatus.PLANNED),
        in_progress_count=count_of(ListItem, "duty_list", status=ItemStatus.IN_PROGRESS),
        done_count=count_of(ListItem, "duty_list", status=ItemStatus.DONE),
    )


def list_detail(duty_list: ResponsibilityList) -> ResponsibilityList:
    return (
        duty_lists(ResponsibilityList.objects.filter(pk=duty_list.pk))
        .prefetch_related("items")
        .get()
    )


@router.get(
    "/lists",
    response=ListPage,
    summary="责任清单列表",
    description="调用者范围内各党组织各年度的主体责任清单、任务清单和制度清单，含各状态的事项数。",
)
def list_lists(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    require(request, ResponsibilityList, VIEW)
    queryset = duty_lists(ResponsibilityList.objects.restrict(request.user, VIEW))
    within = anchor(request, filters.within, "within")
    if within is not None:
        queryset = queryset.filter(organization__path__startswith=within.path)
    org = anchor(request, filters.organization, "organization")
    if org is not None:
        queryset = queryset.filter(organization=org)
    if filters.year is not None:
        queryset = queryset.filter(year=filters.year)
    if filters.kind is not None:
        queryset = queryset.filter(kind=filters.kind)
    return page_of(queryset, filters)


@router.post(
    "/lists",
    response={201: ListDetail},
    summary="建立责任清单",
    description="为党组织建立某年度的一份清单；每个党组织每年每类清单只有一份。",
)
def create_list(request: HttpRequest, payload: ListIn) -> Status[ResponsibilityList]:
    require(request, ResponsibilityList, ADD)
    org = organization(request, payload.organization)
    may(request, ResponsibilityList, ADD, org)
    made = located(
        lambda: actions.create_list(
            org, payload.year, payload.kind, payload.note, acting_user=request.user
        )
    )
    return Status(201, list_detail(made))


@router.post(
    "/lists/copy",
    response={201: CopyOut},
    summary="沿用上年清单",
    description="把党组织 from_year 年度的清单和事项复制到 to_year 年度（事项状态重置为未开始）；"
    "新年度已有的类型跳过，全部已有时 422。",
)
def copy_year(request: HttpRequest, payload: CopyIn) -> Status[dict[str, Any]]:
    require(request, ResponsibilityList, ADD)
    org = organization(request, payload.organization)
    may(request, ResponsibilityList, ADD, org)
    made = located(
        lambda: actions.copy_year(org, payload.from_year, payload.to_year, acting_user=request.user)
    )
    created = duty_lists(ResponsibilityList.objects.filter(pk__in=[m.pk for m in made]))
    return Status(201, {"created": list(created)})


@router.get(
    "/lists/{list_id}",
    response=ListDetail,
    summary="责任清单详情",
    description="清单、各状态的事项数和全部事项。",
)
def get_list(request: HttpRequest, list_id: int) -> ResponsibilityList:
    return list_detail(get_scoped(request, ResponsibilityList, VIEW, pk=list_id))


@router.delete(
    "/lists/{list_id}",
    response={204: None},
    summary="删除责任清单",
    description="删除清单及其全部事项。",
)
def delete_list(request: HttpRequest, list_id: int) -> Status[None]:
    duty_list = get_scoped(request, ResponsibilityList, DELETE, pk=list_id)
    located(lambda: actions.delete_list(duty_list, acting_user=request.user))
    return Status(204, None)


@router.get(
    "/lists/{list_id}/items",
    response=list[ItemOut],
    summary="清单事项",
    description="清单的全部事项，按序号。",
)
def list_items(request: HttpRequest, list_id: int) -> list[ListItem]:
    duty_list = get_scoped(request, ResponsibilityList, VIEW, pk=list_id)
    return list(duty_list.items.all())


@router.post(
    "/lists/{list_id}/items",
    response={201: ItemOut},
    summary="添加清单事项",
    description="在清单末尾添加一项：内容、责任人（部门）、完成时限、状态（默认未开始）、备注。",
)
def create_item(request: HttpRequest, list_id: int, payload: ItemIn) -> Status[ListItem]:
    duty_list = get_scoped(request, ResponsibilityList, CHANGE, pk=list_id)
    data = payload.model_dump(exclude_unset=True)
    item = located(lambda: actions.save_item(duty_list, data, acting_user=request.user))
    return Status(201, item)


@router.patch(
    "/list-items/{item_id}",
    response=ItemOut,
    summary="修改清单事项",
    description="只改请求中给出的字段（如把状态改为 done 已完成）。",
)
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> ListItem:
    item = get_scoped(request, ListItem, CHANGE, pk=item_id)
    data = payload.model_dump(exclude_unset=True)
    return located(lambda: actions.save_item(item.duty_list, data, item, acting_user=request.user))


@router.delete(
    "/list-items/{item_id}",
    response={204: None},
    summary="删除清单事项",
    description="从清单中删除一项。",
)
def delete_item(request: HttpRequest, item_id: int) -> Status[None]:
    item = get_scoped(request, ListItem, CHANGE, pk=item_id)
    located(lambda: actions.delete_item(item, acting_user=request.user))
    return Status(204, None)
