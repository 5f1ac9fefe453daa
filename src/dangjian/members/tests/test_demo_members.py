"""The demo people: counts and distributions of the seed university, valid records, the year's
history, the linked demo logins, idempotence."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from dangjian.accounts import demo as account_demo
from dangjian.core import figures, idnumber
from dangjian.core.figures import FigureContext, Period
from dangjian.members import demo
from dangjian.members.actions import PERSON_FIELDS
from dangjian.members.asof import in_subtree_on, members_on
from dangjian.members.choices import STUDENT_POSTS, Category, Post, Status
from dangjian.members.models import Cadre, MemberEvent, Person, Transfer
from dangjian.members.validation import clean_person
from dangjian.orgs import demo as org_demo
from dangjian.orgs.models import CommitteeMember, Organization


def state() -> dict[str, Any]:
    return {
        "people": Person.objects.count(),
        "events": MemberEvent.objects.count(),
        "transfers": Transfer.objects.count(),
        "cadres": Cadre.objects.count(),
        "linked": list(Person.objects.filter(user__isnull=False).values_list("pk", "user_id")),
    }


def between(value: float, low: float, high: float) -> bool:
    return low <= value <= high


@pytest.mark.django_db
def test_the_seed_university_gets_its_people_once() -> None:
    org_demo.build_demo_tree(1)
    account_demo.ensure_demo_users("Demo#Passw0rd")
    counts = demo.load_demo(1)
    today = timezone.localdate()

    members = Person.objects.members()
    total = members.count()
    assert counts["党员"] == total and counts["人员"] == Person.objects.count()
    assert between(total, 5400, 6100)  # the seed report: 5,703 members
    students = members.filter(post__in=STUDENT_POSTS)
    assert between(students.count() / total, 0.50, 0.62)
    probationary = students.filter(category=Category.PROBATIONARY).count()
    assert between(probationary / students.count(), 0.15, 0.26)
    assert between(members.filter(gender="female").count() / total, 0.40, 0.50)
    assert between(members.exclude(ethnicity="01").count() / total, 0.04, 0.08)
    pipeline = Counter(Person.objects.on_books().values_list("category", flat=True))
    assert between(pipeline[Category.APPLICANT], 1500, 3500)
    assert pipeline[Category.ACTIVIST] > 500 and pipeline[Category.CANDIDATE] > 100

    # Birth dates and education match the post; everyone joined at 18 or older.
    ages = {
        row["post"]: (row["oldest"], row["youngest"])
        for row in members.order_by()
        .values("post")
        .annotate(oldest=Min("birth_date"), youngest=Max("birth_date"))
    }

    def age(birth: Any) -> int:
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

    for post in STUDENT_POSTS & set(ages):
        assert age(ages[post][1]) >= 18 and age(ages[post][0]) <= 28, post
    for post in (Post.PROFESSIONAL, Post.MANAGEMENT, Post.SUPPORT):
        assert age(ages[post][1]) >= 25 and age(ages[post][0]) <= 60, post
    assert age(ages[Post.RETIRED][1]) >= 60 and age(ages[Post.RETIRED][0]) <= 90
    education = dict(
        members.filter(post__in=[Post.UNDERGRADUATE, Post.MASTER_STUDENT, Post.DOCTORAL_STUDENT])
        .order_by()
        .values_list("post")
        .annotate(n=Count("education", distinct=True))
    )
    assert set(education.values()) == {1}
    first_year = members.filter(post=Post.UNDERGRADUATE).first()
    assert first_year is not None and first_year.education == "high_school"
    for birth, joined in members.values_list("birth_date", "joined_on"):
        assert (
            joined.year - birth.year - ((joined.month, joined.day) < (birth.month, birth.day)) >= 18
        )

    # Valid, unique records: the ID number parses and agrees; the whole record passes clean_person.
    assert Person.objects.values("id_hash").distinct().count() == Person.objects.count()
    for person in Person.objects.order_by("?")[:150]:
        number = person.reveal_id_number()
        parsed = idnumber.parse(number)
        assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender)
        assert number[:2] in idnumber.PROVINCES and person.id_masked == idnumber.mask(number)
        data = {name: getattr(person, name) for name in PERSON_FIELDS}
        data.update(id_number=number, phone=person.reveal_phone())
        clean_person(data, check_unique=False)
        assert person.name_pinyin and person.events.exists()

    # 150 cadres, 15 on the leadership team; the year's history with its timeline.
    assert Cadre.objects.count() == 150
    assert Cadre.objects.filter(is_university_leader=True).count() == 15
    moves = Counter(Transfer.objects.values_list("direction", "status"))
    assert between(moves[("internal", "received")], 250, 400)
    assert between(moves[("inbound", "received")], 950, 1250)
    assert between(moves[("outbound", "received")], 800, 1000)
    assert moves[("internal", "issued")] >= 1
    year_ago = today - timedelta(days=366)
    assert not Transfer.objects.filter(issued_on__lt=year_ago - timedelta(days=90)).exists()
    statuses = Counter(Person.objects.values_list("status", flat=True))
    assert statuses[Status.TRANSFERRED_OUT] == moves[("outbound", "received")]
    assert between(statuses[Status.SUSPENDED], 1, 4) and statuses[Status.DECEASED] in (1, 2)
    assert statuses[Status.LEFT] >= 1
    assert between(members.filter(is_floating=True).count(), 20, 60)
    assert between(members.filter(lost_contact=True).count(), 3, 15)
    received = MemberEvent.objects.filter(kind="transfer_received")
    assert received.count() == sum(n for (_, status), n in moves.items() if status == "received")

    # The figures count the same members; as of a year ago, people are where they were.
    root = Organization.objects.get(code=org_demo.UNIVERSITY_CODE)
    now = FigureContext(root, Period.on(today))
    assert figures.compute("members.total", now).value == total
    assert figures.compute("members.by_kind", now).value == total
    committee = Organization.objects.get(code=org_demo.COMMITTEE_CODE)
    for org in (root, committee):
        then = FigureContext(org, Period.on(year_ago))
        value = figures.compute("members.total", then).value
        assert value == in_subtree_on(members_on(year_ago), org, year_ago).count()
    first = Transfer.objects.aggregate(first=Min("received_on"))["first"]
    year = FigureContext(root, Period(first, today))
    assert figures.compute("members.transfers_out", year).value == moves[("outbound", "received")]

    # The demo logins 李华 (member) and 王明 (secretary) have their records in their branch.
    branch = Organization.objects.get(code=org_demo.BRANCH_CODE)
    mine = {p.user.username: p for p in Person.objects.filter(user__isnull=False)}
    assert (mine["member"].name, mine["secretary"].name) == ("李华", "王明")
    assert mine["member"].organization == branch and mine["member"].is_member
    assert CommitteeMember.objects.filter(
        user=mine["secretary"].user, person=mine["secretary"]
    ).exists()

    before = state()
    again = demo.load_demo(1)
    assert not any(again.values())
    assert state() == before
