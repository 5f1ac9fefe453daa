"""A branch's yearly plan of theme days, lectures and study sessions, linked to the events
that carry each item out (an item is done when a held event names it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.scope import ADD, CHANGE, DELETE, covers
from dangjian.orglife.choices import EventKind, EventStatus, PlanKind
from dangjian.orglife.models import PlanItem
from dangjian.orgs.models import Organization

# Which plan items an event of each kind can carry out.
PLAN_KIND_OF: dict[str, str] = {
    EventKind.THEME_DAY: PlanKind.THEME_DAY,
    EventKind.LECTURE: PlanKind.LECTURE,
    EventKind.STUDY: PlanKind.STUDY,
}


def _refuse_outside(user: Any, action: str, org: Organization) -> None:
    if user is not None and not covers(user, PlanItem, action, org.path):
        raise DomainError(gettext("您无权编制该党组织的年度计划。"))


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        year = int(data.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors["year"] = gettext("年度应为2000至2100之间的整数。")
    try:
        month = int(data.get("month") or 0)
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        errors["month"] = gettext("月份应为1至12。")
    kind = data.get("kind")
    if kind not in PlanKind.values:
        labels = "、".join(str(label) for label in PlanKind.labels)
        errors["kind"] = gettext("取值不正确，可选：%(ctx)s。") % {"ctx": labels}
    values: dict[str, Any] = {"year": year, "month": month, "kind": kind}
    for name, limit in (("topic", 200), ("speaker_name", 50), ("note", 300)):
        text = data.get(name) or ""
        if not isinstance(text, str):
            errors[name] = gettext("请输入文本。")
            continue
        if len(text.strip()) > limit:
            errors[name] = gettext("不能超过%(n)d个字。") % {"n": limit}
        values[name] = text.strip()
    if not values.get("topic") and "topic" not in errors:
        errors["topic"] = gettext("请填写主题。")
    if errors:
        raise DomainError(errors)
    return values


@domain_action("orglife.plan.save", _("编制年度计划事项"))
def save_plan_item(
    organization: Organization,
    data: Mapping[str, Any],
    *,
    item: PlanItem | None = None,
    acting_user: Any,
) -> PlanItem:
    """Add an item to the organization's plan (or change `item`)."""
    org = organization if item is None else item.organization
    _refuse_outside(acting_user, ADD if item is None else CHANGE, org)
    values = _clean(data)
    if item is None:
        item = PlanItem.objects.create(organization=org, created_by=acting_user, **values)
        track(item, detail=values)
        return item
    if item.events.filter(status=EventStatus.HELD).exists() and values["kind"] != item.kind:
        raise DomainError({"kind": gettext("已有活动落实该事项，不能修改类型。")})
    changes = {k: (getattr(item, k), v) for k, v in values.items() if getattr(item, k) != v}
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    track(item, changes=changes)
    return item


@domain_action("orglife.plan.delete", _("删除年度计划事项"))
def delete_plan_item(item: PlanItem, *, acting_user: Any) -> None:
    """Remove an item no held event carries out yet."""
    _refuse_outside(acting_user, DELETE, item.organization)
    if item.events.filter(status=EventStatus.HELD).exists():
        raise DomainError(gettext("已有活动落实该事项，不能删除。"))
    track(item, detail={"topic": item.topic, "year": item.year, "month": item.month})
    item.delete()


@domain_action("orglife.plan.copy", _("沿用上年度计划"))
def copy_plan(organization: Organization, year: int, *, acting_user: Any) -> int:
    """Start `year`'s plan from the previous year's items (topics kept, to be edited)."""
    _refuse_outside(acting_user, ADD, organization)
    if PlanItem.objects.filter(organization=organization, year=year).exists():
        raise DomainError(
            gettext("%(year)d年度已有计划事项，不能再沿用上年度计划。") % {"year": year}
        )
    previous = list(PlanItem.objects.filter(organization=organization, year=year - 1))
    if not previous:
        raise DomainError(gettext("%(year)d年度没有计划事项可以沿用。") % {"year": year - 1})
    PlanItem.objects.bulk_create(
        PlanItem(
            organization=organization,
            year=year,
            month=item.month,
            kind=item.kind,
            topic=item.topic,
            speaker_name=item.speaker_name,
            note=item.note,
            created_by=acting_user,
        )
        for item in previous
    )
    track(organization, detail={"year": year, "items": len(previous)})
    return len(previous)
