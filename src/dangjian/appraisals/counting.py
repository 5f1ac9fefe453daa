"""Counting ballots into tallies, proposing grades, and reading results.

`count` reads every ballot once and writes one `Tally` per subject, question and option (score
questions: count and sum), plus a digest of the tallies; `recount` counts again from the
stored ballots and compares digests, so anyone allowed can check the count is reproducible.
Shares are percentages of the answers given to that question for that subject.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dangjian.appraisals import rules
from dangjian.appraisals.choices import (
    DECISION_SCALE,
    CampaignKind,
    QuestionKind,
    Scale,
    options,
)
from dangjian.appraisals.models import Ballot, Campaign, Question, Subject, Tally

CHUNK = 5000
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _read(campaign: Campaign) -> tuple[int, Counter[tuple[str, object]]]:
    """(ballots, counter of (answer key, value)) over every stored ballot of `campaign`."""
    counter: Counter[tuple[str, object]] = Counter()
    ballots = 0
    rows = Ballot.objects.filter(campaign=campaign).values_list("answers", flat=True)
    for answers in rows.iterator(chunk_size=CHUNK):
        counter.update(answers.items())
        ballots += 1
    return ballots, counter


def _tallies(campaign: Campaign, counter: Counter[tuple[str, object]]) -> list[Tally]:
    kinds = dict(campaign.questions.values_list("pk", "kind"))
    grades: dict[tuple[int | None, int, str], int] = defaultdict(int)
    sums: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0, 0])
    for (key, value), number in counter.items():
        subject_part, _colon, question_part = key.partition(":")
        subject_id = int(subject_part) or None
        question_id = int(question_part)
        kind = kinds.get(question_id)
        if kind == QuestionKind.GRADE:
            grades[(subject_id, question_id, str(value))] += number
        elif kind == QuestionKind.SCORE:
            pair = sums[(subject_id, question_id)]
            pair[0] += number
            pair[1] += int(value) * number  # type: ignore[call-overload]
        elif kind == QuestionKind.COMMENT:
            sums[(subject_id, question_id)][0] += number
    rows = [
        Tally(campaign=campaign, subject_id=s, question_id=q, option=o, count=n)
        for (s, q, o), n in grades.items()
    ]
    rows += [
        Tally(campaign=campaign, subject_id=s, question_id=q, option="", count=n, score_sum=total)
        for (s, q), (n, total) in sums.items()
    ]
    return rows


def digest(ballots: int, tallies: Iterable[Tally]) -> str:
    """A digest of the count: equal counts give equal digests, whatever the order."""
    lines = sorted(
        f"{t.subject_id or 0}:{t.question_id}:{t.option}:{t.count}:{t.score_sum}" for t in tallies
    )
    text = f"ballots={ballots}\n" + "\n".join(lines)
    return hashlib.sha256(text.encode()).hexdigest()


def count(campaign: Campaign) -> int:
    """Count every ballot into tallies (replacing any earlier count); returns the ballots."""
    ballots, counter = _read(campaign)
    rows = _tallies(campaign, counter)
    Tally.objects.filter(campaign=campaign).delete()
    Tally.objects.bulk_create(rows, batch_size=2000)
    campaign.ballot_count = ballots
    campaign.tally_digest = digest(ballots, rows)
    campaign.save(update_fields=["ballot_count", "tally_digest", "updated_at"])
    return ballots


def recount(campaign: Campaign) -> bool:
    """Count the stored ballots again and compare with the stored count (writes nothing)."""
    ballots, counter = _read(campaign)
    return digest(ballots, _tallies(campaign, counter)) == campaign.tally_digest


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals (99.09), None when nothing was answered."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


@dataclass
class ItemResult:
    """The result of one question for one subject (or the campaign)."""

    question: Question
    subject: Subject | None
    counts: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    score_sum: int = 0

    @property
    def shares(self) -> dict[str, Decimal | None]:
        return {code: share(self.counts.get(code, 0), self.answered) for code in self.codes}

    @property
    def codes(self) -> list[str]:
        return [code for code, _label in options(self.question.scale)]

    @property
    def mean(self) -> Decimal | None:
        if self.question.kind != QuestionKind.SCORE or not self.answered:
            return None
        return (Decimal(self.score_sum) / Decimal(self.answered)).quantize(CENT, ROUND_HALF_UP)

    def plurality(self) -> str:
        """The grade with most votes; a tie goes to the lower grade."""
        best, best_count = "", -1
        for code in self.codes:
            number = self.counts.get(code, 0)
            if number >= best_count and number > 0:
                best, best_count = code, number
        return best


def results(campaign: Campaign) -> list[ItemResult]:
    """Every (subject, question) result from the tallies, in questionnaire order."""
    questions = {q.pk: q for q in campaign.questions.all()}
    subjects = {s.pk: s for s in campaign.subjects.all()}
    items: dict[tuple[int | None, int], ItemResult] = {}
    for subject in subjects.values():
        for question in questions.values():
            if question.per_subject and (subject.graded or question.kind == QuestionKind.COMMENT):
                items[(subject.pk, question.pk)] = ItemResult(question, subject)
    for question in questions.values():
        if not question.per_subject:
            items[(None, question.pk)] = ItemResult(question, None)
    for tally in Tally.objects.filter(campaign=campaign):
        item = items.get((tally.subject_id, tally.question_id))
        if item is None:
            continue
        if tally.option:
            item.counts[tally.option] = tally.count
            item.answered += tally.count
        else:
            item.answered += tally.count
            item.score_sum += tally.score_sum
    return list(items.values())


def decision_question(campaign: Campaign) -> Question | None:
    """The per-subject grade question whose result proposes each subject's grade."""
    scale = DECISION_SCALE[campaign.kind]
    return (
        campaign.questions.filter(kind=QuestionKind.GRADE, per_subject=True, scale=scale)
        .order_by("position", "id")
        .first()
    )


