"""Every state change of the member registry (domain.md §3, §7, §8).

Each action checks that the acting user's grant covers the organizations involved, validates,
changes the record, writes the person's timeline (`MemberEvent`) and the audit event. ID and
phone numbers reach the audit log only as masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit, crypto
from dangjian.core.actions import acting_user, domain_action, on_commit, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.notifications import notify
from dangjian.core.roles import COMMITTEE, SECRETARY
from dangjian.core.scope import ADD, CHANGE, DELETE, REVEAL, covers, scope_filter
from dangjian.members.choices import (
    ON_BOOKS,
    CadreRank,
    CadreStatus,
    Category,
    CorrectionStatus,
    EventKind,
    LeaveReason,
    Status,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.models import Cadre, CorrectionRequest, MemberEvent, Person, Transfer
from dangjian.members.models.person import ID_FIELD
from dangjian.members.models.records import PROPOSED_FIELD
from dangjian.members.validation import (
    HOLDING_LEVELS,
    PHONE_PATTERN,
    _label,
    check_unique_person,
    clean_person,
    normalize_phone,
)
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

PERSON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "native_place",
    "address",
    "education",
    "degree",
    "staff_no",
    "unit",
    "post",
    "title",
    "enrollment_year",
    "organization",
    "party_group",
    "category",
    "applied_on",
    "activist_on",
    "candidate_on",
    "joined_on",
    "converted_on",
    "note",
    "photo",
)
# What a member may ask to have corrected, and which of those apply directly when accepted.
CORRECTABLE = {
    "name": _("姓名"),
    "phone": _("手机号码"),
    "address": _("家庭住址"),
    "native_place": _("籍贯"),
    "education": _("学历"),
    "degree": _("学位"),
    "unit": _("所在单位"),
    "title": _("职称/职务"),
    "staff_no": _("工号/学号"),
    "ethnicity": _("民族"),
    "birth_date": _("出生日期"),
    "id_number": _("身份证号"),
    "joined_on": _("入党日期"),
    "converted_on": _("转正日期"),
    "other": _("其他"),
}
DIRECTLY_APPLIED = ("name", "phone", "address", "native_place", "degree", "unit", "title")
# Proposals kept encrypted (core.crypto), like the record's own values.
PROTECTED_CORRECTIONS = ("id_number", "phone")


def _require(user: Any, action: str, org: Organization, what: str) -> None:
    if not covers(user, Person, action, org.path):
        raise DomainError(
            gettext("您无权%(what)s“%(name)s”的人员。") % {"what": what, "name": org.name}
        )


def _require_person(user: Any, action: str, person: Person) -> None:
    """The person is in the user's scope for `action` (system: always)."""
    if user is None:
        return
    condition = scope_filter(Person, user, action)
    if condition is None or not Person.objects.filter(condition, pk=person.pk).exists():
        raise DomainError(gettext("您无权办理“%(name)s”的此项业务。") % {"name": person.name})


def _on_books(person: Person) -> None:
    if person.status not in ON_BOOKS:
        raise DomainError(
            gettext("%(name)s的党籍状态为“%(status)s”，不能办理此项业务。")
            % {"name": person.name, "status": person.get_status_display()}
        )


def _lock(person: Person) -> None:
    """Hold the person's row for the rest of the action and re-read it.

    Two clerks acting on the same person at once (suspending twice, issuing two letters)
    then run one after the other, and the second sees the first one's result.
    """
    if person.pk is not None:
        Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
        person.refresh_from_db()


def _lock_transfer(transfer: Transfer) -> None:
    """Hold the transfer's row and re-read it: two receipts of one letter run in turn."""
    Transfer.objects.select_for_update().filter(pk=transfer.pk).values_list("pk").first()
    transfer.refresh_from_db()


