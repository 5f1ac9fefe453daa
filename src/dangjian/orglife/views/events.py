"""Event pages (组织生活记录): the list in scope, an event's page, the add/edit form and
cancelling. The attendance sheet and the files have their own modules; their URL patterns
are listed here too.

The list reads only the counts kept on `Event` (refreshed by the actions), so a page and its
totals footer are a constant number of queries whatever the attendance.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, VIEW, can, covers
from dangjian.core.text import Text
from dangjian.core.views.forms import action_form, apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.orglife import actions
from dangjian.orglife.choices import QUORUM_KINDS, EventStatus
from dangjian.orglife.filters import EventFilter
from dangjian.orglife.forms import (
    CancelForm,
    EventForm,
    addable_organizations,
    initial_of,
    renamed,
)
from dangjian.orglife.models import Attendance, Event, EventFile
from dangjian.orglife.views import attendance, files
from dangjian.orglife.views.attendance import LIST_CRUMB, event_crumbs

MAIN_FILTERS = ("within", "kind", "status", "held_from", "held_to")


def _times(event: Event) -> str:
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    return f"{starts:%H:%M}–{ends:%H:%M}"


def _late(event: Event) -> str:
    if not event.is_late:
        return ""
    return (
        gettext("是（%(reason)s）") % {"reason": event.late_reason} if event.late_reason else "是"
    )


class EventListView(ScopedListView):
    model = Event
    template_name = "orglife/event_list.html"
    filterset_class = EventFilter
    paginate_by = 50
    page_title = _("组织生活记录")
    export_name = _("组织生活登记簿")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("组织生活记录"), "")]
    page_related = ("organization",)
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("日期"), "held_on", 12),
        ExportColumn(_("起止时间"), _times, 12),
        ExportColumn(_("党组织"), "organization.name", 28),
        ExportColumn(_("类型"), "kind", 12),
        ExportColumn(_("主题"), "title", 30),
        ExportColumn(_("地点"), "place", 16),
        ExportColumn(_("主持人"), "host_name", 10),
        ExportColumn(_("记录人"), "recorder_name", 10),
        ExportColumn(_("主讲人"), "speaker_name", 10),
        ExportColumn(_("主讲人层级"), "lecture_level", 12),
        ExportColumn(_("微党课"), "is_micro", 8),
        ExportColumn(_("应到"), "expected_count", 8),
        ExportColumn(_("实到"), "present_count", 8),
        ExportColumn(_("请假"), "leave_count", 8),
        ExportColumn(_("缺席"), "absent_count", 8),
        ExportColumn(_("列席"), "guest_count", 8),
        ExportColumn(_("参加人次"), "person_times", 10),
        ExportColumn(_("累计时长（小时）"), "person_hours", 12),
        ExportColumn(_("达到法定人数"), lambda e: "" if e.quorum_met is None else e.quorum_met, 10),
        ExportColumn(_("逾期补录"), _late, 20),
        ExportColumn(_("状态"), "status", 10),
    ]

    def get_queryset(self) -> QuerySet[Event]:
        queryset = super().get_queryset()
        if not (self.filterset.is_bound and self.filterset.is_valid()):
            queryset = queryset.exclude(status=EventStatus.CANCELLED)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filtered: Any = self.object_list
        context["totals"] = filtered.order_by().aggregate(
            events=Count("pk"), person_times=Sum("person_times"), hours=Sum("person_hours")
        )
        context["can_add"] = can(self.request.user, Event, ADD)
        context["can_export"] = can(self.request.user, Event, "export")
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        context["more_filters"] = [
            form[name] for name in form.fields if name not in (*MAIN_FILTERS, "q")
        ]
        context["more_open"] = any(
            self.request.GET.get(bound.name) for bound in context["more_filters"]
        )
        return context


# An event's page ------------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, Event, VIEW, pk=pk)
    user = request.user
    rows = list(
        Attendance.objects.restrict(user, VIEW)
        .filter(event=event)
        .select_related("person")
        .order_by("is_guest", "-expected", "person__name_pinyin", "id")
    )
    stored = list(EventFile.objects.restrict(user, VIEW).filter(event=event))
    can_change = event.status != EventStatus.CANCELLED and covers(
        user, Event, CHANGE, event.organization.path
    )
    sections = [
        (label, getattr(event, name))
        for name, label in (
            ("agenda", _("议程")),
            ("first_topic", _("第一议题学习内容")),
            ("minutes", _("会议记录")),
            ("resolutions", _("决议事项")),
            ("criticism", _("批评与自我批评情况")),
        )
        if getattr(event, name)
    ]
    return render(
        request,
        "orglife/event_detail.html",
        {
            "event": event,
            "page_title": event.title,
            "breadcrumbs": event_crumbs(event),
            "rows": rows,
            "photos": [f for f in stored if f.kind == EventFile.PHOTO],
            "attachments": [f for f in stored if f.kind == EventFile.ATTACHMENT],
            "sections": sections,
            "shows_quorum": event.kind in QUORUM_KINDS,
            "times": _times(event),
            "can_change": can_change,
            "can_cancel": can_change
            and not (event.status == EventStatus.HELD and event.person_times),
            "checkin_url": reverse("orglife:checkin_host", args=[event.pk]) if can_change else "",
            "minutes_url": reverse("orglife:minutes", args=[event.pk]),
        },
    )


# The form -------------------------------------------------------------------------------------


def _save(request: HttpRequest, event: Event | None) -> HttpResponse:
    """Add (event None) or change an event through `actions.save_event`."""
    user = request.user
    justify = request.method == "POST" and "late_reason" in request.POST
    initial: dict[str, Any] = {"status": EventStatus.HELD, "day": timezone.localdate()}
    if event is not None:
        initial = initial_of(event)
    else:
        for name in ("organization", "kind"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
    form = EventForm(request.POST or None, user=user, event=event, justify=justify, initial=initial)
    if request.method == "POST" and form.is_valid():
        if event is None:
            organization = addable_organizations(user).get(pk=form.cleaned_data["organization"])
        else:
            organization = event.organization
        try:
            outcome = actions.save_event(
                organization,
                form.action_data(),
                event=event,
                justification=form.cleaned_data.get("late_reason", ""),
                acting_user=user,
            )
        except RuleViolation as error:
            if "late_reason" not in form.fields:
                form.add_justification()
            error.errors = renamed(error.errors)
            apply_errors(form, error)
        except DomainError as error:
            error.errors = renamed(error.errors)
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存组织生活记录。"))
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect("orglife:event", pk=outcome.obj.pk)
    title = gettext("登记组织生活") if event is None else gettext("编辑组织生活记录")
    crumbs = [LIST_CRUMB, (title, "")] if event is None else event_crumbs(event, (title, ""))
    cancel_url = reverse("orglife:event", args=[event.pk]) if event else reverse("orglife:events")
    fields = [(form[name], form.kinds_of(name)) for name in form.fields if name != "late_reason"]
    return render(
        request,
        "orglife/event_form.html",
        {
            "form": form,
            "event": event,
            "fields": fields,
            "page_title": title,
            "breadcrumbs": crumbs,
            "cancel_url": cancel_url,
            "justify": "late_reason" in form.fields,
        },
    )


@login_required
def add(request: HttpRequest) -> HttpResponse:
    require(request, Event, ADD)
    return _save(request, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, Event, CHANGE, pk=pk)
    if event.status == EventStatus.CANCELLED:
        messages.info(request, gettext("该活动已取消，不能修改。"))
        return redirect("orglife:event", pk=event.pk)
    return _save(request, event)


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_scoped(request, Event, CHANGE, pk=pk)
    detail_url = reverse("orglife:event", args=[event.pk])
    title = gettext("取消活动")
    return action_form(
        request,
        CancelForm(request.POST or None),
        lambda data: actions.cancel_event(event, reason=data["reason"], acting_user=request.user),
        success=gettext("已取消该活动，记录予以保留。"),
        next_url=detail_url,
        page_title=title,
        breadcrumbs=event_crumbs(event, (title, "")),
        intro=gettext("取消后该活动不计入统计和落实情况；已召开并登记出勤的活动不能取消。"),
        submit_label=title,
        cancel_url=detail_url,
    )


urlpatterns: list[URLPattern] = [
    path("events/", EventListView.as_view(), name="events"),
    path("events/add/", add, name="event_add"),
    path("events/<int:pk>/", detail, name="event"),
    path("events/<int:pk>/edit/", edit, name="event_edit"),
    path("events/<int:pk>/cancel/", cancel, name="event_cancel"),
    *attendance.urlpatterns,
    *files.urlpatterns,
]
