"""Rotating check-in codes: the host shows a QR code whose token changes every N seconds.

A token is `<event id>.<time step>.<signature>`: the step is the Unix time divided by the
rotation interval (orglife.checkin_rotation), the signature an HMAC-SHA256 over the event and
step, keyed by the site secret and the event's own random key. A token is accepted in its own
step and the next one (so a code scanned just before it changes still works: between N and 2N
seconds in all) and only within the event's window (orglife.checkin_opens minutes before the
start to orglife.checkin_closes minutes after the end). Nothing is stored per token.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext

from dangjian.core import rules
from dangjian.core.errors import DomainError
from dangjian.orglife.choices import EventStatus
from dangjian.orglife.models import Event

FORGED = "orglife.checkin_forged"


@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime


def rotation() -> int:
    """Seconds a code is shown before the next one (at least 5)."""
    return max(5, int(rules.value("orglife.checkin_rotation")))


def window(event: Event) -> Window:
    """When check-in is open for `event`."""
    before = int(rules.value("orglife.checkin_opens"))
    after = int(rules.value("orglife.checkin_closes"))
    return Window(
        event.starts_at - timedelta(minutes=before), event.ends_at + timedelta(minutes=after)
    )


def _step(now: datetime) -> int:
    return int(now.timestamp()) // rotation()


def _signature(event_id: int, key: str, step: int) -> str:
    secret = f"{settings.SECRET_KEY}:{key}".encode()
    message = f"orglife.checkin:{event_id}:{step}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def token_for(event: Event, now: datetime) -> str:
    """The token the host's screen shows at `now`."""
    step = _step(now)
    return f"{event.pk}.{step}.{_signature(event.pk, event.checkin_key, step)}"


def seconds_left(now: datetime) -> int:
    """Seconds until the code shown at `now` changes (the host page refreshes then)."""
    period = rotation()
    return period - int(now.timestamp()) % period


def parse(token: str) -> tuple[int, int, str]:
    """(event id, step, signature); DomainError for anything that is not a token."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise DomainError(gettext("签到码无效，请扫描主持人屏幕上的二维码。"), code=FORGED)
    return int(parts[0]), int(parts[1]), parts[2]


def verify(token: str, now: datetime) -> Event:
    """The event a token checks in to, if it is genuine, current and within the window.

    Raises DomainError with the reason: forged, expired, not yet open, closed, cancelled.
    """
    event_id, step, signature = parse(token)
    event = Event.objects.select_related("organization").filter(pk=event_id).first()
    if event is None or not hmac.compare_digest(
        signature, _signature(event_id, event.checkin_key, step)
    ):
        raise DomainError(gettext("签到码无效，请扫描主持人屏幕上的二维码。"), code=FORGED)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(gettext("该活动已取消，无需签到。"), code="orglife.checkin_cancelled")
    current = _step(now)
    if step > current:
        raise DomainError(gettext("签到码无效，请扫描主持人屏幕上的二维码。"), code=FORGED)
    if step < current - 1:
        raise DomainError(
            rules.get("orglife.checkin_rotation").message(), code="orglife.checkin_expired"
        )
    span = window(event)
    if now < span.opens:
        raise DomainError(
            rules.get("orglife.checkin_opens").message(), code="orglife.checkin_early"
        )
    if now > span.closes:
        raise DomainError(
            rules.get("orglife.checkin_closes").message(), code="orglife.checkin_closed"
        )
    return event
