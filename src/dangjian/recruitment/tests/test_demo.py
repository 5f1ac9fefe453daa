"""The demo's recruitment cases: plausible counts, every record keeping the rules (replayed
through `checks`), votes and introducers from the branch, the registry agreeing with the
cases, worklists not empty, idempotence."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts import demo as account_demo
from dangjian.core.management.commands.demo import app_demo_loaders
from dangjian.members import demo as member_demo
from dangjian.members.choices import Category, Status, TransferDirection
from dangjian.members.models import Person, Transfer
from dangjian.members.rules import add_months
from dangjian.orgs import demo as org_demo
from dangjian.recruitment import demo
from dangjian.recruitment.checks import Check, check_order, check_step, probation_end
from dangjian.recruitment.choices import CaseStatus, RecordState, ReviewLevel
from dangjian.recruitment.models import Case, Review, StepRecord
from dangjian.recruitment.steps import step


def replay(case: Case) -> None:
    """Record the case's done steps again, in order, through the checks of the actions: each
    must pass without a refusal or a warning."""
    sim = Case(person=case.person, organization=case.organization)
    records: list[StepRecord] = []
    for record in case.records.filter(state=RecordState.DONE).order_by("occurred_on", "id"):
        check = Check(sim, records, None)
        check_order(check, step(record.step), record.occurred_on)
        check_step(check, step(record.step), record.occurred_on, record.data)
        assert not check.warnings, (case.pk, record.step, check.warnings)
        records.append(record)
        day = record.occurred_on
        if record.step == 1:
            sim.applied_on = day
        elif record.step == 3:
            sim.activist_on = day
        elif record.step == 7:
            sim.candidate_on = day
        elif record.step == 15:
            sim.voted_on, sim.probation_ends_on = day, probation_end(sim, day)
        elif record.step == 24:
            vote = [r for r in records if r.step == 23][-1]
            if vote.data["outcome"] == "extended":
                months = vote.data["extension_months"]
                sim.extension_months += months
                assert sim.probation_ends_on is not None
                sim.probation_ends_on = add_months(sim.probation_ends_on, months)
    assert sim.probation_ends_on == case.probation_ends_on
    assert sim.applied_on == case.applied_on and sim.voted_on == case.voted_on


@pytest.mark.django_db
def test_the_demo_cases_follow_the_registry_and_the_rules() -> None:
    org_demo.build_demo_tree(1)
    account_demo.ensure_demo_users("Demo#Passw0rd")
    member_demo.load_demo(1)
    counts = demo.load_demo(1)
    today = timezone.localdate()
    assert [label for label, _ in app_demo_loaders()].index("recruitment") > [
        label for label, _ in app_demo_loaders()
    ].index("members")

    cases = Case.objects.select_related("person", "organization")
    assert counts["发展档案"] == cases.count() and counts["步骤记录"] == StepRecord.objects.count()
    by_status = Counter(cases.values_list("status", flat=True))
    pipeline = Person.objects.filter(
        status=Status.NORMAL,
        category__in=[Category.APPLICANT, Category.ACTIVIST, Category.CANDIDATE],
    ).count()
    assert 600 <= by_status[CaseStatus.CONVERTED] <= 1500  # last year's admissions, converted
    assert 0.015 <= by_status[CaseStatus.CANCELLED] / pipeline <= 0.05
    extended = cases.filter(extension_months__gt=0).count()
    assert 5 <= extended <= 0.05 * by_status[CaseStatus.CONVERTED]
    stages = Counter(cases.filter(status=CaseStatus.OPEN).values_list("stage", flat=True))
    assert all(stages[n] > 100 for n in range(1, 6)), stages

    # Every probationary member on the books has a case, unless admitted elsewhere.
    arrived = Transfer.objects.filter(direction=TransferDirection.INBOUND).values("person")
    probationary = Person.objects.filter(status=Status.NORMAL, category=Category.PROBATIONARY)
    without = probationary.exclude(pk__in=arrived).filter(recruitment_cases__isnull=True)
    assert without.count() <= 0.2 * probationary.count()

    # The registry agrees with the cases.
    for case in cases:
        person = case.person
        assert person.applied_on == case.applied_on, case.pk
        if case.converted_on:
            assert person.category == Category.FULL and person.converted_on == case.converted_on
            assert case.converted_on == add_months(case.voted_on, 12 + case.extension_months)
        elif case.admitted_on:
            assert person.category == Category.PROBATIONARY and case.status == CaseStatus.OPEN
        elif case.candidate_on:
            assert person.category == Category.CANDIDATE
        elif case.activist_on:
            assert person.category == Category.ACTIVIST
        else:
            assert person.category == Category.APPLICANT
        if case.admitted_on:  # a vote counts in the registry once approved
            assert person.joined_on == case.voted_on
        assert (person.activist_on, person.candidate_on) == (case.activist_on, case.candidate_on)
        assert (case.last_step >= 17) == bool(case.admitted_on)
        assert case.status != CaseStatus.CONVERTED or case.last_step == 25

    # Dates in step order; votes within the branch's voting members; helpers full members.
    voters = dict(
        Person.objects.filter(category=Category.FULL, status=Status.NORMAL)
        .values("organization")
        .annotate(n=Count("pk"))
        .values_list("organization", "n")
    )
    helpers: set[int] = set()
    last: dict[int, tuple[int, Any]] = {}
    for record in StepRecord.objects.select_related("case").order_by("case", "id"):
        previous = last.get(record.case_id)
        if previous is not None:
            loop = previous[0] == 24 and record.step == 23
            assert record.step >= previous[0] or loop, (record.case_id, previous, record.step)
            assert record.occurred_on >= previous[1]
        assert record.occurred_on <= today
        last[record.case_id] = (record.step, record.occurred_on)
        data = record.data
        if record.step in (15, 23):
            assert data["should_attend"] <= voters[record.case.organization_id]
            assert data["present"] * 2 > data["should_attend"] >= data["present"]
            assert data["votes_for"] * 2 > data["should_attend"]
        helpers.update(data.get("introducers", []) + data.get("mentors", []))
    assert helpers and not Person.objects.filter(pk__in=helpers).exclude(
        category=Category.FULL, status=Status.NORMAL
    )
    # Introducers were full members by then: of the branch, else staff of its committee
    # (student branches have few full members).
    introduced = StepRecord.objects.filter(step=9).select_related("case").order_by("id")[:300]
    same_branch = 0
    for record in introduced:
        people = Person.objects.filter(pk__in=record.data["introducers"])
        assert len(people) == 2 and record.case.person_id not in {p.pk for p in people}
        assert all(p.converted_on and p.converted_on <= record.occurred_on for p in people)
        same_branch += all(p.organization_id == record.case.organization_id for p in people)
    assert same_branch >= 90

    # Reviews of the reviewed steps; worklists: some waiting, some overdue.
    assert (
        Review.objects.filter(record__step=17).count()
        == StepRecord.objects.filter(step=17, state=RecordState.DONE).count()
    )
    waiting = cases.filter(waiting_level=ReviewLevel.COMMITTEE)
    assert waiting.count() >= 10 and not waiting.filter(waiting_organization__isnull=True)
    assert {n for n in waiting.values_list("next_step", flat=True)} >= {4, 17}
    assert cases.filter(waiting_level=ReviewLevel.UNIVERSITY, next_step=18).exists()
    overdue = cases.filter(status=CaseStatus.OPEN, due_on__lt=today)
    assert 10 <= overdue.count() <= 0.05 * cases.count()
    assert not cases.filter(~Q(status=CaseStatus.OPEN), next_step__isnull=False).exists()
    assert not cases.filter(status=CaseStatus.OPEN, next_step__isnull=True).exists()
    assert cases.filter(due_on__gte=today, due_on__lte=today + timedelta(days=40)).exists()

    # A sample of cases replayed through the checks, with every extension.
    rng = random.Random(7)
    ids = list(cases.values_list("pk", flat=True))
    sample = set(rng.sample(ids, 120)) | set(
        cases.filter(extension_months__gt=0).values_list("pk", flat=True)
    )
    by_step: dict[int, int] = defaultdict(int)
    for case in cases.filter(pk__in=sample):
        replay(case)
        by_step[case.last_step] += 1
    assert len(by_step) > 5

    # Idempotent.
    before = (Case.objects.count(), StepRecord.objects.count(), Review.objects.count())
    assert not any(demo.load_demo(1).values())
    assert before == (Case.objects.count(), StepRecord.objects.count(), Review.objects.count())
