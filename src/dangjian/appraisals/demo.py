"""Last year's appraisals for the demo universities (`dangjian demo`), all published.

Per university: a 民主评议党员 in every branch (its members appraised by its members), a
支部书记“双述双评” in every grassroots committee and general branch (its branch secretaries,
voted on by its members), one 党组织书记抓党建述职评议考核 of the committee secretaries
(voted on with printed codes: the secretaries, the university committee and invited
representatives have no accounts in the demo) and one 满意度测评 of the whole university
(about 99 % 好). Turnout 92–97 %; members mostly 合格, 优秀 within the quota, a few 基本合格,
very rarely 不合格.

Campaigns, questionnaires, subjects, voters and codes are set up by the actions; only the
voting is written in bulk (`demo_write`), with ballots that `clean_answers` accepted and
voters marked as voted, since the window lies in the past and `open_voting` refuses that.
Counting, proposing, deciding and publishing are the actions again. Deterministic per
university; a university with campaigns already is skipped, so a second run adds nothing.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dangjian.appraisals import actions
from dangjian.appraisals.choices import CampaignKind, VoterKind
from dangjian.appraisals.demo_write import Answer, comment, graded_answer, vote
from dangjian.appraisals.models import Campaign, Voter
from dangjian.appraisals.sources import COMMITTEE_LEVELS_BELOW
from dangjian.members.choices import MEMBER_CATEGORIES, Status
from dangjian.members.demo_people import SEED
from dangjian.members.models import Person
from dangjian.orgs.choices import BRANCH_LEVELS, Position
from dangjian.orgs.models import CommitteeMember, Organization

COUNTS = ("测评", "评议对象", "投票人", "投票码", "选票")
INVITED_CODES = 40  # teachers', students' and retirees' representatives at the review
# Members' standing: 优秀 / 合格 / 基本合格 / 不合格 (proposals keep 优秀 within the quota).
MEMBER_STANDING = (("excellent", 0.24), ("qualified", 0.97), ("basic", 0.998), ("unqualified", 1))
SECRETARY_STANDING = (("good", 0.72), ("fairly_good", 0.96), ("average", 1))
SATISFIED = 0.9909


@dataclass
class Written:
    """What one university's demo wrote."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, campaign: Campaign, ballots: int) -> None:
        self.counts["测评"] += 1
        self.counts["评议对象"] += campaign.subjects.count()
        self.counts["投票人"] += campaign.voters.count()
        self.counts["投票码"] += campaign.codes.count()
        self.counts["选票"] += ballots


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class Season:
    """One demo university's appraisal season, in December of last year."""

    def __init__(self, index: int, root: Organization, today: date) -> None:
        self.root = root
        self.rng = random.Random(f"{SEED}-appraisals-{index}")
        self.year = today.year - 1
        self.written = Written()

    def run(
        self,
        org: Organization,
        kind: str,
        window: tuple[date, date],
        answer: Answer,
        *,
        subjects: str = "",
        voters: str = "",
        voter_people: list[int] | None = None,
        codes: int = 0,
    ) -> Campaign:
        """Set up, vote, count, decide and publish one campaign."""
        opens, closes = at(window[0], 9), at(window[1], 18)
        data = {
            "kind": kind,
            "title": f"{self.year}年度{CampaignKind(kind).label}",
            "year": self.year,
            "opens_at": opens,
            "closes_at": closes,
        }
        campaign = actions.create_campaign(org, data, acting_user=None)
        if subjects:
            actions.add_subjects(campaign, source=subjects, acting_user=None)
        if voters:
            actions.add_voters(campaign, source=voters, acting_user=None)
        if voter_people:
            Voter.objects.bulk_create(
                Voter(campaign=campaign, person_id=pk, kind=VoterKind.COMMITTEE)
                for pk in voter_people
            )
        if codes:
            actions.generate_codes(campaign, codes, acting_user=None)
        ballots = vote(campaign, self.rng, answer)
        actions.close_voting(campaign, acting_user=None)
        campaign = actions.decide(campaign, {}, acting_user=None)
        campaign = actions.publish(campaign, acting_user=None)
        # The steps were taken now; the record shows them on the days they were due.
        Campaign.objects.filter(pk=campaign.pk).update(
            created_at=opens - timedelta(days=14),
            counted_at=closes + timedelta(hours=1),
            decided_at=closes + timedelta(days=3),
            published_at=closes + timedelta(days=4),
        )
        self.written.add(campaign, ballots)
        return campaign

    def inside(self, under: Organization | None = None, **lookup: Any) -> Any:
        """Organizations in force under `under` (the university by default)."""
        top = under or self.root
        return Organization.objects.filter(
            path__startswith=top.path, dissolved_on__isnull=True, **lookup
        ).order_by("path")

    def member_appraisals(self) -> None:
        """Every branch with members appraises them (probationary members ungraded)."""
        members = dict(
            Person.objects.filter(
                organization__path__startswith=self.root.path,
                category__in=MEMBER_CATEGORIES,
                status=Status.NORMAL,
            )
            .values_list("organization_id")
            .annotate(n=Count("pk"))
        )
        for branch in self.inside(level__in=list(BRANCH_LEVELS)):
            if not members.get(branch.pk):
                continue
            first = date(self.year, 12, self.rng.randint(1, 15))
            answer = graded_answer(self.rng, MEMBER_STANDING)
            self.run(branch, CampaignKind.MEMBER_APPRAISAL, (first, first + timedelta(days=4)),
                     answer, subjects="members", voters="members")  # fmt: skip

    def dual_reviews(self) -> None:
        """Each grassroots committee (or general branch not under one) reviews its branch
        secretaries; its members vote."""
        units = list(self.inside(level__in=list(COMMITTEE_LEVELS_BELOW)))
        paths = [unit.path for unit in units]
        for unit in units:
            if any(unit.path.startswith(p) and unit.path != p for p in paths):
                continue  # a general branch inside a committee: reviewed by the committee
            seats = CommitteeMember.objects.filter(
                term__organization__in=self.inside(unit, level__in=list(BRANCH_LEVELS)),
                term__closed_on__isnull=True,
                ended_on__isnull=True,
                position=Position.SECRETARY,
            )
            if not seats.exists():  # open_voting would refuse a review of nobody
                continue
            first = date(self.year, 12, self.rng.randint(16, 20))
            answer = graded_answer(self.rng, SECRETARY_STANDING)
            self.run(unit, CampaignKind.DUAL_REVIEW, (first, first + timedelta(days=3)), answer,
                     subjects="branch_secretaries", voters="members")  # fmt: skip

    def secretary_review(self) -> None:
        """The university reviews the committee secretaries; they and the university committee
        vote (as committee voters when they have a record, else with codes), invited
        representatives with codes."""
        current = {"term__closed_on__isnull": True, "ended_on__isnull": True}
        secretaries = CommitteeMember.objects.filter(
            term__organization__path__startswith=self.root.path,
            term__organization__level__in=list(COMMITTEE_LEVELS_BELOW),
            position=Position.SECRETARY,
            **current,
        )
        board = CommitteeMember.objects.filter(term__organization=self.root, **current)
        posts: list[int | None] = [
            *secretaries.values_list("person_id", flat=True),
            *board.values_list("person_id", flat=True),
        ]
        people = sorted({pk for pk in posts if pk is not None})
        without_record = sum(1 for pk in posts if pk is None)
        day = date(self.year, 12, 26)
        answer = graded_answer(self.rng, SECRETARY_STANDING)
        self.run(self.root, CampaignKind.SECRETARY_REVIEW, (day, day + timedelta(days=1)), answer,
                 subjects="committee_secretaries", voter_people=people,
                 codes=without_record + INVITED_CODES)  # fmt: skip

    def satisfaction(self) -> None:
        """The members' satisfaction with the year's party building (about 99 % 好)."""
        rng = self.rng

        def answer(subject: Any, question: Any) -> Any:
            if question.kind == "comment":
                return comment(rng)
            draw = rng.random()
            if draw < SATISFIED:
                return "good"
            return "fairly_good" if draw < 0.9985 else "average"

        day = date(self.year, 12, 27)
        self.run(self.root, CampaignKind.SATISFACTION, (day, day + timedelta(days=3)), answer,
                 voters="members")  # fmt: skip


def load_university(index: int, root: Organization, today: date) -> dict[str, int]:
    """One university's season (the tests use it on their own trees); nothing when it has
    campaigns already."""
    if Campaign.objects.filter(organization__path__startswith=root.path).exists():
        return dict.fromkeys(COUNTS, 0)
    season = Season(index, root, today)
    with transaction.atomic():
        season.member_appraisals()
        season.dual_reviews()
        season.secretary_review()
        season.satisfaction()
    return season.written.counts


def load_demo(scale: int = 1) -> dict[str, int]:
    """`dangjian demo` hook: last year's campaigns for demo universities 1..scale."""
    started, today = time.monotonic(), timezone.localdate()
    counts = dict.fromkeys(COUNTS, 0)
    codes = [f"U{index:03d}" for index in range(1, scale + 1)]
    for root in Organization.objects.filter(depth=1, code__in=codes).order_by("code"):
        for name, n in load_university(int(root.code[1:]), root, today).items():
            counts[name] += n
    counts["秒"] = round(time.monotonic() - started) if counts["测评"] else 0
    return counts
