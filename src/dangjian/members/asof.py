"""Who was on the books on a day, in which organization and in which state.

Shared by the figures (`members.figures`) and, for an `as_of` date, the member list's filters,
so that a figure and its drill-down select the same people. A person counts on a day when
registered by then (application or joining date) and not yet off the books (transferred out,
left, died), in the category the dates of each step give for that day, and in the organization
they belonged to that day: the current one corrected by the transfers received after the day,
the first of which says where the person was (internal or outbound: its `from` organization;
inbound: not here yet). For today or a later day no transfer lies ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dangjian.members.choices import (
    CadreStatus,
    Category,
    EventKind,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.filters import category_as_of, on_books_as_of
from dangjian.members.models import MemberEvent, Person, Transfer
from dangjian.orgs.models import Organization


def people_on(day: date) -> QuerySet[Person]:
    """Everyone on the books on `day`, any category (the list's `as_of` filter)."""
    registered = Q(applied_on__lte=day) | Q(joined_on__lte=day)
    return on_books_as_of(Person.objects.all(), day).filter(registered)


def members_on(day: date) -> QuerySet[Person]:
    """Probationary and full members on the books on `day` (suspended ones included)."""
    return category_as_of(people_on(day), "members", day)


def category_q(category: str, day: date) -> Q:
    """The condition `filters.category_as_of` applies, as a Q for conditional counts."""
    if category == Category.FULL:
        return Q(converted_on__lte=day)
    if category == Category.PROBATIONARY:
        return (
            Q(joined_on__lte=day)
            & (Q(converted_on__isnull=True) | Q(converted_on__gt=day))
            & ~Q(left_on__lte=day)
        )
    steps = ("applied_on", "activist_on", "candidate_on", "joined_on")
    index = list(Category.values).index(category)
    field, following = steps[index], steps[index + 1]
    return Q(**{f"{field}__lte": day}) & (
        Q(**{f"{following}__isnull": True}) | Q(**{f"{following}__gt": day})
    )


@dataclass(frozen=True)
class Place:
    """Where a person was on a day: an organization, or None when not on the books here."""

    organization_id: int | None
    path: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Moves:
    """People whose transfers received after `day` touch a subtree, and where they were."""

    touching: QuerySet[Transfer, Any] | None
    places: dict[int, Place]

    def ids_within(self, path: str) -> list[int]:
        """People who were in the subtree on the day."""
        return [
            pk
            for pk, place in self.places.items()
            if place.organization_id is not None and place.path.startswith(path)
        ]


def moves_after(day: date, org: Organization | None = None) -> Moves:
    """The small correction for a past day: one query over the transfers received after it
    that touch the subtree (all of them without `org`); none for today or a later day, since
    transfers cannot be received in the future."""
    if day >= timezone.localdate():
        return Moves(None, {})
    later = Transfer.objects.filter(status=TransferStatus.RECEIVED, received_on__gt=day)
    touching = later
    if org is not None:
        touching = later.filter(
            Q(from_organization__path__startswith=org.path)
            | Q(to_organization__path__startswith=org.path)
        )
    rows = (
        later.filter(person_id__in=touching.values("person_id"))
        .order_by("person_id", "received_on", "id")
        .values_list(
            "person_id",
            "direction",
            "from_organization_id",
            "from_organization__path",
            "from_organization__kind",
        )
    )
    places: dict[int, Place] = {}
    for person_id, direction, org_id, path, kind in rows:
        if person_id in places:
            continue  # the first transfer after the day says where the person was
        if direction == TransferDirection.INBOUND or org_id is None:
            places[person_id] = Place(None)
        else:
            places[person_id] = Place(org_id, path, kind or "")
    return Moves(touching.values("person_id") if places else None, places)


def placed_on(
    queryset: QuerySet[Person],
    day: date,
    *,
    within: Organization | None = None,
    kind: str = "",
) -> QuerySet[Person]:
    """People of `queryset` who were in `within`'s subtree and/or a branch of `kind` on `day`:
    the correction the figures make, as one condition, for the list's `within` and `kind`
    filters with an `as_of` date (one definition for a figure and its drill-down)."""
    here = Q()
    if within is not None:
        here &= Q(organization__path__startswith=within.path)
    if kind:
        here &= Q(organization__kind=kind)
    moves = moves_after(day, within)
    if moves.touching is None:
        return queryset.filter(here)
    path = within.path if within is not None else ""
    then = [
        pk
        for pk, place in moves.places.items()
        if place.organization_id is not None
        and place.path.startswith(path)
        and (not kind or place.kind == kind)
    ]
    return queryset.filter((here & ~Q(pk__in=moves.touching)) | Q(pk__in=then))


def in_subtree_on(queryset: QuerySet[Person], org: Organization, day: date) -> QuerySet[Person]:
    """People of `queryset` who were in `org`'s subtree on `day`."""
    return placed_on(queryset, day, within=org)


def _restored_between(since_field: str, kinds: tuple[str, ...], day: date) -> Q:
    """A restoring event between the start of a state and `day` (the state then ended)."""
    return Q(
        Exists(
            MemberEvent.objects.filter(
                person=OuterRef("pk"),
                kind__in=kinds,
                occurred_on__gte=OuterRef(since_field),
                occurred_on__lte=day,
            )
        )
    )


def floating_q(day: date) -> Q:
    """Away as a floating member on `day` (the list's `flag=floating` with an as-of date)."""
    return Q(floating_from__lte=day) & (Q(is_floating=True) | Q(floating_until__gt=day))


def lost_contact_q(day: date) -> Q:
    """Out of contact on `day`: lost by then, contact (or standing) not restored since."""
    kinds = (EventKind.CONTACT_RESTORED, EventKind.RESTORED)
    return Q(lost_contact_since__lte=day) & ~_restored_between("lost_contact_since", kinds, day)


def suspended_q(day: date) -> Q:
    """Standing suspended on `day`: suspended by then and not restored since."""
    return Q(suspended_on__lte=day) & ~_restored_between("suspended_on", (EventKind.RESTORED,), day)


def cadre_q(day: date) -> Q:
    """In cadre office on `day` (the list's `flag=cadre` with an as-of date)."""
    appointed = Q(cadre__appointed_on__isnull=True) | Q(cadre__appointed_on__lte=day)
    serving = Q(cadre__status=CadreStatus.IN_OFFICE) | Q(cadre__left_office_on__gt=day)
    return Q(cadre__isnull=False) & appointed & serving
