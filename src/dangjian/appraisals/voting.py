"""Casting secret ballots: one per voter (or code), never linked back to the voter.

In one transaction the voter's row (or the code) is switched to "voted" by a conditional
UPDATE, which only one of any number of concurrent requests can win, and the anonymous ballot
is inserted. The ballot carries no voter, code or time and a random id; the voter's row no
time. Nothing here writes the audit log or the application log (their times would date the
ballot). The voter gets a receipt, shown once and stored only as a hash on the ballot, with
which they alone can confirm their ballot was counted.

The database engine keeps, outside the schema, which transaction wrote each row and where
(PostgreSQL's xmin and ctid): while voting, the voter's row and the ballot share a transaction.
`reseal`, run when voting closes, rewrites a campaign's ballots, voter rows and codes in one
transaction and in random order, so afterwards they all carry the same transaction and
positions that follow no order of voting (docs/admin-guide.md, 选票保密).
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.appraisals.choices import Phase
from dangjian.appraisals.models import (
    Ballot,
    Campaign,
    Question,
    Subject,
    VoteCode,
    Voter,
    new_ballot_id,
)
from dangjian.appraisals.questionnaire import clean_answers
from dangjian.core import crypto
from dangjian.core.errors import DomainError
from dangjian.core.scope import VIEW
from dangjian.members.models import Person

CODE_FIELD = "appraisals.code"
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# The questionnaire and subjects are frozen while voting: kept per process for a few
# campaigns, so a vote costs two writes, not a reload of a long list of subjects.
_frozen: OrderedDict[tuple[int, object], tuple[list[Question], list[Subject]]] = OrderedDict()
_FROZEN_MAX = 16


def normalize_code(code: str) -> str:
    """A code as typed or scanned: case, spaces and dashes do not matter."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """Keyed hash of a code (the codes table cannot be searched without the key)."""
    return crypto.lookup_hash(normalize_code(code), CODE_FIELD)


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(normalize_code(receipt).encode()).hexdigest()


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def ballot_form(campaign: Campaign) -> tuple[list[Question], list[Subject]]:
    """The questions and subjects a ballot of `campaign` answers (frozen while voting)."""
    key = (campaign.pk, campaign.updated_at)
    if campaign.phase == Phase.VOTING and key in _frozen:
        _frozen.move_to_end(key)
        return _frozen[key]
    form = (
        list(campaign.questions.all()),
        list(campaign.subjects.all()),
    )
    if campaign.phase == Phase.VOTING:
        _frozen[key] = form
        while len(_frozen) > _FROZEN_MAX:
            _frozen.popitem(last=False)
    return form


def check_open(campaign: Campaign) -> None:
    """Refuse a vote outside the campaign's voting phase and window."""
    now = timezone.now()
    if campaign.phase != Phase.VOTING:
        if campaign.phase in (Phase.DRAFT, Phase.SELF_REPORT):
            raise DomainError(gettext("投票尚未开始。"))
        raise DomainError(gettext("投票已结束。"))
    if now < campaign.opens_at:
        local = timezone.localtime(campaign.opens_at)
        raise DomainError(gettext("投票将于%(time)s开始。") % {"time": f"{local:%Y-%m-%d %H:%M}"})
    if now > campaign.closes_at:
        local = timezone.localtime(campaign.closes_at)
        raise DomainError(gettext("投票已于%(time)s截止。") % {"time": f"{local:%Y-%m-%d %H:%M}"})


