"""The attendance sheet of an event: one POST, one `actions.record_attendance` call.

Every listed row posts its status (`status_<row id>`) and leave reason; guests are added by
name and unit; for talks and activities (no expected list) members are picked to join as
participants. The action checks every line before writing, so a bad line leaves the sheet
as it was and the user's choices are shown again with the reasons.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE, VIEW
from dangjian.core.text import Text
from dangjian.members.choices import MEMBER_CATEGORIES, Status
from dangjian.members.models import Person
from dangjian.orglife import actions
from dangjian.orglife.actions import Mark
from dangjian.orglife.choices import HOURS_KINDS, OPEN_KINDS, AttendanceStatus, EventStatus
from dangjian.orglife.models import Attendance, Event

LIST_CRUMB = (_("组织生活记录"), "/orglife/events/")
CANDIDATES = 500  # members offered as participants of a talk or activity


def event_crumbs(event: Event, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    """Breadcrumbs of a page about one event."""
    if not tail:
        return [LIST_CRUMB, (event.title, "")]
    return [LIST_CRUMB, (event.title, reverse("orglife:event", args=[event.pk])), *tail]


def _rows(event: Event) -> list[Attendance]:
    return list(
        Attendance.objects.filter(event=event)
        .select_related("person")
        .order_by("is_guest", "-expected", "person__name_pinyin", "id")
    )


def marks_from(post: Any, event: Event, rows: list[Attendance]) -> list[Mark]:
    """The sheet's lines from the POST: listed rows, new guests, new participants."""
    marks: list[Mark] = []
    for row in rows:
        status = post.get(f"status_{row.pk}")
        if status is None:
            continue
        marks.append(
            Mark(
                status=status,
                person_id=row.person_id,
                is_guest=row.is_guest,
                guest_name=row.guest_name,
                guest_unit=row.guest_unit,
                leave_reason=post.get(f"reason_{row.pk}", ""),
                hours=post.get(f"hours_{row.pk}") or None,
            )
        )
    names, units = post.getlist("guest_name"), post.getlist("guest_unit")
    for index, name in enumerate(names):
        unit = units[index] if index < len(units) else ""
        if name.strip() or unit.strip():
            marks.append(
                Mark(
                    status=AttendanceStatus.PRESENT,
                    is_guest=True,
                    guest_name=name.strip(),
                    guest_unit=unit.strip(),
                )
            )
    hours = (post.get("participant_hours") or "").strip()
    default = "" if event.hours is None else str(event.hours)
    for value in post.getlist("participants"):
        marks.append(
            Mark(
                status=AttendanceStatus.PRESENT,
                person_id=int(value) if value.isdigit() else -1,
                hours=hours if hours and hours != default else None,
            )
        )
    return marks


def _candidates(request: HttpRequest, event: Event, rows: list[Attendance]) -> list[Any]:
    """Members of the event's organization the user may add as participants."""
    if event.kind not in OPEN_KINDS:
        return []
    taken = {row.person_id for row in rows if row.person_id}
    people = (
        Person.objects.restrict(request.user, VIEW)
        .filter(
            organization__path__startswith=event.organization.path,
            category__in=MEMBER_CATEGORIES,
            status=Status.NORMAL,
        )
        .exclude(pk__in=taken)
        .order_by("name_pinyin", "id")
        .values_list("pk", "name", "staff_no")[:CANDIDATES]
    )
    return list(people)


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, Event, CHANGE, pk=pk)
    detail_url = reverse("orglife:event", args=[event.pk])
    if event.status == EventStatus.CANCELLED:
        messages.info(request, gettext("该活动已取消，不能登记出勤。"))
        return redirect(detail_url)
    rows = _rows(event)
    errors: list[str] = []
    posted: Any = QueryDict()
    if request.method == "POST":
        posted = request.POST
        try:
            outcome = actions.record_attendance(
                event, marks_from(request.POST, event, rows), acting_user=request.user
            )
        except DomainError as error:
            errors = list(error.errors.values())
        else:
            done = outcome.obj
            messages.success(
                request,
                gettext("已登记出勤：实到%(present)d人，请假%(leave)d人，缺席%(absent)d人。")
                % {
                    "present": done.present_count,
                    "leave": done.leave_count,
                    "absent": done.absent_count,
                },
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect(detail_url)
    for row in rows:
        row.chosen = posted.get(f"status_{row.pk}", row.status)  # type: ignore[attr-defined]
        row.reason = posted.get(f"reason_{row.pk}", row.leave_reason)  # type: ignore[attr-defined]
        row.hours_text = posted.get(  # type: ignore[attr-defined]
            f"hours_{row.pk}", "" if row.hours is None else str(row.hours)
        )
    guests = list(zip(posted.getlist("guest_name"), posted.getlist("guest_unit"), strict=False))
    title = gettext("登记出勤")
    return render(
        request,
        "orglife/attendance.html",
        {
            "event": event,
            "rows": rows,
            "errors": errors,
            "guests": [g for g in guests if any(v.strip() for v in g)],
            "candidates": _candidates(request, event, rows),
            "chosen": set(posted.getlist("participants")),
            "is_open": event.kind in OPEN_KINDS,
            "has_hours": event.kind in HOURS_KINDS,
            "statuses": AttendanceStatus.choices,
            "page_title": title,
            "breadcrumbs": event_crumbs(event, (title, "")),
            "cancel_url": detail_url,
        },
    )


urlpatterns: list[URLPattern] = [
    path("events/<int:pk>/attendance/", sheet, name="attendance"),
]
