"""State changes of responsibility, task and institution lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.scope import ADD, CHANGE, DELETE
from dangjian.orgs.models import Organization
from dangjian.tasks.actions.common import Fields, refuse_outside
from dangjian.tasks.choices import ItemStatus, ListKind
from dangjian.tasks.models import ListItem, ResponsibilityList


def _year(value: Any, field: str = "year") -> int:
    fields = Fields({field: value})
    year = fields.number(field, gettext("年度"), 2000, 2100)
    fields.done()
    assert year is not None
    return year


@domain_action("tasks.list.create", "建立责任清单")
def create_list(
    organization: Organization, year: Any, kind: str, note: str = "", *, acting_user: Any
) -> ResponsibilityList:
    refuse_outside(acting_user, ResponsibilityList, ADD, organization)
    year = _year(year)
    if kind not in ListKind.values:
        raise DomainError({"kind": gettext("请选择清单类型。")})
    if ResponsibilityList.objects.filter(organization=organization, year=year, kind=kind).exists():
        raise DomainError(
            {
                "kind": gettext("%(org)s%(year)d年的%(kind)s已经建立。")
                % {"org": organization.name, "year": year, "kind": ListKind(kind).label}
            }
        )
    return ResponsibilityList.objects.create(
        organization=organization, year=year, kind=kind, note=note.strip(), created_by=acting_user
    )


def _item_fields(data: Mapping[str, Any], item: ListItem | None) -> dict[str, Any]:
    fields = Fields(data, item)
    fields.text("content", gettext("内容"), limit=2000)
    fields.text("owner", gettext("责任人（部门）"), limit=100, required=False)
    fields.day("deadline", gettext("完成时限"), required=False)
    fields.choice("status", gettext("状态"), ItemStatus)
    fields.text("note", gettext("备注"), limit=300, required=False)
    return fields.done()


@domain_action("tasks.list.item", "修改清单事项")
def save_item(
    duty_list: ResponsibilityList,
    data: Mapping[str, Any],
    item: ListItem | None = None,
    *,
    acting_user: Any,
) -> ListItem:
    """Add an item to a list or change one."""
    refuse_outside(acting_user, ResponsibilityList, CHANGE, duty_list.organization)
    merged = {"status": ItemStatus.PLANNED} | dict(data) if item is None else data
    fields = _item_fields(merged, item)
    if item is None:
        top = duty_list.items.aggregate(top=Max("position"))["top"] or 0
        item = ListItem.objects.create(duty_list=duty_list, position=top + 1, **fields)
        track(item, detail={"list": duty_list.pk})
        return item
    changes = {
        k: [str(getattr(item, k)), str(v)] for k, v in fields.items() if getattr(item, k) != v
    }
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    track(item, changes=changes)
    return item


@domain_action("tasks.list.item_delete", "删除清单事项")
def delete_item(item: ListItem, *, acting_user: Any) -> None:
    refuse_outside(acting_user, ResponsibilityList, CHANGE, item.duty_list.organization)
    track(item, detail={"content": item.content[:100]})
    item.delete()


@domain_action("tasks.list.delete", "删除责任清单")
def delete_list(duty_list: ResponsibilityList, *, acting_user: Any) -> None:
    refuse_outside(acting_user, ResponsibilityList, DELETE, duty_list.organization)
    track(duty_list, detail={"items": duty_list.items.count()})
    duty_list.delete()


@domain_action("tasks.list.copy_year", "沿用上年清单")
def copy_year(
    organization: Organization, from_year: Any, to_year: Any, *, acting_user: Any
) -> list[ResponsibilityList]:
    """Start a year from last year's lists: every list and item copied, items not started.

    Lists the new year already has are left as they are (copying twice adds nothing)."""
    refuse_outside(acting_user, ResponsibilityList, ADD, organization)
    source, target = _year(from_year, "from_year"), _year(to_year, "to_year")
    if source == target:
        raise DomainError({"to_year": gettext("目标年度应不同于来源年度。")})
    old = list(
        ResponsibilityList.objects.filter(organization=organization, year=source).prefetch_related(
            "items"
        )
    )
    if not old:
        raise DomainError(
            {
                "from_year": gettext("%(org)s没有%(year)d年的清单可沿用。")
                % {"org": organization.name, "year": source}
            }
        )
    have = set(
        ResponsibilityList.objects.filter(organization=organization, year=target).values_list(
            "kind", flat=True
        )
    )
    made = []
    for duty_list in old:
        if duty_list.kind in have:
            continue
        copy = ResponsibilityList.objects.create(
            organization=organization,
            year=target,
            kind=duty_list.kind,
            note=duty_list.note,
            created_by=acting_user,
        )
        ListItem.objects.bulk_create(
            ListItem(
                duty_list=copy,
                position=item.position,
                content=item.content,
                owner=item.owner,
                status=ItemStatus.PLANNED,
                note=item.note,
            )
            for item in duty_list.items.all()
        )
        made.append(copy)
    if not made:
        raise DomainError(
            {"to_year": gettext("%(year)d年的这些清单均已建立，无需沿用。") % {"year": target}}
        )
    track(
        None,
        detail={"organization": organization.pk, "from": source, "to": target, "lists": len(made)},
    )
    return made