# On PostgreSQL the mark and the ballot are one statement (atomic by itself): the UPDATE
# returns a row only for the request that switched the flag, and the INSERT reads from it. The
# UPDATE's WHERE is on the row's own columns, so PostgreSQL re-checks it on a row a concurrent
# vote has just changed. One round trip instead of five (BEGIN, SET, UPDATE, INSERT, COMMIT).
_MARK_AND_STORE = """
WITH {relaxed}won AS (
    UPDATE {table} SET {flag} = true
    WHERE {campaign} = %s AND {key} = %s AND NOT {flag}
    RETURNING 1
)
INSERT INTO {ballot} ({ballot_id}, {ballot_campaign}, {answers}, {receipt})
SELECT %s, %s, %s::jsonb, %s FROM won{relaxed_from}
"""
# With BALLOT_ASYNC_COMMIT the vote's commit does not wait for the WAL flush (about 10 ms on an
# ordinary disk, the bulk of a vote's time). The ballot and the mark still commit together or
# not at all: a server crash in the next ~0.6 s can lose both (the receipt then does not verify
# and the voter may vote again), never one without the other, and never a second ballot.
_RELAXED = "relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), "


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return connection.ops.quote_name(field.column)


def _mark_sql(model: type[Voter] | type[VoteCode], flag: str, key: str) -> str:
    relaxed = bool(settings.BALLOT_ASYNC_COMMIT)
    return _MARK_AND_STORE.format(
        relaxed=_RELAXED if relaxed else "",
        relaxed_from=", relaxed" if relaxed else "",
        table=connection.ops.quote_name(model._meta.db_table),
        flag=_column(model, flag),
        campaign=_column(model, "campaign"),
        key=_column(model, key),
        ballot=connection.ops.quote_name(Ballot._meta.db_table),
        ballot_id=_column(Ballot, "id"),
        ballot_campaign=_column(Ballot, "campaign"),
        answers=_column(Ballot, "answers"),
        receipt=_column(Ballot, "receipt_hash"),
    )


def _mark_and_store(
    model: type[Voter] | type[VoteCode],
    flag: str,
    key: str,
    value: Any,
    campaign: Campaign,
    answers: Mapping[str, Any],
) -> str | None:
    """Switch the voter's row (or the code) found by `key` = `value` to voted and store the
    ballot, all or nothing; the receipt, or None when it was already voted (or is absent)."""
    receipt = new_receipt()
    if connection.vendor == "postgresql":
        params = [campaign.pk, value, new_ballot_id(), campaign.pk, json.dumps(dict(answers))]
        with connection.cursor() as cursor:
            cursor.execute(_mark_sql(model, flag, key), [*params, receipt_hash(receipt)])
            return receipt if cursor.rowcount == 1 else None
    with transaction.atomic():
        won = model._default_manager.filter(campaign=campaign, **{key: value, flag: False}).update(
            **{flag: True}
        )
        if not won:
            return None
        Ballot.objects.create(
            campaign=campaign, answers=dict(answers), receipt_hash=receipt_hash(receipt)
        )
    return receipt


def cast_ballot(
    campaign: Campaign,
    answers: Mapping[str, Any],
    *,
    voter_user: Any,
    person_id: int | None = None,
) -> str:
    """Cast the ballot of the account `voter_user`; returns the receipt (shown once).

    `person_id` is the account's person when the caller has just read it from the voter list
    (`voter_listing`), which spares the lookup.
    """
    check_open(campaign)
    questions, subjects = ballot_form(campaign)
    cleaned = clean_answers(answers, questions, subjects)
    if person_id is None:
        found = Person.objects.filter(user=voter_user).order_by().values_list("pk", flat=True)
        person_id = next(iter(found[:1]), None)
    if person_id is None:
        raise DomainError(gettext("您不在本次测评的投票人名单中。"))
    receipt = _mark_and_store(Voter, "has_voted", "person_id", person_id, campaign, cleaned)
    if receipt is None:
        if Voter.objects.filter(campaign=campaign, person_id=person_id).exists():
            raise DomainError(gettext("您已在本次测评中投过票，每人只能投一次。"))
        raise DomainError(gettext("您不在本次测评的投票人名单中。"))
    return receipt


def campaign_for_code(code: str) -> Campaign:
    """The campaign a slip's code belongs to; refused for unknown or used codes."""
    found = VoteCode.objects.select_related("campaign").filter(code_hash=code_hash(code))
    slip = next(iter(found.order_by()[:1]), None)
    if slip is None:
        raise DomainError(gettext("投票码无效，请核对票面上的投票码。"))
    if slip.used:
        raise DomainError(gettext("该投票码已使用，每个投票码只能投一次。"))
    return slip.campaign


