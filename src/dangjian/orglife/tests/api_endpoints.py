"""The organizational-life API in the permission matrix.

Each request gets a fresh tree. Events are B1's; the member persona is linked to a member of
B1 (test data), so the member sees B1's events read-only and may check in; the outsider (C2)
does not see them (404). Monthly summaries have no member grant (403); only the committee
above a branch (and the university) reviews its summary.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.testing.matrix import BUSINESS, IN_C1, STAFF, Endpoint
from dangjian.core.testing.personas import Tree
from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.orglife import checkin, plans, summaries
from dangjian.orglife.choices import EventKind, EventStatus, PlanKind
from dangjian.orglife.models import Event
from dangjian.orglife.testing import event_data, held

BASE = "/api/v1/orglife"
EVENT = f"{BASE}/events/{{event_id}}"
OUTSIDE = {"outsider"}
MEMBER_STAFF_NO = "OLAPI1"


def own_member(tree: Tree) -> Person:
    """A full member of B1 whose account is the member persona's."""
    person = make_person(tree.b1, name="王党员", staff_no=MEMBER_STAFF_NO)
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username="member"))
    return Person.objects.get(pk=person.pk)


def last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def on_event(tree: Tree) -> dict[str, Any]:
    """A theme day B1 held yesterday, the member persona expected at it."""
    own_member(tree)
    event = held(tree.b1, EventKind.THEME_DAY, timezone.localdate() - timedelta(days=1))
    return {"event_id": event.pk}


def on_planned(tree: Tree) -> dict[str, Any]:
    from dangjian.orglife import actions

    day = timezone.localdate() + timedelta(days=10)
    data = event_data(EventKind.THEME_DAY, day, status=EventStatus.PLANNED)
    return {"event_id": actions.save_event(tree.b1, data, acting_user=None).obj.pk}


def on_running(tree: Tree) -> dict[str, Any]:
    """A theme day that started ten minutes ago: check-in is open."""
    from dangjian.orglife import actions

    own_member(tree)
    now = timezone.now()
    data = event_data(
        EventKind.THEME_DAY,
        timezone.localdate(),
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )
    return {"event_id": actions.save_event(tree.b1, data, acting_user=None).obj.pk}


def scanned(tree: Tree) -> dict[str, Any]:
    event = Event.objects.get(organization=tree.b1)
    return {"token": checkin.token_for(event, timezone.now())}


def new_event(tree: Tree) -> dict[str, Any]:
    day = timezone.localdate() - timedelta(days=2)
    data = event_data(EventKind.STUDY, day)
    return {
        "organization": tree.b1.pk,
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()},
    }


def sheet(tree: Tree) -> dict[str, Any]:
    person = Person.objects.get(staff_no=MEMBER_STAFF_NO)
    return {"marks": [{"person_id": person.pk, "status": "present"}]}


def on_submitted(tree: Tree) -> dict[str, Any]:
    summary = summaries.submit_summary(
        tree.b1, last_month(), "本月开展主题党日。", acting_user=None
    )
    return {"summary_id": summary.pk}


def on_plan_item(tree: Tree) -> dict[str, Any]:
    data = {"year": 2026, "month": 3, "kind": PlanKind.THEME_DAY, "topic": "学习党章"}
    return {"item_id": plans.save_plan_item(tree.b1, data, acting_user=None).pk}


def last_year_plan(tree: Tree) -> dict[str, Any]:
    data = {"year": 2025, "month": 3, "kind": PlanKind.LECTURE, "topic": "专题党课"}
    plans.save_plan_item(tree.b1, data, acting_user=None)
    return {}


ENDPOINTS = [
    Endpoint(f"{BASE}/events", api=True, ok=BUSINESS),
    Endpoint(
        f"{BASE}/events",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=new_event,
        note="B1 does not exist for the outsider",
    ),
    Endpoint(EVENT, api=True, ok=IN_C1, not_found=OUTSIDE, args=on_event),
    Endpoint(
        EVENT,
        api=True,
        method="PATCH",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_event,
        data=lambda t: {"place": "图书馆报告厅"},
    ),
    Endpoint(
        f"{EVENT}/cancel",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_planned,
        data=lambda t: {"reason": "与学校会议冲突"},
    ),
    Endpoint(f"{EVENT}/attendance", api=True, ok=IN_C1, not_found=OUTSIDE, args=on_event),
    Endpoint(
        f"{EVENT}/attendance",
        api=True,
        method="PUT",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_event,
        data=sheet,
    ),
    Endpoint(f"{EVENT}/checkin-code", api=True, ok=STAFF, not_found=OUTSIDE, args=on_running),
    Endpoint(
        f"{BASE}/checkin",
        api=True,
        method="POST",
        ok={"member"},
        args=lambda t: {"event_id": on_running(t)["event_id"]},
        data=scanned,
        note="only an account linked to a member of the registry checks in (403 otherwise)",
    ),
    Endpoint(f"{BASE}/compliance", api=True, ok=BUSINESS),
    Endpoint(f"{BASE}/summaries", api=True, ok=STAFF | OUTSIDE),
    Endpoint(
        f"{BASE}/summaries",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=lambda t: {
            "organization": t.b1.pk,
            "month": f"{last_month():%Y-%m}",
            "text": "本月按计划开展组织生活。",
        },
    ),
    Endpoint(
        f"{BASE}/summaries/{{summary_id}}",
        api=True,
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_submitted,
    ),
    Endpoint(
        f"{BASE}/summaries/{{summary_id}}/review",
        api=True,
        method="POST",
        ok={"univ", "committee"},
        not_found=OUTSIDE,
        args=on_submitted,
        data=lambda t: {"approve": True},
        note="the secretary sees B1's summary but only the committee above reviews (403)",
    ),
    Endpoint(f"{BASE}/plan-items", api=True, ok=BUSINESS),
    Endpoint(
        f"{BASE}/plan-items",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        data=lambda t: {
            "organization": t.b1.pk,
            "year": 2026,
            "month": 5,
            "kind": "lecture",
            "topic": "学习新党章",
        },
    ),
    Endpoint(
        f"{BASE}/plan-items/copy",
        api=True,
        method="POST",
        ok=STAFF,
        not_found=OUTSIDE,
        args=last_year_plan,
        data=lambda t: {"organization": t.b1.pk, "year": 2026},
    ),
    Endpoint(
        f"{BASE}/plan-items/{{item_id}}",
        api=True,
        method="PATCH",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_plan_item,
        data=lambda t: {"topic": "学习新修订的党章"},
    ),
    Endpoint(
        f"{BASE}/plan-items/{{item_id}}",
        api=True,
        method="DELETE",
        ok=STAFF,
        not_found=OUTSIDE,
        args=on_plan_item,
    ),
]
