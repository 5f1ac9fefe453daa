"""Who is expected at an event, and the counts kept on it.

A branch's meetings expect its members in good standing (probationary and full, not
suspended); a party-group meeting expects the group's members; a committee meeting expects the
current committee (支委) of the organization. Talks and activities (志愿服务、社会实践) have no list:
their participants are entered. The list is a snapshot taken when the event is recorded, so
later transfers do not rewrite past attendance.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from dangjian.members.choices import MEMBER_CATEGORIES, Category, Status
from dangjian.members.models import Person
from dangjian.orglife.choices import COMMITTEE_KINDS, OPEN_KINDS, AttendanceStatus, EventKind
from dangjian.orglife.models import Attendance, Event
from dangjian.orgs.choices import BRANCH_LEVELS


def expected_people(event: Event) -> list[int]:
    """Ids of the people expected at `event` (empty for talks and activities)."""
    if event.kind in OPEN_KINDS:
        return []
    if event.kind in COMMITTEE_KINDS:
        from dangjian.orgs.models import CommitteeMember

        return sorted(
            set(
                CommitteeMember.objects.filter(
                    term__organization=event.organization,
                    term__closed_on__isnull=True,
                    ended_on__isnull=True,
                    person__isnull=False,
                    person__status=Status.NORMAL,
                ).values_list("person_id", flat=True)
            )
        )
    members = Person.objects.filter(category__in=MEMBER_CATEGORIES, status=Status.NORMAL)
    if event.kind == EventKind.GROUP_MEETING and event.party_group_id:
        return list(
            members.filter(party_group_id=event.party_group_id).values_list("pk", flat=True)
        )
    if event.organization.level not in BRANCH_LEVELS:
        return []
    return list(members.filter(organization=event.organization).values_list("pk", flat=True))


def voting_present(event: Event) -> tuple[int, int]:
    """(present, expected) of those with a vote: full members at an assembly, every
    committee member at a committee meeting."""
    rows = Attendance.objects.filter(event=event, expected=True)
    if event.kind == EventKind.GENERAL_ASSEMBLY:
        rows = rows.filter(person__category=Category.FULL)
    counts = rows.aggregate(
        expected=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
    )
    return counts["present"], counts["expected"]


def count_fields(event: Event) -> dict[str, object]:
    """The attendance counts of `event`, from its rows in one query."""
    present = Q(status=AttendanceStatus.PRESENT)
    counts = Attendance.objects.filter(event=event).aggregate(
        expected=Count("pk", filter=Q(expected=True)),
        present=Count("pk", filter=present & Q(is_guest=False)),
        leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE, is_guest=False)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT, is_guest=False)),
        guests=Count("pk", filter=present & Q(is_guest=True)),
        own_hours=Sum("hours", filter=present & Q(hours__isnull=False)),
        default_hours=Count("pk", filter=present & Q(hours__isnull=True)),
    )
    hours = counts["own_hours"] or Decimal(0)
    hours += (event.hours or Decimal(0)) * counts["default_hours"]
    return {
        "expected_count": counts["expected"],
        "present_count": counts["present"],
        "leave_count": counts["leave"],
        "absent_count": counts["absent"],
        "guest_count": counts["guests"],
        "person_times": counts["present"] + counts["guests"],
        "person_hours": hours,
    }
