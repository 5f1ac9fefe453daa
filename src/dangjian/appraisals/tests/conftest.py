"""Fixtures of appraisal tests: a branch of members with accounts, and a campaign over it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dangjian.accounts.models import RoleGrant, User
from dangjian.appraisals.testing import make_campaign
from dangjian.core.roles import RoleKind
from dangjian.members.choices import Category
from dangjian.members.testing import make_person


@pytest.fixture
def branch_members(tree):
    """Six full and one probationary member of B1, each with a member account."""
    people = []
    for n in range(7):
        category = Category.PROBATIONARY if n == 6 else Category.FULL
        extra = {"category": category}
        if category == Category.PROBATIONARY:
            extra |= {"joined_on": date.today() - timedelta(days=100), "converted_on": None}
        person = make_person(
            tree.b1,
            name=f"评议党员{n}",
            staff_no=f"AP{n:03d}",
            birth_date=date(1990, 1, 1) + timedelta(days=n),
            **extra,
        )
        user = User.objects.create_user(
            username=f"voter{n}", password="x", display_name=person.name
        )
        RoleGrant.objects.create(user=user, role=RoleKind.MEMBER, organization=tree.b1)
        person.user = user
        person.save(update_fields=["user"])
        people.append(person)
    return people


@pytest.fixture
def campaign(tree, branch_members):
    """A member appraisal of B1, voting open, with two printed codes."""
    return make_campaign(tree.b1, codes=2)
