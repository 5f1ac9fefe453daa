"""The member's own page (我的组织生活): upcoming events, this year's record, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.members.models import Person
from dangjian.orglife import actions
from dangjian.orglife.actions import Mark
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.models import Event
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db
MINE = "/orglife/mine/"


@pytest.fixture
def person(tree, personas) -> Person:
    person = members(tree.b1, 1)[0]
    Person.objects.filter(pk=person.pk).update(user=personas["member"])
    return person


def _past(tree, title: str, minutes: int) -> Event:
    """A held theme day of B1 that ended a little while ago (this year)."""
    start = timezone.now() - timedelta(minutes=minutes + 60)
    return held(
        tree.b1,
        EventKind.THEME_DAY,
        timezone.localdate(start),
        title=title,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )


def _planned(tree, title: str, start: timedelta) -> Event:
    begins = timezone.now() + start
    return held(
        tree.b1,
        EventKind.STUDY,
        timezone.localdate(begins),
        status=EventStatus.PLANNED,
        title=title,
        starts_at=begins,
        ends_at=begins + timedelta(hours=2),
    )


def _mark(event: Event, person: Person, status: str, reason: str = "") -> None:
    mark = Mark(status=status, person_id=person.pk, leave_reason=reason)
    actions.record_attendance(event, [mark], acting_user=None)


def test_an_account_without_a_person(login, tree):
    response = login("secretary").get(MINE)
    assert response.status_code == 404
    assert "账号未关联党员档案" in response.content.decode()


def test_the_members_record_and_upcoming_events(login, tree, person):
    present = _past(tree, "三月主题党日", 10)
    on_leave = _past(tree, "四月主题党日", 20)
    _mark(present, person, "present")
    _mark(on_leave, person, "leave", "出差")
    _past(tree, "五月主题党日", 30)  # expected, never marked: absent
    _planned(tree, "正在进行的集中学习", timedelta(minutes=-5))
    _planned(tree, "下月集中学习", timedelta(days=20))
    _planned(tree, "很久以后的学习", timedelta(days=90))
    other = held(
        tree.b2,
        EventKind.THEME_DAY,
        timezone.localdate(),
        status=EventStatus.PLANNED,
        title="别的支部的活动",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    response = login("member").get(MINE)
    assert response.status_code == 200
    record = response.context["record"]
    assert (record["due"], record["attended"], record["leave"], record["absent"]) == (3, 1, 1, 1)
    assert record["rate"] == 33
    page = response.content.decode()
    assert "正在进行的集中学习" in page and "下月集中学习" in page
    assert "很久以后的学习" not in page and other.title not in page
    assert page.count('data-testid="mine-scan-note"') == 1
    assert "主持人屏幕上的二维码" in page
    assert "出差" in page
    badges = {e.title: e for e in response.context["upcoming"]}
    assert badges["正在进行的集中学习"].checkin_open
    assert not badges["下月集中学习"].checkin_open
    history = [row.event.title for row in response.context["history"]]
    assert history == ["三月主题党日", "四月主题党日", "五月主题党日"]
    assert f'data-testid="status-{present.pk}">出席' in page


def test_a_constant_number_of_queries(login, tree, person, django_assert_max_num_queries):
    client = login("member")
    for n in range(3):
        _past(tree, f"主题党日{n}", 10 + n)
        _planned(tree, f"集中学习{n}", timedelta(days=n + 1))
    client.get(MINE)  # warm the caches (rules, grants)
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    for n in range(3, 12):
        _past(tree, f"主题党日{n}", 10 + n)
        _planned(tree, f"集中学习{n}", timedelta(days=n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MINE)
    assert len(response.context["history"]) == 12 and len(response.context["upcoming"]) == 12
