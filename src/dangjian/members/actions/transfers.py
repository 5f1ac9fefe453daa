"""Transfers of the party relationship (组织关系转接): letters issued, received, returned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.actions import domain_action, on_commit, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.scope import ADD, CHANGE, covers
from dangjian.members.actions.common import (
    _lock,
    _lock_transfer,
    _not_future,
    _on_books,
    _require,
    _require_person,
    _save_unique,
    add_event,
    responsible_users,
)
from dangjian.members.actions.people import (
    _apply,
)
from dangjian.members.choices import (
    EventKind,
    Status,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.models import Person, Transfer
from dangjian.members.validation import (
    HOLDING_LEVELS,
    clean_person,
)
from dangjian.orgs.models import Organization

# Transfers -----------------------------------------------------------------------------------


@domain_action("members.transfer.issue", _("开具组织关系介绍信"))
def issue_transfer(
    person: Person,
    *,
    direction: str,
    letter_no: str,
    issued_on: date,
    to_organization: Organization | None = None,
    other_institution: str = "",
    reason: str = "",
    acting_user: Any,
) -> Transfer:
    """Issue the letter moving a member to another branch here, or out of the institution."""
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    _on_books(person)
    errors: dict[str, str] = {}
    letter_no = (letter_no or "").strip()
    if not letter_no:
        errors["letter_no"] = gettext("请填写介绍信编号。")
    if person.transfers.filter(status=TransferStatus.ISSUED).exists():
        errors["__all__"] = gettext("该人员已有尚未办结的转接，请先办结或退回。")
    if direction == TransferDirection.INTERNAL:
        if to_organization is None:
            errors["to_organization"] = gettext("请选择转入的党组织。")
        elif to_organization.pk == person.organization_id:
            errors["to_organization"] = gettext("转入党组织不能与现所在党组织相同。")
        elif not to_organization.is_active or to_organization.level not in HOLDING_LEVELS:
            errors["to_organization"] = gettext("请选择正常状态的党支部（或党委、党总支）。")
    elif direction == TransferDirection.OUTBOUND:
        if not (other_institution or "").strip():
            errors["other_institution"] = gettext("请填写转往的校外党组织。")
        to_organization = None
    else:
        errors["direction"] = gettext("请选择转接类型。")
    if errors:
        raise DomainError(errors)
    issued_on = _not_future(issued_on, "issued_on")
    transfer = Transfer.objects.create(
        person=person,
        direction=direction,
        from_organization=person.organization,
        to_organization=to_organization,
        other_institution=(other_institution or "").strip(),
        letter_no=letter_no,
        issued_on=issued_on,
        reason=(reason or "").strip(),
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    destination = to_organization.name if to_organization else transfer.other_institution
    add_event(
        person,
        EventKind.TRANSFER_ISSUED,
        issued_on,
        gettext("开具介绍信（%(no)s），转往%(to)s") % {"no": letter_no, "to": destination},
        actor=acting_user,
        detail={"transfer": transfer.pk},
    )
    track(transfer, detail={"letter_no": letter_no, "to": destination})
    if to_organization is not None:
        recipients = responsible_users(to_organization)
        on_commit(
            lambda: notify(
                recipients,
                gettext("待接收组织关系：%(name)s") % {"name": person.name},
                gettext("%(from)s开具介绍信%(no)s，请核对后接收。")
                % {"from": person.organization.name, "no": letter_no},
                url=f"/members/transfers/{transfer.pk}/",
            )
        )
    return transfer


@domain_action("members.transfer.receive", _("接收组织关系"))
def receive_transfer(transfer: Transfer, *, received_on: date, acting_user: Any) -> Transfer:
    """The receiving side confirms: the member moves (internal) or leaves the books (outbound)."""
    target = transfer.to_organization
    if target is not None:
        _require(acting_user, CHANGE, target, gettext("接收"))
    else:
        _require_person(acting_user, CHANGE, transfer.person)
    _lock_transfer(transfer)
    if not transfer.is_open:
        raise DomainError(gettext("该转接已办结。"))
    person = transfer.person
    _lock(person)
    _on_books(person)
    if target is not None and not target.is_active:
        raise DomainError(
            gettext("转入党组织“%(name)s”已撤销或合并，请退回介绍信后重新开具。")
            % {"name": target.name}
        )
    received_on = _not_future(received_on, "received_on")
    if received_on < transfer.issued_on:
        raise DomainError({"received_on": gettext("接收日期不能早于介绍信开具日期。")})
    before = snapshot(person)
    if target is not None:
        person.organization, person.party_group = target, None
        summary = gettext("组织关系转入%(org)s") % {"org": target.name}
    else:
        person.status, person.off_books_on = Status.TRANSFERRED_OUT, received_on
        summary = gettext("组织关系已转至%(to)s") % {"to": transfer.other_institution}
    person.save()
    transfer.status, transfer.received_on = TransferStatus.RECEIVED, received_on
    transfer.save(update_fields=["status", "received_on"])
    add_event(
        person,
        EventKind.TRANSFER_RECEIVED,
        received_on,
        summary,
        actor=acting_user,
        detail={"transfer": transfer.pk, "letter_no": transfer.letter_no},
    )
    track(person, changes=diff(before, snapshot(person)), detail={"transfer": transfer.pk})
    return transfer


@domain_action("members.transfer.return", _("退回组织关系介绍信"))
def return_transfer(
    transfer: Transfer, *, returned_on: date, reason: str, acting_user: Any
) -> Transfer:
    """The letter comes back unused (wrong target, not reported): the member stays."""
    target = transfer.to_organization
    if target is None or not covers(acting_user, Person, CHANGE, target.path):
        _require_person(acting_user, CHANGE, transfer.person)
    _lock_transfer(transfer)
    if not transfer.is_open:
        raise DomainError(gettext("该转接已办结。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError({"reason": gettext("请填写退回原因。")})
    returned_on = _not_future(returned_on, "returned_on")
    if returned_on < transfer.issued_on:
        raise DomainError({"returned_on": gettext("退回日期不能早于介绍信开具日期。")})
    transfer.status, transfer.returned_on = TransferStatus.RETURNED, returned_on
    transfer.return_reason = reason[:200]
    transfer.save(update_fields=["status", "returned_on", "return_reason"])
    add_event(
        transfer.person,
        EventKind.TRANSFER_RETURNED,
        returned_on,
        gettext("介绍信%(no)s退回：%(reason)s") % {"no": transfer.letter_no, "reason": reason},
        actor=acting_user,
    )
    track(transfer, changes={"status": (TransferStatus.ISSUED, TransferStatus.RETURNED)})
    return transfer


@domain_action("members.transfer.inbound", _("接收校外转入组织关系"))
def receive_from_outside(
    data: Mapping[str, Any],
    *,
    other_institution: str,
    letter_no: str,
    issued_on: date | None,
    received_on: date,
    acting_user: Any,
) -> Person:
    """A member arrives from another institution: registered here with the letter on file.

    A person who was transferred out earlier and comes back is put back on the books.
    """
    org = data.get("organization")
    if not isinstance(org, Organization):
        raise DomainError({"organization": gettext("请选择所在党组织。")})
    _require(acting_user, ADD, org, gettext("接收"))
    errors: dict[str, str] = {}
    if not (other_institution or "").strip():
        errors["other_institution"] = gettext("请填写转出的校外党组织。")
    if not (letter_no or "").strip():
        errors["letter_no"] = gettext("请填写介绍信编号。")
    if errors:
        raise DomainError(errors)
    received_on = _not_future(received_on, "received_on")
    if issued_on and issued_on > received_on:
        raise DomainError({"issued_on": gettext("介绍信开具日期不能晚于接收日期。")})
    returning = Person.objects.with_id_number(str(data.get("id_number") or "")).first()
    if returning is not None and returning.status == Status.TRANSFERRED_OUT:
        _lock(returning)
        cleaned = clean_person(data, instance=returning)
        _apply(returning, cleaned)
        returning.status, returning.off_books_on = Status.NORMAL, None
        _save_unique(returning, cleaned, returning)
        person = returning
    else:
        cleaned = clean_person(data)
        person = Person()
        _apply(person, cleaned)
        _save_unique(person, cleaned, None)
    transfer = Transfer.objects.create(
        person=person,
        direction=TransferDirection.INBOUND,
        status=TransferStatus.RECEIVED,
        to_organization=org,
        other_institution=other_institution.strip(),
        letter_no=letter_no.strip(),
        issued_on=issued_on or received_on,
        received_on=received_on,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    add_event(
        person,
        EventKind.TRANSFER_RECEIVED,
        received_on,
        gettext("从%(from)s转入%(org)s（介绍信%(no)s）")
        % {"from": transfer.other_institution, "org": org.name, "no": transfer.letter_no},
        actor=acting_user,
        detail={"transfer": transfer.pk},
    )
    track(person, changes=diff({}, snapshot(person)), detail={"transfer": transfer.pk})
    return person