def propose_grades(campaign: Campaign) -> None:
    """Each graded subject's proposed grade: the plurality of the deciding question.

    For member appraisal, 优秀 beyond the quota goes to those with the highest 优秀 share;
    the rest are proposed 合格, so the proposal the branch starts from is within the rules.
    """
    question = decision_question(campaign)
    if question is None:
        return
    by_subject = {
        item.subject.pk: item
        for item in results(campaign)
        if item.question.pk == question.pk and item.subject is not None
    }
    subjects = list(campaign.subjects.all())
    for subject in subjects:
        item = by_subject.get(subject.pk)
        subject.proposed_grade = item.plurality() if (item and subject.graded) else ""
    if campaign.kind == CampaignKind.MEMBER_APPRAISAL:
        _within_quota(subjects, by_subject)
    Subject.objects.bulk_update(subjects, ["proposed_grade"])


def _within_quota(subjects: list[Subject], by_subject: dict[int, ItemResult]) -> None:
    top, second = (code for code, _label in options(Scale.APPRAISAL)[:2])
    graded = [s for s in subjects if s.graded and s.person_id is not None]
    allowed = rules.quota(len(graded))
    excellent = [s for s in graded if s.proposed_grade == top]
    if len(excellent) <= allowed:
        return

    def top_share(subject: Subject) -> tuple[Decimal, int]:
        item = by_subject[subject.pk]
        return (share(item.counts.get(top, 0), item.answered) or Decimal(0), -subject.position)

    excellent.sort(key=top_share, reverse=True)
    for subject in excellent[allowed:]:
        subject.proposed_grade = second


def overall_shares(campaign: Campaign) -> dict[str, Decimal | None]:
    """Shares of each grade over all answers to the campaign's grade questions of its decision
    scale (the seed's "好 99.09%")."""
    scale = DECISION_SCALE[campaign.kind]
    counts: Counter[str] = Counter()
    tallies = Tally.objects.filter(
        campaign=campaign, question__kind=QuestionKind.GRADE, question__scale=scale
    ).values_list("option", "count")
    for option, number in tallies:
        counts[option] += number
    total = sum(counts.values())
    return {code: share(counts[code], total) for code, _label in options(scale)}
