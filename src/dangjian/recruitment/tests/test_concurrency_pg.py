"""Concurrency on PostgreSQL: one open case per person, each step recorded once, each
submitted step decided once — the others get the usual Chinese refusal, never an
IntegrityError or a doubled record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from dangjian.accounts.models import User
from dangjian.core.testing.personas import build_personas, build_tree
from dangjian.members.models import Person
from dangjian.members.tests.test_concurrency_pg import only_refusals, run_threads
from dangjian.recruitment import actions
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.testing import applicant, helpers_for, schedule, step_data, walk

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]
DAYS = schedule(date(2023, 3, 1))


@pytest.fixture
def world() -> dict[str, Any]:
    tree = build_tree()
    build_personas(tree)
    return {"tree": tree, "helpers": helpers_for(tree.b1)}


def user(name: str) -> User:
    return User.objects.get(username=name)


def test_one_open_case_per_person(world: dict[str, Any]) -> None:
    person = applicant(world["tree"].b1)

    def work(i: int) -> Any:
        return actions.open_case(
            Person.objects.get(pk=person.pk), applied_on=DAYS[1], acting_user=user("secretary")
        )

    results, errors = run_threads(4, work)
    assert len(results) == 1
    assert {e["__all__"] for e in only_refusals(errors)} == {"李申请已有进行中的发展党员档案。"}
    assert Case.objects.count() == 1 and StepRecord.objects.count() == 1


def test_a_step_is_recorded_once(world: dict[str, Any]) -> None:
    case = walk(applicant(world["tree"].b1), through=1, helpers=world["helpers"])
    data = step_data(2, DAYS, world["helpers"], 4)

    def work(i: int) -> Any:
        return actions.record_step(
            Case.objects.get(pk=case.pk),
            2,
            occurred_on=DAYS[2],
            data=data,
            acting_user=user("secretary"),
        )

    results, errors = run_threads(4, work)
    assert len(results) == 1
    assert {e["__all__"] for e in only_refusals(errors)} == {"第2步“党组织派人谈话”已登记。"}
    assert StepRecord.objects.filter(case=case, step=2).count() == 1
    assert Case.objects.get(pk=case.pk).next_step == 3


def test_a_submitted_step_is_decided_once(world: dict[str, Any]) -> None:
    case = walk(applicant(world["tree"].b1), through=3, helpers=world["helpers"])
    record = actions.record_step(case, 4, occurred_on=DAYS[4], acting_user=user("secretary")).record

    def work(i: int) -> Any:
        decision = "approved" if i % 2 else "returned"
        return actions.review_step(
            StepRecord.objects.get(pk=record.pk),
            decision=decision,
            decided_on=DAYS[4],
            reason="材料不全",
            acting_user=user("committee" if i % 2 else "univ"),
        )

    results, errors = run_threads(4, work)
    assert len(results) == 1
    assert {e["__all__"] for e in only_refusals(errors)} == {"该步骤不在待审核状态。"}
    assert Review.objects.filter(record=record).count() == 1
