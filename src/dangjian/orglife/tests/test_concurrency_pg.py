"""Concurrency on PostgreSQL: a member checks in once however many times the phone submits,
many members checking in together leave exact counts, and two attendance sheets saved at
once never leave counts that disagree with the rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.personas import build_personas, build_tree, make_user
from dangjian.members.models import Person
from dangjian.members.tests.test_concurrency_pg import only_refusals, run_threads
from dangjian.orglife import actions, checkin
from dangjian.orglife.actions import Mark
from dangjian.orglife.attendees import count_fields
from dangjian.orglife.choices import EventKind
from dangjian.orglife.models import Attendance, Event
from dangjian.orglife.testing import event_data, members

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world() -> dict[str, Any]:
    tree = build_tree()
    build_personas(tree)
    people = members(tree.b1, 6)
    now = timezone.now()
    data = event_data(
        EventKind.GENERAL_ASSEMBLY,
        timezone.localdate(),
        starts_at=now,
        ends_at=now + timedelta(hours=2),
    )
    event = actions.save_event(tree.b1, data, acting_user=None).obj
    return {"tree": tree, "people": people, "event": event}


def _link(person: Person, username: str) -> User:
    user = make_user(username)
    Person.objects.filter(pk=person.pk).update(user=user)
    return user


def test_one_member_checks_in_once(world: dict[str, Any]) -> None:
    user = _link(world["people"][0], "scanner")
    token = checkin.token_for(world["event"], timezone.now())

    def work(i: int) -> Any:
        return actions.check_in(token, acting_user=User.objects.get(pk=user.pk))

    results, errors = run_threads(6, work)
    assert len(results) == 1
    assert all("无需重复签到" in e["__all__"] for e in only_refusals(errors))
    assert Attendance.objects.filter(event=world["event"], status="present").count() == 1
    assert Event.objects.get(pk=world["event"].pk).present_count == 1


def test_many_members_checking_in_together_leave_exact_counts(world: dict[str, Any]) -> None:
    users = [_link(person, f"scanner{i}") for i, person in enumerate(world["people"])]
    token = checkin.token_for(world["event"], timezone.now())

    def work(i: int) -> Any:
        return actions.check_in(token, acting_user=User.objects.get(pk=users[i].pk))

    results, errors = run_threads(len(users), work)
    assert not errors and len(results) == len(users)
    event = Event.objects.get(pk=world["event"].pk)
    assert event.present_count == len(users) == count_fields(event)["present_count"]


def test_two_sheets_saved_at_once_keep_counts_true(world: dict[str, Any]) -> None:
    people = world["people"]

    def work(i: int) -> Any:
        status = "present" if i % 2 else "absent"
        marks = [Mark(status, person.pk) for person in people]
        return actions.record_attendance(
            Event.objects.get(pk=world["event"].pk), marks, acting_user=None
        )

    results, errors = run_threads(4, work)
    assert not errors and len(results) == 4
    event = Event.objects.get(pk=world["event"].pk)
    truth = count_fields(event)
    assert event.present_count == truth["present_count"]
    assert event.absent_count == truth["absent_count"]
    assert event.present_count in (0, len(people))
