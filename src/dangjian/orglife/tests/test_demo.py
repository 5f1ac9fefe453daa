"""The demo's year of organizational life: counts as the actions compute them, nothing held
in the future, attendance only of expected people, guests or participants, compliance
realistic (neither perfect nor poor), plans and summaries consistent, idempotence."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts import demo as account_demo
from dangjian.core.management.commands.demo import app_demo_loaders
from dangjian.members import demo as member_demo
from dangjian.orglife import demo
from dangjian.orglife.attendees import count_fields, voting_present
from dangjian.orglife.choices import (
    HOURS_KINDS,
    OPEN_KINDS,
    EventKind,
    EventStatus,
    SummaryStatus,
)
from dangjian.orglife.compliance import rate
from dangjian.orglife.models import Attendance, Event, MonthlySummary, PlanItem
from dangjian.orglife.plans import PLAN_KIND_OF
from dangjian.orgs import demo as org_demo
from dangjian.orgs.models import Organization


@pytest.mark.django_db
def test_the_demo_year_is_consistent_and_loads_once() -> None:
    org_demo.build_demo_tree(1)
    account_demo.ensure_demo_users("Demo#Passw0rd")
    member_demo.load_demo(1)
    counts = demo.load_demo(1)
    labels = [label for label, _ in app_demo_loaders()]
    assert labels.index("orglife") > labels.index("members")
    today, now = timezone.localdate(), timezone.now()
    root = Organization.objects.get(code="U001")

    events = Event.objects.all()
    assert counts["活动"] == events.count() and counts["出勤记录"] == Attendance.objects.count()
    assert counts["月报"] == MonthlySummary.objects.count() > 2000
    by_kind = Counter(events.filter(status=EventStatus.HELD).values_list("kind", flat=True))
    assert 900 <= by_kind[EventKind.LECTURE] <= 1400 and 800 <= by_kind[EventKind.STUDY] <= 1200
    assert by_kind[EventKind.THEME_DAY] >= 2900 and by_kind[EventKind.REVIEW_MEETING] >= 200
    held = events.filter(status=EventStatus.HELD)
    total = {
        kind: sum(held.filter(kind=kind).values_list("person_times", flat=True))
        for kind in (EventKind.THEME_DAY, EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE)
    }
    assert total[EventKind.THEME_DAY] > 30000
    assert 2000 <= total[EventKind.VOLUNTEER] <= 6000
    assert 3000 <= total[EventKind.SOCIAL_PRACTICE] <= 8000

    # Counts on the events are what refresh_counts computes from the rows.
    for event in events.order_by("?")[:250]:
        for name, value in count_fields(event).items():
            assert getattr(event, name) == value, (event.pk, event.kind, name)
        if event.kind in (EventKind.GENERAL_ASSEMBLY, EventKind.COMMITTEE_MEETING):
            present, expected = voting_present(event)
            assert event.quorum_met == ((present * 2 > expected) if expected else None)

    # Nothing held in the future; planned events are ahead and mark leave only.
    assert not held.filter(Q(held_on__gte=today) | Q(starts_at__gt=now)).exists()
    assert not events.filter(status=EventStatus.PLANNED, held_on__lt=today).exists()
    assert not events.filter(held_on__gt=today + timedelta(days=30)).exists()
    not_held = Attendance.objects.exclude(event__status=EventStatus.HELD)
    assert not not_held.filter(status="present").exists()
    assert not Attendance.objects.filter(status="leave", leave_reason="").exists()
    # Every line is an expected attendee, a guest, or a participant of a talk or activity.
    stray = Attendance.objects.filter(expected=False, is_guest=False).exclude(
        event__kind__in=list(OPEN_KINDS)
    )
    assert not stray.exists()
    assert not events.filter(kind=EventKind.COMMITTEE_MEETING, first_topic="").exists()
    assert (
        not events.filter(kind=EventKind.LECTURE)
        .filter(Q(speaker_name="") | Q(lecture_level=""))
        .exists()
    )
    assert not events.filter(kind__in=list(HOURS_KINDS), hours__isnull=True).exists()
    late = events.filter(is_late=True)
    assert late.exists() and not late.filter(late_reason="").exists()
    assert events.filter(status=EventStatus.CANCELLED, person_times=0).count() == counts["已取消"]
    assert counts["已取消"] > 0
    assert Attendance.objects.filter(method="qr", checked_in_at__isnull=False).exists()
    # Only expected attendees scan the code (check_in refuses others at a closed event).
    assert not Attendance.objects.filter(method="qr", expected=False).exists()

    # Compliance over the last complete months: a few items missed, most held.
    start = (today.replace(day=1) - timedelta(days=300)).replace(day=1)
    end = today.replace(day=1) - timedelta(days=1)
    done, missed = rate(root, start, end, today)
    assert 0.80 < done / (done + missed) < 1.0

    # Plans: each item carried out by at most one event of its kind.
    linked = events.filter(plan_item__isnull=False).select_related("plan_item")
    assert linked.count() > 500
    for event in linked[:500]:
        assert event.plan_item is not None and PLAN_KIND_OF[event.kind] == event.plan_item.kind
    twice = (
        PlanItem.objects.annotate(n=Count("events", filter=~Q(events__status="cancelled")))
        .filter(n__gt=1)
        .exists()
    )
    assert not twice
    states = Counter(MonthlySummary.objects.values_list("status", flat=True))
    assert states[SummaryStatus.APPROVED] > 0.8 * sum(states.values())
    assert states[SummaryStatus.RETURNED] and states[SummaryStatus.SUBMITTED]
    returned = MonthlySummary.objects.filter(status=SummaryStatus.RETURNED)
    assert not returned.filter(return_reason="").exists()

    # A second run adds nothing.
    before = (Event.objects.count(), Attendance.objects.count(), PlanItem.objects.count())
    again = demo.load_demo(1)
    assert not any(again.values())
    assert (Event.objects.count(), Attendance.objects.count(), PlanItem.objects.count()) == before
