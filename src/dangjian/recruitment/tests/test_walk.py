"""A case from application to conversion, through the actions."""

from __future__ import annotations

from datetime import date

from dangjian.core.testing.personas import Tree
from dangjian.members.choices import Category
from dangjian.recruitment.choices import CaseStatus
from dangjian.recruitment.testing import applicant, walk


def test_a_case_runs_from_application_to_conversion(tree: Tree) -> None:
    person = applicant(tree.b1)
    case = walk(person)
    person.refresh_from_db()
    assert case.status == CaseStatus.CONVERTED
    assert person.category == Category.FULL
    assert person.joined_on == case.voted_on
    assert person.converted_on == case.probation_ends_on
    assert case.next_step is None
    assert case.records.count() == 25


def test_each_stage_moves_the_registry(tree: Tree) -> None:
    person = applicant(tree.b1, name="王五")
    case = walk(person, through=7)
    person.refresh_from_db()
    assert person.category == Category.CANDIDATE
    assert person.activist_on == case.activist_on == date(2023, 5, 1)
    assert case.next_step == 8
