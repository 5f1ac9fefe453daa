"""The host's check-in screen (rotating QR code, live counts) and the member's scan page."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.members.models import Person
from dangjian.orglife import actions, checkin
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.models import Attendance, Event
from dangjian.orglife.testing import held, members
from dangjian.orglife.views.checkin import _qr_svg

pytestmark = pytest.mark.django_db
SCAN = "/orglife/checkin/"


@pytest.fixture
def person(tree, personas) -> Person:
    """The member persona linked to a full member of B1."""
    person = members(tree.b1, 1)[0]
    Person.objects.filter(pk=person.pk).update(user=personas["member"])
    return person


def _event(tree, start_offset: timedelta = timedelta(minutes=-10)) -> Event:
    now = timezone.now()
    return held(
        tree.b1,
        EventKind.THEME_DAY,
        timezone.localdate(),
        status=EventStatus.PLANNED,
        title="学习贯彻主题党日",
        starts_at=now + start_offset,
        ends_at=now + start_offset + timedelta(hours=2),
    )


@pytest.fixture
def event(tree, person) -> Event:
    """A theme day of B1 going on now, the member expected."""
    return _event(tree)


def _host(event: Event) -> str:
    return reverse("orglife:checkin_host", args=[event.pk])


def _code(event: Event) -> str:
    return reverse("orglife:checkin_code", args=[event.pk])


# The host's screen ---------------------------------------------------------------------------


def test_host_screen_shows_a_code_verify_accepts(login, event):
    moment = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        response = login("secretary").get(_host(event))
    assert response.status_code == 200
    token = checkin.token_for(event, moment)
    assert checkin.verify(token, moment) == event
    # segno is deterministic: the page's SVG is the code of the scan URL with this token.
    assert str(_qr_svg(f"http://testserver{SCAN}?t={token}")) in response.content.decode()
    page = response.content.decode()
    assert "学习贯彻主题党日" in page and "文学院教工第一党支部" in page
    assert response.context["seconds_left"] == checkin.seconds_left(moment)
    assert 'data-testid="counts"' in page and "<span>0</span><small> / 1</small>" in page


def test_host_screen_permissions(login, event):
    assert login("outsider").get(_host(event)).status_code == 404
    assert login("member").get(_host(event)).status_code == 403
    assert login("committee").get(_code(event)).status_code == 200


def test_code_partial_rotates(login, event):
    client = login("secretary")
    moment = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        first = client.get(_code(event))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        same = client.get(_code(event))
    later = moment + timedelta(seconds=checkin.rotation())
    with mock.patch("django.utils.timezone.now", return_value=later):
        second = client.get(_code(event))
    assert first.context["qr"] == same.context["qr"]
    assert first.context["qr"] != second.context["qr"]
    assert str(_qr_svg(f"http://testserver{SCAN}?t={checkin.token_for(event, later)}")) == str(
        second.context["qr"]
    )
    assert 'hx-trigger="every 5s, refresh"' in first.content.decode()


def test_code_partial_counts_and_latest_names(login, event, personas, person):
    actions.check_in(checkin.token_for(event, timezone.now()), acting_user=personas["member"])
    page = login("secretary").get(_code(event)).content.decode()
    assert "<span>1</span><small> / 1</small>" in page
    assert person.name in page


def test_host_screen_outside_the_window(login, tree, person):
    early = _event(tree, timedelta(hours=3))
    page = login("secretary").get(_host(early)).content.decode()
    assert "签到尚未开始" in page and 'data-testid="qr"' not in page
    past = timezone.now() - timedelta(hours=5)
    over = held(
        tree.b1,
        EventKind.THEME_DAY,
        timezone.localdate(past),
        starts_at=past,
        ends_at=past + timedelta(hours=2),
    )
    page = login("secretary").get(_code(over)).content.decode()
    assert "签到已结束" in page and "hx-trigger" not in page


def test_cancelled_event_has_no_screen(login, event, personas):
    actions.cancel_event(event, reason="改期", acting_user=None)
    response = login("secretary").get(_host(event))
    assert response.status_code == 404
    assert "已取消" in response.content.decode()
    assert login("secretary").get(_code(event)).status_code == 404


# The member's scan ---------------------------------------------------------------------------


def test_scan_shows_the_event_then_checks_in(login, event, person):
    client = login("member")
    token = checkin.token_for(event, timezone.now())
    page = client.get(SCAN, {"t": token}).content.decode()
    assert "学习贯彻主题党日" in page and "党员活动室" in page and "确认签到" in page
    response = client.post(SCAN, {"t": token})
    assert response.status_code == 200
    page = response.content.decode()
    assert "签到成功" in page
    row = Attendance.objects.get(event=event, person=person)
    assert row.status == "present" and row.method == "qr" and row.checked_in_at is not None
    assert timezone.localtime(row.checked_in_at).strftime("%H:%M") in page
    event.refresh_from_db()
    assert event.present_count == 1


def test_second_scan_is_refused(login, event, person):
    client = login("member")
    token = checkin.token_for(event, timezone.now())
    client.post(SCAN, {"t": token})
    again = client.post(SCAN, {"t": token})
    assert again.status_code == 200 and "无需重复签到" in again.content.decode()
    assert "确认签到" not in client.get(SCAN, {"t": token}).content.decode()
    assert Attendance.objects.filter(event=event, checked_in_at__isnull=False).count() == 1


def test_expired_token_is_refused(login, event, person):
    old = checkin.token_for(event, timezone.now() - timedelta(seconds=3 * checkin.rotation()))
    client = login("member")
    for response in (client.get(SCAN, {"t": old}), client.post(SCAN, {"t": old})):
        page = response.content.decode()
        assert "签到码已过期" in page and "请扫描主持人屏幕上的最新二维码" in page
        assert "确认签到" not in page
    assert not Attendance.objects.filter(event=event, checked_in_at__isnull=False).exists()


def test_forged_token_is_refused(login, event, person):
    event_id, step, signature = checkin.token_for(event, timezone.now()).split(".")
    client = login("member")
    for forged in (f"{event_id}.{step}.{'0' * len(signature)}", "abc", ""):
        page = client.post(SCAN, {"t": forged}).content.decode()
        assert "签到码无效" in page
    assert not Attendance.objects.filter(event=event, checked_in_at__isnull=False).exists()


def test_not_signed_in_goes_to_login_keeping_the_token(client, event):
    token = checkin.token_for(event, timezone.now())
    response = client.get(SCAN, {"t": token})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert quote(f"{SCAN}?t={token}", safe="/") in response["Location"]


def test_an_account_without_a_person(login, event):
    client = login("secretary")
    token = checkin.token_for(event, timezone.now())
    page = client.get(SCAN, {"t": token}).content.decode()
    assert "未关联党员档案" in page and "确认签到" not in page
    page = client.post(SCAN, {"t": token}).content.decode()
    assert "未关联党员档案" in page
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists()


def test_a_member_not_expected_is_told_so(login, tree, event, personas):
    stranger = members(tree.b2, 1, serial=7300)[0]
    Person.objects.filter(pk=stranger.pk).update(user=personas["norole"])
    page = login("norole").post(SCAN, {"t": checkin.token_for(event, timezone.now())})
    assert "应到人员" in page.content.decode()
