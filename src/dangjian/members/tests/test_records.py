"""Registration, edits, deletion and members' correction requests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.models import AuditEvent, Notification
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.choices import CorrectionStatus, EventKind
from dangjian.members.models import CorrectionRequest, MemberEvent, Person
from dangjian.members.testing import make_id_number, make_person, person_data
from dangjian.members.tests.test_actions import audited, counts, issue, last_event, refused
from dangjian.orgs.counts import MemberCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(tree: Tree) -> Person:
    return make_person(tree.b1)


@pytest.fixture
def own(tree: Tree, personas: dict[str, User]) -> Person:
    """The member persona's own record."""
    person = make_person(tree.b1, phone="13800138000", address="长沙市岳麓区")
    Person.objects.filter(pk=person.pk).update(user=personas["member"])
    person.refresh_from_db()
    return person


def ask(person: Person, user: Any, field: str = "phone", proposed: str = "13912345678") -> Any:
    return actions.request_correction(
        person, field=field, proposed=proposed, reason="号码已更换", acting_user=user
    )


def decide(correction: Any, user: Any, accept: bool = True, response: str = "") -> Any:
    return actions.decide_correction(correction, accept=accept, response=response, acting_user=user)


# Registration --------------------------------------------------------------------------------


def test_register_writes_timeline_and_audit(tree: Tree, personas: dict[str, User]) -> None:
    person = actions.register_person(person_data(tree.b1), acting_user=personas["secretary"])
    event = last_event(person)
    assert (event.kind, event.occurred_on, event.actor) == (
        EventKind.REGISTERED,
        timezone.localdate(),
        personas["secretary"],
    )
    assert event.summary == "登记于文学院教工第一党支部，类别：正式党员"
    row = audited("members.person.register", person)
    assert row.actor_name == "secretary" and row.changes["name"] == [None, "张三"]
    assert counts(tree.b1, tree.c1, tree.university) == [MemberCount(1, 1)] * 3


@pytest.mark.parametrize("who", ["member", "outsider", "norole", "auditor"])
def test_register_outside_the_grant_is_refused(
    tree: Tree, personas: dict[str, User], who: str
) -> None:
    errors = refused(
        lambda: actions.register_person(person_data(tree.b1), acting_user=personas[who])
    )
    assert errors == {"__all__": "您无权登记“文学院教工第一党支部”的人员。"}
    assert not Person.objects.exists()


def test_secretary_registers_only_in_the_own_branch(tree: Tree, personas: dict[str, User]) -> None:
    errors = refused(
        lambda: actions.register_person(person_data(tree.b2), acting_user=personas["secretary"])
    )
    assert errors == {"__all__": "您无权登记“文学院本科生第一党支部”的人员。"}


def test_delete_only_a_record_without_history(
    tree: Tree, personas: dict[str, User], person: Person
) -> None:
    assert refused(lambda: actions.delete_person(person, acting_user=personas["secretary"])) == {
        "__all__": "您无权办理“张三”的此项业务。"
    }
    fresh = make_person(tree.b1, name="周九")
    actions.delete_person(fresh, acting_user=personas["committee"])
    assert not Person.objects.filter(name="周九").exists()
    issue(person, tree.b2, None)
    assert refused(lambda: actions.delete_person(person, acting_user=personas["committee"]))
    assert Person.objects.filter(pk=person.pk).exists()


# Edits ---------------------------------------------------------------------------------------


def test_update_names_the_changed_fields_and_masks_protected_ones(
    tree: Tree, personas: dict[str, User]
) -> None:
    person = make_person(tree.b1)
    number = make_id_number(date(1990, 3, 15), serial=777)
    actions.update_person(
        person,
        {"phone": "13912345678", "id_number": number, "address": "长沙"},
        acting_user=personas["secretary"],
    )
    assert person.reveal_phone() == "13912345678" and person.reveal_id_number() == number
    event = last_event(person)
    assert (event.kind, event.occurred_on) == (EventKind.UPDATED, timezone.localdate())
    assert event.summary == "修改：身份证号、手机号码、家庭住址"
    changes = audited("members.person.update", person).changes
    assert changes["phone_masked"] == ["138****8000", "139****5678"]
    assert (
        changes["phone_cipher"][1] == changes["id_cipher"][1] == changes["id_hash"][1] == "******"
    )


def test_an_edit_without_changes_writes_nothing(tree: Tree) -> None:
    person = make_person(tree.b1)
    actions.update_person(person, {"address": "", "phone": "138 0013 8000"}, acting_user=None)
    assert MemberEvent.objects.filter(person=person).count() == 1  # registered only


def test_an_edit_cannot_move_the_person(tree: Tree, personas: dict[str, User]) -> None:
    person = make_person(tree.b1)
    assert refused(
        lambda: actions.update_person(
            person, {"organization": tree.b2}, acting_user=personas["committee"]
        )
    ) == {"organization": "变更所在党组织请办理组织关系转接。"}
    assert refused(
        lambda: actions.update_person(
            person, {"birth_date": date(1991, 1, 1)}, acting_user=personas["committee"]
        )
    ) == {"birth_date": "出生日期与身份证号（1990-03-15）不一致。"}
    assert Person.objects.get(pk=person.pk).organization == tree.b1


