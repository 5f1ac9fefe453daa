"""Transfer, self-service, correction and cadre pages: worklists per persona, the actions
behind each form with their refusals shown inline, protected numbers never in the HTML, and
lists whose query count does not grow with their rows."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.errors import DomainError
from dangjian.core.roles import RoleKind
from dangjian.core.testing.personas import make_user
from dangjian.members import actions
from dangjian.members.choices import (
    CorrectionStatus,
    EventKind,
    Status,
    TransferDirection,
    TransferStatus,
)
from dangjian.members.models import Cadre, CorrectionRequest, MemberEvent, Person, Transfer
from dangjian.members.testing import make_id_number, make_person

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def letter(person: Person, to: Any, no: str = "文组〔2024〕1号", days_ago: int = 10) -> Transfer:
    return actions.issue_transfer(
        person,
        direction=TransferDirection.INTERNAL,
        letter_no=no,
        issued_on=TODAY() - timedelta(days=days_ago),
        to_organization=to,
        acting_user=None,
    )


def outbound_letter(person: Person) -> Transfer:
    return actions.issue_transfer(
        person,
        direction=TransferDirection.OUTBOUND,
        letter_no="文组〔2024〕9号",
        issued_on=TODAY() - timedelta(days=3),
        other_institution="中共某某大学委员会",
        acting_user=None,
    )


@pytest.fixture
def b2_secretary(personas: Any, tree: Any) -> Client:
    """A branch secretary of B2: the receiving side of a B1 → B2 letter."""
    client = Client()
    client.force_login(make_user("b2sec", RoleKind.BRANCH_SECRETARY, tree.b2))
    return client


@pytest.fixture
def own(personas: Any, tree: Any) -> Person:
    """The member persona's own record in B1."""
    person = make_person(tree.b1, name="李党员", address="长沙市天心区")
    Person.objects.filter(pk=person.pk).update(user=personas["member"])
    person.refresh_from_db()
    return person


def names(response: Any) -> list[str]:
    return [t.person.name for t in response.context["object_list"]]


# Transfers: the worklist ---------------------------------------------------------------------


def test_worklist_per_persona(tree, login, b2_secretary) -> None:
    letter(make_person(tree.b1, name="王转接"), tree.b2)
    assert names(b2_secretary.get("/members/transfers/")) == ["王转接"]  # 待接收 by default
    assert names(b2_secretary.get("/members/transfers/", {"tab": "issued"})) == []
    secretary = login("secretary")
    assert names(secretary.get("/members/transfers/")) == []  # B1 does not receive it
    assert names(secretary.get("/members/transfers/", {"tab": "issued"})) == ["王转接"]
    assert names(login("committee").get("/members/transfers/")) == ["王转接"]
    assert names(login("univ").get("/members/transfers/", {"tab": "all"})) == ["王转接"]
    assert names(login("outsider").get("/members/transfers/", {"tab": "all"})) == []
    assert names(login("member").get("/members/transfers/")) == []  # not their own letter
    page = b2_secretary.get("/members/transfers/").content.decode()
    assert "待接收" in page and "文组〔2024〕1号" in page


def test_worklist_filters_and_search(tree, login) -> None:
    letter(make_person(tree.b1, name="王转接"), tree.b2, no="文组〔2024〕1号", days_ago=40)
    done = letter(make_person(tree.b1, name="刘已办"), tree.b2, no="文组〔2024〕2号", days_ago=5)
    actions.receive_transfer(done, received_on=TODAY(), acting_user=None)
    client = login("committee")
    assert names(client.get("/members/transfers/", {"tab": "all"})) == ["刘已办", "王转接"]
    assert names(client.get("/members/transfers/", {"tab": "pending"})) == ["王转接"]
    assert names(client.get("/members/transfers/", {"tab": "all", "status": "received"})) == [
        "刘已办"
    ]
    assert names(client.get("/members/transfers/", {"tab": "all", "q": "wzj"})) == ["王转接"]
    assert names(client.get("/members/transfers/", {"tab": "all", "q": "2024〕2"})) == ["刘已办"]
    since = (TODAY() - timedelta(days=10)).isoformat()
    assert names(client.get("/members/transfers/", {"tab": "all", "issued_from": since})) == [
        "刘已办"
    ]
    assert names(client.get("/members/transfers/", {"tab": "all", "direction": "outbound"})) == []


