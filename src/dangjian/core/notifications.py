"""Notifications: the in-app inbox plus e-mail, sent after the surrounding transaction commits.

Channels are pluggable: each is a callable taking the new Notification rows; e-mail is the
default channel and runs as a background job (inline without Redis). SMS or WeChat channels
register the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from dangjian.core.models import Notification

Channel = Callable[[list[int]], None]
_channels: list[Channel] = []


def register_channel(channel: Channel) -> Channel:
    """Add a delivery channel (called with the ids of new notifications)."""
    if channel not in _channels:
        _channels.append(channel)
    return channel


def _email_channel(ids: list[int]) -> None:
    from dangjian.core.tasks import send_notification_emails

    send_notification_emails.delay(ids)


register_channel(_email_channel)


def notify(
    recipients: Iterable[Any], title: str, body: str = "", url: str = "", key: str = ""
) -> None:
    """Queue a message to each recipient; nothing is sent if the transaction rolls back."""
    recipient_ids = sorted({user.pk for user in recipients if user is not None})
    if not recipient_ids:
        return

    def deliver() -> None:
        rows = Notification.objects.bulk_create(
            Notification(
                recipient_id=pk, title=title[:200], body=body, url=url[:300], key=key[:120]
            )
            for pk in recipient_ids
        )
        ids = [row.pk for row in rows]  # SQLite ≥ 3.35 and PostgreSQL return the keys
        for channel in _channels:
            channel(ids)

    transaction.on_commit(deliver)
