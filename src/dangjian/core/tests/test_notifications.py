"""Inbox and e-mail after commit, daily reminders once a day, and Redis when reachable."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from dangjian.core import reminders, rules
from dangjian.core.models import Notification
from dangjian.core.notifications import notify
from dangjian.orgs.models import CommitteeTerm

pytestmark = pytest.mark.django_db


def test_notify_after_commit_with_email(personas, django_capture_on_commit_callbacks) -> None:
    personas["secretary"].email = "sec@example.edu.cn"
    personas["secretary"].save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([personas["secretary"], personas["member"]], "请按期换届", "正文", "/orgs/")
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sec@example.edu.cn"]
    assert "请按期换届" in mail.outbox[0].subject
    assert Notification.objects.get(recipient=personas["secretary"]).emailed


def test_nothing_is_sent_when_the_transaction_rolls_back(
    personas, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify([personas["member"]], "不会发送")
        raise RuntimeError
    assert Notification.objects.count() == 0


@pytest.fixture
def reelections_only(monkeypatch):
    """Only the re-election source: other apps' reminders (monthly summaries…) fire on the
    same days and have tests of their own."""
    from dangjian.orgs.reminders import overdue_reelections

    monkeypatch.setattr(reminders, "_sources", [overdue_reelections])


def test_overdue_reelection_reminds_secretary_and_committee_once_a_day(
    tree, personas, django_capture_on_commit_callbacks, reelections_only
) -> None:
    CommitteeTerm.objects.create(
        organization=tree.b1,
        number=1,
        elected_on=date(2021, 1, 1),
        term_years=3,
        ends_on=date(2024, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.run(date(2024, 1, 2))
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert sent == 2 and recipients == {"secretary", "committee"}
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run(date(2024, 1, 2)) == 0  # same day: not again
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.run(date(2024, 1, 3)) == 2  # next day: again


def test_not_yet_overdue_sends_nothing(tree, personas, reelections_only) -> None:
    CommitteeTerm.objects.create(
        organization=tree.b1,
        number=1,
        elected_on=date(2021, 1, 1),
        term_years=3,
        ends_on=date(2024, 1, 1),
    )
    assert reminders.run(date(2024, 1, 1)) == 0


def test_remind_command(tree, personas) -> None:
    call_command("remind", "--date", "2024-01-02")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("remind", "--date", "2024/01/02")


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_rule_cache_on_redis(monkeypatch) -> None:
    """The rules cache works on the production cache backend (shared by app servers)."""
    from django.core.cache.backends.redis import RedisCache

    from dangjian.core.models import RuleSetting

    shared = RedisCache("redis://127.0.0.1:6379/15", {})
    monkeypatch.setattr(rules, "cache", shared)
    rules.invalidate()
    assert rules.value("org.branch.max_members") == 50
    RuleSetting.objects.create(code="org.branch.max_members", value=45)
    assert rules.value("org.branch.max_members") == 50  # cached
    rules.invalidate()
    assert rules.value("org.branch.max_members") == 45
    rules.invalidate()