def test_export_masks_the_id_number(tree, login) -> None:
    person = make_person(tree.b1, name="王转接")
    letter(person, tree.b2)
    response = login("committee").get("/members/transfers/", {"tab": "all", "export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5], r[6]) for r in rows] == [
        ("王转接", "文学院教工第一党支部", "文学院本科生第一党支部")
    ]
    assert rows[0][1] == person.id_masked and person.reveal_id_number() not in str(rows)


def test_transfer_list_query_count_is_constant(tree, login) -> None:
    client = login("committee")
    letter(make_person(tree.b1, name="甲"), tree.b2, no="L0")
    few = _count(client, "/members/transfers/?tab=all")
    for i in range(1, 12):
        letter(
            make_person(tree.b1 if i % 2 else tree.b2, name=f"乙{i}"),
            tree.b2 if i % 2 else tree.b1,
            no=f"L{i}",
        )
    assert _count(client, "/members/transfers/?tab=all") == few <= 10
    assert len(client.get("/members/transfers/?tab=all").context["object_list"]) == 12


def _count(client: Client, url: str) -> int:
    """Queries of one request, after a first one has warmed the session and caches."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Transfers: receiving and returning ----------------------------------------------------------


def test_receiver_receives(tree, login, b2_secretary) -> None:
    transfer = letter(make_person(tree.b1, name="王转接"), tree.b2)
    page = b2_secretary.get(f"/members/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="transfer-receive"' in page and transfer.person.id_masked in page
    response = b2_secretary.post(
        f"/members/transfers/{transfer.pk}/receive/", {"received_on": TODAY().isoformat()}
    )
    assert (
        response.status_code == 302 and response["Location"] == f"/members/transfers/{transfer.pk}/"
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert Person.objects.get(pk=transfer.person_id).organization == tree.b2
    assert MemberEvent.objects.filter(
        person=transfer.person, kind=EventKind.TRANSFER_RECEIVED
    ).exists()


def test_receive_refusals(tree, login, b2_secretary) -> None:
    transfer = letter(make_person(tree.b1, name="王转接"), tree.b2)
    url = f"/members/transfers/{transfer.pk}/receive/"
    secretary = login("secretary")  # the sending side may see the letter, not receive it
    assert (
        'data-testid="transfer-receive"'
        not in secretary.get(f"/members/transfers/{transfer.pk}/").content.decode()
    )
    assert secretary.post(url, {"received_on": TODAY().isoformat()}).status_code == 403
    assert login("outsider").post(url, {"received_on": TODAY().isoformat()}).status_code == 404
    early = (transfer.issued_on - timedelta(days=1)).isoformat()
    response = b2_secretary.post(url, {"received_on": early})
    assert response.status_code == 200
    assert "接收日期不能早于介绍信开具日期" in response.content.decode()
    future = (TODAY() + timedelta(days=1)).isoformat()
    assert "日期不能晚于今天" in b2_secretary.post(url, {"received_on": future}).content.decode()
    transfer.refresh_from_db()
    assert transfer.is_open and transfer.person.organization == tree.b1


def test_return_needs_a_reason(tree, login) -> None:
    transfer = letter(make_person(tree.b1, name="王转接"), tree.b2)
    url = f"/members/transfers/{transfer.pk}/return/"
    client = login("secretary")  # either side may return
    response = client.post(url, {"returned_on": TODAY().isoformat(), "reason": "  "})
    assert response.status_code == 200 and "请填写退回原因" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.is_open
    response = client.post(url, {"returned_on": TODAY().isoformat(), "reason": "转入党组织有误"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RETURNED and transfer.return_reason == "转入党组织有误"
    assert transfer.person.organization == tree.b1
    page = client.get(f"/members/transfers/{transfer.pk}/").content.decode()
    assert "转入党组织有误" in page and 'data-testid="transfer-return"' not in page
    again = client.get(url)  # a closed letter sends back to its page
    assert again.status_code == 302 and again["Location"] == f"/members/transfers/{transfer.pk}/"


def test_outbound_receipt_recorded_by_the_sending_side(tree, login) -> None:
    transfer = outbound_letter(make_person(tree.b1, name="王转出"))
    client = login("secretary")
    assert "登记回执" in client.get(f"/members/transfers/{transfer.pk}/").content.decode()
    assert names(client.get("/members/transfers/", {"tab": "issued"})) == ["王转出"]
    response = client.post(
        f"/members/transfers/{transfer.pk}/receive/", {"received_on": TODAY().isoformat()}
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=transfer.person_id)
    assert person.status == Status.TRANSFERRED_OUT and person.off_books_on == TODAY()


# Transfers: from another institution ---------------------------------------------------------


def inbound(tree: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "other_institution": "中共某某大学委员会组织部",
        "letter_no": "某组〔2024〕88号",
        "issued_on": (TODAY() - timedelta(days=5)).isoformat(),
        "received_on": TODAY().isoformat(),
        "name": "钱转入",
        "id_number": make_id_number(date(1994, 5, 6), "female"),
        "phone": "13912345678",
        "ethnicity": "01",
        "organization": str(tree.b1.pk),
        "category": "full",
        "joined_on": "2015-06-01",
        "converted_on": "2016-06-01",
    }
    data.update(overrides)
    return data


def test_inbound_registers_the_person_with_the_letter(tree, login) -> None:
    data = inbound(tree)
    response = login("secretary").post("/members/transfers/inbound/", data)
    person = Person.objects.get(name="钱转入")
    assert response.status_code == 302 and response["Location"] == f"/members/{person.pk}/"
    assert person.organization == tree.b1 and person.gender == "female"
    assert person.birth_date == date(1994, 5, 6)  # derived from the ID number
    transfer = Transfer.objects.get(person=person)
    assert transfer.direction == TransferDirection.INBOUND
    assert transfer.status == TransferStatus.RECEIVED
    assert transfer.other_institution == "中共某某大学委员会组织部"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "43010219940506123"}, "身份证"),
        ({"organization": "999999"}, "选择一个有效的选项"),
        ({"letter_no": ""}, "这个字段是必填项"),
        ({"converted_on": ""}, "正式党员须填写"),
    ],
)
def test_inbound_bad_input_saves_nothing(tree, login, overrides, message) -> None:
    response = login("univ").post("/members/transfers/inbound/", inbound(tree, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Person.objects.exists() and not Transfer.objects.exists()


def test_inbound_duplicate_id_number(tree, login) -> None:
    existing = make_person(tree.b2, name="孙在册")
    number = existing.reveal_id_number()
    response = login("univ").post("/members/transfers/inbound/", inbound(tree, id_number=number))
    page = response.content.decode()
    assert response.status_code == 200 and "该身份证号已登记" in page
    assert Person.objects.count() == 1 and not Transfer.objects.exists()


def test_inbound_outside_the_users_scope(tree, login) -> None:
    response = login("outsider").post("/members/transfers/inbound/", inbound(tree))
    assert "选择一个有效的选项" in response.content.decode()
    assert not Person.objects.exists()
    assert login("member").get("/members/transfers/inbound/").status_code == 403


# Self-service --------------------------------------------------------------------------------


def test_me_shows_own_record_without_plain_numbers(tree, login, own) -> None:
    actions.start_floating(
        own, destination="深圳", on=TODAY() - timedelta(days=3), until=None, acting_user=None
    )
    response = login("member").get("/members/me/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "李党员" in page and own.id_masked in page and own.phone_masked in page
    assert own.reveal_id_number() not in page and own.reveal_phone() not in page
    assert "文学院教工第一党支部" in page and "外出流动至深圳" in page  # timeline
    assert 'data-testid="reveal-id_number"' in page  # members may reveal their own
    years = TODAY().year - 2013 - ((TODAY().month, TODAY().day) < (6, 1))
    assert response.context["standing"]["years"] == years


def test_member_reveals_own_phone_from_me(tree, login, own) -> None:
    """The 查看 button of the self-service page posts to the audited reveal view."""
    from dangjian.core.models import AuditEvent

    response = login("member").post(f"/members/{own.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "13800138000" in response.content.decode()
    assert AuditEvent.objects.filter(action="security.reveal", actor_name="member").exists()


def test_me_without_a_linked_record(tree, login) -> None:
    response = login("secretary").get("/members/me/")
    assert response.status_code == 404
    assert "您的账号尚未关联党员档案，请联系所在党支部。" in response.content.decode()


def test_me_lists_own_correction_requests(tree, login, own) -> None:
    client = login("member")
    response = client.post(
        "/members/me/correction/",
        {"field": "phone", "proposed": "13711112222", "reason": "换号"},
    )
    assert response.status_code == 302 and response["Location"] == "/members/me/"
    correction = CorrectionRequest.objects.get()
    assert correction.proposed_value.startswith("sm4gcm$")  # stored encrypted
    page = client.get("/members/me/").content.decode()
    assert "手机号码" in page and "待处理" in page and "13711112222" not in page


# Corrections ---------------------------------------------------------------------------------


def request(own: Person, login: Any, field: str, proposed: str) -> CorrectionRequest:
    response = login("member").post(
        "/members/me/correction/", {"field": field, "proposed": proposed, "reason": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return CorrectionRequest.objects.filter(person=own, field=field).get()


def test_staff_accepts_a_phone_correction(tree, login, own) -> None:
    correction = request(own, login, "phone", "137 1111 2222")
    secretary = login("secretary")
    listing = secretary.get("/members/corrections/")
    assert [c.pk for c in listing.context["object_list"]] == [correction.pk]
    page = secretary.get(f"/members/corrections/{correction.pk}/").content.decode()
    assert "137****2222" in page and "13711112222" not in page and "sm4gcm$" not in page
    assert 'data-testid="correction-manual-hint"' not in page  # applied directly
    response = secretary.post(
        f"/members/corrections/{correction.pk}/", {"decision": "accept", "response": ""}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.reveal_phone() == "13711112222" and own.phone_masked == "137****2222"
    assert MemberEvent.objects.filter(person=own, kind=EventKind.CORRECTED).exists()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert "已更正" in login("member").get("/members/me/").content.decode()


def test_staff_accepts_an_address_correction(tree, login, own) -> None:
    correction = request(own, login, "address", "长沙市岳麓区麓山南路1号")
    response = login("committee").post(
        f"/members/corrections/{correction.pk}/", {"decision": "accept", "response": "已核实"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.address == "长沙市岳麓区麓山南路1号"
    assert MemberEvent.objects.filter(person=own, kind=EventKind.CORRECTED).count() == 1


def test_rejecting_needs_a_reason(tree, login, own) -> None:
    correction = request(own, login, "address", "长沙市岳麓区")
    url = f"/members/corrections/{correction.pk}/"
    client = login("secretary")
    response = client.post(url, {"decision": "reject", "response": ""})
    assert response.status_code == 200 and "不采纳时请填写理由" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert client.post(url, {"decision": "reject", "response": "与档案不符"}).status_code == 302
    correction.refresh_from_db()
    own.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED and own.address == "长沙市天心区"
    assert client.post(url, {"decision": "accept"}).status_code == 302  # already decided
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED


def test_field_not_applied_directly_links_to_the_edit_page(tree, login, own) -> None:
    correction = request(own, login, "education", "博士研究生")
    page = login("secretary").get(f"/members/corrections/{correction.pk}/").content.decode()
    assert 'data-testid="correction-manual-hint"' in page and f"/members/{own.pk}/edit/" in page


def test_member_requests_only_for_themselves(tree, login, own) -> None:
    other = make_person(tree.b1, name="周他人")
    response = login("member").post(
        "/members/me/correction/",
        {"person": other.pk, "field": "address", "proposed": "某地", "reason": ""},
    )
    assert response.status_code == 302
    assert list(CorrectionRequest.objects.values_list("person__name", flat=True)) == ["李党员"]
    with pytest.raises(DomainError, match="只能为本人的信息提交更正申请"):
        actions.request_correction(
            other, field="address", proposed="某地", reason="", acting_user=own.user
        )
    correction = CorrectionRequest.objects.get()
    assert login("member").get(f"/members/corrections/{correction.pk}/").status_code == 403
    assert login("member").get("/members/corrections/").status_code == 403


def test_bad_correction_request_is_refused_inline(tree, login, own) -> None:
    client = login("member")
    response = client.post("/members/me/correction/", {"field": "nope", "proposed": "x"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    request(own, login, "address", "长沙市岳麓区")
    response = client.post("/members/me/correction/", {"field": "address", "proposed": "又一处"})
    assert "该项目已有待处理的更正申请" in response.content.decode()
    assert CorrectionRequest.objects.count() == 1


def test_correction_list_pending_first_and_query_count(tree, login, own) -> None:
    decided = request(own, login, "address", "长沙市岳麓区")
    actions.decide_correction(decided, accept=False, response="不符", acting_user=None)
    pending = request(own, login, "unit", "文学院")
    client = login("committee")
    listing = client.get("/members/corrections/")
    assert [c.pk for c in listing.context["object_list"]] == [pending.pk, decided.pk]
    assert [
        c.pk
        for c in client.get("/members/corrections/", {"status": "rejected"}).context["object_list"]
    ] == [decided.pk]
    assert login("outsider").get("/members/corrections/").context["object_list"] == []
    few = _count(client, "/members/corrections/")
    for i in range(8):
        person = make_person(tree.b2, name=f"丙{i}")
        person.user = make_user(f"m{i}", RoleKind.MEMBER, tree.b2)
        Person.objects.filter(pk=person.pk).update(user=person.user)
        actions.request_correction(
            person, field="title", proposed="讲师", reason="", acting_user=person.user
        )
    assert _count(client, "/members/corrections/") == few <= 9


# Cadres --------------------------------------------------------------------------------------


def cadre(org: Any, name: str, **data: Any) -> Cadre:
    values = {"rank": "division_chief", "position": "院长", "unit": "文学院", "team": "文学院班子"}
    values.update(data)
    return actions.save_cadre(make_person(org, name=name), values, acting_user=None)


def cadre_names(response: Any) -> list[str]:
    return [c.person.name for c in response.context["object_list"]]


def test_cadre_list_visibility(tree, login) -> None:
    cadre(tree.b1, "陈院长")
    cadre(tree.b3, "何院长", unit="数学与统计学院", team="数学学院班子")
    cadre(tree.university, "林书记", rank="department_chief", is_university_leader=True)
    assert login("secretary").get("/members/cadres/").status_code == 403
    assert login("member").get("/members/cadres/").status_code == 403
    assert cadre_names(login("outsider").get("/members/cadres/")) == ["何院长"]
    assert cadre_names(login("committee").get("/members/cadres/")) == ["陈院长"]
    assert cadre_names(login("univ").get("/members/cadres/")) == ["林书记", "陈院长", "何院长"]
    page = login("univ").get("/members/cadres/").content.decode()
    assert (
        "校领导" in page
        and f"/members/{Cadre.objects.get(person__name='陈院长').person_id}/" in page
    )


def test_cadre_filters_and_export(tree, login) -> None:
    cadre(tree.b1, "陈院长")
    cadre(tree.b2, "吴副院长", rank="deputy_division", position="副院长")
    gone = cadre(tree.b2, "郑前任", position="原院长")
    actions.end_cadre(gone, on=TODAY(), acting_user=None)
    client = login("committee")
    assert cadre_names(client.get("/members/cadres/", {"rank": "deputy_division"})) == ["吴副院长"]
    assert cadre_names(client.get("/members/cadres/", {"status": "former"})) == ["郑前任"]
    assert len(cadre_names(client.get("/members/cadres/", {"status": "all"}))) == 3
    assert cadre_names(client.get("/members/cadres/", {"q": "cyz"})) == ["陈院长"]
    assert cadre_names(client.get("/members/cadres/", {"team": "文学院"})) == ["陈院长", "吴副院长"]
    response = client.get("/members/cadres/", {"export": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "陈院长",
        "吴副院长",
    }


def test_cadre_list_query_count_is_constant(tree, login) -> None:
    client = login("univ")
    cadre(tree.b1, "陈院长")
    few = _count(client, "/members/cadres/")
    for i in range(10):
        cadre(tree.b2 if i % 2 else tree.b3, f"丁{i}")
    assert _count(client, "/members/cadres/") == few <= 8
