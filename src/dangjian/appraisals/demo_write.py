"""Voting for the demo (`appraisals.demo`): ballots written in bulk, shaped as real ones.

The demo's voting windows lie in the past, where `cast_ballot` refuses; here a campaign is
opened as a backdated one (`open_voting(backdated=True)`), every ballot passes
`clean_answers` (so its keys and values are those of a cast ballot), carries only a receipt
hash, and the voters and codes that voted are marked so, each in one statement: nothing joins
a ballot to a voter, as in real voting.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from dangjian.appraisals import actions
from dangjian.appraisals.choices import QuestionKind
from dangjian.appraisals.models import Ballot, Campaign, Question, Subject, VoteCode, Voter
from dangjian.appraisals.questionnaire import answer_key, ballot_items, clean_answers
from dangjian.appraisals.voting import new_receipt, receipt_hash

# An answer to one item of a ballot (None: left blank).
Answer = Callable[[Subject | None, Question], Any]
TURNOUT = (0.92, 0.97)
CHUNK = 500
COMMENT_RATE = 0.04
COMMENTS = (
    "希望进一步加强理论学习，学用结合。",
    "建议组织生活形式更加多样，增强吸引力。",
    "党员先锋模范作用发挥明显，继续保持。",
    "建议多开展与业务工作结合的主题党日活动。",
    "对本年度党建工作表示满意。",
    "希望加强对青年党员的培养和联系。",
)
# A voter who does not give a subject its standing gives the grade beside it.
BESIDE = {
    "excellent": ("qualified",),
    "qualified": ("excellent", "excellent", "basic"),
    "basic": ("qualified", "unqualified"),
    "unqualified": ("basic",),
    "good": ("fairly_good",),
    "fairly_good": ("good", "average"),
    "average": ("fairly_good", "poor"),
    "poor": ("average",),
}
AGREE = 0.8


def comment(rng: random.Random) -> str | None:
    """A free comment on a few ballots."""
    return rng.choice(COMMENTS) if rng.random() < COMMENT_RATE else None


def graded_answer(rng: random.Random, table: tuple[tuple[str, float], ...]) -> Answer:
    """Answers around each subject's standing, drawn once per subject from `table` (code,
    cumulative share): most voters give it, the others a grade beside it."""
    standings: dict[int, str] = {}

    def answer(subject: Subject | None, question: Question) -> Any:
        if question.kind == QuestionKind.COMMENT:
            return comment(rng)
        if subject is None:
            return table[0][0]
        if subject.pk not in standings:
            draw = rng.random()
            standings[subject.pk] = next(code for code, limit in table if draw < limit)
        grade = standings[subject.pk]
        return grade if rng.random() < AGREE else rng.choice(BESIDE[grade])

    return answer


def _mark(rows: QuerySet[Any], ids: list[int], **values: Any) -> None:
    for start in range(0, len(ids), CHUNK):
        rows.filter(pk__in=ids[start : start + CHUNK]).update(**values)


def vote(campaign: Campaign, rng: random.Random, answer: Answer) -> int:
    """Open `campaign` for voting, have 92–97 % of its voters and codes vote; returns the
    number of ballots (at least one)."""
    voters = list(campaign.voters.values_list("pk", flat=True))
    codes = list(campaign.codes.values_list("pk", flat=True))
    actions.open_voting(campaign, acting_user=None, backdated=True)
    campaign.refresh_from_db()
    rate = rng.uniform(*TURNOUT)
    voted = rng.sample(voters, round(len(voters) * rate))
    used = rng.sample(codes, round(len(codes) * rate))
    if not voted and not used:  # a tiny list: someone votes
        voted, used = (voters[:1], []) if voters else ([], codes[:1])
    questions = list(campaign.questions.all())
    subjects = list(campaign.subjects.all())
    items = ballot_items(questions, subjects)
    ballots = []
    for _ in range(len(voted) + len(used)):
        raw = {}
        for subject, question in items:
            value = answer(subject, question)
            if value is not None:
                raw[answer_key(subject.pk if subject else None, question.pk)] = value
        cleaned = clean_answers(raw, questions, subjects)
        receipt = receipt_hash(new_receipt())
        ballots.append(Ballot(campaign=campaign, answers=cleaned, receipt_hash=receipt))
    Ballot.objects.bulk_create(ballots, batch_size=CHUNK)
    _mark(Voter.objects.filter(campaign=campaign), sorted(voted), has_voted=True)
    _mark(VoteCode.objects.filter(campaign=campaign), sorted(used), used=True)
    return len(ballots)
