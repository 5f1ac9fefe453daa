"""The attendance sheet: a large sheet in one request with the counts right, a bad line
refused with nothing written, guests, and participants of an activity."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangjian.core.testing.personas import Tree
from dangjian.orglife.choices import AttendanceStatus, EventKind
from dangjian.orglife.models import Attendance
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def test_a_large_sheet_is_one_request_with_counts_right(tree: Tree, login: Any) -> None:
    members(tree.b1, 300)
    event = held(tree.b1, EventKind.GENERAL_ASSEMBLY, _yesterday())
    rows = list(Attendance.objects.filter(event=event).order_by("id"))
    assert len(rows) == 300
    client = login("secretary")
    page = client.get(f"/orglife/events/{event.pk}/attendance/")
    assert page.status_code == 200 and "全部出席" in page.content.decode()
    data: dict[str, str] = {}
    for index, row in enumerate(rows):
        status = "present" if index < 250 else "leave" if index < 280 else "absent"
        data[f"status_{row.pk}"] = status
        data[f"reason_{row.pk}"] = "出差" if status == "leave" else ""
    data |= {"guest_name": "张来宾", "guest_unit": "校团委"}
    response = client.post(f"/orglife/events/{event.pk}/attendance/", data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.present_count, event.leave_count, event.absent_count) == (250, 30, 20)
    assert event.guest_count == 1 and event.person_times == 251
    assert event.quorum_met is True


def test_a_bad_line_is_refused_and_nothing_is_written(tree: Tree, login: Any) -> None:
    members(tree.b1, 5)
    event = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    rows = list(Attendance.objects.filter(event=event).order_by("id"))
    data = {f"status_{row.pk}": "present" for row in rows}
    data[f"status_{rows[2].pk}"] = "leave"  # without a reason
    response = login("secretary").post(f"/orglife/events/{event.pk}/attendance/", data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "请假须填写原因" in text and "出勤未保存" in text
    assert not Attendance.objects.filter(event=event, status=AttendanceStatus.PRESENT).exists()
    event.refresh_from_db()
    assert event.present_count == 0


def test_participants_of_an_activity_with_hours(tree: Tree, login: Any) -> None:
    people = members(tree.b1, 3)
    event = held(tree.b1, EventKind.VOLUNTEER, _yesterday())
    client = login("secretary")
    page = client.get(f"/orglife/events/{event.pk}/attendance/").content.decode()
    assert people[0].name in page and "添加参加人员" in page
    response = client.post(
        f"/orglife/events/{event.pk}/attendance/",
        {"participants": [str(people[0].pk), str(people[1].pk)], "participant_hours": "3"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.present_count == 2 and str(event.person_hours) == "6.0"


def test_outsiders_are_not_added_as_participants(tree: Tree, login: Any) -> None:
    stranger = members(tree.b3, 1, serial=7000)[0]
    event = held(tree.b1, EventKind.HEART_TALK, _yesterday())
    response = login("secretary").post(
        f"/orglife/events/{event.pk}/attendance/", {"participants": [str(stranger.pk)]}
    )
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    assert not Attendance.objects.filter(event=event).exists()
