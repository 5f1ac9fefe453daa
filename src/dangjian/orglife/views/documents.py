"""The annual statistics table (page and Excel) and an event's minutes as a Word document.

Routes:
    statistics/                 name "statistics"  ?within=<pk>&year=YYYY (or start/end),
                                                   &export=xlsx|csv for the file
    events/<int:pk>/minutes/    name "minutes"     the .docx of one event
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dangjian.core import audit
from dangjian.core.figures import Period, get_figure
from dangjian.core.io.export import export_response
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import EXPORT, VIEW, covers
from dangjian.core.views.pages import scope_tops
from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orglife import documents, statistics
from dangjian.orglife.models import Event
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

FIRST_YEAR, LAST_YEAR = 1921, 2100


class StatisticsForm(forms.Form):
    """Which organization and which period: a year, or a start and an end date."""

    within = forms.TypedChoiceField(label=_("党组织"), coerce=int, widget=QuickSelect)
    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("截至日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(org.pk, "　" * max(0, org.depth - 1) + org.name) for org in organizations]
        self.fields["within"].choices = choices  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        for name in ("year", "start", "end"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["year"].error_messages["invalid"] = _("请输入年份，如 2025。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(gettext("按日期统计时请同时填写开始日期和截至日期。"))
            if start > end:
                raise forms.ValidationError(gettext("开始日期不能晚于截至日期。"))
            data["period"] = Period(start, end)
        elif data.get("year"):
            data["period"] = Period.year(data["year"])
        elif not self.errors:
            data["period"] = Period.year(timezone.localdate().year)
        return data


def _organizations(request: HttpRequest) -> list[Organization]:
    """The organizations the user may see, party groups aside (kept by their branch)."""
    return list(
        Organization.objects.restrict(request.user, VIEW)
        .exclude(level=Level.PARTY_GROUP)
        .only("pk", "name", "depth", "path")
        .order_by("path")
    )


def _within(request: HttpRequest, organizations: list[Organization]) -> Organization:
    """The organization asked for (404 outside the user's scope), or the user's top one."""
    raw = request.GET.get("within", "").strip()
    if not raw:
        tops = [org for org in scope_tops(request.user) if org.level != Level.PARTY_GROUP]
        if tops:
            return tops[0]
        if organizations:
            return organizations[0]
        raise Http404(gettext("您的管理范围内没有党组织。"))
    found = next((org for org in organizations if str(org.pk) == raw), None)
    if found is None:
        deny(request, request.user, "访问范围外的对象", model="orgs.organization", action=VIEW)
        raise Http404(gettext("未找到该党组织，或不在您的管理范围内。"))
    return Organization.objects.get(pk=found.pk)


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponseBase:
    """组织生活统计表: one row per child organization and a total; each cell drills down."""
    require(request, Event, VIEW)
    organizations = _organizations(request)
    root = _within(request, organizations)
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("within", str(root.pk))
    if not any(data.get(name) for name in ("year", "start", "end")):
        data["year"] = str(today.year)
    form = StatisticsForm(data, organizations=organizations)
    period = form.cleaned_data["period"] if form.is_valid() else None
    fmt = request.GET.get("export", "")
    if fmt and period is not None:
        require(request, Event, EXPORT)
        if not covers(request.user, Event, EXPORT, root.path):
            deny(request, request.user, "无此操作权限", model="orglife.event", action=EXPORT)
            raise PermissionDenied(gettext("您没有执行此操作的权限。"))
        name = gettext("组织生活统计表_%(org)s_%(period)s") % {
            "org": root.name,
            "period": period.label,
        }
        return export_response(
            request,
            statistics.table(root, period),
            statistics.export_columns(),
            name=_sheet_safe(name),
            fmt="csv" if fmt == "csv" else "xlsx",
        )
    rows = statistics.table(root, period) if period is not None else []
    columns = [
        (column, get_figure(_base(column.name)).description) for column in statistics.COLUMNS
    ]
    title = gettext("组织生活统计表")
    return render(
        request,
        "orglife/statistics.html",
        {
            "form": form,
            "root": root,
            "period": period,
            "columns": columns,
            "rows": rows,
            "can_export": covers(request.user, Event, EXPORT, root.path),
            "page_title": title,
            "breadcrumbs": [(gettext("组织生活"), ""), (title, "")],
        },
    )


def _base(name: str) -> str:
    return name if name.count(".") == 1 else name.rsplit(".", 1)[0]


def _sheet_safe(name: str) -> str:
    """Excel refuses these characters in sheet names (the name is also the sheet's title)."""
    for char in "[]:*?/\\":
        name = name.replace(char, "_")
    return name


@login_required
@require_GET
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's minutes as .docx, for whoever may see the event."""
    event = get_scoped(request, Event, VIEW, pk=pk)
    event = Event.objects.select_related("organization", "party_group").get(pk=event.pk)
    content = documents.render(event)
    audit.record_security(
        "security.export",
        actor=request.user,
        obj=event,
        object_repr=str(event)[:200],
        detail={"document": "minutes", "format": "docx"},
    )
    response = HttpResponse(content, content_type=documents.DOCX_TYPE)
    filename = documents.file_name(event)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns: list[URLPattern] = [
    path("statistics/", statistics_page, name="statistics"),
    path("events/<int:pk>/minutes/", minutes, name="minutes"),
]
