"""Building campaigns in tests, the demo and benchmarks: members to appraise, voting open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.choices import CampaignKind
from dangjian.appraisals.models import Campaign
from dangjian.appraisals.questionnaire import answer_key
from dangjian.appraisals.voting import ballot_form
from dangjian.orgs.models import Organization


def campaign_data(kind: str = CampaignKind.MEMBER_APPRAISAL, **overrides: Any) -> dict[str, Any]:
    """Valid data of a campaign whose voting window is open now (for a day)."""
    now = timezone.now()
    data: dict[str, Any] = {
        "kind": kind,
        "title": f"{now.year - 1}年度{CampaignKind(kind).label}",
        "year": now.year - 1,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
    }
    data.update(overrides)
    return data


def make_campaign(
    org: Organization,
    kind: str = CampaignKind.MEMBER_APPRAISAL,
    *,
    subjects: str = "members",
    voters: str = "members",
    codes: int = 0,
    open_voting: bool = True,
    **overrides: Any,
) -> Campaign:
    """A campaign of `org` with subjects and voters from the named sources, voting open."""
    campaign = actions.create_campaign(org, campaign_data(kind, **overrides), acting_user=None)
    if subjects:
        actions.add_subjects(campaign, source=subjects, acting_user=None)
    if voters:
        actions.add_voters(campaign, source=voters, acting_user=None)
    if codes:
        actions.generate_codes(campaign, codes, acting_user=None)
    if open_voting:
        actions.open_voting(campaign, acting_user=None)
    campaign.refresh_from_db()
    return campaign


def uniform_answers(campaign: Campaign, grade: str, **extra: Any) -> dict[str, Any]:
    """A ballot giving `grade` to every graded subject on every grade question of its scale;
    scores get 90; `extra` adds answers by key."""
    questions, subjects = ballot_form(campaign)
    answers: dict[str, Any] = {}
    for question in questions:
        targets = [s for s in subjects if s.graded] if question.per_subject else [None]
        for subject in targets:
            key = answer_key(subject.pk if subject else None, question.pk)
            if question.kind == "grade":
                from dangjian.appraisals.choices import options

                codes = [code for code, _label in options(question.scale)]
                answers[key] = grade if grade in codes else codes[0]
            elif question.kind == "score":
                answers[key] = 90
    answers.update(extra)
    return answers
