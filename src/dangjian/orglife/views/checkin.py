"""QR check-in and the member's own page of organizational life (我的组织生活).

The host projects a rotating QR code (`checkin_host`); the page polls `checkin_code`, which
re-renders the code and the live counts. A member scans it with a phone and confirms on
`checkin`; the check-in itself is `actions.check_in`, which verifies the token again. The
member's page reads only the records of the person linked to the account: that link is what
authorizes it, so an account without one gets a friendly 404 page (as members:me does).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE
from dangjian.members.models import Person
from dangjian.orglife import actions, checkin
from dangjian.orglife.choices import AttendanceStatus, EventStatus
from dangjian.orglife.models import Attendance, Event

MINE_CRUMB = (_("我的组织生活"), "/orglife/mine/")
RECENT_NAMES = 10
UPCOMING_DAYS = 60
UPCOMING_SHOWN = 20
HISTORY_SHOWN = 20
# The screen asks for a fresh code at least this often (and when the countdown runs out).
POLL_SECONDS = 5


def _qr_svg(text: str) -> SafeString:
    """The QR code of `text` as inline SVG (made on the server: no internet needed)."""
    code = segno.make_qr(text, error="m")
    svg = code.svg_inline(scale=1, border=2, omitsize=True, dark="#111827", light="#ffffff")
    return mark_safe(svg)  # segno's own markup; the text is only encoded in paths


def _cancelled(request: HttpRequest, event: Event, template: str) -> HttpResponse:
    return render(
        request,
        template,
        {"event": event, "cancelled": True, "page_title": gettext("扫码签到")},
        status=404,
    )


# The host's screen ---------------------------------------------------------------------------


def _code_context(request: HttpRequest, event: Event, now: datetime) -> dict[str, Any]:
    """The QR code (or why there is none), the countdown and the live counts."""
    span = checkin.window(event)
    state = "early" if now < span.opens else "closed" if now > span.closes else "open"
    context: dict[str, Any] = {
        "event": event,
        "state": state,
        "window": span,
        "poll": min(POLL_SECONDS, checkin.rotation()),
        "recent": list(
            Attendance.objects.filter(event=event, checked_in_at__isnull=False)
            .select_related("person")
            .order_by("-checked_in_at", "-id")[:RECENT_NAMES]
        ),
    }
    if state == "open":
        token = checkin.token_for(event, now)
        url = request.build_absolute_uri(reverse("orglife:checkin")) + "?t=" + token
        context |= {"qr": _qr_svg(url), "seconds_left": checkin.seconds_left(now)}
    return context


@login_required
def checkin_host(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen the host projects: a big rotating QR code and who has checked in."""
    event = get_scoped(request, Event, CHANGE, pk=pk)
    if event.status == EventStatus.CANCELLED:
        return _cancelled(request, event, "orglife/checkin_host.html")
    title = gettext("扫码签到")
    crumbs: list[tuple[Any, str]] = [(gettext("组织生活记录"), reverse("orglife:events"))]
    crumbs += [(event.title, reverse("orglife:event", args=[event.pk])), (title, "")]
    context = _code_context(request, event, timezone.now())
    context |= {
        "page_title": title,
        "breadcrumbs": crumbs,
        "attendance_url": reverse("orglife:attendance", args=[event.pk]),
    }
    return render(request, "orglife/checkin_host.html", context)


@login_required
def checkin_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The code and counts of the host's screen, re-rendered when it polls (htmx)."""
    event = get_scoped(request, Event, CHANGE, pk=pk)
    if event.status == EventStatus.CANCELLED:
        return _cancelled(request, event, "orglife/_checkin_code.html")
    context = _code_context(request, event, timezone.now())
    return render(request, "orglife/_checkin_code.html", context)


# The member's scan ---------------------------------------------------------------------------


