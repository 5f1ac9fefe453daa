"""The member counter behind the organization tree's badges and size rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.choices import Category
from dangjian.members.counts import count_members
from dangjian.members.testing import make_person
from dangjian.orgs.counts import MemberCount, member_counts
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 1)


def probationary(org: Organization, name: str) -> Any:
    return make_person(org, name=name, category=Category.PROBATIONARY, converted_on=None)


def test_members_on_the_books_are_counted_up_the_tree(tree: Tree) -> None:
    make_person(tree.b1)
    probationary(tree.b1, "李四")
    make_person(tree.b3, name="王五")
    make_person(tree.c1, name="赵六")  # kept directly by the committee
    make_person(
        tree.b1,
        name="钱七",
        category=Category.CANDIDATE,
        joined_on=None,
        converted_on=None,
    )
    suspended = make_person(tree.b2, name="孙八")
    actions.suspend(suspended, on=DAY, reason="失联", acting_user=None)
    for name, act in (
        ("周九", lambda p: actions.leave_party(p, on=DAY, reason="withdrawal", acting_user=None)),
        ("吴十", lambda p: actions.record_death(p, on=DAY, acting_user=None)),
    ):
        act(make_person(tree.b2, name=name))
    orgs = [tree.university, tree.c1, tree.c2, tree.b1, tree.b2, tree.b3, tree.g1]
    assert member_counts(orgs) == {
        tree.university.pk: MemberCount(5, 4),
        tree.c1.pk: MemberCount(4, 3),
        tree.c2.pk: MemberCount(1, 1),
        tree.b1.pk: MemberCount(2, 1),
        tree.b2.pk: MemberCount(1, 1),
        tree.b3.pk: MemberCount(1, 1),
        tree.g1.pk: MemberCount(0, 0),
    }


def test_conversion_moves_a_member_from_probationary_to_full(tree: Tree) -> None:
    person = probationary(tree.b1, "李四")
    assert member_counts([tree.b1])[tree.b1.pk] == MemberCount(1, 0)
    actions.update_person(
        person,
        {"category": Category.FULL, "converted_on": date(2013, 6, 1)},
        acting_user=None,
    )
    assert member_counts([tree.b1])[tree.b1.pk] == MemberCount(1, 1)


def test_one_query_however_many_organizations(tree: Tree, django_assert_num_queries: Any) -> None:
    for n in range(6):
        make_person((tree.b1, tree.b2, tree.b3)[n % 3], name=f"党员{n}")
    orgs = list(Organization.objects.all())
    with django_assert_num_queries(1):
        counted = count_members(orgs)
    assert counted[tree.university.pk] == MemberCount(6, 6)
    assert count_members([]) == {}


def test_a_branch_with_people_on_its_books_cannot_be_dissolved(tree) -> None:
    """Dissolving would orphan them: transfer them first (or merge the branch)."""
    from dangjian.core.errors import DomainError
    from dangjian.orgs import actions as org_actions

    make_person(tree.b2)
    with pytest.raises(DomainError, match="1名在册人员"):
        org_actions.dissolve_organization(
            tree.b2, on=date(2026, 1, 1), reason="撤并", acting_user=None
        )
    tree.b2.refresh_from_db()
    assert tree.b2.is_active
