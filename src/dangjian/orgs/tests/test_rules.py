"""Structure rules of domain.md §2, each on both sides of its boundary."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core.models import RuleSetting
from dangjian.orgs.choices import Kind, Level
from dangjian.orgs.rules import check_parent, structure_warnings

TODAY = date(2026, 11, 25)


def warn(**facts) -> set[str]:
    base = dict(
        level=Level.BRANCH,
        kind=Kind.UNDERGRADUATE,
        is_joint=False,
        joint_units=None,
        full_members=None,
        committee_size=None,
        current_term=None,
        today=TODAY,
    )
    return {w.code for w in structure_warnings(**{**base, **facts})}


pytestmark = pytest.mark.django_db


def test_unknown_member_counts_are_not_checked() -> None:
    assert warn(full_members=None) == set()


@pytest.mark.parametrize(("members", "flagged"), [(2, True), (3, False)])
def test_branch_needs_three_full_members(members, flagged) -> None:
    assert ("org.branch.min_members" in warn(full_members=members)) is flagged


def test_joint_branch_may_have_fewer_than_three() -> None:
    assert "org.branch.min_members" not in warn(full_members=2, is_joint=True)


@pytest.mark.parametrize(
    ("members", "kind", "code", "flagged"),
    [
        (50, Kind.UNDERGRADUATE, "org.branch.max_members", False),
        (51, Kind.UNDERGRADUATE, "org.branch.max_members", True),
        (30, Kind.TEACHER, "org.branch.teacher_max_members", False),
        (31, Kind.TEACHER, "org.branch.teacher_max_members", True),
    ],
)
def test_branch_size_limits(members, kind, code, flagged) -> None:
    assert (code in warn(full_members=members, kind=kind, committee_size=4)) is flagged


@pytest.mark.parametrize(
    ("members", "size", "flagged"), [(6, 1, False), (7, 1, True), (7, 3, False)]
)
def test_committee_required_from_seven_full_members(members, size, flagged) -> None:
    assert ("org.committee.threshold" in warn(full_members=members, committee_size=size)) is flagged


@pytest.mark.parametrize(("size", "flagged"), [(3, False), (5, False), (6, True)])
def test_committee_size_three_to_five(size, flagged) -> None:
    assert ("org.committee.size" in warn(committee_size=size)) is flagged


@pytest.mark.parametrize(
    ("ends_on", "codes"),
    [
        (date(2026, 11, 25), set()),  # ends today: not overdue
        (date(2026, 11, 24), {"org.term.overdue"}),  # one day overdue
        (date(2025, 11, 25), {"org.term.overdue"}),  # 365 days: still within the delay
        (date(2025, 11, 24), {"org.term.max_delay"}),  # 366 days: beyond one year
    ],
)
def test_overdue_reelection(ends_on, codes) -> None:
    assert warn(current_term=(3, ends_on)) == codes


def test_rule_switched_off_gives_no_warning() -> None:
    RuleSetting.objects.create(code="org.term.overdue", enabled=False)
    from dangjian.core import rules

    rules.invalidate()
    assert warn(current_term=(3, date(2026, 1, 1))) == set()


def test_rule_value_changed_moves_the_boundary() -> None:
    from dangjian.core import rules

    RuleSetting.objects.create(code="org.branch.max_members", value=40)
    rules.invalidate()
    assert "org.branch.max_members" in warn(full_members=41, committee_size=4)


@pytest.mark.parametrize(
    ("child", "parent", "ok"),
    [
        (Level.BRANCH, Level.PARTY_GROUP, False),
        (Level.BRANCH, Level.COMMITTEE, True),
        (Level.BRANCH, Level.GENERAL_BRANCH, True),
        (Level.TEMPORARY_BRANCH, Level.BRANCH, False),
        (Level.PARTY_GROUP, Level.TEMPORARY_BRANCH, True),
        (Level.GENERAL_BRANCH, Level.COMMITTEE, True),
        (Level.COMMITTEE, Level.GENERAL_BRANCH, False),
        (Level.UNIVERSITY_COMMITTEE, None, True),
        (Level.BRANCH, None, False),
    ],
)
def test_allowed_parents(child, parent, ok) -> None:
    assert (check_parent(child, parent) is None) is ok


def test_temporary_branch_may_not_approve_admissions(tree) -> None:
    tree.b2.level = Level.TEMPORARY_BRANCH
    assert not tree.b2.may_approve_admissions and tree.b1.may_approve_admissions
