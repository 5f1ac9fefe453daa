"""Concurrency on PostgreSQL: one person per ID number, one receipt per letter.

Two clerks registering the same person, receiving the same transfer or acting on the same
member at the same moment: exactly one succeeds, the others get the usual Chinese refusal
(a DomainError), never an IntegrityError or a doubled timeline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from dangjian.accounts.models import User
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import build_personas, build_tree
from dangjian.members import actions, validation
from dangjian.members.choices import EventKind, Status, TransferStatus
from dangjian.members.models import MemberEvent, Person, Transfer
from dangjian.members.testing import make_id_number, make_person, person_data
from dangjian.orgs.models import Organization

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]
DAY = date(2024, 3, 1)


def run_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run `work(i)` in `count` threads started together; their results and errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            results.append(work(i))
        except BaseException as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def only_refusals(errors: list[BaseException]) -> list[dict[str, str]]:
    assert all(isinstance(error, DomainError) for error in errors), errors
    return [error.errors for error in errors if isinstance(error, DomainError)]


@pytest.fixture
def world() -> dict[str, Any]:
    tree = build_tree()
    return {"tree": tree, "users": build_personas(tree)}


def user(name: str) -> User:
    return User.objects.get(username=name)  # each thread its own object, like a request


@pytest.mark.parametrize("precheck", [True, False], ids=["racing", "past-the-check"])
def test_one_person_per_id_number(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, precheck: bool
) -> None:
    if not precheck:  # every thread gets past clean_person: only the unique index stops them
        monkeypatch.setattr(validation, "check_unique_person", lambda *a, **k: None)
    number = make_id_number(date(1990, 3, 15), serial=31)
    b1_id = world["tree"].b1.pk

    def work(i: int) -> Person:
        data = person_data(Organization.objects.get(pk=b1_id), id_number=number, staff_no="")
        return actions.register_person(data, acting_user=user("secretary"))

    results, errors = run_threads(4, work)
    assert len(results) == 1 and Person.objects.count() == 1
    for refusal in only_refusals(errors):
        assert refusal["id_number"] == "该身份证号已登记（张三，文学院教工第一党支部）。"
    assert MemberEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="members.person.register", success=False).count() == 3
    assert audit.verify_chain()[1] is None


def test_one_person_per_staff_number(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validation, "check_unique_person", lambda *a, **k: None)
    b1_id = world["tree"].b1.pk

    def work(i: int) -> Person:
        data = person_data(
            Organization.objects.get(pk=b1_id),
            id_number=make_id_number(date(1990, 3, 15), serial=100 + i),
            staff_no="T-1",
        )
        return actions.register_person(data, acting_user=None)

    results, errors = run_threads(3, work)
    assert len(results) == 1 and Person.objects.count() == 1
    assert only_refusals(errors) == [{"staff_no": "工号/学号“T-1”已被他人使用。"}] * 2


def test_one_receipt_per_letter(world: dict[str, Any]) -> None:
    tree = world["tree"]
    person = make_person(tree.b1)
    letter = actions.issue_transfer(
        person,
        direction="internal",
        letter_no="ZZ-1",
        issued_on=DAY,
        to_organization=tree.b2,
        acting_user=None,
    )

    def work(i: int) -> Transfer:
        return actions.receive_transfer(
            Transfer.objects.get(pk=letter.pk), received_on=DAY, acting_user=user("committee")
        )

    results, errors = run_threads(4, work)
    assert len(results) == 1
    assert only_refusals(errors) == [{"__all__": "该转接已办结。"}] * 3
    assert Transfer.objects.get(pk=letter.pk).status == TransferStatus.RECEIVED
    assert Person.objects.get(pk=person.pk).organization_id == tree.b2.pk
    assert MemberEvent.objects.filter(kind=EventKind.TRANSFER_RECEIVED).count() == 1


def test_receive_and_return_at_once(world: dict[str, Any]) -> None:
    tree = world["tree"]
    person = make_person(tree.b1)
    letter = actions.issue_transfer(
        person,
        direction="internal",
        letter_no="ZZ-2",
        issued_on=DAY,
        to_organization=tree.b2,
        acting_user=None,
    )

    def work(i: int) -> Transfer:
        fresh = Transfer.objects.get(pk=letter.pk)
        if i % 2:
            return actions.return_transfer(fresh, returned_on=DAY, reason="错投", acting_user=None)
        return actions.receive_transfer(fresh, received_on=DAY, acting_user=None)

    results, errors = run_threads(4, work)
    assert len(results) == 1 and len(only_refusals(errors)) == 3
    final = Transfer.objects.get(pk=letter.pk)
    moved = Person.objects.get(pk=person.pk).organization_id == tree.b2.pk
    assert moved == (final.status == TransferStatus.RECEIVED)


def test_one_open_letter_and_one_suspension(world: dict[str, Any]) -> None:
    tree = world["tree"]
    person = make_person(tree.b1)

    def issue(i: int) -> Transfer:
        return actions.issue_transfer(
            Person.objects.get(pk=person.pk),
            direction="internal",
            letter_no=f"ZZ-{i}",
            issued_on=DAY,
            to_organization=Organization.objects.get(pk=tree.b2.pk),
            acting_user=user("secretary"),
        )

    results, errors = run_threads(3, issue)
    assert len(results) == 1 and Transfer.objects.count() == 1
    assert only_refusals(errors) == [{"__all__": "该人员已有尚未办结的转接，请先办结或退回。"}] * 2

    def suspend(i: int) -> Person:
        return actions.suspend(
            Person.objects.get(pk=person.pk), on=DAY, reason="失联", acting_user=None
        )

    results, errors = run_threads(3, suspend)
    assert len(results) == 1 and Person.objects.get(pk=person.pk).status == Status.SUSPENDED
    assert only_refusals(errors) == [{"__all__": "只有党籍正常的党员才能停止党籍。"}] * 2
    assert MemberEvent.objects.filter(kind=EventKind.SUSPENDED).count() == 1
