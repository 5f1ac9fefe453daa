"""Login lockout state read from django-axes, for the security administrator's pages.

Axes counts failures per username *and* client address (AXES_LOCKOUT_PARAMETERS), within the
cool-off window. A username counts as locked here when any one address has reached the
failure limit inside the window: that is when axes refuses the login from that address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone


@dataclass(frozen=True)
class LockState:
    """Failures of one username inside the cool-off window, and whether it is locked."""

    failures: int
    locked: bool
    locked_until: datetime | None


def _window_start() -> datetime:
    cool_off = get_cool_off() or timedelta(0)
    return timezone.now() - cool_off


def _recent_attempts() -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(attempt_time__gte=_window_start())


def locked_usernames_query() -> QuerySet[AccessAttempt]:
    """A `values('username')` subquery of the usernames locked now (for `username__in`)."""
    return (
        _recent_attempts()
        .values("username", "ip_address")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames are locked now (one query for a page of users)."""
    names = list(usernames)
    if not names:
        return set()
    return set(
        locked_usernames_query().filter(username__in=names).values_list("username", flat=True)
    )


def lock_state(username: str) -> LockState:
    """Failures in the window (the worst address) and, when locked, until when."""
    rows = list(
        _recent_attempts()
        .filter(username=username)
        .values("ip_address")
        .annotate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    if not rows:
        return LockState(0, False, None)
    worst = max(rows, key=lambda row: row["total"])
    locked = worst["total"] >= settings.AXES_FAILURE_LIMIT
    until = worst["last"] + (get_cool_off() or timedelta(0)) if locked else None
    return LockState(worst["total"], locked, until)