# Corrections ---------------------------------------------------------------------------------


def test_member_asks_to_correct_the_own_phone(
    own: Person, personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        correction = ask(own, personas["member"])
    assert correction.status == CorrectionStatus.PENDING
    assert correction.current_value == "138****8000"
    assert correction.proposed_value.startswith("sm4gcm$") and "13912345678" not in (
        correction.proposed_value
    )
    assert actions.proposed_plain(correction) == "13912345678"
    assert Notification.objects.filter(
        recipient=personas["secretary"], title="信息更正申请：张三"
    ).exists()
    assert audited("members.correction.request", correction).detail == {"field": "phone"}

    with django_capture_on_commit_callbacks(execute=True):
        decide(correction, personas["secretary"])
    own.refresh_from_db()
    assert own.reveal_phone() == "13912345678" and own.phone_masked == "139****5678"
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == (
        CorrectionStatus.ACCEPTED,
        personas["secretary"],
    )
    kinds = list(MemberEvent.objects.filter(person=own).values_list("kind", flat=True))
    assert EventKind.CORRECTED in kinds and EventKind.UPDATED in kinds
    assert last_event(own).summary == "根据本人申请更正“手机号码”"
    assert Notification.objects.filter(
        recipient=personas["member"], title="信息更正申请已处理"
    ).exists()
    assert refused(lambda: decide(correction, personas["secretary"])) == {
        "__all__": "该申请已处理。"
    }


def test_accepted_address_is_applied_other_fields_are_only_marked(
    own: Person, personas: dict[str, User]
) -> None:
    decide(ask(own, personas["member"], "address", "长沙市天心区"), personas["secretary"])
    decide(ask(own, personas["member"], "education", "博士研究生"), personas["secretary"])
    own.refresh_from_db()
    assert own.address == "长沙市天心区" and own.education == "master"
    corrected = MemberEvent.objects.filter(person=own, kind=EventKind.CORRECTED)
    assert corrected.count() == 2


def test_only_the_own_record_and_one_pending_request_per_field(
    tree: Tree, own: Person, personas: dict[str, User]
) -> None:
    other = make_person(tree.b1, name="李四")
    assert refused(lambda: ask(other, personas["member"])) == {
        "__all__": "只能为本人的信息提交更正申请。"
    }
    assert refused(lambda: ask(own, personas["secretary"])) == {
        "__all__": "只能为本人的信息提交更正申请。"
    }
    ask(own, personas["member"])
    assert refused(lambda: ask(own, personas["member"], proposed="13700000000")) == {
        "field": "该项目已有待处理的更正申请。"
    }
    ask(own, personas["member"], "address", "长沙")  # another field is fine
    assert refused(lambda: ask(own, personas["member"], "password", "x")) == {
        "field": "请选择需更正的项目。"
    }
    assert refused(lambda: ask(own, personas["member"], "unit", " ")) == {
        "proposed": "请填写应更正为的内容。"
    }
    assert refused(lambda: ask(own, personas["member"], "unit", "长" * 201)) == {
        "proposed": "不能超过200个字。"
    }
    assert CorrectionRequest.objects.count() == 2


def test_rejection_needs_a_reason_and_changes_nothing(
    own: Person, personas: dict[str, User]
) -> None:
    correction = ask(own, personas["member"], "address", "长沙市天心区")
    assert refused(lambda: decide(correction, personas["secretary"], accept=False)) == {
        "response": "不采纳时请填写理由。"
    }
    decide(correction, personas["secretary"], accept=False, response="与档案不符")
    correction.refresh_from_db()
    assert (correction.status, correction.response) == (CorrectionStatus.REJECTED, "与档案不符")
    assert Person.objects.get(pk=own.pk).address == "长沙市岳麓区"
    assert not MemberEvent.objects.filter(person=own, kind=EventKind.CORRECTED).exists()


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_deciding_is_for_the_branch(own: Person, personas: dict[str, User], who: str) -> None:
    correction = ask(own, personas["member"], "address", "长沙")
    assert refused(lambda: decide(correction, personas[who])) == {
        "__all__": "您无权办理“张三”的此项业务。"
    }
    assert CorrectionRequest.objects.get(pk=correction.pk).status == CorrectionStatus.PENDING


def test_a_malformed_phone_is_not_applied(own: Person, personas: dict[str, User]) -> None:
    correction = ask(own, personas["member"], proposed="12345")
    assert refused(lambda: decide(correction, personas["secretary"])) == {
        "__all__": "申请的手机号码格式不正确，无法直接更正。"
    }
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert Person.objects.get(pk=own.pk).reveal_phone() == "13800138000"


def test_an_id_number_proposal_stays_encrypted_and_is_not_applied(
    own: Person, personas: dict[str, User]
) -> None:
    number = make_id_number(date(1990, 3, 15), serial=555)
    correction = ask(own, personas["member"], "id_number", number)
    assert number not in correction.proposed_value and correction.current_value == own.id_masked
    decide(correction, personas["committee"])
    assert Person.objects.get(pk=own.pk).reveal_id_number() != number
    assert AuditEvent.objects.filter(action="members.correction.decide", success=True).exists()
