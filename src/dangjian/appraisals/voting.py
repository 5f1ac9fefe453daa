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
from dangjian.appraisals.models import Ballot, Campaign, Question, Subject, VoteCode, Voter
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


def _relaxed_commit() -> None:
    """On PostgreSQL, with BALLOT_ASYNC_COMMIT, this vote's commit does not wait for the WAL
    flush (about 10 ms on an ordinary disk, the bulk of a vote's time).

    The ballot and the voter's mark still commit together or not at all: a server crash in
    the next ~0.6 s can lose both (the receipt then does not verify and the voter may vote
    again), never one without the other, and never a second ballot.
    """
    if settings.BALLOT_ASYNC_COMMIT and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _store(campaign: Campaign, answers: Mapping[str, Any]) -> str:
    receipt = new_receipt()
    Ballot.objects.create(
        campaign=campaign, answers=dict(answers), receipt_hash=receipt_hash(receipt)
    )
    return receipt


def cast_ballot(campaign: Campaign, answers: Mapping[str, Any], *, voter_user: Any) -> str:
    """Cast the ballot of the account `voter_user`; returns the receipt (shown once)."""
    check_open(campaign)
    questions, subjects = ballot_form(campaign)
    cleaned = clean_answers(answers, questions, subjects)
    found = list(Person.objects.filter(user=voter_user).order_by().values_list("pk", flat=True)[:1])
    person_id = found[0] if found else None
    if person_id is None:
        raise DomainError(gettext("您不在本次测评的投票人名单中。"))
    with transaction.atomic():
        _relaxed_commit()
        # A plain WHERE on the voter's own columns: PostgreSQL re-checks it on the row a
        # concurrent vote just changed (a join would be a subquery it does not re-check).
        won = Voter.objects.filter(campaign=campaign, person_id=person_id, has_voted=False).update(
            has_voted=True
        )
        if not won:
            if Voter.objects.filter(campaign=campaign, person_id=person_id).exists():
                raise DomainError(gettext("您已在本次测评中投过票，每人只能投一次。"))
            raise DomainError(gettext("您不在本次测评的投票人名单中。"))
        return _store(campaign, cleaned)


def campaign_for_code(code: str) -> Campaign:
    """The campaign a slip's code belongs to; refused for unknown or used codes."""
    slip = VoteCode.objects.select_related("campaign").filter(code_hash=code_hash(code)).first()
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
    with transaction.atomic():
        _relaxed_commit()
        won = VoteCode.objects.filter(
            campaign=campaign, code_hash=code_hash(code), used=False
        ).update(used=True)
        if not won:
            raise DomainError(gettext("该投票码已使用，每个投票码只能投一次。"))
        return campaign, _store(campaign, cleaned)


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


def voter_campaign(user: Any, pk: Any) -> Campaign | None:
    """The campaign `pk` if the user may see it or is on its voter list.

    Invited voters (a committee secretary voting in a university-level review) often hold no
    grant covering the campaign's organization; being on the list lets them vote, nothing more.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        # The voter list first: one indexed join, and the ballot path's usual case.
        listed = Campaign.objects.filter(pk=pk, voters__person__user=user).order_by().first()
        if listed is not None:
            return listed
        return Campaign.objects.restrict(user, VIEW).filter(pk=pk).order_by().first()
    except (TypeError, ValueError):
        return None


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
