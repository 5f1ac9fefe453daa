"""Registering, editing, deleting a person, and revealing a protected value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit, crypto
from dangjian.core.actions import domain_action, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.scope import ADD, CHANGE, DELETE, REVEAL, scope_filter
from dangjian.members.actions.common import (
    PERSON_FIELDS,
    _lock,
    _require,
    _require_person,
    _save_unique,
    add_event,
)
from dangjian.members.choices import Category, EventKind
from dangjian.members.models import Person
from dangjian.members.models.person import ID_FIELD
from dangjian.members.validation import (
    _label,
    clean_person,
)
from dangjian.orgs.models import Organization

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


CATEGORY_DATE = {
    "applicant": "applied_on",
    "activist": "activist_on",
    "candidate": "candidate_on",
    "probationary": "joined_on",
    "full": "converted_on",
}


@domain_action("members.person.category", _("人员类别变化"))
def advance_category(
    person: Person, category: str, on: date, *, acting_user: Any, summary: str = ""
) -> Person:
    """Move a person to `category` as of `on` (the recruitment pipeline's steps): the date of
    that step is set, the registry's own checks apply (dates in order, age, probation), and
    the timeline says what happened."""
    _require_person(acting_user, CHANGE, person)
    _lock(person)
    data = {"category": category, CATEGORY_DATE[category]: on}
    cleaned = clean_person(data, instance=person, check_unique=False)
    before = snapshot(person)
    _apply(person, cleaned)
    person.save()
    add_event(
        person,
        EventKind.CATEGORY,
        on,
        summary or gettext("成为%(category)s") % {"category": Category(category).label},
        actor=acting_user,
    )
    track(person, changes=diff(before, snapshot(person)))
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
