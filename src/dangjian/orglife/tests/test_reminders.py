"""Daily reminders of organizational life: required items not held as their period's end
nears (within orglife.reminder_days), and last month's summary from the 1st to the due day;
each at most once a day, to the branch's secretary (else the committee staff above it)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dangjian.core import reminders, rules
from dangjian.core.models import Notification, RuleSetting
from dangjian.orglife import summaries
from dangjian.orglife.choices import EventKind, Requirement
from dangjian.orglife.rules import FREQUENCY
from dangjian.orglife.testing import held
from dangjian.orgs.choices import Status
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db
MAY_END = date(2025, 5, 31)


def _set(code: str, **values: object) -> None:
    RuleSetting.objects.update_or_create(code=code, applies_to="", defaults=values)
    rules.invalidate()


def _only_theme_days() -> None:
    for requirement, definition in FREQUENCY.items():
        if requirement != Requirement.THEME_DAY:
            _set(definition.code, enabled=False)


def run(day: date, capture: Any, kind: str = "due") -> list[tuple[str, str, str, str]]:
    """The orglife notifications of one run: (recipient, title, body, url)."""
    start = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with capture(execute=True):
        reminders.run(day)
    return list(
        Notification.objects.filter(id__gt=start, key__startswith=f"orglife.{kind}:")
        .order_by("recipient__username", "id")
        .values_list("recipient__username", "title", "body", "url")
    )


def test_a_theme_day_not_held_reminds_within_the_lead_days_once_a_day(
    tree, personas, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _only_theme_days()
    assert run(MAY_END - timedelta(days=8), capture) == []  # 8 days before: not yet
    first = MAY_END - timedelta(days=7)
    sent = run(first, capture)
    assert sent == [
        (
            "committee",
            "文学院本科生第一党支部尚未开展：主题党日",
            "请在2025-05-31前开展并登记。",
            f"/orglife/compliance/{tree.b2.pk}/?year=2025",
        ),
        (
            "outsider",
            "数学学院研究生党支部尚未开展：主题党日",
            "请在2025-05-31前开展并登记。",
            f"/orglife/compliance/{tree.b3.pk}/?year=2025",
        ),
        (
            "secretary",
            "文学院教工第一党支部尚未开展：主题党日",
            "请在2025-05-31前开展并登记。",
            f"/orglife/compliance/{tree.b1.pk}/?year=2025",
        ),
    ]
    assert run(first, capture) == []  # the same day: not twice
    assert len(run(MAY_END, capture)) == 3  # again on the last day of the period
    assert run(MAY_END + timedelta(days=1), capture) == []  # June ends in 29 days


def test_no_reminder_once_held(tree, personas, django_capture_on_commit_callbacks):
    _only_theme_days()
    held(tree.b1, EventKind.THEME_DAY, date(2025, 5, 8))
    sent = run(MAY_END - timedelta(days=3), django_capture_on_commit_callbacks)
    assert [row[0] for row in sent] == ["committee", "outsider"]
    assert not any(tree.b1.name in row[1] for row in sent)


def test_the_lead_follows_the_rule(tree, personas, django_capture_on_commit_callbacks):
    _only_theme_days()
    _set("orglife.reminder_days", value=2)
    capture = django_capture_on_commit_callbacks
    assert run(MAY_END - timedelta(days=3), capture) == []
    assert len(run(MAY_END - timedelta(days=2), capture)) == 3


def test_a_reminder_lists_every_item_ending_then(
    tree, personas, django_capture_on_commit_callbacks
):
    """At the end of March the quarter's items end with the month's: one message each."""
    sent = run(date(2025, 3, 28), django_capture_on_commit_callbacks)
    titles = {row[0]: row[1] for row in sent}
    # B1 has a party group (党小组会 required); B2 has none.
    assert (
        titles["secretary"]
        == "文学院教工第一党支部尚未开展：支部党员大会、党小组会、支部党课、主题党日"
    )
    assert titles["committee"] == "文学院本科生第一党支部尚未开展：支部党员大会、支部党课、主题党日"


def test_summary_reminders_from_the_first_to_the_due_day(
    tree, personas, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    sent = run(date(2025, 6, 1), capture, "summary")
    assert sent == [
        ("committee", "请报送2025-05组织生活月报", "截止日期：10日。", "/orglife/summaries/"),
        ("outsider", "请报送2025-05组织生活月报", "截止日期：10日。", "/orglife/summaries/"),
        ("secretary", "请报送2025-05组织生活月报", "截止日期：10日。", "/orglife/summaries/"),
    ]
    assert run(date(2025, 6, 1), capture, "summary") == []  # not twice a day
    assert len(run(date(2025, 6, 10), capture, "summary")) == 3
    assert run(date(2025, 6, 11), capture, "summary") == []  # after the due day


def test_no_summary_reminder_once_submitted_or_for_a_dissolved_branch(
    tree, personas, django_capture_on_commit_callbacks
):
    summaries.submit_summary(tree.b1, "2025-05", "本月开展主题党日一次。", acting_user=None)
    Organization.objects.filter(pk=tree.b3.pk).update(
        status=Status.DISSOLVED, dissolved_on=date(2025, 5, 20)
    )
    sent = run(date(2025, 6, 3), django_capture_on_commit_callbacks, "summary")
    assert [row[0] for row in sent] == ["committee"]  # B2 only


def test_a_draft_summary_still_reminds(tree, personas, django_capture_on_commit_callbacks):
    summaries.submit_summary(tree.b1, "2025-05", "草稿", submit=False, acting_user=None)
    sent = run(date(2025, 6, 3), django_capture_on_commit_callbacks, "summary")
    assert "secretary" in [row[0] for row in sent]


def test_the_summary_due_day_follows_the_rule(tree, personas, django_capture_on_commit_callbacks):
    _set("orglife.summary_due_day", value=5)
    capture = django_capture_on_commit_callbacks
    assert run(date(2025, 6, 6), capture, "summary") == []
    assert run(date(2025, 6, 5), capture, "summary")[0][2] == "截止日期：5日。"
