"""Casting ballots: the window, one vote per voter and per code, refusals that store nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.actions import reveal_code
from dangjian.appraisals.models import Ballot, Campaign, Voter
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.testing import make_campaign, uniform_answers
from dangjian.appraisals.voting import ballot_form
from dangjian.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _vote(campaign: Campaign, person, grade: str = "qualified", **extra) -> str:
    answers = uniform_answers(campaign, grade, **extra)
    return actions.cast_ballot(campaign, answers, voter_user=person.user)


def _refused(campaign: Campaign, message: str, call) -> None:
    before = Ballot.objects.filter(campaign=campaign).count()
    voted = Voter.objects.filter(campaign=campaign, has_voted=True).count()
    with pytest.raises(DomainError, match=message):
        call()
    assert Ballot.objects.filter(campaign=campaign).count() == before
    assert Voter.objects.filter(campaign=campaign, has_voted=True).count() == voted


def test_a_voter_votes_once_and_gets_a_receipt(campaign, branch_members):
    receipt = _vote(campaign, branch_members[0])
    assert len(receipt) == 14 and receipt.count("-") == 2
    assert Ballot.objects.filter(campaign=campaign).count() == 1
    assert Voter.objects.get(campaign=campaign, person=branch_members[0]).has_voted
    _refused(campaign, "投过票", lambda: _vote(campaign, branch_members[0]))
    assert actions.verify_receipt(campaign, receipt)
    assert actions.verify_receipt(campaign, receipt.lower().replace("-", " "))
    assert not actions.verify_receipt(campaign, "AAAA-BBBB-CCCC")


def test_someone_not_on_the_list_cannot_vote(campaign, personas, tree):
    from dangjian.members.testing import make_person

    stranger = make_person(tree.c1, name="外单位", staff_no="X1")
    stranger.user = personas["committee"]
    stranger.save(update_fields=["user"])
    _refused(
        campaign,
        "不在本次测评的投票人名单中",
        lambda: actions.cast_ballot(
            campaign, uniform_answers(campaign, "qualified"), voter_user=personas["committee"]
        ),
    )


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(seconds=5), timedelta(days=1), "投票将于"),
        (timedelta(days=-2), timedelta(seconds=-1), "截止"),
    ],
)
def test_a_vote_outside_the_window_is_refused(tree, branch_members, opens, closes, message):
    now = timezone.now()
    campaign = make_campaign(
        tree.b1, opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=1)
    )
    Campaign.objects.filter(pk=campaign.pk).update(opens_at=now + opens, closes_at=now + closes)
    campaign.refresh_from_db()
    _refused(campaign, message, lambda: _vote(campaign, branch_members[0]))


def test_the_window_edges_accept(tree, branch_members):
    campaign = make_campaign(tree.b1)
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_at=now - timedelta(seconds=1), closes_at=now + timedelta(seconds=30)
    )
    campaign.refresh_from_db()
    assert _vote(campaign, branch_members[0])


def test_no_vote_before_voting_opens_or_after_it_closes(tree, branch_members):
    draft = make_campaign(tree.b1, open_voting=False)
    _refused(draft, "尚未开始", lambda: _vote(draft, branch_members[0]))
    voting = make_campaign(tree.b1, title="另一次")
    actions.close_voting(voting, acting_user=None)
    voting.refresh_from_db()
    _refused(voting, "已结束", lambda: _vote(voting, branch_members[0]))


def test_answers_outside_the_questionnaire_are_refused(campaign, branch_members):
    questions, subjects = ballot_form(campaign)
    grade = next(q for q in questions if q.kind == "grade")
    first = subjects[0]
    key = answer_key(first.pk, grade.pk)
    voter = branch_members[1]
    cases = [
        ({key: "brilliant"}, "不在可选等次内"),
        ({key: ""}, "请对"),
        ({"999:999": "qualified"}, "不属于本次测评"),
        ({f"0:{grade.pk}": "qualified"}, "不属于本次测评"),
    ]
    for change, message in cases:
        answers = uniform_answers(campaign, "qualified") | change
        _refused(
            campaign,
            message,
            lambda answers=answers: actions.cast_ballot(campaign, answers, voter_user=voter.user),
        )
    _refused(campaign, "格式", lambda: actions.cast_ballot(campaign, ["x"], voter_user=voter.user))


def test_probationary_members_vote_but_are_not_on_the_grade_questions(campaign, branch_members):
    questions, subjects = ballot_form(campaign)
    probationary = next(s for s in subjects if not s.graded)
    grade = next(q for q in questions if q.kind == "grade")
    answers = uniform_answers(campaign, "qualified")
    assert answer_key(probationary.pk, grade.pk) not in answers
    answers[answer_key(probationary.pk, grade.pk)] = "excellent"
    _refused(
        campaign,
        "不属于本次测评",
        lambda: actions.cast_ballot(campaign, answers, voter_user=branch_members[6].user),
    )
    assert _vote(campaign, branch_members[6])


def test_a_long_comment_is_refused(campaign, branch_members):
    questions, _subjects = ballot_form(campaign)
    comment = next(q for q in questions if q.kind == "comment")
    key = answer_key(None, comment.pk)
    _refused(
        campaign, "不能超过500字", lambda: _vote(campaign, branch_members[0], **{key: "意" * 501})
    )
    assert _vote(campaign, branch_members[0], **{key: "意" * 500})


def test_max_top_limits_the_first_option_per_ballot(tree, branch_members):
    campaign = make_campaign(tree.b1, kind="recommendation", open_voting=False)
    question = campaign.questions.get(kind="grade")
    actions.save_question(campaign, {"max_top": 2}, question=question, acting_user=None)
    actions.open_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    _questions, subjects = ballot_form(campaign)
    graded = [s for s in subjects if s.graded]
    answers = {answer_key(s.pk, question.pk): "no" for s in graded}
    for subject in graded[:3]:
        answers[answer_key(subject.pk, question.pk)] = "yes"
    voter = branch_members[0]
    _refused(
        campaign,
        "最多只能评推荐2人",
        lambda: actions.cast_ballot(campaign, answers, voter_user=voter.user),
    )
    answers[answer_key(graded[2].pk, question.pk)] = "no"
    assert actions.cast_ballot(campaign, answers, voter_user=voter.user)


def test_scores_must_be_whole_numbers_in_range(tree, branch_members):
    campaign = make_campaign(tree.b1, kind="cadre_assessment", open_voting=False, subjects="")
    actions.add_subjects(campaign, people=branch_members[:2], acting_user=None)
    actions.open_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    questions, subjects = ballot_form(campaign)
    score = next(q for q in questions if q.kind == "score")
    key = answer_key(subjects[0].pk, score.pk)
    voter = branch_members[3]
    for value, message in ((101, "0至100"), (-1, "0至100"), ("九十", "整数")):
        _refused(campaign, message, lambda value=value: _vote(campaign, voter, **{key: value}))
    assert _vote(campaign, voter, **{key: 100})


def test_a_code_votes_once_and_a_forged_code_not_at_all(campaign):
    code = reveal_code(campaign.codes.get(serial=1))
    answers = uniform_answers(campaign, "qualified")
    _refused(campaign, "投票码无效", lambda: actions.cast_with_code("ABCD-EFGH-JKMN", answers))
    voted_campaign, receipt = actions.cast_with_code(code.lower(), answers)
    assert voted_campaign == campaign and actions.verify_receipt(campaign, receipt)
    assert campaign.codes.get(serial=1).used
    _refused(campaign, "已使用", lambda: actions.cast_with_code(code, answers))


def test_a_code_is_refused_when_its_campaign_is_not_open(tree, branch_members):
    campaign = make_campaign(tree.b1, codes=1, open_voting=False)
    code = reveal_code(campaign.codes.get())
    _refused(
        campaign,
        "尚未开始",
        lambda: actions.cast_with_code(code, uniform_answers(campaign, "qualified")),
    )


@pytest.mark.parametrize("relaxed", [True, False])
def test_a_ballot_that_cannot_be_stored_leaves_the_voter_unmarked(
    campaign, branch_members, monkeypatch, settings, relaxed
):
    """The mark and the ballot are one write (one statement on PostgreSQL, with or without
    the relaxed commit): if the ballot fails, the voter may still vote."""
    from django.db import IntegrityError, transaction

    from dangjian.appraisals import voting

    settings.BALLOT_ASYNC_COMMIT = relaxed
    monkeypatch.setattr(voting, "receipt_hash", lambda receipt: "same")  # 2nd insert collides
    _vote(campaign, branch_members[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        _vote(campaign, branch_members[1])
    assert Ballot.objects.filter(campaign=campaign).count() == 1
    assert not Voter.objects.get(campaign=campaign, person=branch_members[1]).has_voted
    monkeypatch.undo()
    assert _vote(campaign, branch_members[1])
    assert Ballot.objects.filter(campaign=campaign).count() == 2
