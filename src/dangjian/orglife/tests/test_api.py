"""The organizational-life API: events, attendance sheets and QR check-in — success paths with
their numbers, refusals as 422 with nothing written, 404/403/401, query-count bounds and a
300-line sheet in one request (permissions of every operation: api_endpoints.py)."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from dangjian.accounts.models import User
from dangjian.core.testing.personas import Tree
from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.orglife import actions, checkin
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.models import Attendance, Event
from dangjian.orglife.testing import at, event_data, held, members

BASE = "/api/v1/orglife"


def send(client: Client, method: str, path: str, data: Any) -> Any:
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    return response.json()


def errors(response: Any) -> dict[tuple[str, ...], str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


def body(kind: str, day: date, organization: int, **overrides: Any) -> dict[str, Any]:
    data = event_data(kind, day, **overrides)
    values = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
    return {"organization": organization, **values}


def recent() -> date:
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def secretary(login: Any) -> Client:
    return login("secretary")


def link(person: Person, username: str = "member") -> Person:
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username=username))
    return Person.objects.get(pk=person.pk)


# --- events -----------------------------------------------------------------------------------


def test_an_event_is_recorded_with_its_expected_members(secretary: Client, tree: Tree) -> None:
    members(tree.b1, 3)
    created = ok(
        send(secretary, "post", f"{BASE}/events", body("theme_day", recent(), tree.b1.pk)), 201
    )
    event = created["event"]
    assert created["warnings"] == []
    assert (event["kind"], event["kind_display"]) == ("theme_day", "主题党日")
    assert (event["status"], event["status_display"]) == ("held", "已召开")
    assert event["organization"]["id"] == tree.b1.pk
    assert event["expected_count"] == 3 and event["present_count"] == 0
    assert event["is_late"] is False and event["files"] == [] and event["plan_item"] is None
    assert parse_datetime(event["starts_at"]) == at(recent())
    detail = ok(secretary.get(f"{BASE}/events/{event['id']}"))
    assert detail["held_on"] == recent().isoformat()
    assert detail["recorded_on"] == timezone.localdate().isoformat()


def test_a_future_event_marked_held_is_refused_and_nothing_saved(
    secretary: Client, tree: Tree
) -> None:
    future = timezone.localdate() + timedelta(days=3)
    found = errors(send(secretary, "post", f"{BASE}/events", body("theme_day", future, tree.b1.pk)))
    assert "不能标记为“已召开”" in found[("body", "status")]
    assert not Event.objects.exists()
    planned = body("theme_day", future, tree.b1.pk, status="planned")
    assert (
        ok(send(secretary, "post", f"{BASE}/events", planned), 201)["event"]["status"] == "planned"
    )


def test_bad_fields_are_chinese_422s(secretary: Client, tree: Tree) -> None:
    lecture = body("lecture", recent(), tree.b1.pk, speaker_name="")
    assert errors(send(secretary, "post", f"{BASE}/events", lecture)) == {
        ("body", "speaker_name"): "党课请填写主讲人。"
    }
    backwards = body("study", recent(), tree.b1.pk)
    backwards["ends_at"] = backwards["starts_at"]
    assert (
        "结束时间应晚于开始时间"
        in errors(send(secretary, "post", f"{BASE}/events", backwards))[("body", "ends_at")]
    )
    wrong = {**body("study", recent(), tree.b1.pk), "kind": "party"}
    assert (
        "取值不正确" in errors(send(secretary, "post", f"{BASE}/events", wrong))[("body", "kind")]
    )
    assert not Event.objects.exists()


def test_a_late_entry_needs_a_justification_and_is_flagged(secretary: Client, tree: Tree) -> None:
    old = timezone.localdate() - timedelta(days=60)
    found = errors(send(secretary, "post", f"{BASE}/events", body("study", old, tree.b1.pk)))
    assert "须填写补录理由" in found[("body", "justification")]
    assert not Event.objects.exists()
    data = body("study", old, tree.b1.pk, justification="记录人出差，返校后补录")
    created = ok(send(secretary, "post", f"{BASE}/events", data), 201)
    assert created["event"]["is_late"] is True
    assert created["event"]["late_reason"] == "记录人出差，返校后补录"
    assert any("登记时限" in w for w in created["warnings"])


def test_outside_scope_is_404_and_without_grant_403(login: Any, tree: Tree) -> None:
    outsider, member = login("outsider"), login("member")
    data = body("theme_day", recent(), tree.b1.pk)
    assert send(outsider, "post", f"{BASE}/events", data).status_code == 404
    assert send(member, "post", f"{BASE}/events", data).status_code == 403
    event = held(tree.b1, EventKind.THEME_DAY, recent())
    assert outsider.get(f"{BASE}/events/{event.pk}").status_code == 404
    assert Client().get(f"{BASE}/events").status_code == 401
    group = body("study", recent(), tree.b1.pk, party_group=tree.b3.pk)
    assert send(login("secretary"), "post", f"{BASE}/events", group).status_code == 404


def test_an_event_is_changed_and_cancelled(secretary: Client, tree: Tree) -> None:
    event = held(tree.b1, EventKind.STUDY, recent())
    changed = ok(send(secretary, "patch", f"{BASE}/events/{event.pk}", {"place": "图书馆报告厅"}))
    assert changed["event"]["place"] == "图书馆报告厅"
    assert changed["event"]["title"] == event.title
    found = errors(send(secretary, "patch", f"{BASE}/events/{event.pk}", {"kind": "lecture"}))
    assert found == {("body", "kind"): "不支持此字段。"}

    day = timezone.localdate() + timedelta(days=5)
    plan = body("theme_day", day, tree.b1.pk, status="planned")
    planned = ok(send(secretary, "post", f"{BASE}/events", plan), 201)["event"]
    url = f"{BASE}/events/{planned['id']}/cancel"
    assert errors(send(secretary, "post", url, {"reason": " "})) == {
        ("body", "reason"): "请填写取消原因。"
    }
    cancelled = ok(send(secretary, "post", url, {"reason": "与学校会议冲突"}))
    assert (cancelled["status"], cancelled["status_display"]) == ("cancelled", "已取消")
    assert errors(send(secretary, "post", url, {"reason": "again"})) == {
        ("body",): "该活动已取消。"
    }


def test_the_list_filters_and_pages(secretary: Client, login: Any, tree: Tree) -> None:
    held(tree.b1, EventKind.THEME_DAY, date(2025, 3, 10))
    held(tree.b1, EventKind.LECTURE, date(2025, 4, 10))
    held(tree.b2, EventKind.THEME_DAY, date(2025, 5, 10))
    held(tree.b3, EventKind.THEME_DAY, date(2025, 5, 10))
    univ = login("univ")
    assert ok(univ.get(f"{BASE}/events"))["count"] == 4
    assert ok(univ.get(f"{BASE}/events?within={tree.c1.pk}"))["count"] == 3
    assert ok(univ.get(f"{BASE}/events?within={tree.c1.pk}&kind=theme_day"))["count"] == 2
    window = ok(univ.get(f"{BASE}/events?held_from=2025-04-10&held_to=2025-05-09"))
    assert [item["kind"] for item in window["items"]] == ["lecture"]
    assert ok(univ.get(f"{BASE}/events?status=planned"))["count"] == 0
    paged = ok(univ.get(f"{BASE}/events?page=2&page_size=3"))
    assert (paged["count"], paged["page"], len(paged["items"])) == (4, 2, 1)
    assert ok(secretary.get(f"{BASE}/events"))["count"] == 2
    assert errors(secretary.get(f"{BASE}/events?within={tree.b3.pk}")) == {
        ("query", "within"): "所选党组织不存在或不在您的管理范围内。"
    }
    assert (
        "日期格式不正确"
        in errors(univ.get(f"{BASE}/events?held_from=2025-13-01"))[("query", "held_from")]
    )


def test_the_list_takes_a_constant_number_of_queries(
    login: Any, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    univ = login("univ")
    for month in range(1, 4):
        held(tree.b1, EventKind.THEME_DAY, date(2025, month, 10))
    with django_assert_max_num_queries(8) as few:
        assert ok(univ.get(f"{BASE}/events"))["count"] == 3
    for month in range(4, 13):
        held(tree.b2, EventKind.GROUP_MEETING, date(2025, month, 10), party_group=None)
        held(tree.b1, EventKind.GROUP_MEETING, date(2025, month, 11), party_group=tree.g1.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert ok(univ.get(f"{BASE}/events"))["count"] == 21


# --- attendance --------------------------------------------------------------------------------


def test_a_sheet_is_recorded_and_read_back(secretary: Client, tree: Tree) -> None:
    a, b, c = members(tree.b1, 3)
    event = held(tree.b1, EventKind.GENERAL_ASSEMBLY, recent())
    sheet = {
        "marks": [
            {"person_id": a.pk, "status": "present"},
            {"person_id": b.pk, "status": "leave", "leave_reason": "出差"},
            {"person_id": c.pk, "status": "absent"},
            {
                "status": "present",
                "is_guest": True,
                "guest_name": "赵来宾",
                "guest_unit": "数学学院",
            },
        ]
    }
    counts = ok(send(secretary, "put", f"{BASE}/events/{event.pk}/attendance", sheet))
    assert counts["expected_count"] == 3
    assert (counts["present_count"], counts["leave_count"], counts["absent_count"]) == (1, 1, 1)
    assert (counts["guest_count"], counts["person_times"], counts["lines"]) == (1, 2, 4)
    assert counts["quorum_met"] is False
    assert any("不得作出决议" in w for w in counts["warnings"])
    rows = ok(secretary.get(f"{BASE}/events/{event.pk}/attendance"))
    by_name = {row["name"]: row for row in rows}
    assert by_name[a.name]["status"] == "present" and by_name[a.name]["method"] == "manual"
    assert by_name[b.name]["leave_reason"] == "出差"
    assert by_name[b.name]["status_display"] == "请假"
    guest = by_name["赵来宾"]
    assert guest["person"] is None and guest["is_guest"] and guest["guest_unit"] == "数学学院"
    assert [row["expected"] for row in rows] == [True, True, True, False]


def test_a_bad_line_refuses_the_whole_sheet(secretary: Client, login: Any, tree: Tree) -> None:
    (a,) = members(tree.b1, 1)
    stranger = make_person(tree.b2, name="外支部党员", staff_no="OLX1")
    event = held(tree.b1, EventKind.THEME_DAY, recent())
    sheet = {
        "marks": [
            {"person_id": a.pk, "status": "present"},
            {"person_id": stranger.pk, "status": "present"},
        ]
    }
    # The committee sees B2's member, who is not expected at B1's theme day.
    found = errors(send(login("committee"), "put", f"{BASE}/events/{event.pk}/attendance", sheet))
    assert "第2行（外支部党员）" in found[("body", "marks")]
    assert "请标为列席" in found[("body", "marks")]
    assert Attendance.objects.get(event=event, person=a).status == "absent"
    no_reason = {"marks": [{"person_id": a.pk, "status": "leave"}]}
    found = errors(send(secretary, "put", f"{BASE}/events/{event.pk}/attendance", no_reason))
    assert "请假须填写原因" in found[("body", "marks")]
    outside = make_person(tree.b3, name="数学院党员", staff_no="OLX2")
    far = {"marks": [{"person_id": outside.pk, "status": "present", "is_guest": True}]}
    assert send(secretary, "put", f"{BASE}/events/{event.pk}/attendance", far).status_code == 404
    bad = {"marks": [{"person_id": a.pk, "status": "late"}]}
    assert (
        "取值不正确"
        in errors(send(secretary, "put", f"{BASE}/events/{event.pk}/attendance", bad))[
            ("body", "marks", 0, "status")
        ]
    )
    assert Event.objects.get(pk=event.pk).present_count == 0


def test_three_hundred_marks_in_one_request(
    secretary: Client, tree: Tree, django_assert_max_num_queries: Any
) -> None:
    (model,) = members(tree.b1, 1)
    copies = []
    for n in range(299):
        copy = Person.objects.get(pk=model.pk)
        copy.pk = None
        copy.id_hash = f"olapi{n:059d}"
        copy.staff_no = f"OLB{n}"
        copy.name = f"党员B{n}"
        copies.append(copy)
    Person.objects.bulk_create(copies)
    event = held(tree.b1, EventKind.THEME_DAY, recent())
    assert event.expected_count == 300
    ids = list(Attendance.objects.filter(event=event).values_list("person_id", flat=True))
    marks = [
        {"person_id": pk, "status": "leave", "leave_reason": "上课"}
        if n % 10 == 0
        else {"person_id": pk, "status": "present"}
        for n, pk in enumerate(ids)
    ]
    secretary.get(f"{BASE}/events")  # the first request of a process imports the URLconf
    with django_assert_max_num_queries(25) as queries:
        started = time.perf_counter()
        counts = ok(
            send(secretary, "put", f"{BASE}/events/{event.pk}/attendance", {"marks": marks})
        )
        elapsed = time.perf_counter() - started
    assert (counts["present_count"], counts["leave_count"], counts["absent_count"]) == (270, 30, 0)
    assert counts["person_times"] == 270 and counts["lines"] == 300
    # One request, a bounded number of queries whatever the sheet's length (the time is only
    # reported: SQLite on a shared test machine; the PostgreSQL target is 200 ms).
    print(f"300 marks: {elapsed:.2f} s, {len(queries.captured_queries)} queries")
    assert Attendance.objects.filter(event=event, status="present").count() == 270


# --- check-in ----------------------------------------------------------------------------------


def running(tree: Tree) -> Event:
    now = timezone.now()
    data = event_data(
        EventKind.THEME_DAY,
        timezone.localdate(),
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )
    return actions.save_event(tree.b1, data, acting_user=None).obj  # type: ignore[no-any-return]


def test_the_code_checks_a_member_in_once(secretary: Client, login: Any, tree: Tree) -> None:
    person = link(make_person(tree.b1, name="签到党员", staff_no="OLC1"))
    event = running(tree)
    code = ok(secretary.get(f"{BASE}/events/{event.pk}/checkin-code"))
    assert checkin.verify(code["token"], timezone.now()).pk == event.pk
    assert code["url"].endswith(f"?t={code['token']}") and code["url"].startswith("http")
    assert 0 < code["expires_in"] <= checkin.rotation()
    member = login("member")
    done = ok(send(member, "post", f"{BASE}/checkin", {"token": code["token"]}))
    assert (done["event_id"], done["title"]) == (event.pk, event.title)
    row = Attendance.objects.get(event=event, person=person)
    assert (row.status, row.method) == ("present", "qr")
    assert (
        "无需重复签到"
        in errors(send(member, "post", f"{BASE}/checkin", {"token": code["token"]}))[("body",)]
    )
    assert Event.objects.get(pk=event.pk).present_count == 1


def test_forged_and_expired_tokens_are_refused(login: Any, tree: Tree) -> None:
    link(make_person(tree.b1, name="签到党员", staff_no="OLC1"))
    event = running(tree)
    member = login("member")
    forged = f"{event.pk}.{int(time.time()) // checkin.rotation()}.{'0' * 24}"
    for token in (forged, "abc"):
        found = errors(send(member, "post", f"{BASE}/checkin", {"token": token}))
        assert found == {("body",): "签到码无效，请扫描主持人屏幕上的二维码。"}
    old = checkin.token_for(event, timezone.now() - timedelta(seconds=3 * checkin.rotation()))
    assert (
        "签到码已过期" in errors(send(member, "post", f"{BASE}/checkin", {"token": old}))[("body",)]
    )
    assert not Attendance.objects.filter(event=event, checked_in_at__isnull=False).exists()
    # An account without a member record may not check in at all.
    token = checkin.token_for(event, timezone.now())
    response = send(login("secretary"), "post", f"{BASE}/checkin", {"token": token})
    assert response.status_code == 403
    assert "未关联党员档案" in response.json()["detail"]


def test_no_code_outside_the_window(secretary: Client, tree: Tree) -> None:
    day = timezone.localdate() + timedelta(days=2)
    data = event_data(EventKind.THEME_DAY, day, status=EventStatus.PLANNED)
    event = actions.save_event(tree.b1, data, acting_user=None).obj
    found = errors(secretary.get(f"{BASE}/events/{event.pk}/checkin-code"))
    assert "签到尚未开始" in found[("path", "event_id")]
    past = held(tree.b1, EventKind.STUDY, recent())
    assert (
        "签到已于"
        in errors(secretary.get(f"{BASE}/events/{past.pk}/checkin-code"))[("path", "event_id")]
    )
