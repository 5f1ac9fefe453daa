"""The member registry API: list filters and paging, records and their refusals, the lifecycle,
transfers, reveal, self-service and corrections, cadres, tokens and the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.models import Cadre, CorrectionRequest, Person, Transfer
from dangjian.members.testing import make_id_number, make_person, person_data

MEMBERS = "/api/v1/members"


def url(person: Person, suffix: str = "") -> str:
    return f"{MEMBERS}/{person.pk}{suffix}"


def send(client: Client, method: str, path: str, data: Any = None, **extra: Any) -> Any:
    body = json.dumps(data) if data is not None else None
    return getattr(client, method)(path, data=body, content_type="application/json", **extra)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, (response.status_code, response.content)
    return [item["name"] for item in response.json()["items"]]


def errors(response: Any) -> dict[tuple[str, ...], str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


def body(tree: Tree, **overrides: Any) -> dict[str, Any]:
    """A valid request body for a new full member in B1 (as person_data, in JSON)."""
    data = person_data(overrides.pop("organization", tree.b1), **overrides)
    data["organization"] = data["organization"].pk
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


def link(person: Person, username: str) -> Person:
    """Give a person a login account (test data; accounts are linked by the security admin)."""
    Person.objects.filter(pk=person.pk).update(user=User.objects.get(username=username))
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def univ(login: Any) -> Client:
    return login("univ")


@pytest.fixture
def people(tree: Tree) -> dict[str, Person]:
    """张三 (B1, full), 李四 (B1, probationary, female), 王五 (B2 student), 刘明 (B3)."""
    return {
        "张三": make_person(tree.b1, name="张三", staff_no="T001"),
        "李四": make_person(
            tree.b1,
            name="李四",
            gender="female",
            birth_date=date(1999, 8, 1),
            category="probationary",
            applied_on=date(2020, 3, 1),
            activist_on=date(2020, 9, 1),
            candidate_on=date(2021, 9, 1),
            joined_on=date(2022, 6, 1),
            converted_on=None,
            phone="13912345678",
        ),
        "王五": make_person(tree.b2, name="王五", post="undergraduate", education="bachelor"),
        "刘明": make_person(tree.b3, name="刘明", ethnicity="03"),
    }


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("univ", ["李四", "刘明", "王五", "张三"]),
        ("committee", ["李四", "王五", "张三"]),
        ("secretary", ["李四", "张三"]),
        ("outsider", ["刘明"]),
        ("member", []),
    ],
)
def test_list_shows_the_callers_scope(
    login: Any, people: dict[str, Person], persona: str, expected: list[str]
) -> None:
    response = login(persona).get(MEMBERS)
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_member_sees_only_their_own_record(login: Any, people: dict[str, Person]) -> None:
    link(people["李四"], "member")
    assert names(login("member").get(MEMBERS)) == ["李四"]


@pytest.mark.parametrize("persona", ["norole", "sysadmin", "secadmin", "auditor"])
def test_list_without_a_business_role_is_403(login: Any, tree: Tree, persona: str) -> None:
    response = login(persona).get(MEMBERS)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有执行此操作的权限。"}


def test_list_items_are_masked_and_labelled(univ: Client, people: dict[str, Person]) -> None:
    response = univ.get(f"{MEMBERS}?q=李四")
    item = response.json()["items"][0]
    plain_id = people["李四"].reveal_id_number()
    assert plain_id not in response.content.decode()
    assert "13912345678" not in response.content.decode()
    assert item["id_masked"] == plain_id[:4] + "*" * 10 + plain_id[-4:]
    assert item["phone_masked"] == "139****5678"
    assert "id_number" not in item and "phone" not in item
    assert (item["gender"], item["gender_display"]) == ("female", "女")
    assert (item["category"], item["category_display"]) == ("probationary", "预备党员")
    assert (item["status"], item["status_display"]) == ("normal", "正常")
    assert item["organization"] == {
        "id": people["李四"].organization_id,
        "name": "文学院教工第一党支部",
        "code": "C1-B1",
    }
    assert item["party_group"] is None
    assert item["joined_on"] == "2022-06-01"
    assert item["birth_date"] == "1999-08-01"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=张", ["张三"]),
        ("q=zhangsan", ["张三"]),
        ("q=zs", ["张三"]),
        ("q=ZS", ["张三"]),
        ("q=T001", ["张三"]),
        ("category=probationary", ["李四"]),
        ("category=members", ["李四", "刘明", "王五", "张三"]),
        ("category=applicant", []),
        ("gender=female", ["李四"]),
        ("post=students", ["王五"]),
        ("education=bachelor", ["王五"]),
        ("ethnicity=minority", ["刘明"]),
        ("ethnicity=03", ["刘明"]),
        ("kind=undergraduate", ["王五"]),
        ("join_year=2022", ["李四"]),
        ("age_band=to30&as_of=2024-01-01", ["李四"]),
        ("sort=-joined_on&category=members&limit=2", ["李四", "张三"]),  # ties by id
    ],
)
def test_list_filters(
    univ: Client, people: dict[str, Person], query: str, expected: list[str]
) -> None:
    assert names(univ.get(f"{MEMBERS}?{query}")) == expected


def test_search_by_exact_id_number(univ: Client, people: dict[str, Person]) -> None:
    number = people["王五"].reveal_id_number()
    assert names(univ.get(f"{MEMBERS}?q={number}")) == ["王五"]
    assert names(univ.get(f"{MEMBERS}?q={number.lower()}")) == ["王五"]
    wrong = number[:17] + ("1" if number[17] == "0" else "0")
    assert names(univ.get(f"{MEMBERS}?q={wrong}")) == []  # wrong check digit: no match
    # an exact search outside the caller's scope finds nobody
    assert names(login_as(univ, "secretary").get(f"{MEMBERS}?q={number}")) == []


def login_as(client: Client, username: str) -> Client:
    other = Client()
    other.force_login(User.objects.get(username=username))
    return other


def test_list_within_status_and_flags(univ: Client, tree: Tree, people: dict[str, Person]) -> None:
    assert names(univ.get(f"{MEMBERS}?within={tree.c1.pk}")) == ["李四", "王五", "张三"]
    assert names(univ.get(f"{MEMBERS}?within={tree.b2.pk}")) == ["王五"]
    actions.start_floating(
        people["张三"], destination="深圳", on=date(2023, 9, 1), until=None, acting_user=None
    )
    actions.record_death(people["刘明"], on=date(2023, 5, 1), acting_user=None)
    assert names(univ.get(f"{MEMBERS}?flag=floating")) == ["张三"]
    assert "刘明" not in names(univ.get(MEMBERS))
    assert names(univ.get(f"{MEMBERS}?status=deceased")) == ["刘明"]
    assert "刘明" in names(univ.get(f"{MEMBERS}?status=all"))
    assert "刘明" in names(univ.get(f"{MEMBERS}?as_of=2023-04-30"))


def test_list_bad_parameters_are_chinese_422(login: Any, tree: Tree) -> None:
    univ = login("univ")
    assert errors(univ.get(f"{MEMBERS}?as_of=2024-13-01")) == {
        ("query", "as_of"): "日期格式不正确，应为 YYYY-MM-DD。"
    }
    assert errors(univ.get(f"{MEMBERS}?join_year=abc")) == {("query", "join_year"): "请输入整数。"}
    category = errors(univ.get(f"{MEMBERS}?category=boss"))[("query", "category")]
    assert category.startswith("取值不正确，可选：members、applicant、activist")
    assert ("query", "sort") in errors(univ.get(f"{MEMBERS}?sort=age"))
    assert errors(login("outsider").get(f"{MEMBERS}?within={tree.c1.pk}")) == {
        ("query", "within"): "所选党组织不存在或不在您的管理范围内。"
    }
    assert errors(univ.get(f"{MEMBERS}?limit=501")) == {("query", "limit"): "不能大于500。"}


def test_list_pages(univ: Client, people: dict[str, Person]) -> None:
    page = univ.get(f"{MEMBERS}?limit=2&offset=1").json()
    assert page["count"] == 4
    assert [item["name"] for item in page["items"]] == ["刘明", "王五"]
    assert univ.get(f"{MEMBERS}?offset=4").json() == {"count": 4, "items": []}


def add_people(tree: Tree, count: int) -> None:
    for number in range(count):
        make_person(tree.b1, name=f"测试{number:02d}", birth_date=date(1990, 1, 1 + number % 28))


def test_list_query_count_does_not_grow_with_the_page(login: Any, tree: Tree) -> None:
    add_people(tree, 30)
    client = login("committee")
    client.get(f"{MEMBERS}?limit=1")  # warm up: the first request records the session's activity
    counts = []
    for limit in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{MEMBERS}?limit={limit}&within={tree.b1.pk}")
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
        on_people = [
            q["sql"] for q in queries.captured_queries if 'FROM "members_person"' in q["sql"]
        ]
        assert len(on_people) == 2, on_people  # the count and the page (organizations joined)
    assert counts[0] == counts[1], counts


# --- detail -----------------------------------------------------------------------------------


def test_detail(univ: Client, people: dict[str, Person]) -> None:
    response = univ.get(url(people["张三"]))
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "张三"
    assert data["staff_no"] == "T001"
    assert data["applied_on"] == "2010-10-01"
    assert data["converted_on"] == "2013-06-01"
    assert data["has_account"] is False
    assert data["has_photo"] is False
    assert data["leave_reason"] == "" and data["leave_reason_display"] == ""
    assert people["张三"].reveal_id_number() not in response.content.decode()


def test_detail_outside_scope_is_404_and_bad_id_422(login: Any, people: dict[str, Person]) -> None:
    response = login("outsider").get(url(people["张三"]))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该记录，或不在您的管理范围内。"}
    assert login("univ").get(f"{MEMBERS}/999999").status_code == 404
    assert errors(login("univ").get(f"{MEMBERS}/abc")) == {("path", "person_id"): "请输入整数。"}


# --- create -----------------------------------------------------------------------------------


def test_create(login: Any, tree: Tree, personas: Any) -> None:
    data = body(tree, name="赵新", phone="139 1234 5678", staff_no="T100")
    response = send(login("secretary"), "post", MEMBERS, data)
    assert response.status_code == 201, response.content
    created = response.json()
    person = Person.objects.get(staff_no="T100")
    assert created["id"] == person.pk
    assert created["phone_masked"] == "139****5678"
    assert person.reveal_id_number() == data["id_number"]
    assert data["id_number"] not in response.content.decode()
    event = AuditEvent.objects.get(action="members.person.register", success=True)
    assert event.actor_id == personas["secretary"].pk
    assert data["id_number"] not in json.dumps(event.changes, ensure_ascii=False)


def test_create_takes_gender_and_birth_date_from_the_id_number(univ: Client, tree: Tree) -> None:
    data = body(tree, birth_date=date(1990, 2, 3), gender="female")
    del data["birth_date"], data["gender"]
    response = send(univ, "post", MEMBERS, data)
    assert response.status_code == 201, response.content
    assert (response.json()["birth_date"], response.json()["gender"]) == ("1990-02-03", "female")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "43010219900315123"}, "id_number", "身份证号应为18位，现为17位。"),
        ({"id_number": "430102199003151230"}, "id_number", "身份证号校验位不符"),
        ({"birth_date": "1990-03-16"}, "birth_date", "出生日期与身份证号（1990-03-15）不一致。"),
        (
            {
                "applied_on": "2006-10-01",
                "activist_on": "2007-01-01",
                "candidate_on": "2007-05-01",
                "joined_on": "2007-06-01",
                "converted_on": "2008-06-01",
            },
            "joined_on",
            "未满18周岁",
        ),
        ({"converted_on": None}, "converted_on", "正式党员须填写“转正日期”。"),
        ({"phone": "12345"}, "phone", "手机号码应为11位数字（或带区号的固定电话）。"),
    ],
)
def test_create_refusals_save_nothing(
    univ: Client, tree: Tree, overrides: dict[str, Any], field: str, message: str
) -> None:
    data = {**body(tree), **overrides}
    found = errors(send(univ, "post", MEMBERS, data))
    assert message in found[("body", field)], found
    assert not Person.objects.exists()
    assert AuditEvent.objects.filter(action="members.person.register", success=False).exists()


def test_create_with_a_registered_id_number_is_refused(
    univ: Client, tree: Tree, people: dict[str, Person]
) -> None:
    data = body(tree, name="张三二")
    data["id_number"] = people["张三"].reveal_id_number()
    assert errors(send(univ, "post", MEMBERS, data)) == {
        ("body", "id_number"): "该身份证号已登记（张三，文学院教工第一党支部）。"
    }
    assert Person.objects.count() == 4


def test_create_validates_fields_in_chinese(univ: Client, tree: Tree) -> None:
    found = errors(
        send(univ, "post", MEMBERS, {"organization": tree.b1.pk, "category": "boss", "x": 1})
    )
    assert found[("body", "name")] == "此字段为必填项。"
    assert found[("body", "id_number")] == "此字段为必填项。"
    assert found[("body", "category")].startswith("取值不正确，可选：applicant、activist")
    assert found[("body", "x")] == "不支持此字段。"
    found = errors(send(univ, "post", MEMBERS, {**body(tree), "joined_on": "2012/06/01"}))
    assert found == {("body", "joined_on"): "日期格式不正确，应为 YYYY-MM-DD。"}


def test_create_in_an_unknown_or_foreign_organization_is_404(login: Any, tree: Tree) -> None:
    assert (
        send(login("univ"), "post", MEMBERS, {**body(tree), "organization": 99999}).status_code
        == 404
    )
    assert (
        send(login("secretary"), "post", MEMBERS, body(tree, organization=tree.b2)).status_code
        == 404
    )
    assert send(login("outsider"), "post", MEMBERS, body(tree)).status_code == 404
    assert send(login("member"), "post", MEMBERS, body(tree)).status_code == 403
    assert not Person.objects.exists()


def test_create_in_a_party_group_or_with_a_foreign_group_is_refused(
    univ: Client, tree: Tree
) -> None:
    found = errors(send(univ, "post", MEMBERS, body(tree, organization=tree.g1)))
    assert found[("body", "organization")].startswith("人员应登记在党支部")
    found = errors(
        send(univ, "post", MEMBERS, {**body(tree, organization=tree.b2), "party_group": tree.g1.pk})
    )
    assert found == {("body", "party_group"): "党小组应是所在党支部下的党小组。"}
    response = send(univ, "post", MEMBERS, {**body(tree), "party_group": tree.g1.pk})
    assert response.status_code == 201
    assert response.json()["party_group"]["code"] == "C1-B1-G1"


# --- update and delete ------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(login: Any, people: dict[str, Person]) -> None:
    response = send(
        login("secretary"),
        "patch",
        url(people["张三"]),
        {"address": "长沙市", "phone": "13700001111"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone_masked"] == "137****1111"
    person = Person.objects.get(pk=people["张三"].pk)
    assert (person.address, person.reveal_phone(), person.name) == ("长沙市", "13700001111", "张三")
    assert person.events.filter(kind="updated").exists()


def test_update_refusals_save_nothing(univ: Client, tree: Tree, people: dict[str, Person]) -> None:
    target = url(people["张三"])
    assert errors(send(univ, "patch", target, {"organization": tree.b2.pk})) == {
        ("body", "organization"): "变更所在党组织请办理组织关系转接。"
    }
    assert errors(send(univ, "patch", target, {"birth_date": "1991-01-01"})) == {
        ("body", "birth_date"): "出生日期与身份证号（1990-03-15）不一致。"
    }
    assert errors(send(univ, "patch", target, {"name": None})) == {("body", "name"): "请输入文本。"}
    duplicate = people["王五"].reveal_id_number()  # born the same day as 张三
    assert ("body", "id_number") in errors(send(univ, "patch", target, {"id_number": duplicate}))
    person = Person.objects.get(pk=people["张三"].pk)
    assert (person.organization_id, person.birth_date) == (tree.b1.pk, date(1990, 3, 15))


def test_update_by_member_is_403_and_by_outsider_404(login: Any, people: dict[str, Person]) -> None:
    link(people["张三"], "member")
    assert send(login("member"), "patch", url(people["张三"]), {"address": "x"}).status_code == 403
    assert (
        send(login("outsider"), "patch", url(people["张三"]), {"address": "x"}).status_code == 404
    )


def test_delete(login: Any, people: dict[str, Person]) -> None:
    assert login("secretary").delete(url(people["张三"])).status_code == 403
    response = login("committee").delete(url(people["张三"]))
    assert response.status_code == 204
    assert not Person.objects.filter(pk=people["张三"].pk).exists()


def test_delete_with_history_is_refused(univ: Client, people: dict[str, Person]) -> None:
    send(
        univ,
        "post",
        url(people["张三"], "/transfers"),
        {
            "direction": "outbound",
            "letter_no": "1",
            "issued_on": "2024-01-02",
            "other_institution": "湖南大学党委",
        },
    )
    message = errors(univ.delete(url(people["张三"])))[("body",)]
    assert message.startswith("该人员已有组织关系转接")
    assert Person.objects.filter(pk=people["张三"].pk).exists()


# --- reveal and timeline ----------------------------------------------------------------------


def test_reveal_is_audited(login: Any, people: dict[str, Person], personas: Any) -> None:
    response = send(login("committee"), "post", url(people["李四"], "/reveal"), {"field": "phone"})
    assert response.status_code == 200
    assert response.json() == {"value": "13912345678"}
    assert response["Cache-Control"] == "no-store"
    response = send(login("univ"), "post", url(people["李四"], "/reveal"), {"field": "id_number"})
    assert response.json()["value"] == people["李四"].reveal_id_number()
    events = AuditEvent.objects.filter(action="security.reveal", success=True)
    assert [(e.actor_id, e.detail["field"]) for e in events.order_by("seq")] == [
        (personas["committee"].pk, "phone"),
        (personas["univ"].pk, "id_number"),
    ]


def test_reveal_is_refused_for_a_secretary(login: Any, people: dict[str, Person]) -> None:
    response = send(
        login("secretary"), "post", url(people["李四"], "/reveal"), {"field": "id_number"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有查看完整身份证号、手机号码的权限。"}
    assert people["李四"].reveal_id_number() not in response.content.decode()
    assert AuditEvent.objects.filter(action="security.reveal", success=False).count() == 1


def test_reveal_of_own_record_and_bad_field(login: Any, people: dict[str, Person]) -> None:
    link(people["李四"], "member")
    member = login("member")
    assert send(member, "post", url(people["李四"], "/reveal"), {"field": "phone"}).json() == {
        "value": "13912345678"
    }
    assert (
        send(member, "post", url(people["张三"], "/reveal"), {"field": "phone"}).status_code == 404
    )
    found = errors(send(member, "post", url(people["李四"], "/reveal"), {"field": "address"}))
    assert found[("body", "field")].startswith("取值不正确，可选：id_number、phone")


def test_timeline(login: Any, people: dict[str, Person]) -> None:
    person = people["张三"]
    send(login("secretary"), "post", url(person, "/contact/lost"), {"since": "2023-01-01"})
    events = login("committee").get(url(person, "/timeline")).json()
    # newest first: registered today, contact lost in 2023
    assert [(e["kind"], e["kind_display"]) for e in events] == [
        ("registered", "建档"),
        ("lost_contact", "失去联系"),
    ]
    lost = next(e for e in events if e["kind"] == "lost_contact")
    assert lost["occurred_on"] == "2023-01-01"
    assert lost["actor"] == "secretary"
    assert lost["organization"]["code"] == "C1-B1"
    assert login("outsider").get(url(person, "/timeline")).status_code == 404


# --- lifecycle --------------------------------------------------------------------------------


def test_floating_and_contact(login: Any, people: dict[str, Person]) -> None:
    client, person = login("secretary"), people["张三"]
    started = send(
        client,
        "post",
        url(person, "/floating/start"),
        {"destination": "深圳", "on": "2023-09-01", "until": "2024-09-01"},
    )
    assert started.status_code == 200, started.content
    assert (started.json()["is_floating"], started.json()["floating_destination"]) == (True, "深圳")
    assert errors(
        send(
            client, "post", url(person, "/floating/start"), {"destination": "x", "on": "2023-09-02"}
        )
    ) == {("body",): "该党员已登记为流动党员。"}
    ended = send(client, "post", url(person, "/floating/end"), {"on": "2023-08-01"})
    assert errors(ended) == {("body", "on"): "结束日期不能早于外出日期。"}
    ended = send(client, "post", url(person, "/floating/end"), {"on": "2024-01-10"})
    assert ended.json()["is_floating"] is False
    lost = send(client, "post", url(person, "/contact/lost"), {"since": "2024-02-01"})
    assert (lost.json()["lost_contact"], lost.json()["lost_contact_since"]) == (True, "2024-02-01")
    restored = send(client, "post", url(person, "/contact/restored"), {"on": "2024-03-01"})
    assert restored.json()["lost_contact"] is False


def test_suspend_restore_leave_and_death(login: Any, people: dict[str, Person]) -> None:
    client = login("committee")
    suspended = send(
        client,
        "post",
        url(people["张三"], "/suspend"),
        {"on": "2024-01-02", "reason": "失联满6个月"},
    )
    assert (suspended.json()["status"], suspended.json()["status_display"]) == (
        "suspended",
        "停止党籍",
    )
    assert errors(
        send(client, "post", url(people["张三"], "/restore"), {"on": "2024-02-01", "reason": " "})
    ) == {("body", "reason"): "请填写恢复党籍的依据。"}
    restored = send(
        client,
        "post",
        url(people["张三"], "/restore"),
        {"on": "2024-02-01", "reason": "已恢复联系"},
    )
    assert restored.json()["status"] == "normal"
    left = send(
        client, "post", url(people["李四"], "/leave"), {"on": "2024-01-02", "reason": "withdrawal"}
    )
    assert (left.json()["status"], left.json()["leave_reason_display"]) == ("left", "退党")
    assert left.json()["off_books_on"] == "2024-01-02"
    assert errors(send(client, "post", url(people["李四"], "/death"), {"on": "2024-02-01"})) == {
        ("body",): "李四的党籍状态为“已出党”，不能办理此项业务。"
    }
    died = send(client, "post", url(people["王五"], "/death"), {"on": "2024-01-03"})
    assert (died.json()["status"], died.json()["died_on"]) == ("deceased", "2024-01-03")
    assert names(client.get(MEMBERS)) == ["张三"]


def test_lifecycle_refusals(login: Any, people: dict[str, Person]) -> None:
    client = login("secretary")
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert errors(send(client, "post", url(people["张三"], "/death"), {"on": future})) == {
        ("body", "on"): "日期不能晚于今天。"
    }
    assert errors(
        send(client, "post", url(people["张三"], "/leave"), {"on": "2024-01-02", "reason": "fired"})
    )[("body", "reason")].startswith("取值不正确，可选：withdrawal")
    assert errors(send(client, "post", url(people["张三"], "/suspend"), {"on": "2024-01-02"})) == {
        ("body", "reason"): "此字段为必填项。"
    }
    assert (
        send(
            login("member"), "post", url(people["张三"], "/death"), {"on": "2024-01-02"}
        ).status_code
        == 403
    )
    assert Person.objects.get(pk=people["张三"].pk).status == "normal"


# --- transfers --------------------------------------------------------------------------------

OUTBOUND = {
    "direction": "outbound",
    "letter_no": "湘大组转〔2024〕1号",
    "issued_on": "2024-01-02",
    "other_institution": "湖南大学党委",
}


def test_internal_transfer_to_another_committee(
    login: Any, tree: Tree, people: dict[str, Person]
) -> None:
    person = people["张三"]
    response = send(
        login("secretary"),
        "post",
        url(person, "/transfers"),
        {
            "direction": "internal",
            "letter_no": "文党〔2024〕1号",
            "issued_on": "2024-01-02",
            "to_organization": tree.b3.pk,
            "reason": "调动",
        },
    )
    assert response.status_code == 201, response.content
    transfer = response.json()
    assert transfer["status"] == "issued" and transfer["direction_display"] == "校内转接"
    assert transfer["from_organization"]["code"] == "C1-B1"
    assert transfer["to_organization"] == {
        "id": tree.b3.pk,
        "name": "数学学院研究生党支部",
        "code": "C2-B3",
    }
    receive = f"{MEMBERS}/transfers/{transfer['id']}/receive"
    denied = send(login("secretary"), "post", receive, {"received_on": "2024-01-05"})
    assert denied.status_code == 403
    assert denied.json() == {"detail": "组织关系须由转入党组织接收。"}
    outsider = login("outsider")
    assert [
        t["id"] for t in outsider.get(f"{MEMBERS}/transfers?incoming=true").json()["items"]
    ] == [transfer["id"]]
    assert errors(send(outsider, "post", receive, {"received_on": "2023-12-31"})) == {
        ("body", "received_on"): "接收日期不能早于介绍信开具日期。"
    }
    received = send(outsider, "post", receive, {"received_on": "2024-01-05"})
    assert received.status_code == 200, received.content
    assert (received.json()["status"], received.json()["received_on"]) == ("received", "2024-01-05")
    assert Person.objects.get(pk=person.pk).organization_id == tree.b3.pk
    assert names(outsider.get(MEMBERS)) == ["刘明", "张三"]
    assert errors(send(outsider, "post", receive, {"received_on": "2024-01-05"})) == {
        ("body",): "该转接已办结。"
    }


def test_transfer_refusals(univ: Client, tree: Tree, people: dict[str, Person]) -> None:
    target = url(people["张三"], "/transfers")
    internal = {"direction": "internal", "letter_no": "1", "issued_on": "2024-01-02"}
    assert errors(send(univ, "post", target, {**internal, "to_organization": 99999})) == {
        ("body", "to_organization"): "所选转入党组织不存在或不是正常状态的党组织。"
    }
    assert errors(send(univ, "post", target, {**internal, "to_organization": tree.b1.pk})) == {
        ("body", "to_organization"): "转入党组织不能与现所在党组织相同。"
    }
    assert errors(send(univ, "post", target, {**OUTBOUND, "other_institution": ""})) == {
        ("body", "other_institution"): "请填写转往的校外党组织。"
    }
    assert send(univ, "post", target, OUTBOUND).status_code == 201
    assert errors(send(univ, "post", target, OUTBOUND)) == {
        ("body",): "该人员已有尚未办结的转接，请先办结或退回。"
    }
    assert Transfer.objects.count() == 1


def test_outbound_receive_and_return(login: Any, people: dict[str, Person]) -> None:
    client = login("secretary")
    first = send(client, "post", url(people["张三"], "/transfers"), OUTBOUND).json()
    returned = send(
        client,
        "post",
        f"{MEMBERS}/transfers/{first['id']}/return",
        {"returned_on": "2024-01-03", "reason": "对方单位有误"},
    )
    assert (returned.json()["status"], returned.json()["return_reason"]) == (
        "returned",
        "对方单位有误",
    )
    second = send(
        client, "post", url(people["张三"], "/transfers"), {**OUTBOUND, "letter_no": "2"}
    ).json()
    received = send(
        client, "post", f"{MEMBERS}/transfers/{second['id']}/receive", {"received_on": "2024-01-08"}
    )
    assert received.status_code == 200
    person = Person.objects.get(pk=people["张三"].pk)
    assert (person.status, person.off_books_on) == ("transferred_out", date(2024, 1, 8))
    listing = client.get(f"{MEMBERS}/transfers").json()
    assert [t["letter_no"] for t in listing["items"]] == ["2", "湘大组转〔2024〕1号"]
    assert [
        t["letter_no"] for t in client.get(f"{MEMBERS}/transfers?status=returned").json()["items"]
    ] == ["湘大组转〔2024〕1号"]
    assert client.get(f"{MEMBERS}/transfers?direction=internal").json()["count"] == 0
    assert client.get(f"{MEMBERS}/transfers?q=张三").json()["count"] == 2
    assert client.get(f"{MEMBERS}/transfers?incoming=false").json()["count"] == 2
    assert login("outsider").get(f"{MEMBERS}/transfers/{second['id']}").status_code == 404


def test_inbound_from_another_institution(login: Any, tree: Tree) -> None:
    data = {
        **body(tree, name="赵新"),
        "other_institution": "湖南大学物理学院党委",
        "letter_no": "湖大组转〔2024〕8号",
        "issued_on": "2024-01-02",
        "received_on": "2024-01-05",
    }
    response = send(login("secretary"), "post", f"{MEMBERS}/transfers/inbound", data)
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    transfer = Transfer.objects.get(person=person)
    assert (transfer.direction, transfer.status, transfer.to_organization_id) == (
        "inbound",
        "received",
        tree.b1.pk,
    )
    late = {**data, "id_number": make_id_number(date(1990, 3, 15)), "issued_on": "2024-01-06"}
    assert errors(send(login("secretary"), "post", f"{MEMBERS}/transfers/inbound", late)) == {
        ("body", "issued_on"): "介绍信开具日期不能晚于接收日期。"
    }
    assert Person.objects.count() == 1


# --- self-service and corrections -------------------------------------------------------------


def test_me(login: Any, people: dict[str, Person]) -> None:
    link(people["李四"], "member")
    data = login("member").get(f"{MEMBERS}/me").json()
    assert data["person"]["name"] == "李四"
    assert data["person"]["has_account"] is True
    assert [e["kind"] for e in data["timeline"]] == ["registered"]
    assert data["corrections"] == []


def test_me_without_a_linked_record_is_404(login: Any, people: dict[str, Person]) -> None:
    for persona in ("member", "secretary"):
        response = login(persona).get(f"{MEMBERS}/me")
        assert response.status_code == 404
        assert response.json() == {"detail": "您的账号尚未关联党员档案，请联系所在党支部。"}
    assert login("auditor").get(f"{MEMBERS}/me").status_code == 403


def test_correction_flow(login: Any, people: dict[str, Person]) -> None:
    link(people["李四"], "member")
    member = login("member")
    asked = send(
        member,
        "post",
        f"{MEMBERS}/me/corrections",
        {"field": "address", "proposed": "长沙市天心区", "reason": "搬家"},
    )
    assert asked.status_code == 201, asked.content
    assert (asked.json()["field_display"], asked.json()["status"]) == ("家庭住址", "pending")
    assert errors(
        send(member, "post", f"{MEMBERS}/me/corrections", {"field": "address", "proposed": "x"})
    ) == {("body", "field"): "该项目已有待处理的更正申请。"}
    assert errors(
        send(member, "post", f"{MEMBERS}/me/corrections", {"field": "shoe_size", "proposed": "x"})
    ) == {("body", "field"): "请选择需更正的项目。"}
    phone = send(
        member, "post", f"{MEMBERS}/me/corrections", {"field": "phone", "proposed": "13711112222"}
    )
    assert phone.json()["proposed_value"] == "137****2222"
    assert "13711112222" not in phone.content.decode()
    secretary = login("secretary")
    pending = secretary.get(f"{MEMBERS}/corrections?status=pending").json()
    assert pending["count"] == 2
    assert login("outsider").get(f"{MEMBERS}/corrections").json()["count"] == 0
    assert member.get(f"{MEMBERS}/corrections").json()["count"] == 2
    decide = f"{MEMBERS}/corrections/{asked.json()['id']}/decide"
    assert errors(send(secretary, "post", decide, {"accept": False})) == {
        ("body", "response"): "不采纳时请填写理由。"
    }
    assert send(member, "post", decide, {"accept": True}).status_code == 403
    decided = send(secretary, "post", decide, {"accept": True, "response": "已核实"})
    assert (decided.json()["status"], decided.json()["status_display"]) == ("accepted", "已更正")
    assert Person.objects.get(pk=people["李四"].pk).address == "长沙市天心区"
    mine = member.get(f"{MEMBERS}/me").json()
    assert {c["status"] for c in mine["corrections"]} == {"accepted", "pending"}
    assert mine["timeline"][0]["kind"] in {"corrected", "updated"}


def test_only_a_member_asks_for_corrections(login: Any, people: dict[str, Person]) -> None:
    data = {"field": "address", "proposed": "x"}
    assert send(login("secretary"), "post", f"{MEMBERS}/me/corrections", data).status_code == 403
    assert send(login("member"), "post", f"{MEMBERS}/me/corrections", data).status_code == 404
    assert not CorrectionRequest.objects.exists()


# --- cadres -----------------------------------------------------------------------------------

CADRE = {
    "rank": "division_chief",
    "position": "院长",
    "unit": "文学院",
    "appointed_on": "2021-07-01",
}


def test_cadres(login: Any, people: dict[str, Person]) -> None:
    univ = login("univ")
    saved = send(univ, "put", url(people["张三"], "/cadre"), CADRE)
    assert saved.status_code == 200, saved.content
    assert (saved.json()["rank_display"], saved.json()["organization"]["code"]) == (
        "正处级",
        "C1-B1",
    )
    send(univ, "put", url(people["刘明"], "/cadre"), {**CADRE, "unit": "数学与统计学院"})
    assert [
        c["person"]["name"] for c in login("committee").get(f"{MEMBERS}/cadres").json()["items"]
    ] == ["张三"]
    assert [
        c["person"]["name"] for c in login("outsider").get(f"{MEMBERS}/cadres").json()["items"]
    ] == ["刘明"]
    assert univ.get(f"{MEMBERS}/cadres").json()["count"] == 2
    assert univ.get(f"{MEMBERS}/cadres?q=zs").json()["count"] == 1
    assert login("secretary").get(f"{MEMBERS}/cadres").status_code == 403
    assert login("committee").get(url(people["张三"], "/cadre")).json()["position"] == "院长"
    assert send(login("committee"), "put", url(people["张三"], "/cadre"), CADRE).status_code == 403
    assert errors(send(univ, "put", url(people["张三"], "/cadre"), {**CADRE, "position": " "})) == {
        ("body", "position"): "请填写现任职务。"
    }
    ended = send(univ, "post", url(people["张三"], "/cadre/end"), {"on": "2024-01-02"})
    assert (ended.json()["status"], ended.json()["left_office_on"]) == ("former", "2024-01-02")
    assert univ.get(f"{MEMBERS}/cadres").json()["count"] == 1
    assert univ.get(f"{MEMBERS}/cadres?status=all").json()["count"] == 2
    assert login("univ").get(url(people["李四"], "/cadre")).status_code == 404
    assert Cadre.objects.get(person=people["张三"]).status == "former"


# --- tokens and the OpenAPI document ----------------------------------------------------------


def test_bearer_token_access(tree: Tree, personas: Any, password: str) -> None:
    client = Client(enforce_csrf_checks=True)
    token = send(
        client, "post", "/api/v1/auth/token", {"username": "secretary", "password": password}
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = send(client, "post", MEMBERS, body(tree, name="赵新"), **auth)
    assert created.status_code == 201, created.content
    assert names(client.get(MEMBERS, **auth)) == ["赵新"]
    assert client.get(MEMBERS).status_code == 401
    assert client.get(MEMBERS, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_session_changes_need_the_csrf_token(tree: Tree, personas: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["secretary"])
    assert client.get(MEMBERS).status_code == 200
    response = send(client, "post", MEMBERS, body(tree))
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF 校验失败")
    assert not Person.objects.exists()


def test_openapi_document_mentions_the_operations(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    person = "/api/v1/members/{person_id}"
    transfer = "/api/v1/members/transfers/{transfer_id}"
    assert {
        ("GET", MEMBERS),
        ("POST", MEMBERS),
        ("GET", person),
        ("PATCH", person),
        ("DELETE", person),
        ("POST", f"{person}/reveal"),
        ("GET", f"{person}/timeline"),
        ("POST", f"{person}/transfers"),
        *(
            ("POST", f"{person}/{step}")
            for step in (
                "floating/start",
                "floating/end",
                "contact/lost",
                "contact/restored",
                "suspend",
                "restore",
                "leave",
                "death",
            )
        ),
        ("GET", f"{MEMBERS}/transfers"),
        ("POST", f"{MEMBERS}/transfers/inbound"),
        ("GET", transfer),
        ("POST", f"{transfer}/receive"),
        ("POST", f"{transfer}/return"),
        ("GET", f"{MEMBERS}/me"),
        ("POST", f"{MEMBERS}/me/corrections"),
        ("GET", f"{MEMBERS}/corrections"),
        ("POST", f"{MEMBERS}/corrections/{{correction_id}}/decide"),
        ("GET", f"{MEMBERS}/cadres"),
        ("GET", f"{person}/cadre"),
        ("PUT", f"{person}/cadre"),
        ("POST", f"{person}/cadre/end"),
    } <= operations
    listing = paths[MEMBERS]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "q",
        "within",
        "category",
        "age_band",
        "as_of",
        "sort",
        "limit",
        "offset",
    }
    schemas = response.json()["components"]["schemas"]
    assert "id_masked" in schemas["PersonOut"]["properties"]
    assert not {"id_number", "phone"} & set(schemas["PersonDetail"]["properties"])
