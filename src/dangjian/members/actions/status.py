"""Floating, lost contact, suspension and restoration of standing, leaving, death (§7)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.scope import CHANGE
from dangjian.members.actions.common import (
    _lock,
    _not_future,
    _on_books,
    _require_person,
    add_event,
)
from dangjian.members.choices import (
    Category,
    EventKind,
    LeaveReason,
    Status,
)
from dangjian.members.models import Person

# Status --------------------------------------------------------------------------------------


def _status_change(
    person: Person,
    acting_user: Any,
    kind: str,
    on: date,
    summary: str,
    **values: Any,
) -> Person:
    before = snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    person.save()
    add_event(person, kind, on, summary, actor=acting_user)
    track(person, changes=diff(before, snapshot(person)))
    return person


@domain_action("members.floating.start", _("登记流动党员"))
def start_floating(
    person: Person, *, destination: str, on: date, until: date | None, acting_user: Any
) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    _on_books(person)
    if person.is_floating:
        raise DomainError(gettext("该党员已登记为流动党员。"))
    if not (destination or "").strip():
        raise DomainError({"destination": gettext("请填写外出流向（地点、单位）。")})
    on = _not_future(on)
    if until is not None and until <= on:
        raise DomainError({"until": gettext("预计返回日期应晚于外出日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.FLOATING_STARTED,
        on,
        gettext("外出流动至%(to)s") % {"to": destination.strip()},
        is_floating=True,
        floating_destination=destination.strip()[:100],
        floating_from=on,
        floating_until=until,
    )


@domain_action("members.floating.end", _("结束流动"))
def end_floating(person: Person, *, on: date, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    if not person.is_floating:
        raise DomainError(gettext("该党员不是流动党员。"))
    on = _not_future(on)
    if person.floating_from and on < person.floating_from:
        raise DomainError({"on": gettext("结束日期不能早于外出日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.FLOATING_ENDED,
        on,
        gettext("结束流动，返回%(org)s") % {"org": person.organization.name},
        is_floating=False,
        floating_until=on,
    )


@domain_action("members.contact.lost", _("登记失联党员"))
def mark_lost_contact(person: Person, *, since: date, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    _on_books(person)
    if person.lost_contact:
        raise DomainError(gettext("该党员已登记为失联。"))
    since = _not_future(since, "since")
    return _status_change(
        person,
        acting_user,
        EventKind.LOST_CONTACT,
        since,
        gettext("失去联系"),
        lost_contact=True,
        lost_contact_since=since,
    )


@domain_action("members.contact.restored", _("恢复联系"))
def restore_contact(person: Person, *, on: date, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    if not person.lost_contact:
        raise DomainError(gettext("该党员未登记为失联。"))
    on = _not_future(on)
    if person.lost_contact_since and on < person.lost_contact_since:
        raise DomainError({"on": gettext("恢复联系日期不能早于失联日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.CONTACT_RESTORED,
        on,
        gettext("恢复联系"),
        lost_contact=False,
    )


@domain_action("members.standing.suspend", _("停止党籍"))
def suspend(person: Person, *, on: date, reason: str, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    if person.status != Status.NORMAL or not person.is_member:
        raise DomainError(gettext("只有党籍正常的党员才能停止党籍。"))
    if not (reason or "").strip():
        raise DomainError({"reason": gettext("请填写停止党籍的原因。")})
    on = _not_future(on)
    return _status_change(
        person,
        acting_user,
        EventKind.SUSPENDED,
        on,
        gettext("停止党籍：%(reason)s") % {"reason": reason.strip()},
        status=Status.SUSPENDED,
        suspended_on=on,
    )


@domain_action("members.standing.restore", _("恢复党籍"))
def restore_standing(person: Person, *, on: date, reason: str, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    if person.status != Status.SUSPENDED:
        raise DomainError(gettext("该党员未被停止党籍。"))
    if not (reason or "").strip():
        raise DomainError({"reason": gettext("请填写恢复党籍的依据。")})
    on = _not_future(on)
    if person.suspended_on and on < person.suspended_on:
        raise DomainError({"on": gettext("恢复日期不能早于停止党籍日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.RESTORED,
        on,
        gettext("恢复党籍：%(reason)s") % {"reason": reason.strip()},
        status=Status.NORMAL,
        lost_contact=False,
    )


@domain_action("members.standing.leave", _("出党"))
def leave_party(person: Person, *, on: date, reason: str, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    _on_books(person)
    if not person.is_member:
        raise DomainError(gettext("%(name)s不是党员，不能办理出党。") % {"name": person.name})
    if reason not in LeaveReason.values:
        raise DomainError({"reason": gettext("请选择出党方式。")})
    if reason == LeaveReason.PROBATION_CANCELLED and person.category != Category.PROBATIONARY:
        raise DomainError({"reason": gettext("只有预备党员才能取消预备党员资格。")})
    on = _not_future(on)
    if person.joined_on and on < person.joined_on:
        raise DomainError({"on": gettext("出党日期不能早于入党日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.LEFT,
        on,
        gettext("出党（%(reason)s）") % {"reason": LeaveReason(reason).label},
        status=Status.LEFT,
        left_on=on,
        leave_reason=reason,
        off_books_on=on,
    )


@domain_action("members.death", _("登记去世"))
def record_death(person: Person, *, on: date, acting_user: Any) -> Person:
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    _on_books(person)
    on = _not_future(on)
    if on < person.birth_date:
        raise DomainError({"on": gettext("去世日期不能早于出生日期。")})
    return _status_change(
        person,
        acting_user,
        EventKind.DIED,
        on,
        gettext("去世"),
        status=Status.DECEASED,
        died_on=on,
        off_books_on=on,
        is_floating=False,
    )
