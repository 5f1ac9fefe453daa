"""Monthly summary pages (组织生活月报): the list, a summary, writing and reviewing one.

A branch writes its month once the month is over and submits it to the committee above;
the committee approves it or returns it with a reason. Every change goes through
`orglife.summaries`; these views parse, check scope and show the refusals on the form.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.roles import SECRETARY
from dangjian.core.scope import ADD, EXPORT, VIEW, can, covers, user_grants
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.orglife import summaries
from dangjian.orglife.choices import EventKind, EventStatus, SummaryStatus
from dangjian.orglife.forms_summaries import (
    APPROVE_DECISION,
    MINE,
    ReviewForm,
    SummaryFilter,
    SummaryForm,
)
from dangjian.orglife.models import APPROVE, Event, MonthlySummary
from dangjian.orgs.choices import BRANCH_LEVELS
from dangjian.orgs.models import Organization

LIST_CRUMB = (_("组织生活月报"), "/orglife/summaries/")
EDITABLE = (SummaryStatus.DRAFT, SummaryStatus.RETURNED)
STATUS_COLOURS: dict[str, str] = {
    SummaryStatus.DRAFT: "secondary",
    SummaryStatus.SUBMITTED: "warning",
    SummaryStatus.APPROVED: "success",
    SummaryStatus.RETURNED: "danger",
}


def last_month(today: date) -> date:
    """The first day of the month before `today`'s (the month a branch reports now)."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def write_url(org: Organization | int, month: date) -> str:
    pk = org if isinstance(org, int) else org.pk
    query = urlencode({"organization": pk, "month": month.strftime("%Y-%m")})
    return f"{reverse('orglife:summary_edit')}?{query}"


def _badge(summary: MonthlySummary) -> None:
    summary.colour = STATUS_COLOURS.get(summary.status, "secondary")  # type: ignore[attr-defined]


class SummaryListView(ScopedListView):
    model = MonthlySummary
    template_name = "orglife/summary_list.html"
    filterset_class = SummaryFilter
    page_title = _("组织生活月报")
    export_name = _("组织生活月报")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("组织生活月报"), "")]
    page_related = ("organization", "reviewer")
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("党支部"), "organization.name", 28),
        ExportColumn(_("月份"), lambda s: s.month.strftime("%Y-%m"), 10),
        ExportColumn(_("状态"), "status", 10),
        ExportColumn(_("活动次数"), lambda s: s.figures.get("total", ""), 10),
        ExportColumn(_("参加人次"), lambda s: s.figures.get("person_times", ""), 10),
        ExportColumn(_("未开展事项"), lambda s: "、".join(s.figures.get("missed", [])), 24),
        ExportColumn(_("报送时间"), "submitted_at", 18),
        ExportColumn(_("审核党组织"), "reviewer.name", 20),
        ExportColumn(_("审核时间"), "decided_at", 18),
        ExportColumn(_("退回原因"), "return_reason", 30),
        ExportColumn(_("工作小结"), "text", 60),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        for summary in rows:
            _badge(summary)
        context["object_list"] = rows
        context["can_export"] = can(self.request.user, MonthlySummary, EXPORT)
        context["can_review"] = can(self.request.user, MonthlySummary, APPROVE)
        context["mine"] = MINE
        context["due"] = due_panel(self.request.user, timezone.localdate())
        return context


def due_panel(user: Any, today: date) -> dict[str, Any] | None:
    """A secretary's branches and the state of their report of last month (本月待报送)."""
    ids = [g.organization_id for g in user_grants(user) if g.role == SECRETARY]
    if not ids:
        return None
    month = last_month(today)
    branches = [
        org
        for org in Organization.objects.filter(pk__in=ids, level__in=BRANCH_LEVELS)
        if covers(user, MonthlySummary, ADD, org.path)
    ]
    found = {
        s.organization_id: s
        for s in MonthlySummary.objects.filter(organization__in=branches, month=month)
    }
    rows = []
    for org in branches:
        summary = found.get(org.pk)
        if summary is not None:
            _badge(summary)
        rows.append(
            {
                "organization": org,
                "summary": summary,
                "writable": summary is None or summary.status in EDITABLE,
                "url": write_url(org, month),
            }
        )
    return {"month": month, "rows": rows} if rows else None


# One summary ---------------------------------------------------------------------------------


