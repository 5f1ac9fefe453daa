"""Plans and tasks: drafting, issuing, splitting down the tree, reporting and checking."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.core.errors import DomainError
from dangjian.core.models import Notification
from dangjian.tasks import actions
from dangjian.tasks.choices import PlanStatus, ReportResult, TaskStatus
from dangjian.tasks.models import Milestone, ReportFile, Task, TaskReport
from dangjian.tasks.testing import accept, evidence, make_plan, plan_data, task_data

pytestmark = pytest.mark.django_db


def test_a_plan_is_drafted_broken_into_tasks_and_issued(
    tree, personas, django_capture_on_commit_callbacks
):
    univ = personas["univ"]
    plan = actions.create_plan(tree.university, plan_data(), acting_user=univ)
    assert plan.status == PlanStatus.DRAFT
    with pytest.raises(DomainError, match="还没有任务"):
        actions.issue_plan(plan, acting_user=univ)
    first = actions.save_task(plan, task_data(tree.c1), acting_user=univ)
    second = actions.save_task(
        plan,
        task_data(
            tree.c2,
            cooperating_units=[tree.c1.pk],
            milestones=[{"due": "2023-05-01", "text": "制定方案"}],
        ),
        acting_user=univ,
    )
    assert (first.number, second.number) == ("1", "2")
    assert first.status == TaskStatus.DRAFT
    assert list(second.cooperating_units.all()) == [tree.c1]
    assert Milestone.objects.get(task=second).text == "制定方案"
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_plan(plan, acting_user=univ)
    assert set(plan.tasks.values_list("status", flat=True)) == {TaskStatus.IN_PROGRESS}
    told = Notification.objects.filter(title__contains="新任务")
    assert told.filter(recipient=personas["committee"]).exists()
    with pytest.raises(DomainError, match="已下发"):
        actions.issue_plan(plan, acting_user=univ)


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        (date(2023, 3, 31), "不能早于方案开始日期"),
        (date(2024, 1, 1), "不能晚于方案结束日期"),
        ("2023-13-01", "日期"),
        ("", "请填写完成时限"),
    ],
)
def test_a_deadline_outside_the_plan_is_refused(tree, deadline, message):
    plan = actions.create_plan(tree.university, plan_data(), acting_user=None)
    with pytest.raises(DomainError, match=message) as caught:
        actions.save_task(plan, task_data(tree.c1, deadline=deadline), acting_user=None)
    assert "deadline" in caught.value.errors
    assert not Task.objects.exists()


def test_the_plan_dates_are_checked_both_ways(tree):
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        actions.create_plan(tree.university, plan_data(ends_on=date(2023, 3, 1)), acting_user=None)
    plan = make_plan(tree.university, [tree.c1], issue=False)
    actions.save_task(plan, task_data(tree.c1, deadline=plan.starts_on), acting_user=None)
    with pytest.raises(DomainError, match="方案期限之外"):
        actions.update_plan(plan, {"starts_on": date(2023, 5, 1)}, acting_user=None)


def test_missing_fields_are_named_and_a_unit_outside_the_issuer_refused(tree):
    plan = actions.create_plan(tree.c1, plan_data(), acting_user=None)
    with pytest.raises(DomainError) as caught:
        actions.save_task(
            plan, {"lead_unit": tree.c2.pk, "deadline": "2023-05-01"}, acting_user=None
        )
    assert set(caught.value.errors) >= {"content", "criterion", "lead_unit"}
    assert "不在" in caught.value.errors["lead_unit"]


def test_only_the_issuers_staff_draft_plans(tree, personas):
    with pytest.raises(DomainError, match="无权"):
        actions.create_plan(tree.university, plan_data(), acting_user=personas["committee"])
    plan = actions.create_plan(tree.c1, plan_data(), acting_user=personas["committee"])
    with pytest.raises(DomainError, match="无权"):
        actions.save_task(plan, task_data(tree.b1), acting_user=personas["outsider"])


def test_the_lead_unit_reports_and_the_issuer_accepts(tree, personas):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    committee, univ = personas["committee"], personas["univ"]
    report = actions.report_progress(
        task, {"text": "已完成一半", "progress": 50}, acting_user=committee
    )
    task.refresh_from_db()
    assert (task.progress, task.status, report.result) == (
        50,
        TaskStatus.IN_PROGRESS,
        ReportResult.NOTED,
    )
    with pytest.raises(DomainError, match="佐证材料"):
        actions.report_progress(
            task, {"text": "完成", "for_acceptance": "on"}, acting_user=committee
        )
    claim = actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=committee
    )
    assert ReportFile.objects.filter(report=claim).count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED and task.progress == 100
    with pytest.raises(DomainError, match="等待审核"):
        actions.report_progress(task, {"text": "再报", "progress": 90}, acting_user=committee)
    with pytest.raises(DomainError, match="下发单位"):
        actions.check_report(claim, True, acting_user=committee)
    actions.check_report(claim, True, acting_user=univ)
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and task.completed_on is not None
    assert task.days_overdue(date(2030, 1, 1)) == 0
    with pytest.raises(DomainError, match="不是待验收"):
        actions.check_report(claim, False, "再看看", acting_user=univ)


def test_a_return_needs_a_reason_and_sends_the_task_back(
    tree, personas, django_capture_on_commit_callbacks
):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    claim = actions.report_progress(
        task, {"text": "已完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    with pytest.raises(DomainError, match="说明理由"):
        actions.check_report(claim, False, " ", acting_user=personas["univ"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_report(claim, False, "佐证材料不全", acting_user=personas["univ"])
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED
    assert Notification.objects.filter(
        recipient=personas["committee"], title__contains="退回"
    ).exists()
    actions.report_progress(task, {"text": "补充材料", "progress": 90}, acting_user=None)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_reporting_on_a_task_of_another_unit_is_refused(tree, personas):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    for name in ("outsider", "member"):
        with pytest.raises(DomainError, match="不是本单位牵头"):
            actions.report_progress(task, {"text": "x", "progress": 10}, acting_user=personas[name])
    assert not TaskReport.objects.exists()


def test_nothing_is_reported_before_the_plan_is_issued(tree):
    plan = make_plan(tree.university, [tree.c1], issue=False)
    with pytest.raises(DomainError, match="尚未下发"):
        actions.report_progress(plan.tasks.get(), {"text": "x", "progress": 10}, acting_user=None)


def test_a_task_is_split_down_the_tree_and_checked_by_the_splitter(tree, personas):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    committee = personas["committee"]
    with pytest.raises(DomainError, match="不在"):
        actions.split_task(task, [{"lead_unit": tree.b3.pk}], acting_user=committee)
    parts = actions.split_task(
        task,
        [{"lead_unit": tree.b1.pk}, {"lead_unit": tree.b2.pk, "deadline": "2023-06-01"}],
        acting_user=committee,
    )
    assert [p.number for p in parts] == ["1.1", "1.2"]
    assert all(p.status == TaskStatus.IN_PROGRESS and p.issuer == tree.c1 for p in parts)
    with pytest.raises(DomainError, match="子任务未通过验收"):
        actions.report_progress(
            task, {"text": "完成", "for_acceptance": True}, [evidence()], acting_user=committee
        )
    secretary = personas["secretary"]
    accept(parts[0], reporter=secretary, checker=committee)
    claim = actions.report_progress(
        parts[1], {"text": "完成", "for_acceptance": True}, [evidence()], acting_user=None
    )
    with pytest.raises(DomainError, match="下发单位"):
        actions.check_report(claim, True, acting_user=secretary)
    actions.check_report(claim, True, acting_user=committee)
    accept(task, reporter=committee, checker=personas["univ"])
    actions.close_plan(plan, acting_user=personas["univ"])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_a_plan_closes_only_when_every_task_is_accepted(tree):
    plan = make_plan(tree.university, [tree.c1, tree.c2])
    accept(plan.tasks.first())
    with pytest.raises(DomainError, match="1项任务未通过验收"):
        actions.close_plan(plan, acting_user=None)


def test_days_overdue_count_from_the_deadline(tree):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    assert task.days_overdue(date(2023, 6, 30)) == 0
    assert task.days_overdue(date(2023, 7, 10)) == 10


def test_a_task_with_reports_cannot_be_deleted_nor_an_issued_plan(tree):
    plan = make_plan(tree.university, [tree.c1])
    task = plan.tasks.get()
    actions.report_progress(task, {"text": "x", "progress": 5}, acting_user=None)
    with pytest.raises(DomainError, match="已有进展报告"):
        actions.delete_task(task, acting_user=None)
    with pytest.raises(DomainError, match="已下发"):
        actions.delete_plan(plan, acting_user=None)


def test_a_claim_on_a_university_task_reaches_the_university_staff(
    tree, personas, django_capture_on_commit_callbacks
):
    """The university committee has no secretary grant: its staff are told instead."""
    task = make_plan(tree.university, [tree.c1]).tasks.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.report_progress(
            task, {"text": "完成", "for_acceptance": True}, [evidence()], acting_user=None
        )
    assert Notification.objects.filter(
        recipient=personas["univ"], title__contains="申请验收"
    ).exists()
