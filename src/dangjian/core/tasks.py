"""Background jobs of the core: notification e-mail and the daily reminders."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from dangjian.core.models import Notification


@shared_task
def send_notification_emails(ids: list[int]) -> int:
    """E-mail each notification whose recipient has an address; returns how many were sent."""
    sent = 0
    for note in Notification.objects.filter(pk__in=ids, emailed=False).select_related("recipient"):
        if not note.recipient.email:
            continue
        link = f"\n\n{settings.DANGJIAN_BASE_URL}{note.url}" if note.url else ""
        send_mail(
            f"[党建工作平台] {note.title}", f"{note.body}{link}", None, [note.recipient.email]
        )
        Notification.objects.filter(pk=note.pk).update(emailed=True)
        sent += 1
    return sent


@shared_task
def daily_reminders(day: str | None = None) -> int:
    """Run every registered reminder source for the day (beat: every morning)."""
    from dangjian.core.reminders import run

    return run(date.fromisoformat(day) if day else None)


@shared_task
def run_import_job(token: str) -> str:
    """Import a large uploaded file in the background (core/io/jobs.py)."""
    from dangjian.core.io.jobs import run_job

    return run_job(token)
