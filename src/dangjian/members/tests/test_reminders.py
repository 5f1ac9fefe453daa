"""Daily reminders: lost contact and floating for the rule's months, once a day, to the branch."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dangjian.accounts.models import User
from dangjian.core import reminders, rules
from dangjian.core.models import Notification, RuleSetting
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.members.testing import make_person

pytestmark = pytest.mark.django_db

DAY = date(2024, 9, 15)
SIX_MONTHS_AGO = date(2024, 3, 15)
ONE_DAY_LESS = date(2024, 3, 16)


def run(day: date, capture: Any) -> list[tuple[str, str, str]]:
    """The member registry's notifications sent by one run: (recipient, title, key)."""
    start = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with capture(execute=True):
        reminders.run(day)
    return list(
        Notification.objects.filter(id__gt=start, key__startswith="members.")
        .order_by("id")
        .values_list("recipient__username", "title", "key")
    )


def lost(tree_org: Any, since: date, **extra: Any) -> Person:
    person = make_person(tree_org, **extra)
    return actions.mark_lost_contact(person, since=since, acting_user=None)


def floating(tree_org: Any, since: date, **extra: Any) -> Person:
    person = make_person(tree_org, **extra)
    return actions.start_floating(
        person, destination="深圳", on=since, until=None, acting_user=None
    )


def set_rule(code: str, **values: Any) -> None:
    RuleSetting.objects.update_or_create(code=code, defaults=values)
    rules.invalidate()


def test_lost_contact_for_six_months_reminds_the_secretary_once_a_day(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    due = lost(tree.b1, SIX_MONTHS_AGO)
    lost(tree.b1, ONE_DAY_LESS, name="李四")
    sent = run(DAY, django_capture_on_commit_callbacks)
    assert sent == [
        ("secretary", "张三失去联系已6个月", f"members.lost_contact:{due.pk}:2024-09-15")
    ]
    note = Notification.objects.get(key__startswith="members.lost_contact")
    assert note.body == "失去联系已6个月，满6个月的应按规定停止党籍。"
    assert note.url == f"/members/{due.pk}/"
    assert run(DAY, django_capture_on_commit_callbacks) == []  # same day: not again
    assert len(run(date(2024, 9, 16), django_capture_on_commit_callbacks)) == 2  # both now due


def test_only_members_with_normal_standing(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    suspended = lost(tree.b1, SIX_MONTHS_AGO)
    actions.suspend(suspended, on=DAY, reason="失联", acting_user=None)
    lost(
        tree.b1,
        SIX_MONTHS_AGO,
        name="李四",
        category=Category.ACTIVIST,
        candidate_on=None,
        joined_on=None,
        converted_on=None,
    )
    restored = lost(tree.b1, SIX_MONTHS_AGO, name="王五")
    actions.restore_contact(restored, on=DAY, acting_user=None)
    assert run(DAY, django_capture_on_commit_callbacks) == []


def test_without_a_secretary_the_committee_is_reminded(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    lost(tree.b2, SIX_MONTHS_AGO)
    assert [row[0] for row in run(DAY, django_capture_on_commit_callbacks)] == ["committee"]


def test_floating_for_six_months(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    due = floating(tree.b1, SIX_MONTHS_AGO)
    later = floating(tree.b1, ONE_DAY_LESS, name="李四")
    sent = run(DAY, django_capture_on_commit_callbacks)
    assert sent == [("secretary", "张三外出流动已6个月", f"members.floating:{due.pk}:2024-09-15")]
    assert Notification.objects.get(key__startswith="members.floating").body == (
        "外出流动已6个月，满6个月且地点固定的应转移组织关系。"
    )
    actions.end_floating(due, on=DAY, acting_user=None)
    assert run(date(2024, 9, 16), django_capture_on_commit_callbacks) == [
        ("secretary", "李四外出流动已6个月", f"members.floating:{later.pk}:2024-09-16")
    ]


def test_month_ends(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    lost(tree.b1, date(2023, 8, 31))  # + 6 months = 29 February 2024
    assert run(date(2024, 2, 28), django_capture_on_commit_callbacks) == []
    assert len(run(date(2024, 2, 29), django_capture_on_commit_callbacks)) == 1


def test_rules_switched_off_or_changed(
    tree: Tree, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    lost(tree.b1, SIX_MONTHS_AGO)
    floating(tree.b1, SIX_MONTHS_AGO, name="李四")
    set_rule("members.lost_contact_months", enabled=False)
    set_rule("members.floating_transfer_months", enabled=False)
    assert run(DAY, django_capture_on_commit_callbacks) == []
    set_rule("members.lost_contact_months", enabled=True, value=7)
    set_rule("members.floating_transfer_months", enabled=True, value=5)
    assert [row[1] for row in run(DAY, django_capture_on_commit_callbacks)] == [
        "李四外出流动已6个月"
    ]


def test_queries_do_not_grow_with_people(
    tree: Tree,
    personas: dict[str, User],
    django_assert_max_num_queries: Any,
) -> None:
    from dangjian.members.reminders import lost_contact_due

    for n in range(12):
        lost(tree.b1 if n % 2 else tree.b2, SIX_MONTHS_AGO, name=f"党员{n}")
    with django_assert_max_num_queries(6):
        assert len(list(lost_contact_due(DAY))) == 12
