"""The demo's appraisal season on the small tree: every campaign published, ballots shaped as
cast ones (the questionnaire accepts them, the count is reproducible), turnout, the quota,
probationary members ungraded, the satisfaction share, the hook order and idempotence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.appraisals import demo, rules
from dangjian.appraisals.choices import CampaignKind, Phase
from dangjian.appraisals.counting import overall_shares, recount
from dangjian.appraisals.models import Campaign, Tally, VoteCode, Voter
from dangjian.appraisals.questionnaire import clean_answers
from dangjian.core.management.commands.demo import app_demo_loaders
from dangjian.core.testing.personas import Tree
from dangjian.members.choices import Category
from dangjian.members.models import Person
from dangjian.members.testing import make_person
from dangjian.orgs.choices import Position
from dangjian.orgs.models import CommitteeMember, CommitteeTerm, Organization

pytestmark = pytest.mark.django_db


def seat(org: Organization, name: str, person: Person | None = None, **extra: object) -> None:
    term, _ = CommitteeTerm.objects.get_or_create(
        organization=org,
        number=1,
        defaults={"elected_on": date(2023, 1, 1), "term_years": 5, "ends_on": date(2028, 1, 1)},
    )
    position = extra.pop("position", Position.SECRETARY)
    CommitteeMember.objects.create(term=term, name=name, person=person, position=position)


@pytest.fixture
def university(tree: Tree) -> Tree:
    """B1: 7 full and 1 probationary member, B2: 3, B3: 2; secretaries of B1 and B3 have
    records, B2's, C1's and C2's only names; two members of the university committee."""
    people: dict[str, list[Person]] = {}
    for org, count in ((tree.b1, 7), (tree.b2, 3), (tree.b3, 2)):
        people[org.code] = [
            make_person(org, name=f"{org.code}党员{n}", staff_no=f"D{org.pk}-{n}")
            for n in range(count)
        ]
    today = timezone.localdate()
    make_person(tree.b1, name="预备党员", staff_no="DP1", category=Category.PROBATIONARY,
                joined_on=today - timedelta(days=90), converted_on=None)  # fmt: skip
    seat(tree.b1, people[tree.b1.code][0].name, people[tree.b1.code][0])
    seat(tree.b2, "乙书记")
    seat(tree.b3, people[tree.b3.code][0].name, people[tree.b3.code][0])
    seat(tree.c1, "甲党委书记")
    seat(tree.c2, "丙党委书记")
    seat(tree.university, "校党委书记")
    seat(tree.university, "校党委委员", position=Position.MEMBER)
    return tree


def test_the_season_is_published_and_consistent(university: Tree) -> None:
    labels = [label for label, _ in app_demo_loaders()]
    assert labels.index("appraisals") > labels.index("orglife")
    today = timezone.localdate()
    counts = demo.load_university(1, university.university, today)
    campaigns = Campaign.objects.all()
    kinds = sorted(campaigns.values_list("kind", flat=True))
    assert kinds == sorted([CampaignKind.MEMBER_APPRAISAL] * 3 + [CampaignKind.DUAL_REVIEW] * 2
                           + [CampaignKind.SECRETARY_REVIEW, CampaignKind.SATISFACTION])  # fmt: skip
    assert counts["测评"] == 7 and counts["选票"] == sum(c.ballot_count for c in campaigns)
    for campaign in campaigns:
        assert campaign.phase == Phase.PUBLISHED and campaign.year == today.year - 1
        assert campaign.closes_at < timezone.now() and campaign.published_at > campaign.closes_at
        voted = campaign.voters.filter(has_voted=True).count()
        used = campaign.codes.filter(used=True).count()
        assert campaign.ballot_count == voted + used >= 1
        assert campaign.eligible_count == campaign.voters.count() + campaign.codes.count()
        assert recount(campaign)
        questions, subjects = list(campaign.questions.all()), list(campaign.subjects.all())
        for ballot in campaign.ballots.all():
            assert clean_answers(ballot.answers, questions, subjects) == ballot.answers
            assert set(ballot.answers) and len(ballot.receipt_hash) == 64
        if subjects:
            assert all(s.final_grade for s in subjects if s.graded)

    appraisal = campaigns.get(kind=CampaignKind.MEMBER_APPRAISAL, organization=university.b1)
    subjects = list(appraisal.subjects.all())
    assert len(subjects) == 8 and appraisal.voters.count() == 8
    ungraded = [s for s in subjects if not s.graded]
    assert [s.name for s in ungraded] == ["预备党员"] and ungraded[0].final_grade == ""
    excellent = sum(1 for s in subjects if s.final_grade == "excellent")
    assert excellent <= rules.quota(7)

    dual = campaigns.get(kind=CampaignKind.DUAL_REVIEW, organization=university.c1)
    assert sorted(dual.subjects.values_list("name", flat=True)) == sorted(
        [Person.objects.get(staff_no=f"D{university.b1.pk}-0").name, "乙书记"]
    )
    review = campaigns.get(kind=CampaignKind.SECRETARY_REVIEW)
    assert sorted(review.subjects.values_list("name", flat=True)) == ["丙党委书记", "甲党委书记"]
    # Two secretaries and two committee members without records, and invited guests: codes.
    assert review.codes.count() == 2 + 2 + demo.INVITED_CODES and not review.voters.exists()
    assert VoteCode.objects.filter(campaign=review, used=True).count() == review.ballot_count

    satisfaction = campaigns.get(kind=CampaignKind.SATISFACTION)
    assert satisfaction.voters.count() == Person.objects.count() == 13
    assert not satisfaction.subjects.exists()
    assert Tally.objects.filter(campaign=satisfaction).exists()
    assert overall_shares(satisfaction)["good"] is not None

    # A second run adds nothing.
    before = (Campaign.objects.count(), Voter.objects.count())
    assert not any(demo.load_university(1, university.university, today).values())
    assert (Campaign.objects.count(), Voter.objects.count()) == before


def test_answers_keep_members_mostly_qualified_and_reviews_mostly_good() -> None:
    import random

    from dangjian.appraisals.demo_write import graded_answer
    from dangjian.appraisals.models import Question, Subject

    question = Question(pk=1, kind="grade", scale="appraisal")
    rng = random.Random(7)
    answer = graded_answer(rng, demo.MEMBER_STANDING)
    given = [answer(Subject(pk=n), question) for n in range(2000) for _ in range(3)]
    shares = {code: given.count(code) / len(given) for code in set(given)}
    assert 0.6 < shares["qualified"] < 0.8 and 0.15 < shares["excellent"] < 0.33
    assert shares["basic"] < 0.08 and shares.get("unqualified", 0) < 0.01
