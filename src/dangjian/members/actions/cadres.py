"""Cadre records: rank, position, unit, leadership team."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.scope import CHANGE, covers
from dangjian.members.actions.common import (
    _not_future,
)
from dangjian.members.choices import (
    CadreRank,
    CadreStatus,
)
from dangjian.members.models import Cadre, Person

# Cadres --------------------------------------------------------------------------------------

CADRE_FIELDS = (
    "rank",
    "position",
    "unit",
    "team",
    "is_university_leader",
    "appointed_on",
    "rank_since",
    "note",
)


def clean_cadre(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = {name: data.get(name) for name in CADRE_FIELDS if name in data}
    if cleaned.get("rank") not in CadreRank.values:
        errors["rank"] = gettext("请选择职级。")
    for name, label in (("position", gettext("现任职务")), ("unit", gettext("任职单位"))):
        cleaned[name] = str(cleaned.get(name) or "").strip()
        if not cleaned[name]:
            errors[name] = gettext("请填写%(label)s。") % {"label": label}
    cleaned["team"] = str(cleaned.get("team") or "").strip()
    cleaned["note"] = str(cleaned.get("note") or "").strip()
    cleaned["is_university_leader"] = bool(cleaned.get("is_university_leader"))
    today = timezone.localdate()
    for name in ("appointed_on", "rank_since"):
        value = cleaned.get(name)
        if value is not None and not isinstance(value, date):
            errors[name] = gettext("日期格式不正确。")
        elif value is not None and value > today:
            errors[name] = gettext("日期不能晚于今天。")
    if errors:
        raise DomainError(errors)
    return cleaned


@domain_action("members.cadre.save", _("登记干部信息"))
def save_cadre(person: Person, data: Mapping[str, Any], *, acting_user: Any) -> Cadre:
    """Create or update a person's cadre record (organization department only)."""
    if acting_user is not None and not covers(acting_user, Cadre, CHANGE, person.organization.path):
        raise DomainError(gettext("您无权管理干部信息。"))
    cleaned = clean_cadre(data)
    cadre = Cadre.objects.filter(person=person).first()
    before = snapshot(cadre) if cadre else {}
    if cadre is None:
        cadre = Cadre(person=person)
    for name, value in cleaned.items():
        setattr(cadre, name, value)
    cadre.status, cadre.left_office_on = CadreStatus.IN_OFFICE, None
    cadre.save()
    track(cadre, changes=diff(before, snapshot(cadre)))
    return cadre


@domain_action("members.cadre.leave_office", _("登记干部离任"))
def end_cadre(cadre: Cadre, *, on: date, acting_user: Any) -> Cadre:
    if acting_user is not None and not covers(
        acting_user, Cadre, CHANGE, cadre.person.organization.path
    ):
        raise DomainError(gettext("您无权管理干部信息。"))
    if cadre.status == CadreStatus.FORMER:
        raise DomainError(gettext("该干部已离任。"))
    on = _not_future(on)
    cadre.status, cadre.left_office_on = CadreStatus.FORMER, on
    cadre.save(update_fields=["status", "left_office_on", "updated_at"])
    track(cadre, changes={"status": (CadreStatus.IN_OFFICE, CadreStatus.FORMER)})
    return cadre
