"""People pages: the register's filters, search, sorting, export and query count; a person's
record; reveals of protected numbers; the photo. (Forms and lifecycle: test_views_people_forms.)"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.members import actions
from dangjian.members.testing import make_id_number, make_person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def page(response: Any) -> str:
    return response.content.decode()


def names(response: Any) -> list[str]:
    return [p.name for p in response.context["object_list"]]


# The register ---------------------------------------------------------------------------------


def test_search_by_name_initials_pinyin_staff_no_and_id(tree, login) -> None:
    zhang = make_person(tree.b1, name="张三", staff_no="T2001")
    make_person(tree.b1, name="李四", staff_no="T2002")
    make_person(tree.b2, name="王五")
    client = login("univ")
    assert names(client.get("/members/", {"q": "zs"})) == ["张三"]
    assert names(client.get("/members/", {"q": "zhangsan"})) == ["张三"]
    assert names(client.get("/members/", {"q": "张"})) == ["张三"]
    assert names(client.get("/members/", {"q": "T2002"})) == ["李四"]
    assert names(client.get("/members/", {"q": zhang.reveal_id_number()})) == ["张三"]
    assert names(client.get("/members/", {"q": make_id_number(date(1970, 1, 1))})) == []
    assert names(client.get("/members/", {"q": "zs", "within": tree.b2.pk})) == []


def test_filters_default_to_the_books_and_stay_in_scope(tree, login) -> None:
    make_person(tree.b1, name="张三")
    applicant = make_person(
        tree.b1,
        name="赵六",
        category="applicant",
        joined_on=None,
        converted_on=None,
        activist_on=None,
        candidate_on=None,
    )
    left = make_person(tree.b1, name="钱七")
    actions.leave_party(left, on=date(2024, 1, 1), reason="withdrawal", acting_user=None)
    lost = make_person(tree.b2, name="孙八")
    actions.mark_lost_contact(lost, since=date(2024, 1, 1), acting_user=None)
    make_person(tree.b3, name="周九")
    client = login("committee")
    assert sorted(names(client.get("/members/"))) == sorted(["张三", "赵六", "孙八"])
    assert names(client.get("/members/", {"category": "applicant"})) == [applicant.name]
    assert sorted(names(client.get("/members/", {"category": "members"}))) == ["孙八", "张三"]
    assert names(client.get("/members/", {"status": "left"})) == ["钱七"]
    assert "钱七" in names(client.get("/members/", {"status": "all"}))
    assert names(client.get("/members/", {"flag": "lost_contact"})) == ["孙八"]
    assert names(client.get("/members/", {"within": tree.b2.pk})) == ["孙八"]
    assert sorted(names(login("secretary").get("/members/"))) == ["张三", "赵六"]
    assert names(login("outsider").get("/members/")) == ["周九"]
    assert names(login("member").get("/members/")) == []


def test_list_shows_badges_masked_phone_and_links(tree, login) -> None:
    person = make_person(tree.b1, name="张三")
    actions.mark_lost_contact(person, since=date(2024, 1, 1), acting_user=None)
    actions.start_floating(
        person, destination="深圳", on=date(2024, 2, 1), until=None, acting_user=None
    )
    actions.save_cadre(
        person, {"rank": "division_chief", "position": "院长", "unit": "文学院"}, acting_user=None
    )
    html = page(login("univ").get("/members/"))
    assert f'href="/members/{person.pk}/"' in html
    for badge in ("失联", "流动", "干部", "138****8000"):
        assert badge in html
    assert "13800138000" not in html and person.reveal_id_number() not in html
    assert reverse("members:create") in html and reverse("members:import") in html
    assert reverse("members:position_import") in html
    member_html = page(login("member").get("/members/"))
    assert reverse("members:create") not in member_html and "导出Excel" not in member_html


def test_sorting(tree, login) -> None:
    make_person(tree.b1, name="王五", staff_no="S3", joined_on=date(2012, 6, 1))
    make_person(
        tree.b1,
        name="李四",
        staff_no="S1",
        joined_on=date(2014, 6, 1),
        converted_on=date(2015, 6, 1),
    )
    make_person(
        tree.b1,
        name="艾一",
        staff_no="S2",
        joined_on=date(2016, 6, 1),
        converted_on=date(2017, 6, 1),
    )
    client = login("univ")
    assert names(client.get("/members/")) == ["艾一", "李四", "王五"]  # pinyin
    assert names(client.get("/members/", {"sort": "-joined_on"})) == ["艾一", "李四", "王五"]
    assert names(client.get("/members/", {"sort": "joined_on"})) == ["王五", "李四", "艾一"]
    assert names(client.get("/members/", {"sort": "staff_no"})) == ["李四", "艾一", "王五"]


def _people(tree: Any, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        make_person(tree.b1 if i % 2 else tree.b2, name=f"党员{i:03d}", staff_no=f"N{i:04d}")


def test_pagination_and_constant_query_count(tree, login, capsys) -> None:
    client = login("committee")
    _people(tree, 5)
    client.get("/members/")  # warm caches (rules, grants) so both runs are alike
    with CaptureQueriesContext(connection) as few:
        response = client.get("/members/")
    few_count = len(few)  # read now: the next request empties the connection's log
    assert len(response.context["object_list"]) == 5
    _people(tree, 55, start=5)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/members/")
    assert len(response.context["object_list"]) == 50
    assert response.context["page_obj"].paginator.count == 60
    assert "共 60 人" in page(response)
    many_count = len(many)
    assert few_count == many_count, [q["sql"] for q in many.captured_queries]
    assert many_count <= 15
    second = client.get("/members/", {"page": 2})
    assert len(second.context["object_list"]) == 10
    with capsys.disabled():
        print(f"\nperson list: {few_count} queries for 5 rows, {many_count} for 50 of 60 rows")


def test_export_is_masked_scoped_and_audited(tree, login) -> None:
    person = make_person(tree.b1, name="张三", staff_no="T2001", note="=cmd|calc")
    make_person(tree.b3, name="周九")
    response = login("committee").get("/members/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    plain_id, plain_phone = person.reveal_id_number(), person.reveal_phone()
    assert row["姓名"] == "张三" and row["性别"] == "男" and row["民族"] == "汉族"
    assert row["身份证号（脱敏）"] == person.id_masked and row["手机号码（脱敏）"] == "138****8000"
    assert row["所在党组织"] == tree.b1.name and row["党组织编码"] == "C1-B1"
    assert (
        row["人员类别"] == "正式党员" and row["党籍状态"] == "正常" and row["学历"] == "硕士研究生"
    )
    assert row["备注"] == "'=cmd|calc"  # formula-safe
    text = repr(rows)
    assert plain_id not in text and plain_phone not in text
    event = AuditEvent.objects.get(action="security.export")
    assert event.detail["rows"] == 1 and event.actor_name == "committee"
    csv = b"".join(login("committee").get("/members/", {"export": "csv"}).streaming_content)
    assert plain_id.encode() not in csv and plain_phone.encode() not in csv
    assert login("member").get("/members/", {"export": "xlsx"}).status_code == 403


# A person's record ----------------------------------------------------------------------------


def test_detail_sections_masked_and_timeline(tree, login) -> None:
    person = make_person(tree.b1, name="张三", party_group=tree.g1)
    actions.start_floating(
        person, destination="深圳市", on=date(2024, 2, 1), until=None, acting_user=None
    )
    html = page(login("univ").get(f"/members/{person.pk}/"))
    for text in ("基本信息", "党员信息", "党员时间线", "外出流动", "深圳市", "第一党小组"):
        assert text in html
    assert person.id_masked in html and "138****8000" in html
    assert person.reveal_id_number() not in html and "13800138000" not in html
    assert "bi-person fs-1" in html  # photo placeholder
    today = timezone.localdate()
    standing = today.year - 2013 - ((today.month, today.day) < (6, 1))
    assert f"党龄 {standing} 年" in html
    assert html.index("登记于") < html.index("外出流动至深圳市")  # newest first (today)
    assert tree.c1.name in html and f'href="/orgs/{tree.b1.pk}/"' in html
    assert reverse("members:reveal", args=[person.pk, "id_number"]) in html
    assert reverse("members:floating_end", args=[person.pk]) in html
    assert reverse("members:floating_start", args=[person.pk]) not in html
    assert reverse("members:restore", args=[person.pk]) not in html
    assert reverse("members:delete", args=[person.pk]) in html


def test_detail_buttons_follow_permissions_and_state(tree, login) -> None:
    person = make_person(tree.b1)
    actions.suspend(person, on=date(2024, 1, 1), reason="失联", acting_user=None)
    html = page(login("secretary").get(f"/members/{person.pk}/"))
    assert reverse("members:restore", args=[person.pk]) in html
    assert reverse("members:suspend", args=[person.pk]) not in html
    assert reverse("members:reveal", args=[person.pk, "id_number"]) not in html  # no REVEAL
    assert reverse("members:delete", args=[person.pk]) not in html  # no DELETE
    assert reverse("members:cadre_edit", args=[person.pk]) not in html  # cadres: univ only
    assert "停止党籍" in html
    assert login("member").get(f"/members/{person.pk}/").status_code == 404
    assert login("outsider").get(f"/members/{person.pk}/").status_code == 404


def test_detail_shows_posts_cadre_and_transfers(tree, login) -> None:
    from dangjian.orgs.models import CommitteeMember, CommitteeTerm

    person = make_person(tree.b1, name="张三")
    term = CommitteeTerm.objects.create(
        organization=tree.b1,
        number=3,
        elected_on=date(2023, 6, 1),
        term_years=3,
        ends_on=date(2026, 6, 1),
    )
    CommitteeMember.objects.create(
        term=term, name="张三", position="secretary", person=person, started_on=date(2023, 6, 1)
    )
    actions.save_cadre(
        person, {"rank": "division_chief", "position": "院长", "unit": "文学院"}, acting_user=None
    )
    actions.issue_transfer(
        person,
        direction="internal",
        letter_no="NB-001",
        issued_on=date(2024, 1, 1),
        to_organization=tree.b2,
        acting_user=None,
    )
    html = page(login("univ").get(f"/members/{person.pk}/"))
    for text in ("党内职务", "第3届", "书记", "干部信息", "正处级", "院长", "NB-001", tree.b2.name):
        assert text in html
    assert reverse("members:cadre_edit", args=[person.pk]) in html
    assert reverse("members:transfer_issue", args=[person.pk]) not in html  # one is open
    committee_html = page(login("committee").get(f"/members/{person.pk}/"))
    assert "正处级" in committee_html  # committees see cadre records …
    assert reverse("members:cadre_edit", args=[person.pk]) not in committee_html  # … not edit
    assert "正处级" not in page(login("secretary").get(f"/members/{person.pk}/"))


# Reveal ---------------------------------------------------------------------------------------


def test_reveal_is_post_only_audited_and_permissioned(tree, login) -> None:
    person = make_person(tree.b1)
    url = reverse("members:reveal", args=[person.pk, "id_number"])
    client = login("committee")
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert person.reveal_id_number() in page(response)
    assert "<html" not in page(response)  # a fragment
    event = AuditEvent.objects.get(action="security.reveal", actor_name="committee")
    assert event.success and event.detail == {"field": "id_number"}
    phone = client.post(reverse("members:reveal", args=[person.pk, "phone"]))
    assert phone.status_code == 200 and "13800138000" in page(phone) and "基本信息" in page(phone)
    refused = login("secretary").post(url, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "没有查看完整身份证号" in page(refused)
    assert person.reveal_id_number() not in page(refused)
    failure = AuditEvent.objects.get(action="security.reveal", actor_name="secretary")
    assert not failure.success
    assert login("secretary").post(url).status_code == 403
    assert login("outsider").post(url).status_code == 404
    bad_field = reverse("members:reveal", args=[person.pk, "address"])
    assert client.post(bad_field).status_code == 404


# Photo ----------------------------------------------------------------------------------------


def test_photo_served_privately_to_viewers_only(tree, login) -> None:
    person = make_person(tree.b1)
    url = reverse("members:photo", args=[person.pk])
    assert login("univ").get(url).status_code == 404  # no photo yet
    person.photo.save("x.png", ContentFile(PNG), save=True)
    response = login("secretary").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG
    assert login("outsider").get(url).status_code == 404
    assert login("member").get(url).status_code == 404
    assert f'src="{url}"' in page(login("univ").get(f"/members/{person.pk}/"))
