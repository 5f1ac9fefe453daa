"""What every member action shares: scope checks, locks, the timeline, who is responsible."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.roles import COMMITTEE, SECRETARY
from dangjian.core.scope import covers, scope_filter
from dangjian.members.choices import (
    ON_BOOKS,
)
from dangjian.members.models import MemberEvent, Person, Transfer
from dangjian.members.validation import (
    check_unique_person,
)
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
