"""Daily reminders of recruitment: steps due within 7 days or overdue to the branch, reviews
waiting more than 7 days to the reviewers, each at most once a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import reminders
from dangjian.core.models import Notification
from dangjian.core.testing.personas import Tree
from dangjian.recruitment import actions
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.testing import applicant, helpers_for, schedule, walk

pytestmark = pytest.mark.django_db

DUE = date(2023, 11, 1)  # step 5 of a case walked through step 4 from 2023-03-01


def run(day: date, capture: Any) -> list[tuple[str, str, str]]:
    """Recruitment notifications sent by one run: (recipient, title, key)."""
    start = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with capture(execute=True):
        reminders.run(day)
    return list(
        Notification.objects.filter(id__gt=start, key__regex=r"^recruitment\.(due|waiting):")
        .order_by("recipient__username", "id")
        .values_list("recipient__username", "title", "key")
    )


@pytest.fixture
def cases(tree: Tree, personas: dict[str, User]) -> dict[str, Case]:
    """`due` (b1, secretary) and `other` (b2, no secretary) have step 5 due on DUE; `waiting`
    (b1) filed step 4 through the secretary and waits for c1."""
    helpers = helpers_for(tree.b1)
    waiting = walk(applicant(tree.b1, "甲"), through=3, helpers=helpers)
    actions.record_step(
        waiting, 4, occurred_on=schedule(date(2023, 3, 1))[4], acting_user=personas["secretary"]
    )
    waiting.refresh_from_db()
    return {
        "due": walk(applicant(tree.b1, "乙"), through=4, helpers=helpers),
        "other": walk(applicant(tree.b2, "丙"), through=4, helpers=helpers_for(tree.b2, 910)),
        "waiting": waiting,
    }


def test_steps_due_within_seven_days_and_overdue_remind_the_branch_once_a_day(
    cases: dict[str, Case], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    assert run(DUE - timedelta(days=8), capture) == []
    due, other = cases["due"].pk, cases["other"].pk
    assert run(DUE - timedelta(days=7), capture) == [
        (
            "committee",
            "丙 第5步“指定培养联系人”将于2023-11-01到期",
            f"recruitment.due:{other}:5:2023-10-25",
        ),
        (
            "secretary",
            "乙 第5步“指定培养联系人”将于2023-11-01到期",
            f"recruitment.due:{due}:5:2023-10-25",
        ),
    ]
    assert run(DUE - timedelta(days=7), capture) == []  # the same day: not again
    assert [row[1] for row in run(DUE, capture)] == [
        "丙 第5步“指定培养联系人”今天到期",
        "乙 第5步“指定培养联系人”今天到期",
    ]
    assert [row[1] for row in run(DUE + timedelta(days=3), capture)] == [
        "丙 第5步“指定培养联系人”已逾期3天",
        "乙 第5步“指定培养联系人”已逾期3天",
    ]
    note = Notification.objects.filter(key__startswith=f"recruitment.due:{due}:").first()
    assert note is not None
    assert note.url == f"/recruitment/{due}/"
    assert note.body == "培养党支部：文学院教工第一党支部"


def test_reviews_waiting_more_than_seven_days_remind_the_reviewers(
    cases: dict[str, Case], personas: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    today = timezone.localdate()
    record = StepRecord.objects.get(case=cases["waiting"], step=4)
    now = timezone.now()
    StepRecord.objects.filter(pk=record.pk).update(updated_at=now - timedelta(days=7))
    assert [r for r in run(today, capture) if r[2].startswith("recruitment.waiting")] == []
    StepRecord.objects.filter(pk=record.pk).update(updated_at=now - timedelta(days=8))
    title = "待审核：甲 第4步“报上级党委备案”已等待8天"
    key = f"recruitment.waiting:{record.pk}:committee:{today.isoformat()}"
    waiting = [r for r in run(today, capture) if r[2].startswith("recruitment.waiting")]
    assert waiting == [("committee", title, key), ("univ", title, key)]  # not c2's staff
    assert run(today, capture) == []
    actions.review_step(
        record,
        decision="approved",
        decided_on=record.occurred_on,
        acting_user=personas["committee"],
    )
    tomorrow = today + timedelta(days=1)
    assert [r for r in run(tomorrow, capture) if r[2].startswith("recruitment.waiting")] == []


def test_queries_do_not_grow_with_cases(
    cases: dict[str, Case], django_assert_max_num_queries: Any
) -> None:
    from dangjian.recruitment.reminders import reviews_waiting, steps_due

    with django_assert_max_num_queries(4):  # the cases, then each branch's users once
        assert len(list(steps_due(DUE))) == 2
    StepRecord.objects.update(updated_at=timezone.now() - timedelta(days=30))
    with django_assert_max_num_queries(2):  # the records, the grants
        assert len(list(reviews_waiting(timezone.localdate()))) == 1