def figure_rows(submitted: dict[str, Any], live: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per kind of event: the count as submitted and (when given) as it stands now."""
    rows = []
    before = submitted.get("events", {}) if submitted else {}
    now = (live or {}).get("events", {})
    for kind in EventKind:
        old, new = before.get(kind.value, 0), now.get(kind.value, 0)
        if old or new:
            rows.append({"label": kind.label, "submitted": old, "live": new, "diff": old != new})
    return rows


def _month_events(org: Organization, month: date) -> list[Event]:
    return list(
        Event.objects.filter(
            organization=org,
            status=EventStatus.HELD,
            held_on__gte=month,
            held_on__lte=summaries.month_end(month),
        ).order_by("held_on", "id")
    )


def _reviews(user: Any, summary: MonthlySummary) -> bool:
    reviewer = summary.reviewer or summary.organization.superior_committee()
    return covers(user, MonthlySummary, APPROVE, reviewer.path)


def _crumbs(summary: MonthlySummary, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    title = gettext("%(org)s %(month)s月报") % {
        "org": summary.organization.name,
        "month": summary.month.strftime("%Y-%m"),
    }
    if not tail:
        return [LIST_CRUMB, (title, "")]
    return [LIST_CRUMB, (title, reverse("orglife:summary", args=[summary.pk])), *tail]


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = get_scoped(request, MonthlySummary, VIEW, pk=pk)
    user, org = request.user, summary.organization
    _badge(summary)
    live = summaries.month_figures(org, summary.month)
    submitted = summary.figures or {}
    differs = bool(submitted) and summary.status != SummaryStatus.DRAFT and submitted != live
    return render(
        request,
        "orglife/summary_detail.html",
        {
            "summary": summary,
            "page_title": _crumbs(summary)[-1][0],
            "breadcrumbs": _crumbs(summary),
            "figures": submitted or live,
            "rows": figure_rows(submitted or live, live if differs else None),
            "live": live if differs else None,
            "events": _month_events(org, summary.month),
            "can_edit": summary.status in EDITABLE and covers(user, MonthlySummary, ADD, org.path),
            "can_review": summary.status == SummaryStatus.SUBMITTED and _reviews(user, summary),
            "edit_url": write_url(org, summary.month),
        },
    )


# Writing and reviewing -----------------------------------------------------------------------


def _param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or request.POST.get(name) or "").strip()


@login_required
def write(request: HttpRequest) -> HttpResponse:
    """Create or edit a branch's draft of a month, and submit it (保存草稿 / 报送)."""
    require(request, MonthlySummary, ADD)
    org_pk = _param(request, "organization")
    if not org_pk.isdigit():
        messages.error(request, gettext("请选择报送月报的党支部。"))
        return redirect("orglife:summaries")
    org = get_scoped(request, Organization, VIEW, pk=int(org_pk))
    if not covers(request.user, MonthlySummary, ADD, org.path):
        deny(request, request.user, "无此操作权限", model="orglife.monthlysummary", action=ADD)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    if org.level not in BRANCH_LEVELS:
        messages.error(request, gettext("组织生活月报由党支部报送。"))
        return redirect("orglife:summaries")
    try:
        month = summaries.month_start(_param(request, "month") or last_month(timezone.localdate()))
    except DomainError:
        messages.error(request, gettext("月份格式不正确，应为 YYYY-MM。"))
        return redirect("orglife:summaries")
    summary = MonthlySummary.objects.filter(organization=org, month=month).first()
    if request.method != "POST" and summary is not None and summary.status not in EDITABLE:
        messages.info(
            request,
            gettext("该月月报%(status)s，不能修改。") % {"status": summary.get_status_display()},
        )
        return redirect("orglife:summary", pk=summary.pk)
    form = SummaryForm(request.POST or None, initial={"text": summary.text if summary else ""})
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            saved = summaries.submit_summary(
                org, month, form.cleaned_data["text"], submit=submit, acting_user=request.user
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                gettext("月报已报送，等待%(org)s审核。") % {"org": saved.reviewer.name}
                if submit and saved.reviewer
                else gettext("草稿已保存。"),
            )
            return redirect("orglife:summary", pk=saved.pk)
    title = gettext("%(org)s %(month)s组织生活月报") % {
        "org": org.name,
        "month": month.strftime("%Y-%m"),
    }
    if summary is not None:
        _badge(summary)
    return render(
        request,
        "orglife/summary_form.html",
        {
            "form": form,
            "organization": org,
            "month": month,
            "month_value": month.strftime("%Y-%m"),
            "month_over": summaries.month_end(month) < timezone.localdate(),
            "summary": summary,
            "figures": summaries.month_figures(org, month),
            "events": _month_events(org, month),
            "page_title": title,
            "breadcrumbs": [LIST_CRUMB, (title, "")],
            "cancel_url": reverse("orglife:summary", args=[summary.pk])
            if summary
            else reverse("orglife:summaries"),
        },
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted summary or return it with a reason (the reviewing committee)."""
    summary = get_scoped(request, MonthlySummary, APPROVE, pk=pk)
    if not _reviews(request.user, summary):
        deny(request, request.user, "非审核党组织", model="orglife.monthlysummary", action=APPROVE)
        raise PermissionDenied(gettext("该月报应由上级党委审核。"))
    detail_url = reverse("orglife:summary", args=[summary.pk])
    if summary.status != SummaryStatus.SUBMITTED:
        messages.info(request, gettext("该月报不在待审核状态。"))
        return redirect(detail_url)
    form = ReviewForm(request.POST or None, initial={"decision": APPROVE_DECISION})
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == APPROVE_DECISION
        try:
            summaries.review_summary(
                summary,
                approve=approve,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, gettext("月报已审核通过。") if approve else gettext("月报已退回支部修改。")
            )
            return redirect(detail_url)
    _badge(summary)
    title = gettext("审核月报")
    return render(
        request,
        "orglife/summary_form.html",
        {
            "form": form,
            "reviewing": True,
            "summary": summary,
            "figures": summary.figures,
            "rows": figure_rows(summary.figures, None),
            "page_title": title,
            "breadcrumbs": _crumbs(summary, (title, "")),
            "cancel_url": detail_url,
        },
    )


urlpatterns = [
    path("summaries/", SummaryListView.as_view(), name="summaries"),
    path("summaries/write/", write, name="summary_edit"),
    path("summaries/<int:pk>/", detail, name="summary"),
    path("summaries/<int:pk>/review/", review, name="summary_review"),
]
