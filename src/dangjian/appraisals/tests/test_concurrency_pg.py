"""Concurrency on PostgreSQL: one vote per voter and per code however many requests race,
and many voters at once leave exactly one ballot each."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from dangjian.accounts.models import User
from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, Campaign, VoteCode, Voter
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.core.testing.personas import build_personas, build_tree, make_user
from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.members.tests.test_concurrency_pg import only_refusals, run_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world() -> dict[str, Any]:
    tree = build_tree()
    build_personas(tree)
    people = []
    for n in range(12):
        person = make_person(
            tree.b1,
            name=f"投票人{n}",
            staff_no=f"PG{n}",
            birth_date=date(1991, 1, 1) + timedelta(days=n),
        )
        Person.objects.filter(pk=person.pk).update(user=make_user(f"pgvoter{n}"))
        people.append(person)
    campaign = make_campaign(tree.b1, codes=3)
    return {"campaign": campaign, "people": people}


def _campaign(world: dict[str, Any]) -> Campaign:
    return Campaign.objects.get(pk=world["campaign"].pk)  # each thread its own, like a request


@pytest.mark.parametrize("relaxed", [True, False], ids=["async commit", "sync commit"])
def test_one_voter_votes_once_under_racing_submissions(
    world: dict[str, Any], settings: Any, relaxed: bool
) -> None:
    settings.BALLOT_ASYNC_COMMIT = relaxed
    answers = uniform_answers(world["campaign"], "qualified")

    def work(i: int) -> Any:
        return actions.cast_ballot(
            _campaign(world), answers, voter_user=User.objects.get(username="pgvoter0")
        )

    results, errors = run_threads(8, work)
    assert len(results) == 1 and len(errors) == 7
    assert all("投过票" in e["__all__"] for e in only_refusals(errors))
    assert Ballot.objects.count() == 1
    assert Voter.objects.filter(has_voted=True).count() == 1


def test_one_code_votes_once_under_racing_submissions(world: dict[str, Any]) -> None:
    code = reveal_code(VoteCode.objects.get(serial=2))
    answers = uniform_answers(world["campaign"], "qualified")
    results, errors = run_threads(8, lambda i: actions.cast_with_code(code, answers))
    assert len(results) == 1 and len(errors) == 7
    assert all("已使用" in e["__all__"] for e in only_refusals(errors))
    assert Ballot.objects.count() == 1 and VoteCode.objects.filter(used=True).count() == 1


def test_many_voters_at_once_leave_one_ballot_each(world: dict[str, Any]) -> None:
    answers = uniform_answers(world["campaign"], "excellent")

    def work(i: int) -> Any:
        user = User.objects.get(username=f"pgvoter{i}")
        return actions.cast_ballot(_campaign(world), answers, voter_user=user)

    results, errors = run_threads(12, work)
    assert errors == [] and len(set(results)) == 12
    assert Ballot.objects.count() == 12
    assert Voter.objects.filter(has_voted=True).count() == 12
    campaign = _campaign(world)
    actions.close_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    assert campaign.ballot_count == 12


def _xmins(table: str, campaign_id: int) -> tuple[int, int]:
    """(rows, distinct writing transactions) of a campaign's rows in `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(DISTINCT xmin::text) FROM {table} WHERE campaign_id = %s",
            [campaign_id],
        )
        return cursor.fetchone()


def test_closing_reseals_ballots_voters_and_codes(world: dict[str, Any]) -> None:
    """While voting each ballot shares its transaction with its voter's row; after closing all
    rows of the campaign carry one transaction, and the count is unchanged."""
    campaign = _campaign(world)
    answers = uniform_answers(campaign, "qualified")
    for i in range(5):
        actions.cast_ballot(campaign, answers, voter_user=User.objects.get(username=f"pgvoter{i}"))
    actions.cast_with_code(reveal_code(VoteCode.objects.get(serial=1)), answers)
    assert _xmins("appraisals_ballot", campaign.pk) == (6, 6)
    voted = set(Voter.objects.filter(has_voted=True).values_list("person_id", flat=True))
    actions.close_voting(campaign, acting_user=None)
    for table, rows in (
        ("appraisals_ballot", 6),
        ("appraisals_voter", 12),
        ("appraisals_votecode", 3),
    ):
        assert _xmins(table, campaign.pk) == (rows, 1)
    assert set(Voter.objects.filter(has_voted=True).values_list("person_id", flat=True)) == voted
    assert VoteCode.objects.filter(used=True).count() == 1
    campaign.refresh_from_db()
    assert campaign.ballot_count == 6