def _save_unique(person: Person, cleaned: Mapping[str, Any], instance: Person | None) -> None:
    """Save, turning a race on the ID number or staff number into the usual refusal.

    `clean_person` checks uniqueness first, but two registrations of one person at the same
    moment both pass that check; the database's unique index stops the second.
    """
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        check_unique_person(cleaned, instance=instance)  # names the clash, now committed
        raise


def _not_future(day: date | None, field: str = "on") -> date:
    if day is None:
        raise DomainError({field: gettext("请填写日期。")})
    if day > timezone.localdate():
        raise DomainError({field: gettext("日期不能晚于今天。")})
    return day


def add_event(
    person: Person,
    kind: str,
    on: date,
    summary: str,
    *,
    actor: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> MemberEvent:
    """Append to the person's timeline (inside the running action)."""
    return MemberEvent.objects.create(
        person=person,
        kind=kind,
        occurred_on=on,
        summary=summary[:300],
        detail=audit.to_jsonable(dict(detail or {})),
        organization=person.organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def responsible_users(org: Organization) -> list[Any]:
    """Who handles an organization's member affairs: its secretaries, else committee staff."""
    from dangjian.accounts.models import RoleGrant

    grants = list(
        RoleGrant.objects.active()
        .filter(role__in=[SECRETARY, COMMITTEE])
        .select_related("organization", "user")
    )
    covering = [g for g in grants if g.organization and org.path.startswith(g.organization.path)]
    secretaries = [g.user for g in covering if g.role == SECRETARY]
    return secretaries or [g.user for g in covering]


# Registration and edits ----------------------------------------------------------------------


def _apply(person: Person, cleaned: Mapping[str, Any]) -> None:
    for field in PERSON_FIELDS:
        if field in cleaned:
            setattr(person, field, cleaned[field])
    # Re-encrypting an unchanged value would look like a change (a fresh nonce each time).
    if "id_number" in cleaned and (
        not person.id_hash or crypto.lookup_hash(cleaned["id_number"], ID_FIELD) != person.id_hash
    ):
        person.set_id_number(cleaned["id_number"])
    if "phone" in cleaned and not _same_phone(person, cleaned["phone"]):
        person.set_phone(cleaned["phone"])


def _same_phone(person: Person, phone: str) -> bool:
    if not person.phone_cipher:
        return not phone
    try:
        return person.reveal_phone() == phone
    except crypto.CryptoError:  # unreadable: replace it
        return False


@domain_action("members.person.register", _("登记人员"))
def register_person(data: Mapping[str, Any], *, acting_user: Any) -> Person:
    """Register a person (applicant to full member) on an organization's books."""
    org = data.get("organization")
    if isinstance(org, Organization):
        _require(acting_user, ADD, org, gettext("登记"))
    cleaned = clean_person(data)
    person = Person()
    _apply(person, cleaned)
    _save_unique(person, cleaned, None)
    add_event(
        person,
        EventKind.REGISTERED,
        timezone.localdate(),
        gettext("登记于%(org)s，类别：%(category)s")
        % {"org": person.organization.name, "category": person.get_category_display()},
        actor=acting_user,
    )
    track(person, changes=diff({}, snapshot(person)))
    return person


# Fields whose change the timeline names: the protected values by their masked copy.
LABELLED = {*PERSON_FIELDS, "organization_id", "party_group_id", "id_masked", "phone_masked"}


def _change_label(name: str) -> str:
    return _label(name.removesuffix("_id"))


@domain_action("members.person.update", _("修改人员信息"))
def update_person(person: Person, data: Mapping[str, Any], *, acting_user: Any) -> Person:
    """Change a person's record; a new organization needs a transfer, not an edit."""
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    if "organization" in data and data["organization"] != person.organization:
        raise DomainError({"organization": gettext("变更所在党组织请办理组织关系转接。")})
    cleaned = clean_person(data, instance=person)
    before = snapshot(person)
    _apply(person, cleaned)
    changes = diff(before, snapshot(person))
    if not changes:
        return person
    _save_unique(person, cleaned, person)
    labels = "、".join(dict.fromkeys(_change_label(name) for name in changes if name in LABELLED))
    add_event(
        person,
        EventKind.UPDATED,
        timezone.localdate(),
        gettext("修改：%(fields)s") % {"fields": labels},
        actor=acting_user,
    )
    track(person, changes=changes)
    return person


@domain_action("members.person.delete", _("删除人员"))
def delete_person(person: Person, *, acting_user: Any) -> None:
    """Delete a record entered by mistake; a person with history is kept (leave, transfer)."""
    _require_person(acting_user, DELETE, person)
    if person.transfers.exists() or person.posts.exists() or hasattr(person, "cadre"):
        raise DomainError(
            gettext("该人员已有组织关系转接、职务或干部记录，不能删除；请办理出党、转出等手续。")
        )
    track(person, changes=diff(snapshot(person), {}))
    person.delete()


def reveal(person: Person, field: str, *, acting_user: Any) -> str:
    """The plain ID or phone number, for a user allowed to reveal it; always audited."""
    if field not in ("id_number", "phone"):
        raise ValueError(field)
    condition = scope_filter(Person, acting_user, REVEAL) if acting_user is not None else Q()
    allowed = condition is not None and Person.objects.filter(condition, pk=person.pk).exists()
    plain, problem = "", ""
    if allowed:
        try:
            plain = person.reveal_id_number() if field == "id_number" else person.reveal_phone()
        except crypto.CryptoError:
            problem = "密文无法解密（数据被改动或密钥缺失）"
    audit.record_security(
        "security.reveal",
        actor=acting_user,
        obj=person,
        success=allowed and not problem,
        detail={"field": field},
        message=problem if allowed else "无查看完整信息权限",
    )
    if not allowed:
        raise DomainError(gettext("您没有查看完整身份证号、手机号码的权限。"))
    if problem:
        raise DomainError(gettext("该信息无法解密，可能已被改动，请联系系统管理员。"))
    return plain


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


# Correction requests -------------------------------------------------------------------------


@domain_action("members.correction.request", _("提交信息更正申请"))
def request_correction(
    person: Person, *, field: str, proposed: str, reason: str, acting_user: Any
) -> CorrectionRequest:
    """A member asks for their own record to be corrected; the branch decides."""
    if acting_user is not None and getattr(person, "user_id", None) != acting_user.pk:
        raise DomainError(gettext("只能为本人的信息提交更正申请。"))
    if field not in CORRECTABLE:
        raise DomainError({"field": gettext("请选择需更正的项目。")})
    proposed = (proposed or "").strip()
    if not proposed:
        raise DomainError({"proposed": gettext("请填写应更正为的内容。")})
    if len(proposed) > 200:
        raise DomainError({"proposed": gettext("不能超过200个字。")})
    if person.corrections.filter(field=field, status=CorrectionStatus.PENDING).exists():
        raise DomainError({"field": gettext("该项目已有待处理的更正申请。")})
    current = {
        "id_number": person.id_masked,
        "phone": person.phone_masked,
    }.get(field)
    if current is None and field != "other":
        value = getattr(person, field)
        display = getattr(person, f"get_{field}_display", None)
        current = str(display() if display else (value or ""))
    if field in PROTECTED_CORRECTIONS:
        # Only ever stored encrypted: a typed ID or phone number is as sensitive as the record.
        proposed = crypto.encrypt(proposed, PROPOSED_FIELD)
    correction = CorrectionRequest.objects.create(
        person=person,
        field=field,
        current_value=(current or "")[:200],
        proposed_value=proposed,
        reason=(reason or "").strip()[:500],
        requested_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    track(correction, detail={"field": field})
    recipients = responsible_users(person.organization)
    on_commit(
        lambda: notify(
            recipients,
            gettext("信息更正申请：%(name)s") % {"name": person.name},
            gettext("%(name)s申请更正“%(field)s”。")
            % {"name": person.name, "field": CORRECTABLE[field]},
            url=f"/members/corrections/{correction.pk}/",
        )
    )
    return correction


def proposed_plain(correction: CorrectionRequest) -> str:
    """The proposed value; protected fields are stored encrypted."""
    if correction.field in PROTECTED_CORRECTIONS:
        try:
            return crypto.decrypt(correction.proposed_value, PROPOSED_FIELD)
        except crypto.CryptoError:  # tampered or its key dropped: unreadable, never a 500
            return ""
    return correction.proposed_value


@domain_action("members.correction.decide", _("处理信息更正申请"))
def decide_correction(
    correction: CorrectionRequest, *, accept: bool, response: str, acting_user: Any
) -> CorrectionRequest:
    """Accept (applying simple fields at once) or reject with a reason."""
    person = correction.person
    _require_person(acting_user, CHANGE, person)
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(gettext("该申请已处理。"))
    response = (response or "").strip()
    if not accept and not response:
        raise DomainError({"response": gettext("不采纳时请填写理由。")})
    if accept and correction.field in DIRECTLY_APPLIED:
        value = proposed_plain(correction)
        if correction.field == "phone":
            value = normalize_phone(value)
            if not PHONE_PATTERN.match(value):
                raise DomainError({"__all__": gettext("申请的手机号码格式不正确，无法直接更正。")})
        update_person(person, {correction.field: value}, acting_user=acting_user)
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    correction.response = response[:500]
    correction.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "response", "decided_by", "decided_at"])
    if accept:
        add_event(
            person,
            EventKind.CORRECTED,
            timezone.localdate(),
            gettext("根据本人申请更正“%(field)s”") % {"field": CORRECTABLE[correction.field]},
            actor=acting_user,
        )
    track(correction, changes={"status": (CorrectionStatus.PENDING, correction.status)})
    requester = correction.requested_by
    on_commit(
        lambda: notify(
            [requester],
            gettext("信息更正申请已处理"),
            gettext("“%(field)s”：%(result)s。%(response)s")
            % {
                "field": CORRECTABLE[correction.field],
                "result": correction.get_status_display(),
                "response": response,
            },
            url="/members/me/",
        )
    )
    return correction


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


# Organization merges move people with them ----------------------------------------------------


def move_people_on_merge(org: Organization, into: Organization) -> int:
    """Called inside orgs' merge: people of the merged organization go with it.

    Each moved person's timeline says why their organization changed; letters still open
    towards the merged organization now point at the one it joined; members of a merged
    party group join the other group when it is in their branch.
    """
    people = list(Person.objects.filter(organization=org).values_list("pk", flat=True))
    Person.objects.filter(pk__in=people).update(organization=into, updated_at=timezone.now())
    today = timezone.localdate()
    summary = gettext("所在党组织%(org)s并入%(into)s") % {"org": org.name, "into": into.name}
    actor = acting_user()
    MemberEvent.objects.bulk_create(
        MemberEvent(
            person_id=pk,
            kind=EventKind.UPDATED,
            occurred_on=today,
            summary=summary[:300],
            detail={"merged": org.pk, "into": into.pk},
            organization=into,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for pk in people
    )
    Transfer.objects.filter(status=TransferStatus.ISSUED, to_organization=org).exclude(
        from_organization=into
    ).update(to_organization=into)
    grouped = Person.objects.filter(party_group=org)
    if org.level == Level.PARTY_GROUP and into.level == Level.PARTY_GROUP:
        branch_path = into.path[: -Organization.steplen]
        grouped.filter(organization__path=branch_path).update(party_group=into)
    grouped.update(party_group=None)
    return len(people)


def people_keep_organization(org: Organization) -> str:
    """Called before an organization is dissolved: its people must be transferred first."""
    from dangjian.members.choices import ON_BOOKS as on_books

    count = Person.objects.filter(organization=org, status__in=on_books).count()
    if not count:
        return ""
    return gettext("该组织还有%(n)d名在册人员，请先办理组织关系转接或将本组织合并到其他组织。") % {
        "n": count
    }

