"""The event pages: list with filters, totals and export, the event page, the add/edit form
for every kind with its refusals and the late-entry justification, cancelling, and files
(permissions per persona: core/tests/test_permission_matrix)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.core.testing.personas import Tree
from dangjian.orglife.choices import EventKind, EventStatus
from dangjian.orglife.models import Event, EventFile
from dangjian.orglife.testing import held, members

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _text(response: Any) -> str:
    return response.content.decode()


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def _form(tree: Tree, kind: str, **extra: Any) -> dict[str, Any]:
    data = {
        "organization": str(tree.b1.pk),
        "kind": kind,
        "title": f"{EventKind(kind).label}测试",
        "status": "held",
        "day": _yesterday().isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "place": "党员活动室",
        "host_name": "王书记",
    }
    if kind == EventKind.LECTURE:
        data |= {"speaker_name": "王书记", "lecture_level": "secretary", "is_micro": "on"}
    if kind == EventKind.COMMITTEE_MEETING:
        data["first_topic"] = "学习重要讲话精神"
    if kind in (EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE):
        data["hours"] = "2.5"
    return data | extra


# The list -------------------------------------------------------------------------------------


def test_list_shows_events_and_hides_cancelled_by_default(tree: Tree, login: Any) -> None:
    shown = held(tree.b1, EventKind.THEME_DAY, _yesterday(), title="重温入党誓词")
    gone = held(tree.b1, EventKind.STUDY, _yesterday(), title="已取消的学习")
    Event.objects.filter(pk=gone.pk).update(status=EventStatus.CANCELLED)
    text = _text(login("secretary").get("/orglife/events/"))
    assert shown.title in text and gone.title not in text
    assert "登记组织生活" in text
    text = _text(login("secretary").get("/orglife/events/?status=all"))
    assert gone.title in text


def test_list_filters_within_kind_and_dates_with_totals(tree: Tree, login: Any) -> None:
    members(tree.b1, 3)
    held(tree.b1, EventKind.THEME_DAY, date(2025, 3, 5), title="三月主题党日")
    held(tree.b1, EventKind.THEME_DAY, date(2025, 5, 5), title="五月主题党日")
    held(tree.b2, EventKind.THEME_DAY, date(2025, 3, 6), title="本科生主题党日")
    held(tree.b1, EventKind.LECTURE, date(2025, 3, 7), title="三月党课")
    client = login("committee")
    url = f"/orglife/events/?within={tree.b1.pk}&kind=theme_day&held_from=2025-03-01&held_to=2025-03-31"
    response = client.get(url)
    text = _text(response)
    assert "三月主题党日" in text
    assert "五月主题党日" not in text and "本科生主题党日" not in text and "三月党课" not in text
    assert response.context["totals"]["events"] == 1
    text = _text(client.get("/orglife/events/?q=党课"))
    assert "三月党课" in text and "三月主题党日" not in text
    text = _text(client.get("/orglife/events/?late=1"))
    assert "三月党课" in text  # recorded long after: flagged


def test_list_export_and_constant_queries(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        held(tree.b1 if n % 2 else tree.b2, EventKind.THEME_DAY, date(2025, 1, 1 + n))
    client = login("univ")
    with django_assert_max_num_queries(15):  # session, user, grants, menu, within, page, totals
        response = client.get("/orglife/events/")
    assert response.status_code == 200
    assert response.context["totals"]["events"] == 12
    export = client.get("/orglife/events/?export=xlsx")
    assert export.status_code == 200
    assert "spreadsheetml" in export["Content-Type"]


def test_member_sees_list_but_not_outside_events(tree: Tree, login: Any) -> None:
    held(tree.b1, EventKind.THEME_DAY, _yesterday(), title="支部主题党日")
    assert login("member").get("/orglife/events/").status_code == 200
    assert "支部主题党日" not in _text(login("outsider").get("/orglife/events/"))


# The event page -------------------------------------------------------------------------------


def test_detail_shows_sections_attendance_and_buttons(
    tree: Tree, login: Any, django_assert_max_num_queries: Any
) -> None:
    members(tree.b1, 4)
    event = held(
        tree.b1,
        EventKind.GENERAL_ASSEMBLY,
        date(2025, 4, 1),
        minutes="讨论发展对象",
        resolutions="同意接收预备党员",
    )
    client = login("secretary")
    with django_assert_max_num_queries(15):
        response = client.get(f"/orglife/events/{event.pk}/")
    text = _text(response)
    assert "会议记录" in text and "讨论发展对象" in text and "决议事项" in text
    assert "未达法定人数" in text  # four expected, nobody marked present yet
    assert "逾期补录" in text and "测试补录" in text
    assert "登记出勤" in text and "编辑" in text and "取消活动" in text
    assert text.count("党员50") >= 4  # the attendance table lists the expected
    assert login("committee").get(f"/orglife/events/{event.pk}/").status_code == 200
    assert login("outsider").get(f"/orglife/events/{event.pk}/").status_code == 404


# The form -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EventKind))
def test_create_every_kind_through_the_form(tree: Tree, login: Any, kind: str) -> None:
    members(tree.b1, 2)
    response = login("secretary").post("/orglife/events/add/", _form(tree, kind))
    assert response.status_code == 302, _text(response)[:3000]
    event = Event.objects.get()
    assert response["Location"] == f"/orglife/events/{event.pk}/"
    assert event.kind == kind and event.organization == tree.b1 and not event.is_late
    if kind == EventKind.LECTURE:
        assert event.is_micro and event.speaker_name == "王书记"
    if kind in (EventKind.VOLUNTEER, EventKind.SOCIAL_PRACTICE):
        assert str(event.hours) == "2.5"


def test_add_form_preselects_and_shows_kind_fields(tree: Tree, login: Any) -> None:
    text = _text(
        login("secretary").get(f"/orglife/events/add/?organization={tree.b1.pk}&kind=lecture")
    )
    assert f'<option value="{tree.b1.pk}" selected>' in text
    assert 'value="lecture" selected' in text
    assert 'data-kinds="lecture"' in text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"kind": "lecture", "speaker_name": "", "lecture_level": ""},
            "speaker_name",
            "党课请填写主讲人",
        ),
        ({"start_time": "16:00", "end_time": "15:00"}, "end_time", "结束时间应晚于开始时间"),
        ({"day": "2099-01-01"}, "status", "不能标记为“已召开”"),
        ({"title": ""}, "title", "请填写主题"),
        ({"day": "not a date"}, "day", "日期格式不正确"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    tree: Tree, login: Any, change: dict[str, str], field: str, message: str
) -> None:
    response = login("secretary").post("/orglife/events/add/", _form(tree, "theme_day") | change)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert not Event.objects.exists()


def test_late_entry_asks_for_a_justification_then_saves_flagged(tree: Tree, login: Any) -> None:
    client = login("secretary")
    data = _form(tree, "theme_day", day="2024-03-05")
    response = client.post("/orglife/events/add/", data)
    assert response.status_code == 200
    text = _text(response)
    assert "补录理由" in text and "登记时限" in text
    assert not Event.objects.exists()
    response = client.post("/orglife/events/add/", data | {"late_reason": "纸质记录补录"})
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.is_late and event.late_reason == "纸质记录补录"


def test_warnings_become_messages(tree: Tree, login: Any) -> None:
    response = login("secretary").post(
        "/orglife/events/add/", _form(tree, "committee_meeting", first_topic=""), follow=True
    )
    assert "第一议题" in _text(response)


def test_outsider_cannot_add_to_b1(tree: Tree, login: Any) -> None:
    response = login("outsider").post("/orglife/events/add/", _form(tree, "theme_day"))
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not Event.objects.exists()


def test_edit_form_keeps_organization_and_kind(tree: Tree, login: Any) -> None:
    event = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    text = _text(login("secretary").get(f"/orglife/events/{event.pk}/edit/"))
    assert event.title in text and "disabled" in text


def test_cancel_with_reason(tree: Tree, login: Any) -> None:
    event = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    client = login("secretary")
    response = client.post(f"/orglife/events/{event.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "请填写取消原因" in _text(response)
    response = client.post(f"/orglife/events/{event.pk}/cancel/", {"reason": "登记重复"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED


# Files ----------------------------------------------------------------------------------------


def test_upload_a_photo_and_serve_it(tree: Tree, login: Any) -> None:
    event = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    client = login("secretary")
    upload = SimpleUploadedFile("合影.png", PNG, content_type="image/png")
    response = client.post(
        f"/orglife/events/{event.pk}/files/add/", {"kind": "photo", "title": "合影", "file": upload}
    )
    assert response.status_code == 302
    stored = EventFile.objects.get()
    served = client.get(f"/orglife/files/{stored.pk}/")
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"
    assert f"/orglife/files/{stored.pk}/" in _text(client.get(f"/orglife/events/{event.pk}/"))
    assert login("outsider").get(f"/orglife/files/{stored.pk}/").status_code == 404


def test_a_text_file_named_jpg_is_refused(tree: Tree, login: Any) -> None:
    event = held(tree.b1, EventKind.THEME_DAY, _yesterday())
    fake = SimpleUploadedFile("photo.jpg", b"just some text", content_type="image/jpeg")
    response = login("secretary").post(
        f"/orglife/events/{event.pk}/files/add/", {"kind": "photo", "title": "合影", "file": fake}
    )
    assert response.status_code == 200
    assert "照片应为JPG或PNG格式" in _text(response)
    assert not EventFile.objects.exists()


def test_kind_filter_offers_all_kinds_and_takes_several(tree: Tree, login: Any) -> None:
    held(tree.b1, EventKind.THEME_DAY, date(2025, 3, 5), title="三月主题党日")
    held(tree.b1, EventKind.STUDY, date(2025, 3, 6), title="三月学习")
    held(tree.b1, EventKind.LECTURE, date(2025, 3, 7), title="三月党课")
    client = login("committee")
    response = client.get(f"/orglife/events/?within={tree.b1.pk}&kind=")
    assert '<option value="">全部类型</option>' in _text(response)
    assert response.context["totals"]["events"] == 3
    both = client.get(f"/orglife/events/?within={tree.b1.pk}&kind=theme_day&kind=study")
    assert both.context["totals"]["events"] == 2
