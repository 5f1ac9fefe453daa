"""Building events in tests, the demo and benchmarks: valid data and members to attend."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.orglife import actions
from dangjian.orglife.choices import EventKind, EventStatus, LectureLevel
from dangjian.orglife.models import Event
from dangjian.orgs.models import Organization


def at(day: date, hour: int = 14, minute: int = 0) -> datetime:
    """An aware local datetime on `day`."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def event_data(kind: str, day: date, **overrides: Any) -> dict[str, Any]:
    """Valid data of an event of `kind` held on `day` from 14:00 to 16:00."""
    data: dict[str, Any] = {
        "kind": kind,
        "title": f"{EventKind(kind).label}（{day:%Y年%m月}）",
        "status": EventStatus.HELD,
        "starts_at": at(day),
        "ends_at": at(day, 16),
        "place": "党员活动室",
        "host_name": "王书记",
        "recorder_name": "李委员",
    }
    if kind == EventKind.LECTURE:
        data |= {"speaker_name": "王书记", "lecture_level": LectureLevel.SECRETARY}
    if kind == EventKind.COMMITTEE_MEETING:
        data["first_topic"] = "学习习近平总书记重要讲话精神"
    if kind in (EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE):
        data["hours"] = "3"
    data.update(overrides)
    return data


def held(org: Organization, kind: str, day: date, **overrides: Any) -> Event:
    """An event recorded as the system (no recording window for old days: a reason is given)."""
    outcome = actions.save_event(
        org, event_data(kind, day, **overrides), justification="测试补录", acting_user=None
    )
    return outcome.obj  # type: ignore[no-any-return]


def members(branch: Organization, count: int, *, serial: int = 5000, **extra: Any) -> list[Person]:
    """`count` full members of `branch` (through the registry's action)."""
    return [
        make_person(
            branch,
            name=f"党员{serial + n}",
            staff_no=f"OL{serial + n}",
            birth_date=date(1985, 1, 1) + timedelta(days=n),
            **extra,
        )
        for n in range(count)
    ]
