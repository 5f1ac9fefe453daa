"""Counting, shares, proposed grades, the quota at decision and reproducible counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dangjian.appraisals import actions, counting
from dangjian.appraisals.choices import Phase
from dangjian.appraisals.models import Ballot, Campaign, Subject
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.voting import ballot_form
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.models import RuleSetting

pytestmark = pytest.mark.django_db


def _grade_question(campaign: Campaign):
    return campaign.questions.get(kind="grade")


def _cast(campaign: Campaign, voter, grades: dict[int, str]) -> None:
    """A ballot giving 'qualified' to all but the subjects in `grades`."""
    question = _grade_question(campaign)
    extra = {answer_key(pk, question.pk): grade for pk, grade in grades.items()}
    actions.cast_ballot(
        campaign, uniform_answers(campaign, "qualified", **extra), voter_user=voter.user
    )


def _close(campaign: Campaign) -> list[str]:
    warnings = actions.close_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    return warnings


def test_results_only_after_closing_and_shares_in_percent(campaign, branch_members):
    _questions, subjects = ballot_form(campaign)
    first, second = subjects[0], subjects[1]
    for n, voter in enumerate(branch_members[:6]):
        grades = {first.pk: "excellent" if n < 4 else "basic"}
        if n == 0:
            grades[second.pk] = "unqualified"
        _cast(campaign, voter, grades)
    assert not campaign.tallies.exists()
    warnings = _close(campaign)
    assert warnings == []  # 6 of 9 (7 voters + 2 codes) is exactly 2/3
    assert campaign.phase == Phase.COUNTED and campaign.ballot_count == 6
    items = {
        (item.subject.pk if item.subject else None, item.question.kind): item
        for item in counting.results(campaign)
    }
    top = items[(first.pk, "grade")]
    assert top.counts == {"excellent": 4, "basic": 2}
    assert top.shares == {
        "excellent": Decimal("66.67"),
        "qualified": Decimal("0.00"),
        "basic": Decimal("33.33"),
        "unqualified": Decimal("0.00"),
    }
    assert items[(second.pk, "grade")].counts == {"qualified": 5, "unqualified": 1}
    assert Subject.objects.get(pk=first.pk).proposed_grade == "excellent"
    assert Subject.objects.get(pk=second.pk).proposed_grade == "qualified"
    assert counting.recount(campaign)


def test_low_turnout_warns(campaign, branch_members):
    for voter in branch_members[:5]:
        _cast(campaign, voter, {})
    warnings = _close(campaign)
    assert len(warnings) == 1 and "实际投票5人" in warnings[0] and "9人" in warnings[0]


def test_a_changed_ballot_fails_the_recount(campaign, branch_members):
    for voter in branch_members[:3]:
        _cast(campaign, voter, {})
    _close(campaign)
    assert counting.recount(campaign)
    ballot = Ballot.objects.filter(campaign=campaign).first()
    key = next(k for k, v in ballot.answers.items() if v == "qualified")
    Ballot.objects.filter(pk=ballot.pk).update(answers=ballot.answers | {key: "excellent"})
    assert not counting.recount(campaign)


def test_a_tie_proposes_the_lower_grade():
    item = counting.ItemResult(question=_FakeQuestion(), subject=None)
    item.counts = {"excellent": 3, "qualified": 3}
    assert item.plurality() == "qualified"
    item.counts = {}
    assert item.plurality() == ""


class _FakeQuestion:
    scale = "appraisal"
    kind = "grade"


def _everyone_excellent(campaign, branch_members) -> list[Subject]:
    for voter in branch_members:
        _cast(campaign, voter, {})
    _close(campaign)
    return [s for s in campaign.subjects.all() if s.graded]


def test_proposals_stay_within_the_quota(tree, branch_members):
    campaign = make_campaign(tree.b1)
    question = _grade_question(campaign)
    _questions, subjects = ballot_form(campaign)
    graded = [s for s in subjects if s.graded]
    # Everyone gets 优秀 from four voters; the first two from all six.
    for n, voter in enumerate(branch_members[:6]):
        grades = {s.pk: "excellent" for s in graded[: 2 if n >= 4 else 6]}
        extra = {answer_key(pk, question.pk): g for pk, g in grades.items()}
        actions.cast_ballot(
            campaign, uniform_answers(campaign, "qualified", **extra), voter_user=voter.user
        )
    _close(campaign)
    proposed = dict(campaign.subjects.values_list("pk", "proposed_grade"))
    assert [proposed[s.pk] for s in graded] == ["excellent"] * 2 + ["qualified"] * 4
    assert proposed[next(s.pk for s in subjects if not s.graded)] == ""


@pytest.mark.parametrize(("excellent", "refused"), [(2, False), (3, True)])
def test_decision_refuses_a_quota_breach_at_its_boundary(
    campaign, branch_members, excellent, refused
):
    graded = _everyone_excellent(campaign, branch_members)
    assert len(graded) == 6  # 1/3 of 6 is 2
    grades = {s.pk: "excellent" if n < excellent else "qualified" for n, s in enumerate(graded)}
    if refused:
        with pytest.raises(RuleViolation, match="评定为优秀的党员（3人）超过参评正式党员的1/3"):
            actions.decide(campaign, grades, acting_user=None)
        campaign.refresh_from_db()
        assert campaign.phase == Phase.COUNTED
        assert not campaign.subjects.exclude(final_grade="").exists()
        return
    actions.decide(campaign, grades, note="支部党员大会表决", acting_user=None)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.DECIDED
    finals = sorted(campaign.subjects.exclude(final_grade="").values_list("final_grade", flat=True))
    assert finals == ["excellent"] * 2 + ["qualified"] * 4


def test_the_quota_is_a_rule(campaign, branch_members):
    graded = _everyone_excellent(campaign, branch_members)
    RuleSetting.objects.create(code="appraisals.excellent_quota", value="50%", enabled=True)
    from dangjian.core import rules

    rules.invalidate()
    grades = {s.pk: "excellent" if n < 3 else "qualified" for n, s in enumerate(graded)}
    actions.decide(campaign, grades, acting_user=None)
    assert campaign.subjects.filter(final_grade="excellent").count() == 3


def test_probationary_members_get_no_grade(campaign, branch_members):
    _everyone_excellent(campaign, branch_members)
    probationary = campaign.subjects.get(graded=False)
    with pytest.raises(RuleViolation, match="预备党员，参加民主评议但不评定等次"):
        actions.decide(campaign, {probationary.pk: "qualified"}, acting_user=None)


def test_decision_needs_a_grade_for_everyone_graded(campaign, branch_members):
    for voter in branch_members[:6]:
        _cast(campaign, voter, {})
    _close(campaign)
    subject = campaign.subjects.filter(graded=True).first()
    with pytest.raises(DomainError, match="请为"):
        actions.decide(campaign, {subject.pk: "splendid"}, acting_user=None)
    with pytest.raises(DomainError, match="不属于本次测评"):
        actions.decide(campaign, {99999: "qualified"}, acting_user=None)


def test_phases_only_move_forward(tree, branch_members):
    campaign = make_campaign(tree.b1, open_voting=False)
    with pytest.raises(DomainError, match="不能计票"):
        actions.close_voting(campaign, acting_user=None)
    with pytest.raises(DomainError, match="不能公示"):
        actions.publish(campaign, acting_user=None)
    actions.open_self_report(campaign, acting_user=None)
    campaign.refresh_from_db()
    actions.open_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    with pytest.raises(DomainError, match="不能调整评议对象"):
        actions.add_subjects(campaign, source="members", acting_user=None)
    with pytest.raises(DomainError, match="不能删除"):
        actions.delete_campaign(campaign, acting_user=None)
    _cast(campaign, branch_members[0], {})
    _close(campaign)
    actions.decide(campaign, {}, acting_user=None)
    campaign.refresh_from_db()
    actions.publish(campaign, acting_user=None)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.PUBLISHED and campaign.published_at


def test_satisfaction_reports_the_share_of_good(tree, branch_members):
    campaign = make_campaign(tree.b1, kind="satisfaction", subjects="")
    for n, voter in enumerate(branch_members):
        grade = "fairly_good" if n == 0 else "good"
        actions.cast_ballot(campaign, uniform_answers(campaign, grade), voter_user=voter.user)
    _close(campaign)
    shares = counting.overall_shares(campaign)
    assert shares["good"] == Decimal("85.71") and shares["fairly_good"] == Decimal("14.29")
