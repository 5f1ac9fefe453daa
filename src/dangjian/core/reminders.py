"""Daily reminders: apps register sources of due and overdue items; one message a day each.

A source yields `Reminder`s; `run()` sends each recipient one notification per reminder key
per day, so running the job twice on a day (a retry, a manual run) sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from dangjian.core.models import Notification
from dangjian.core.notifications import notify


@dataclass(frozen=True)
class Reminder:
    key: str
    recipients: tuple[Any, ...]
    title: str
    body: str = ""
    url: str = ""


Source = Callable[[date], Iterable[Reminder]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Register a reminder source (in the app's reminders.py or apps.ready)."""
    if source not in _sources:
        _sources.append(source)
    return source


def run(day: date | None = None) -> int:
    """Send today's reminders; returns the number of messages queued."""
    day = day or timezone.localdate()
    queued = 0
    for source in _sources:
        for reminder in source(day):
            key = f"{reminder.key}:{day.isoformat()}"
            already = set(
                Notification.objects.filter(key=key).values_list("recipient_id", flat=True)
            )
            fresh = [user for user in reminder.recipients if user.pk not in already]
            notify(fresh, reminder.title, reminder.body, reminder.url, key=key)
            queued += len(fresh)
    return queued
