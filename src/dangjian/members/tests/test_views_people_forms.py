"""People forms: create and edit with every kind of bad input, photos, delete, and the
lifecycle forms (success and refusals)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.members import actions
from dangjian.members.models import Cadre, MemberEvent, Person, Transfer
from dangjian.members.testing import make_id_number, make_person
from dangjian.members.tests.endpoints_people import ENDPOINTS

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def page(response: Any) -> str:
    return response.content.decode()


def create_data(tree: Any, **overrides: Any) -> dict[str, Any]:
    """A valid registration form for a full member in B1 (gender and birth date derived)."""
    data = {
        "name": "李四",
        "id_number": make_id_number(date(1992, 5, 4), "female"),
        "ethnicity": "01",
        "phone": "13912345678",
        "organization": tree.b1.pk,
        "category": "full",
        "applied_on": "2012-10-01",
        "joined_on": "2014-06-01",
        "converted_on": "2015-06-01",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(person: Person, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser would post it, unchanged but for `overrides`."""
    data: dict[str, Any] = {
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "education": person.education,
        "post": person.post,
        "category": person.category,
        "party_group": person.party_group_id or "",
    }
    for name in ("applied_on", "activist_on", "candidate_on", "joined_on", "converted_on"):
        value = getattr(person, name)
        data[name] = value.isoformat() if value else ""
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.jpg", b"GIF89a" + b"\x00" * 50), "JPEG或PNG"),
        (SimpleUploadedFile("a.png", b"<svg onload=alert(1)>"), "JPEG或PNG"),
        (SimpleUploadedFile("a.jpg", JPEG + b"\x00" * (2 * 1024 * 1024)), "不能超过2MB"),
    ],
    ids=["gif", "svg-named-png", "too-big"],
)
def test_bad_photo_refused_nothing_saved(tree, login, upload, message) -> None:
    person = make_person(tree.b1)
    response = login("univ").post(
        f"/members/{person.pk}/edit/", {**edit_data(person, name="改名"), "photo": upload}
    )
    assert response.status_code == 200 and message in page(response)
    person.refresh_from_db()
    assert person.name == "张三" and not person.photo