def cast_with_code(code: str, answers: Mapping[str, Any]) -> tuple[Campaign, str]:
    """Cast the ballot of a slip's single-use code; returns the campaign and the receipt."""
    campaign = campaign_for_code(code)
    check_open(campaign)
    questions, subjects = ballot_form(campaign)
    cleaned = clean_answers(answers, questions, subjects)
    receipt = _mark_and_store(VoteCode, "used", "code_hash", code_hash(code), campaign, cleaned)
    if receipt is None:
        raise DomainError(gettext("该投票码已使用，每个投票码只能投一次。"))
    return campaign, receipt


def verify_receipt(campaign: Campaign, receipt: str) -> bool:
    """Whether a ballot with this receipt is in the campaign's ballot box."""
    if len(normalize_code(receipt)) != 12:
        return False
    return Ballot.objects.filter(campaign=campaign, receipt_hash=receipt_hash(receipt)).exists()


def turnout(campaign: Campaign) -> tuple[int, int]:
    """(voted, eligible) while voting: voters marked voted plus codes used; never results."""
    voted = (
        campaign.voters.filter(has_voted=True).count() + campaign.codes.filter(used=True).count()
    )
    eligible = campaign.eligible_count or (campaign.voters.count() + campaign.codes.count())
    return voted, eligible


def subjects_of(questions: Sequence[Question], subjects: Sequence[Subject]) -> list[Subject]:
    """Subjects that appear on the ballot (none when every question is asked once)."""
    return list(subjects) if any(q.per_subject for q in questions) else []


def reseal(campaign: Campaign) -> None:
    """Rewrite the campaign's ballots, voter rows and codes in one transaction, in random order,
    keeping every value and id (see the module's docstring)."""
    shuffle = random.SystemRandom().shuffle
    tables: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
        (Ballot, ("id", "answers", "receipt_hash")),
        (Voter, ("id", "person_id", "kind", "has_voted")),
        (VoteCode, ("id", "serial", "code_cipher", "code_hash", "used")),
    )
    with transaction.atomic():
        for model, fields in tables:
            manager = model._default_manager
            rows = list(manager.filter(campaign=campaign).values(*fields))
            shuffle(rows)
            manager.filter(campaign=campaign).delete()
            manager.bulk_create([model(campaign=campaign, **row) for row in rows], batch_size=2000)


def voter_listing(user: Any, pk: Any) -> tuple[Campaign | None, int | None]:
    """The campaign `pk` and the user's person on its voter list, or (the campaign if the user
    may see it, None) for a user not on the list; (None, None) for neither.

    Invited voters (a committee secretary voting in a university-level review) often hold no
    grant covering the campaign's organization; being on the list lets them vote, nothing more.
    """
    if not getattr(user, "is_authenticated", False):
        return None, None
    try:
        # The voter list first: one indexed join that also yields the person (the ballot
        # path's usual case).
        listed = Voter.objects.filter(campaign_id=pk, person__user=user).select_related("campaign")
        row = next(iter(listed.order_by()[:1]), None)
        if row is not None:
            return row.campaign, row.person_id
        return Campaign.objects.restrict(user, VIEW).filter(pk=pk).order_by().first(), None
    except (TypeError, ValueError):
        return None, None


def voter_campaign(user: Any, pk: Any) -> Campaign | None:
    """The campaign `pk` if the user may see it or is on its voter list (`voter_listing`)."""
    return voter_listing(user, pk)[0]


def find_receipt(receipt: str) -> Campaign | None:
    """The campaign whose ballot box holds this receipt, across all campaigns (None if none)."""
    if len(normalize_code(receipt)) != 12:
        return None
    ballot = (
        Ballot.objects.filter(receipt_hash=receipt_hash(receipt))
        .select_related("campaign")
        .only("campaign")
        .first()
    )
    return ballot.campaign if ballot else None
