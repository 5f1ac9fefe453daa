"""Problem lists: 清单 → 台账 → 销号, returns and reopening, permissions, recurrence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dangjian.core.errors import DomainError
from dangjian.tasks import actions
from dangjian.tasks.choices import ProblemLevel, ProblemStatus, ProblemStep
from dangjian.tasks.models import Problem, ProblemFile
from dangjian.tasks.similarity import similarity
from dangjian.tasks.testing import close, evidence, make_problem

pytestmark = pytest.mark.django_db

LEDGER = {"measures": "制定整改方案，每月开展一次主题党日", "responsible": "李书记"}


def test_the_whole_loop_is_kept_in_the_log(tree, personas):
    univ, committee = personas["univ"], personas["committee"]
    problem = actions.list_problem(
        tree.university,
        {
            "year": 2023,
            "source": "investigation",
            "category": "organization",
            "description": "基层党组织活动方式单一",
            "unit": tree.c1.pk,
        },
        acting_user=univ,
    )
    assert (problem.number, problem.level, problem.status) == (
        "1",
        ProblemLevel.UNIVERSITY,
        ProblemStatus.LISTED,
    )
    deadline = problem.listed_on + timedelta(days=30)
    actions.open_ledger(problem, LEDGER | {"deadline": deadline}, acting_user=committee)
    actions.record_progress(problem, "已召开专题会议", [evidence()], acting_user=committee)
    actions.submit_closure(problem, "整改完成", acting_user=committee)
    assert problem.status == ProblemStatus.SUBMITTED
    actions.verify(problem, True, "核验属实", acting_user=univ)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.CLOSED and problem.closed_on == date.today()
    assert problem.days_to_close == 0 and problem.verified_by == univ
    steps = list(problem.log.values_list("step", flat=True))
    assert steps == [
        ProblemStep.LISTED,
        ProblemStep.LEDGER,
        ProblemStep.PROGRESS,
        ProblemStep.SUBMITTED,
        ProblemStep.CLOSED,
    ]


def test_close_out_needs_evidence_and_verification(tree, personas):
    problem = make_problem(tree.university, tree.c1)
    with pytest.raises(DomainError, match="不能申请销号"):
        actions.submit_closure(problem, "完成", [evidence()], acting_user=None)
    actions.open_ledger(problem, LEDGER | {"deadline": problem.listed_on}, acting_user=None)
    with pytest.raises(DomainError, match="佐证材料") as caught:
        actions.submit_closure(problem, "完成", acting_user=None)
    assert "files" in caught.value.errors
    with pytest.raises(DomainError, match="不能核验"):
        actions.verify(problem, True, "同意", acting_user=None)
    actions.submit_closure(problem, "完成", [evidence()], acting_user=None)
    with pytest.raises(DomainError, match="核验意见"):
        actions.verify(problem, True, "  ", acting_user=None)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SUBMITTED


def test_a_bad_file_is_refused_and_nothing_is_kept(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    problem = make_problem(tree.university, tree.c1)
    actions.open_ledger(problem, LEDGER | {"deadline": problem.listed_on}, acting_user=None)
    fake = SimpleUploadedFile("证明.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError, match="PDF、JPG或PNG"):
        actions.submit_closure(problem, "完成", [fake], acting_user=None)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and not ProblemFile.objects.exists()


def test_only_the_unit_rectifies_and_only_the_issuer_closes(tree, personas):
    problem = make_problem(tree.university, tree.c1)
    with pytest.raises(DomainError, match="不是本单位"):
        actions.open_ledger(
            problem, LEDGER | {"deadline": problem.listed_on}, acting_user=personas["outsider"]
        )
    actions.open_ledger(
        problem, LEDGER | {"deadline": problem.listed_on}, acting_user=personas["committee"]
    )
    actions.submit_closure(problem, "完成", [evidence()], acting_user=personas["committee"])
    with pytest.raises(DomainError, match="只有列出问题的单位"):
        actions.verify(problem, True, "自己销号", acting_user=personas["committee"])
    with pytest.raises(DomainError, match="无权"):
        actions.list_problem(
            tree.university, {"unit": tree.c1.pk}, acting_user=personas["committee"]
        )


def test_a_return_and_a_reopening_go_back_to_rectification(tree, personas):
    problem = make_problem(tree.university, tree.c1)
    actions.open_ledger(problem, LEDGER | {"deadline": problem.listed_on}, acting_user=None)
    actions.submit_closure(problem, "完成", [evidence()], acting_user=None)
    with pytest.raises(DomainError, match="说明理由"):
        actions.verify(problem, False, "", acting_user=None)
    actions.verify(problem, False, "措施未落实", acting_user=None)
    assert problem.status == ProblemStatus.RECTIFYING
    actions.submit_closure(problem, "已落实", acting_user=None)
    actions.verify(problem, True, "同意销号", acting_user=None)
    with pytest.raises(DomainError, match="理由"):
        actions.reopen(problem, "", acting_user=None)
    actions.reopen(problem, "回访发现问题反弹", acting_user=None)
    problem.refresh_from_db()
    assert (problem.status, problem.reopened_count, problem.closed_on) == (
        ProblemStatus.RECTIFYING,
        1,
        None,
    )


def test_bad_fields_are_named(tree):
    with pytest.raises(DomainError) as caught:
        actions.list_problem(
            tree.university, {"year": "明年", "unit": tree.c2.pk}, acting_user=None
        )
    assert set(caught.value.errors) >= {"year", "source", "category", "description"}
    with pytest.raises(DomainError, match="不在"):
        make_problem(tree.c1, tree.c2)
    problem = make_problem(tree.university, tree.c1)
    with pytest.raises(DomainError, match="不能早于问题列入日期"):
        actions.open_ledger(
            problem, LEDGER | {"deadline": problem.listed_on - timedelta(days=1)}, acting_user=None
        )
    with pytest.raises(DomainError, match="已被使用"):
        make_problem(tree.university, tree.c1, number=problem.number)
    assert Problem.objects.count() == 1


def test_a_unit_level_problem_gets_the_unit_level(tree):
    assert make_problem(tree.c1, tree.b1).level == ProblemLevel.UNIT


def test_a_problem_like_one_closed_last_year_is_flagged_recurring(tree):
    old = close(
        make_problem(
            tree.university,
            tree.c1,
            year=2022,
            description="支部组织生活质量不高，主题党日形式单一",
        )
    )
    again = make_problem(
        tree.university, tree.c1, year=2023, description="主题党日形式单一，支部组织生活质量不高"
    )
    assert again.recurring_of == old and again.similarity >= 0.6
    other_unit = make_problem(
        tree.university, tree.c2, year=2023, description="支部组织生活质量不高，主题党日形式单一"
    )
    unrelated = make_problem(
        tree.university, tree.c1, year=2023, description="科研经费报销流程繁琐"
    )
    assert other_unit.recurring_of is None and unrelated.recurring_of is None


def test_similarity_is_symmetric_and_bounded():
    assert similarity("主题党日形式单一", "主题党日形式单一") == 1.0
    assert similarity("主题党日形式单一", "") == 0.0
    a, b = "组织生活不规范", "组织生活会不规范"
    assert similarity(a, b) == similarity(b, a) and 0.5 < similarity(a, b) < 1


def test_only_a_listed_problem_can_be_deleted(tree):
    problem = make_problem(tree.university, tree.c1)
    actions.open_ledger(problem, LEDGER | {"deadline": problem.listed_on}, acting_user=None)
    with pytest.raises(DomainError, match="不能删除"):
        actions.delete_problem(problem, acting_user=None)