def _scan_page(
    request: HttpRequest, token: str, event: Event | None, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "orglife/checkin.html",
        {"page_title": gettext("扫码签到"), "token": token, "event": event, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest) -> HttpResponse:
    """What a member's phone opens from the QR code: the event, then 确认签到.

    Refusals (a stale or forged code, a second check-in, an account without a person) are
    shown on the page; the member scans the newest code or asks the host to record them.
    """
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    token = token.strip()[:200]
    try:
        event = checkin.verify(token, timezone.now())
    except DomainError as error:
        return _scan_page(request, token, None, error.message)
    if request.method == "POST":
        try:
            row = actions.check_in(token, acting_user=request.user)
        except DomainError as error:
            return _scan_page(request, token, event, error.message)
        context = {"page_title": gettext("签到成功"), "event": event, "row": row}
        context["mine_url"] = reverse("orglife:mine")
        return render(request, "orglife/checkin_done.html", context)
    person = Person.objects.filter(user=request.user).first()  # type: ignore[misc]
    if person is None:
        return _scan_page(
            request,
            token,
            event,
            gettext("您的账号未关联党员档案，无法签到；请联系主持人手工登记。"),
        )
    done = Attendance.objects.filter(event=event, person=person, checked_in_at__isnull=False)
    first = done.first()
    if first is not None and first.checked_in_at is not None:
        return _scan_page(
            request,
            token,
            event,
            gettext("您已于%(time)s签到，无需重复签到。")
            % {"time": timezone.localtime(first.checked_in_at).strftime("%H:%M")},
        )
    return _scan_page(request, token, event)


# The member's own page -----------------------------------------------------------------------


def _upcoming(person: Person, now: datetime) -> list[Event]:
    """Planned events of the member's organization (or with them on the list) ahead."""
    mine = Attendance.objects.filter(event=OuterRef("pk"), person=person)
    events: list[Event] = list(
        Event.objects.filter(
            Q(organization_id=person.organization_id)
            | Q(pk__in=Attendance.objects.filter(person=person).values("event")),
            status=EventStatus.PLANNED,
            ends_at__gte=now,
            starts_at__lte=now + timedelta(days=UPCOMING_DAYS),
        )
        .select_related("organization")
        .annotate(my_status=Subquery(mine.values("status")[:1]))
        .annotate(my_checked_in=Subquery(mine.values("checked_in_at")[:1]))
        .order_by("starts_at", "id")[:UPCOMING_SHOWN]
    )
    for event in events:
        span = checkin.window(event)
        event.checkin_open = span.opens <= now <= span.closes  # type: ignore[attr-defined]
        event.url = reverse("orglife:event", args=[event.pk])  # type: ignore[attr-defined]
    return events


def _year_record(person: Person, year: int) -> dict[str, int | None]:
    """This year's held events: expected (due), attended, on leave, absent (one query)."""
    rows = Attendance.objects.filter(
        person=person, event__status=EventStatus.HELD, event__held_on__year=year
    )
    return rows.aggregate(
        due=Count("pk", filter=Q(expected=True)),
        attended=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        expected_present=Count("pk", filter=Q(expected=True, status=AttendanceStatus.PRESENT)),
    )


def _history(person: Person) -> list[Attendance]:
    rows = list(
        Attendance.objects.filter(person=person, event__status=EventStatus.HELD)
        .select_related("event__organization")
        .order_by("-event__starts_at", "-id")[:HISTORY_SHOWN]
    )
    for row in rows:
        row.url = reverse("orglife:event", args=[row.event_id])  # type: ignore[attr-defined]
    return rows


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own organizational life: what is coming, this year's record, history."""
    person = (
        Person.objects.filter(user=request.user)  # type: ignore[misc]  # login_required
        .select_related("organization")
        .first()
    )
    context: dict[str, Any] = {"page_title": gettext("我的组织生活"), "breadcrumbs": [MINE_CRUMB]}
    if person is None:
        return render(request, "orglife/mine.html", context | {"missing": True}, status=404)
    now = timezone.now()
    year = timezone.localdate(now).year
    record = _year_record(person, year)
    due, present = record["due"] or 0, record.pop("expected_present") or 0
    record["rate"] = round(100 * present / due) if due else None
    context |= {
        "person": person,
        "year": year,
        "record": record,
        "upcoming": _upcoming(person, now),
        "history": _history(person),
    }
    return render(request, "orglife/mine.html", context)


urlpatterns: list[URLPattern] = [
    path("events/<int:pk>/checkin/screen/", checkin_host, name="checkin_host"),
    path("events/<int:pk>/checkin/code/", checkin_code, name="checkin_code"),
    path("checkin/", scan, name="checkin"),
    path("mine/", mine, name="mine"),
]
