"""The member registry's actions: transfers, status changes, scope and organization merges.

Each success is checked for state, timeline entry (kind and date) and audit row, each refusal
for its Chinese message and for leaving nothing behind. Registration, edits, deletion and
corrections are in test_records.py; ID and phone protection in test_protection.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent, Notification
from dangjian.core.roles import RoleKind
from dangjian.core.testing.personas import Tree, make_user
from dangjian.members import actions
from dangjian.members.choices import Category, EventKind, Status, TransferStatus
from dangjian.members.models import MemberEvent, Person, Transfer
from dangjian.members.testing import make_person, person_data
from dangjian.orgs.actions import merge_organization
from dangjian.orgs.counts import MemberCount, member_counts

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 1)
LATER = date(2024, 3, 5)


@pytest.fixture
def person(tree: Tree) -> Person:
    return make_person(tree.b1, party_group=tree.g1)


@pytest.fixture
def sec2(tree: Tree) -> User:
    """A secretary of B2: the receiving side of a B1 → B2 transfer."""
    return make_user("sec2", RoleKind.BRANCH_SECRETARY, tree.b2)


def refused(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.errors


def last_event(person: Person) -> MemberEvent:
    return MemberEvent.objects.filter(person=person).order_by("-id")[0]


def audited(code: str, obj: Any, *, success: bool = True) -> AuditEvent:
    return AuditEvent.objects.filter(action=code, object_id=str(obj.pk), success=success).latest(
        "seq"
    )


def counts(*orgs: Any) -> list[MemberCount | None]:
    found = member_counts(list(orgs))
    return [found[org.pk] for org in orgs]


def issue(person: Person, to: Any, user: Any, **extra: Any) -> Transfer:
    values: dict[str, Any] = {
        "direction": "internal",
        "letter_no": "ZZ-001",
        "issued_on": DAY,
        "to_organization": to,
    }
    values.update(extra)
    return actions.issue_transfer(person, acting_user=user, **values)


# Transfers -----------------------------------------------------------------------------------


def test_internal_transfer_issue_and_receive(
    tree: Tree,
    personas: dict[str, User],
    person: Person,
    sec2: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        transfer = issue(person, tree.b2, personas["secretary"], reason="工作调动")
    assert transfer.status == TransferStatus.ISSUED and transfer.from_organization == tree.b1
    event = last_event(person)
    assert (event.kind, event.occurred_on) == (EventKind.TRANSFER_ISSUED, DAY)
    assert event.summary == "开具介绍信（ZZ-001），转往文学院本科生第一党支部"
    assert audited("members.transfer.issue", transfer).detail["letter_no"] == "ZZ-001"
    assert Notification.objects.filter(recipient=sec2, title="待接收组织关系：张三").exists()

    actions.receive_transfer(transfer, received_on=LATER, acting_user=sec2)
    person.refresh_from_db()
    assert (person.organization, person.party_group) == (tree.b2, None)
    assert (transfer.status, transfer.received_on) == (TransferStatus.RECEIVED, LATER)
    event = last_event(person)
    assert (event.kind, event.occurred_on, event.organization) == (
        EventKind.TRANSFER_RECEIVED,
        LATER,
        tree.b2,
    )
    row = audited("members.transfer.receive", person)
    assert row.changes["organization_id"] == [tree.b1.pk, tree.b2.pk]
    assert counts(tree.b1, tree.b2, tree.c1) == [
        MemberCount(0, 0),
        MemberCount(1, 1),
        MemberCount(1, 1),
    ]
    errors = refused(
        lambda: actions.receive_transfer(transfer, received_on=LATER, acting_user=sec2)
    )
    assert errors == {"__all__": "该转接已办结。"}


def test_issue_refusals(tree: Tree, personas: dict[str, User], person: Person) -> None:
    sec = personas["secretary"]
    assert refused(lambda: issue(person, tree.b1, sec)) == {
        "to_organization": "转入党组织不能与现所在党组织相同。"
    }
    assert refused(lambda: issue(person, tree.g1, sec)) == {
        "to_organization": "请选择正常状态的党支部（或党委、党总支）。"
    }
    assert refused(lambda: issue(person, None, sec)) == {"to_organization": "请选择转入的党组织。"}
    assert refused(lambda: issue(person, tree.b2, sec, letter_no=" ")) == {
        "letter_no": "请填写介绍信编号。"
    }
    assert refused(lambda: issue(person, None, sec, direction="outbound")) == {
        "other_institution": "请填写转往的校外党组织。"
    }
    assert refused(lambda: issue(person, tree.b2, sec, direction="sideways")) == {
        "direction": "请选择转接类型。"
    }
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refused(lambda: issue(person, tree.b2, sec, issued_on=tomorrow)) == {
        "issued_on": "日期不能晚于今天。"
    }
    issue(person, tree.b2, sec)
    assert refused(lambda: issue(person, tree.b3, sec)) == {
        "__all__": "该人员已有尚未办结的转接，请先办结或退回。"
    }
    assert Transfer.objects.count() == 1
    assert AuditEvent.objects.filter(action="members.transfer.issue", success=False).count() == 8


@pytest.mark.parametrize("who", ["secretary", "outsider", "member"])
def test_only_the_receiving_side_receives(
    tree: Tree, personas: dict[str, User], person: Person, who: str
) -> None:
    transfer = issue(person, tree.b2, personas["secretary"])
    errors = refused(
        lambda: actions.receive_transfer(transfer, received_on=LATER, acting_user=personas[who])
    )
    assert errors == {"__all__": "您无权接收“文学院本科生第一党支部”的人员。"}
    transfer.refresh_from_db()
    assert transfer.is_open and Person.objects.get(pk=person.pk).organization == tree.b1


def test_committee_and_system_receive(tree: Tree, personas: dict[str, User]) -> None:
    first, second = make_person(tree.b1), make_person(tree.b1, name="李四")
    actions.receive_transfer(
        issue(first, tree.b2, None), received_on=LATER, acting_user=personas["committee"]
    )
    actions.receive_transfer(issue(second, tree.b3, None), received_on=LATER, acting_user=None)
    assert Person.objects.get(pk=second.pk).organization == tree.b3


def test_receive_dates(tree: Tree, person: Person, sec2: User) -> None:
    transfer = issue(person, tree.b2, None)
    assert refused(
        lambda: actions.receive_transfer(transfer, received_on=DAY - timedelta(1), acting_user=sec2)
    ) == {"received_on": "接收日期不能早于介绍信开具日期。"}
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refused(
        lambda: actions.receive_transfer(transfer, received_on=tomorrow, acting_user=sec2)
    ) == {"received_on": "日期不能晚于今天。"}
    actions.receive_transfer(transfer, received_on=DAY, acting_user=sec2)  # same day: fine


def test_receive_refused_when_the_person_or_the_target_is_gone(
    tree: Tree, personas: dict[str, User], sec2: User
) -> None:
    first, second = make_person(tree.b1), make_person(tree.b1, name="李四")
    letter = issue(first, tree.b2, None)
    actions.record_death(first, on=LATER, acting_user=None)
    assert refused(lambda: actions.receive_transfer(letter, received_on=LATER, acting_user=sec2))[
        "__all__"
    ].endswith("的党籍状态为“已去世”，不能办理此项业务。")
    other = issue(second, tree.b3, None)
    tree.b3.status = "dissolved"
    tree.b3.save()
    assert refused(
        lambda: actions.receive_transfer(other, received_on=LATER, acting_user=None)
    ) == {"__all__": "转入党组织“数学学院研究生党支部”已撤销或合并，请退回介绍信后重新开具。"}


def test_return_a_letter(tree: Tree, personas: dict[str, User], person: Person, sec2: User) -> None:
    transfer = issue(person, tree.b2, personas["secretary"])
    assert refused(
        lambda: actions.return_transfer(transfer, returned_on=LATER, reason=" ", acting_user=sec2)
    ) == {"reason": "请填写退回原因。"}
    assert refused(
        lambda: actions.return_transfer(
            transfer, returned_on=DAY - timedelta(1), reason="错投", acting_user=sec2
        )
    ) == {"returned_on": "退回日期不能早于介绍信开具日期。"}
    assert refused(
        lambda: actions.return_transfer(
            transfer, returned_on=LATER, reason="错投", acting_user=personas["outsider"]
        )
    ) == {"__all__": "您无权办理“张三”的此项业务。"}
    actions.return_transfer(transfer, returned_on=LATER, reason=" 错投 ", acting_user=sec2)
    assert (transfer.status, transfer.return_reason) == (TransferStatus.RETURNED, "错投")
    event = last_event(person)
    assert (event.kind, event.occurred_on) == (EventKind.TRANSFER_RETURNED, LATER)
    assert event.summary == "介绍信ZZ-001退回：错投"
    assert Person.objects.get(pk=person.pk).organization == tree.b1
    assert audited("members.transfer.return", transfer).changes == {
        "status": ["issued", "returned"]
    }
    assert refused(
        lambda: actions.return_transfer(transfer, returned_on=LATER, reason="x", acting_user=sec2)
    ) == {"__all__": "该转接已办结。"}
    issue(person, tree.b2, personas["secretary"], letter_no="ZZ-002")  # a new letter is fine


def test_outbound_transfer_takes_the_member_off_the_books(
    tree: Tree, personas: dict[str, User], person: Person
) -> None:
    sec = personas["secretary"]
    transfer = issue(person, None, sec, direction="outbound", other_institution="北京大学党委")
    assert transfer.to_organization is None
    assert refused(
        lambda: actions.receive_transfer(
            transfer, received_on=LATER, acting_user=personas["outsider"]
        )
    ) == {"__all__": "您无权办理“张三”的此项业务。"}
    actions.receive_transfer(transfer, received_on=LATER, acting_user=sec)
    person.refresh_from_db()
    assert (person.status, person.off_books_on) == (Status.TRANSFERRED_OUT, LATER)
    assert last_event(person).summary == "组织关系已转至北京大学党委"
    assert counts(tree.b1, tree.university) == [MemberCount(0, 0)] * 2


def test_receive_from_outside_and_coming_back(
    tree: Tree, personas: dict[str, User], person: Person
) -> None:
    sec = personas["secretary"]
    arrived = actions.receive_from_outside(
        person_data(tree.b1, name="王五", phone=""),
        other_institution="北京大学党委",
        letter_no="BJ-9",
        issued_on=DAY,
        received_on=LATER,
        acting_user=sec,
    )
    inbound = Transfer.objects.get(person=arrived)
    assert (inbound.direction, inbound.status, inbound.to_organization) == (
        "inbound",
        "received",
        tree.b1,
    )
    assert last_event(arrived).summary == "从北京大学党委转入文学院教工第一党支部（介绍信BJ-9）"

    number = person.reveal_id_number()
    again = dict(other_institution="北京大学党委", letter_no="BJ-10", issued_on=DAY)
    assert "id_number" in refused(
        lambda: actions.receive_from_outside(
            person_data(tree.b1, id_number=number), received_on=LATER, acting_user=sec, **again
        )
    )
    out = issue(person, None, sec, direction="outbound", other_institution="北京大学党委")
    actions.receive_transfer(out, received_on=DAY, acting_user=sec)
    back = actions.receive_from_outside(
        person_data(tree.b1, id_number=number), received_on=LATER, acting_user=sec, **again
    )
    assert back.pk == person.pk and back.status == Status.NORMAL and back.off_books_on is None
    assert counts(tree.b1) == [MemberCount(2, 2)]


def test_receive_from_outside_refusals(tree: Tree, personas: dict[str, User]) -> None:
    def receive(org: Any, user: Any, **extra: Any) -> Any:
        values = dict(other_institution="北大", letter_no="L1", issued_on=DAY, received_on=DAY)
        values.update(extra)
        return actions.receive_from_outside(person_data(org), acting_user=user, **values)

    assert refused(lambda: receive(tree.b2, personas["secretary"])) == {
        "__all__": "您无权接收“文学院本科生第一党支部”的人员。"
    }
    assert refused(lambda: receive(tree.b1, None, other_institution="", letter_no="")) == {
        "other_institution": "请填写转出的校外党组织。",
        "letter_no": "请填写介绍信编号。",
    }
    assert refused(lambda: receive(tree.b1, None, issued_on=LATER, received_on=DAY)) == {
        "issued_on": "介绍信开具日期不能晚于接收日期。"
    }
    assert not Person.objects.exists() and not Transfer.objects.exists()


# Status --------------------------------------------------------------------------------------


def test_floating(person: Person, personas: dict[str, User]) -> None:
    sec = personas["secretary"]
    assert refused(
        lambda: actions.start_floating(
            person, destination="深圳", on=DAY, until=DAY, acting_user=sec
        )
    ) == {"until": "预计返回日期应晚于外出日期。"}
    assert refused(
        lambda: actions.start_floating(person, destination=" ", on=DAY, until=None, acting_user=sec)
    ) == {"destination": "请填写外出流向（地点、单位）。"}
    assert refused(lambda: actions.end_floating(person, on=DAY, acting_user=sec)) == {
        "__all__": "该党员不是流动党员。"
    }
    actions.start_floating(person, destination=" 深圳 ", on=DAY, until=None, acting_user=sec)
    assert (person.is_floating, person.floating_destination, person.floating_from) == (
        True,
        "深圳",
        DAY,
    )
    assert (last_event(person).kind, last_event(person).occurred_on) == (
        EventKind.FLOATING_STARTED,
        DAY,
    )
    assert audited("members.floating.start", person).changes["is_floating"] == [False, True]
    assert refused(
        lambda: actions.start_floating(person, destination="x", on=DAY, until=None, acting_user=sec)
    ) == {"__all__": "该党员已登记为流动党员。"}
    assert refused(
        lambda: actions.end_floating(person, on=DAY - timedelta(1), acting_user=sec)
    ) == {"on": "结束日期不能早于外出日期。"}
    actions.end_floating(person, on=LATER, acting_user=sec)
    assert not person.is_floating and last_event(person).kind == EventKind.FLOATING_ENDED


def test_lost_contact(person: Person, personas: dict[str, User]) -> None:
    sec = personas["secretary"]
    assert refused(lambda: actions.restore_contact(person, on=DAY, acting_user=sec)) == {
        "__all__": "该党员未登记为失联。"
    }
    actions.mark_lost_contact(person, since=DAY, acting_user=sec)
    assert (person.lost_contact, person.lost_contact_since) == (True, DAY)
    assert (last_event(person).kind, last_event(person).occurred_on) == (
        EventKind.LOST_CONTACT,
        DAY,
    )
    assert refused(lambda: actions.mark_lost_contact(person, since=DAY, acting_user=sec)) == {
        "__all__": "该党员已登记为失联。"
    }
    assert refused(
        lambda: actions.restore_contact(person, on=DAY - timedelta(1), acting_user=sec)
    ) == {"on": "恢复联系日期不能早于失联日期。"}
    actions.restore_contact(person, on=LATER, acting_user=sec)
    assert not person.lost_contact and last_event(person).kind == EventKind.CONTACT_RESTORED
    assert audited("members.contact.restored", person).changes["lost_contact"] == [True, False]


def test_suspend_and_restore(tree: Tree, person: Person, personas: dict[str, User]) -> None:
    sec = personas["secretary"]
    assert refused(lambda: actions.suspend(person, on=DAY, reason="", acting_user=sec)) == {
        "reason": "请填写停止党籍的原因。"
    }
    assert refused(
        lambda: actions.restore_standing(person, on=DAY, reason="x", acting_user=sec)
    ) == {"__all__": "该党员未被停止党籍。"}
    actions.suspend(person, on=DAY, reason="失联超过6个月", acting_user=sec)
    assert (person.status, person.suspended_on) == (Status.SUSPENDED, DAY)
    assert last_event(person).summary == "停止党籍：失联超过6个月"
    assert counts(tree.b1) == [MemberCount(1, 1)]  # suspended members are still counted
    assert refused(lambda: actions.suspend(person, on=DAY, reason="x", acting_user=sec)) == {
        "__all__": "只有党籍正常的党员才能停止党籍。"
    }
    assert refused(
        lambda: actions.restore_standing(person, on=DAY - timedelta(1), reason="x", acting_user=sec)
    ) == {"on": "恢复日期不能早于停止党籍日期。"}
    actions.restore_standing(person, on=LATER, reason="已取得联系", acting_user=sec)
    assert person.status == Status.NORMAL and last_event(person).kind == EventKind.RESTORED
    applicant = make_person(
        tree.b1,
        name="赵六",
        category=Category.APPLICANT,
        activist_on=None,
        candidate_on=None,
        joined_on=None,
        converted_on=None,
    )
    assert refused(lambda: actions.suspend(applicant, on=DAY, reason="x", acting_user=sec)) == {
        "__all__": "只有党籍正常的党员才能停止党籍。"
    }


def test_leave_the_party(tree: Tree, person: Person, personas: dict[str, User]) -> None:
    sec = personas["secretary"]
    assert refused(lambda: actions.leave_party(person, on=DAY, reason="gone", acting_user=sec)) == {
        "reason": "请选择出党方式。"
    }
    assert refused(
        lambda: actions.leave_party(person, on=DAY, reason="probation_cancelled", acting_user=sec)
    ) == {"reason": "只有预备党员才能取消预备党员资格。"}
    assert refused(
        lambda: actions.leave_party(person, on=date(2012, 5, 31), reason="removed", acting_user=sec)
    ) == {"on": "出党日期不能早于入党日期。"}
    actions.leave_party(person, on=DAY, reason="withdrawal", acting_user=sec)
    assert (person.status, person.left_on, person.off_books_on) == (Status.LEFT, DAY, DAY)
    assert last_event(person).summary == "出党（退党）"
    assert counts(tree.b1) == [MemberCount(0, 0)]
    assert refused(
        lambda: actions.leave_party(person, on=DAY, reason="withdrawal", acting_user=sec)
    ) == {"__all__": "张三的党籍状态为“已出党”，不能办理此项业务。"}
    for act in (
        lambda: actions.suspend(person, on=DAY, reason="x", acting_user=sec),
        lambda: actions.mark_lost_contact(person, since=DAY, acting_user=sec),
        lambda: issue(person, tree.b2, sec),
    ):
        assert refused(act)


def test_record_death(tree: Tree, person: Person) -> None:
    assert refused(
        lambda: actions.record_death(person, on=date(1990, 3, 14), acting_user=None)
    ) == {"on": "去世日期不能早于出生日期。"}
    actions.start_floating(person, destination="深圳", on=DAY, until=None, acting_user=None)
    actions.record_death(person, on=LATER, acting_user=None)
    assert (person.status, person.died_on, person.is_floating) == (Status.DECEASED, LATER, False)
    assert counts(tree.b1) == [MemberCount(0, 0)]


FUTURE_ACTS: list[Callable[[Person, date], Any]] = [
    lambda p, d: actions.start_floating(p, destination="x", on=d, until=None, acting_user=None),
    lambda p, d: actions.mark_lost_contact(p, since=d, acting_user=None),
    lambda p, d: actions.suspend(p, on=d, reason="x", acting_user=None),
    lambda p, d: actions.leave_party(p, on=d, reason="withdrawal", acting_user=None),
    lambda p, d: actions.record_death(p, on=d, acting_user=None),
]


@pytest.mark.parametrize("act", FUTURE_ACTS)
def test_no_dates_in_the_future(person: Person, act: Callable[[Person, date], Any]) -> None:
    errors = refused(lambda: act(person, timezone.localdate() + timedelta(days=1)))
    assert list(errors.values()) == ["日期不能晚于今天。"]
    assert Person.objects.get(pk=person.pk).status == Status.NORMAL
    act(Person.objects.get(pk=person.pk), timezone.localdate())  # today is fine


# Scope ---------------------------------------------------------------------------------------

SCOPED_ACTS: list[Callable[[Person, Any], Any]] = [
    lambda p, u: actions.suspend(p, on=DAY, reason="x", acting_user=u),
    lambda p, u: actions.mark_lost_contact(p, since=DAY, acting_user=u),
    lambda p, u: actions.start_floating(p, destination="x", on=DAY, until=None, acting_user=u),
    lambda p, u: actions.leave_party(p, on=DAY, reason="withdrawal", acting_user=u),
    lambda p, u: actions.record_death(p, on=DAY, acting_user=u),
    lambda p, u: actions.update_person(p, {"address": "长沙"}, acting_user=u),
    lambda p, u: issue(p, None, u, direction="outbound", other_institution="北大"),
]


@pytest.mark.parametrize("act", SCOPED_ACTS)
def test_scope_of_the_actions(
    tree: Tree, personas: dict[str, User], act: Callable[[Person, Any], Any]
) -> None:
    in_b2 = make_person(tree.b2, name="钱七")
    mine = make_person(tree.b1, name="孙八")
    mine.user = personas["member"]
    mine.save()
    for who, target in (("secretary", in_b2), ("outsider", mine), ("member", mine)):
        errors = refused(lambda: act(target, personas[who]))  # noqa: B023
        assert errors == {"__all__": f"您无权办理“{target.name}”的此项业务。"}
    assert AuditEvent.objects.filter(success=False).count() == 3
    assert not MemberEvent.objects.exclude(kind=EventKind.REGISTERED).exists()
    act(in_b2, personas["committee"])
    act(mine, None)


# Organization merges -------------------------------------------------------------------------


def test_merge_moves_people_and_open_letters(tree: Tree, personas: dict[str, User]) -> None:
    in_b2 = make_person(tree.b2, name="吴十")
    in_b1 = make_person(tree.b1, name="郑一")
    in_b3 = make_person(tree.b3, name="冯二")
    letter = issue(in_b1, tree.b2, None)
    towards = issue(in_b3, tree.b2, None)
    assert counts(tree.b1, tree.b2) == [MemberCount(1, 1), MemberCount(1, 1)]
    merge_organization(tree.b2, tree.b1, on=DAY, acting_user=personas["committee"])
    in_b2.refresh_from_db()
    assert in_b2.organization == tree.b1
    event = last_event(in_b2)
    assert event.kind == EventKind.UPDATED
    assert event.summary == "所在党组织文学院本科生第一党支部并入文学院教工第一党支部"
    assert counts(tree.b1, tree.b2, tree.c1) == [
        MemberCount(2, 2),
        MemberCount(0, 0),
        MemberCount(2, 2),
    ]
    letter.refresh_from_db()
    assert letter.to_organization == tree.b2  # from B1 to B2: nowhere to go, to be returned
    towards.refresh_from_db()
    assert towards.to_organization == tree.b1  # from B3: now received by B1
    actions.receive_transfer(towards, received_on=LATER, acting_user=personas["secretary"])
    merge = AuditEvent.objects.get(action="orgs.organization.merge")
    assert merge.detail["records_moved"] == 1


def test_merge_of_party_groups_moves_their_members(tree: Tree, personas: dict[str, User]) -> None:
    from dangjian.orgs.models import Organization

    g2 = Organization.objects.add_child(
        Organization.objects.get(pk=tree.b1.pk),
        dict(name="第二党小组", code="C1-B1-G2", level="party_group"),
    )
    person = make_person(tree.b1, party_group=tree.g1)
    merge_organization(tree.g1, g2, on=DAY, acting_user=personas["committee"])
    person.refresh_from_db()
    assert (person.organization, person.party_group) == (tree.b1, g2)