def test_good_photo_saved_under_a_random_name(tree, login) -> None:
    person = make_person(tree.b1)
    response = login("univ").post(
        f"/members/{person.pk}/edit/",
        {**edit_data(person), "photo": SimpleUploadedFile("张三.jpg", JPEG)},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.photo and "张三" not in person.photo.name and person.photo.name.endswith(".jpg")


# Create and edit ------------------------------------------------------------------------------


def test_create_derives_gender_and_birth_date(tree, login) -> None:
    response = login("secretary").post("/members/add/", create_data(tree))
    person = Person.objects.get(name="李四")
    assert response.status_code == 302 and response["Location"] == f"/members/{person.pk}/"
    assert person.gender == "female" and person.birth_date == date(1992, 5, 4)
    assert person.phone_masked == "139****5678" and person.reveal_phone() == "13912345678"
    assert MemberEvent.objects.filter(person=person, kind="registered").exists()


def test_create_form_offers_only_organizations_the_user_may_add_to(tree, login) -> None:
    form = login("secretary").get("/members/add/").context["form"]
    assert [o.code for o in form.fields["organization"].queryset] == ["C1-B1"]
    assert [o.code for o in form.fields["party_group"].queryset] == ["C1-B1-G1"]
    assert "文学院教工第一党支部 · 第一党小组" in page(login("secretary").get("/members/add/"))
    codes = [
        o.code
        for o in login("committee")
        .get("/members/add/")
        .context["form"]
        .fields["organization"]
        .queryset
    ]
    assert codes == ["C1", "C1-B1", "C1-B2"]
    response = login("secretary").post("/members/add/", create_data(tree, organization=tree.b2.pk))
    assert response.status_code == 200 and not Person.objects.exists()


def _too_young_joined() -> str:
    return (date(1992, 5, 4) + timedelta(days=365 * 17)).isoformat()


BAD_CREATE = {
    "malformed": ({"id_number": "43010219920504123"}, "身份证号应为18位"),
    "checksum": ({"id_number": "430102199205041230"}, "校验位不符"),
    "birth-mismatch": ({"birth_date": "1992-05-05"}, "出生日期与身份证号"),
    "gender-mismatch": ({"gender": "male"}, "性别与身份证号不一致"),
    "joined-under-18": (
        {"applied_on": None, "joined_on": _too_young_joined(), "converted_on": "2010-06-01"},
        "未满18周岁",
    ),
    "converted-before-joined": ({"converted_on": "2013-06-01"}, "不能早于"),
    "probation-too-short": ({"converted_on": "2014-12-01"}, "早于预备期满"),
    "future-date": ({"converted_on": "2999-01-01"}, "日期不能晚于今天"),
    "category-needs-date": ({"converted_on": None}, "正式党员须填写"),
    "bad-phone": ({"phone": "12345"}, "手机号码应为11位数字"),
    "party-group-elsewhere": ({"organization": "b2", "party_group": "g1"}, "党小组应是"),
    "no-name": ({"name": ""}, "这个字段是必填项"),
}


@pytest.mark.parametrize("case", BAD_CREATE, ids=list(BAD_CREATE))
def test_create_refuses_bad_input_and_saves_nothing(tree, login, case) -> None:
    overrides, message = BAD_CREATE[case]
    overrides = {k: getattr(tree, v).pk if v in ("b2", "g1") else v for k, v in overrides.items()}
    client = login("univ")
    audit_rows = AuditEvent.objects.filter(success=True).count()
    response = client.post("/members/add/", create_data(tree, **overrides))
    assert response.status_code == 200
    assert message in page(response), page(response)[:3000]
    assert "is-invalid" in page(response)
    assert not Person.objects.exists() and not MemberEvent.objects.exists()
    assert AuditEvent.objects.filter(success=True).count() == audit_rows


def test_create_refuses_a_duplicate_id_number(tree, login) -> None:
    other = make_person(tree.b3, name="周九")
    response = login("univ").post(
        "/members/add/",
        create_data(tree, id_number=other.reveal_id_number(), gender=None, birth_date=None),
    )
    assert response.status_code == 200 and "该身份证号已登记（周九" in page(response)
    assert Person.objects.count() == 1


def test_edit_form_shows_masked_numbers_only(tree, login) -> None:
    person = make_person(tree.b1)
    html = page(login("secretary").get(f"/members/{person.pk}/edit/"))
    assert "更正身份证号" in html and person.id_masked in html and "138****8000" in html
    assert person.reveal_id_number() not in html and "13800138000" not in html
    assert 'name="organization"' not in html  # moving is a transfer
    assert 'type="date" name="joined_on" value="2012-06-01"' in html


def test_edit_keeps_blank_corrections_and_applies_given_ones(tree, login) -> None:
    person = make_person(tree.b1)
    plain = person.reveal_id_number()
    client = login("secretary")
    response = client.post(f"/members/{person.pk}/edit/", edit_data(person, name="张三丰"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "张三丰" and person.reveal_id_number() == plain
    assert person.reveal_phone() == "13800138000"
    assert MemberEvent.objects.filter(person=person, kind="updated").exists()
    corrected = make_id_number(date(1990, 3, 15), "male")
    client.post(
        f"/members/{person.pk}/edit/",
        edit_data(person, id_number=corrected, phone="13700000000"),
    )
    person.refresh_from_db()
    assert person.reveal_id_number() == corrected and person.reveal_phone() == "13700000000"
    client.post(f"/members/{person.pk}/edit/", edit_data(person, clear_phone="on"))
    person.refresh_from_db()
    assert person.phone_masked == "" and person.reveal_phone() == ""


def test_edit_refuses_inconsistent_correction(tree, login) -> None:
    person = make_person(tree.b1)
    plain = person.reveal_id_number()
    wrong = make_id_number(date(1991, 1, 1), "male")
    response = login("univ").post(
        f"/members/{person.pk}/edit/", edit_data(person, id_number=wrong, name="改名")
    )
    assert response.status_code == 200 and "出生日期与身份证号" in page(response)
    person.refresh_from_db()
    assert person.reveal_id_number() == plain and person.name == "张三"


def test_delete_confirms_and_refuses_a_record_with_history(tree, login) -> None:
    person = make_person(tree.b1)
    client = login("committee")
    assert "确定删除" in page(client.get(f"/members/{person.pk}/delete/"))
    assert client.post(f"/members/{person.pk}/delete/").status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    kept = make_person(tree.b1, name="李四")
    actions.issue_transfer(
        kept,
        direction="outbound",
        letter_no="X1",
        issued_on=date(2024, 1, 1),
        other_institution="某大学",
        acting_user=None,
    )
    response = client.post(f"/members/{kept.pk}/delete/")
    assert response.status_code == 200 and "不能删除" in page(response)
    assert Person.objects.filter(pk=kept.pk).exists()
    assert login("secretary").post(f"/members/{kept.pk}/delete/").status_code == 403


# Lifecycle ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.method == "POST" and e.args.__name__ != "<lambda>"],
    ids=lambda e: e.url_name,
)
def test_every_form_post_succeeds_for_university_staff(tree, login, endpoint) -> None:
    """The matrix only checks status codes; here each POST really does its work."""
    args = endpoint.args(tree)
    data = endpoint.data(tree) if endpoint.data else {}
    response = login("univ").post(reverse(endpoint.url_name, kwargs=args), data)
    if endpoint.url_name == "members:reveal":
        assert response.status_code == 200
    elif endpoint.url_name == "members:delete":
        assert response.status_code == 302 and not Person.objects.filter(pk=args["pk"]).exists()
    else:
        assert response.status_code == 302, page(response)[:3000]
        assert response["Location"].startswith("/members/")


def test_lifecycle_changes_state_and_timeline(tree, login) -> None:
    person = make_person(tree.b1)
    client = login("secretary")
    client.post(f"/members/{person.pk}/contact/lost/", {"since": "2024-01-01"})
    client.post(f"/members/{person.pk}/suspend/", {"on": "2024-07-02", "reason": "失联满6个月"})
    person.refresh_from_db()
    assert person.lost_contact and person.status == "suspended"
    response = client.post(f"/members/{person.pk}/restore/", {"on": "2024-08-01", "reason": "恢复"})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "已恢复党籍。" in page(follow)
    person.refresh_from_db()
    assert person.status == "normal" and not person.lost_contact
    kinds = list(
        MemberEvent.objects.filter(person=person)
        .exclude(kind="registered")
        .values_list("kind", flat=True)
    )
    assert kinds == ["restored", "suspended", "lost_contact"]


def test_lifecycle_refusals_stay_on_the_form(tree, login) -> None:
    applicant = make_person(
        tree.b1,
        category="applicant",
        joined_on=None,
        converted_on=None,
        activist_on=None,
        candidate_on=None,
    )
    person = make_person(tree.b1, name="李四")
    client = login("secretary")
    refused = client.post(f"/members/{applicant.pk}/suspend/", {"on": "2024-01-01", "reason": "x"})
    assert refused.status_code == 200 and "只有党籍正常的党员才能停止党籍" in page(refused)
    assert "members/_person_summary.html" in [t.name for t in refused.templates]
    refused = client.post(f"/members/{person.pk}/restore/", {"on": "2024-01-01", "reason": "x"})
    assert "该党员未被停止党籍" in page(refused)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(f"/members/{person.pk}/death/", {"on": future})
    assert "日期不能晚于今天" in page(refused) and "is-invalid" in page(refused)
    refused = client.post(f"/members/{person.pk}/leave/", {"on": "2024-01-01", "reason": "nope"})
    assert refused.status_code == 200 and "选择一个有效的选项" in page(refused)
    refused = client.post(
        f"/members/{person.pk}/transfer/",
        {"direction": "internal", "letter_no": "A1", "issued_on": "2024-01-01"},
    )
    assert "请选择转入的党组织" in page(refused)
    refused = client.post(
        f"/members/{person.pk}/transfer/",
        {
            "direction": "internal",
            "to_organization": tree.b1.pk,
            "letter_no": "A1",
            "issued_on": "2024-01-01",
        },
    )
    assert "选择一个有效的选项" in page(refused)  # its own branch is not offered
    person.refresh_from_db()
    applicant.refresh_from_db()
    assert person.status == "normal" and applicant.status == "normal"
    assert not Transfer.objects.exists()


def test_internal_transfer_offers_other_organizations(tree, login) -> None:
    person = make_person(tree.b1)
    form = login("secretary").get(f"/members/{person.pk}/transfer/").context["form"]
    codes = [o.code for o in form.fields["to_organization"].queryset]
    assert "C1-B1" not in codes and "C2-B3" in codes and "C1-B1-G1" not in codes
    response = login("secretary").post(
        f"/members/{person.pk}/transfer/",
        {
            "direction": "internal",
            "to_organization": tree.b3.pk,
            "letter_no": "A2",
            "issued_on": "2024-01-01",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.to_organization == tree.b3 and transfer.is_open


def test_cadre_forms_are_the_university_staffs(tree, login) -> None:
    person = make_person(tree.b1)
    data = {"rank": "deputy_division", "position": "副院长", "unit": "文学院", "team": "文学院"}
    assert login("committee").post(f"/members/{person.pk}/cadre/", data).status_code == 403
    assert login("secretary").get(f"/members/{person.pk}/cadre/").status_code == 403
    assert not Cadre.objects.exists()
    client = login("univ")
    refused = client.post(f"/members/{person.pk}/cadre/", {**data, "position": ""})
    assert refused.status_code == 200 and not Cadre.objects.exists()
    assert client.post(f"/members/{person.pk}/cadre/", data).status_code == 302
    cadre = Cadre.objects.get()
    assert cadre.rank == "deputy_division" and cadre.status == "in_office"
    form = client.get(f"/members/{person.pk}/cadre/").context["form"]
    assert form.initial["position"] == "副院长"
    assert client.post(f"/members/{person.pk}/cadre/end/", {"on": "2024-01-01"}).status_code == 302
    cadre.refresh_from_db()
    assert cadre.status == "former"
    again = client.post(f"/members/{person.pk}/cadre/end/", {"on": "2024-01-02"})
    assert again.status_code == 200 and "该干部已离任" in page(again)
    no_cadre = make_person(tree.b1, name="李四")
    assert client.get(f"/members/{no_cadre.pk}/cadre/end/").status_code == 404
