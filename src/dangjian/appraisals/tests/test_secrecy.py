"""Secrecy: nothing stored or logged joins a ballot to its voter (domain.md §5).

The ballot table holds the campaign, the answers and the hash of a receipt only the voter
saw; ids are random, so their order is not the order of casting; voter rows and codes carry
no time; casting writes nothing to the audit log and nothing to the application log.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection, models

from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, VoteCode, Voter
from dangjian.appraisals.testing import uniform_answers
from dangjian.appraisals.voting import receipt_hash
from dangjian.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TIME_FIELDS = (models.DateField, models.DateTimeField, models.TimeField)


def _columns(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {column.name for column in table}


def test_the_ballot_table_holds_no_voter_code_or_time():
    assert _columns(Ballot) == {"id", "campaign_id", "answers", "receipt_hash"}
    relations = [f.name for f in Ballot._meta.get_fields() if f.is_relation]
    assert relations == ["campaign"]
    assert isinstance(Ballot._meta.pk, models.UUIDField)


@pytest.mark.parametrize("model", [Voter, VoteCode, Ballot])
def test_no_time_is_kept_on_voters_codes_or_ballots(model):
    assert not [f.name for f in model._meta.get_fields() if isinstance(f, TIME_FIELDS)]
    related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
    assert Ballot not in related or model is Ballot


def test_the_order_of_ballots_says_nothing_of_who_voted_when(campaign, branch_members):
    receipts = [
        actions.cast_ballot(campaign, uniform_answers(campaign, "qualified"), voter_user=p.user)
        for p in branch_members
    ]
    code = reveal_code(campaign.codes.get(serial=1))
    receipts.append(actions.cast_with_code(code, uniform_answers(campaign, "qualified"))[1])
    ids = dict(Ballot.objects.values_list("receipt_hash", "id"))
    in_casting_order = [ids[receipt_hash(r)] for r in receipts]
    stored = list(Ballot.objects.filter(campaign=campaign).values_list("id", flat=True))
    assert stored == sorted(in_casting_order)
    assert stored != in_casting_order  # 1 chance in 8! of failing by accident
    assert len({i.version for i in stored}) == 1 and stored[0].version == 4


def test_casting_writes_nothing_to_the_audit_log_or_the_log(campaign, branch_members, caplog):
    caplog.set_level(logging.DEBUG)
    before = AuditEvent.objects.count()
    voter = branch_members[0]
    receipt = actions.cast_ballot(
        campaign, uniform_answers(campaign, "excellent"), voter_user=voter.user
    )
    assert AuditEvent.objects.count() == before
    ballot = Ballot.objects.get(campaign=campaign)
    secrets = [receipt, str(ballot.pk), ballot.pk.hex, ballot.receipt_hash, "excellent"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [s for s in secrets if s in logged]


def test_no_value_of_a_ballot_names_a_voter(campaign, branch_members):
    for person in branch_members:
        actions.cast_ballot(
            campaign, uniform_answers(campaign, "qualified"), voter_user=person.user
        )
    subject_ids = set(campaign.subjects.values_list("pk", flat=True))
    question_ids = set(campaign.questions.values_list("pk", flat=True))
    for answers in Ballot.objects.values_list("answers", flat=True):
        for key, value in answers.items():
            subject, question = (int(part) for part in key.split(":"))
            assert subject in subject_ids | {0} and question in question_ids
            assert value in {"qualified", "excellent", "basic", "unqualified"} or isinstance(
                value, str
            )
    voted = Voter.objects.filter(campaign=campaign, has_voted=True)
    assert voted.count() == 7
    assert set(voted.values_list("id", flat=True)).isdisjoint(
        {b.int for b in Ballot.objects.values_list("id", flat=True)}
    )
