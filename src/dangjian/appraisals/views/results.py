"""Results of a campaign (only once counted), the decision on grades, the public list (公示),
the result files, and the list of subjects appraised across campaigns.

Results, decision and files are for the organizing staff: a voter or subject who may see the
campaign gets 403 here, and sees the grades only once published (publicity). Nothing on these
pages comes from a single ballot: counts are the tallies, comments are shuffled texts.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.appraisals import actions, counting, documents
from dangjian.appraisals.choices import (
    DECISION_SCALE,
    RESULT_PHASES,
    SCALE_OPTIONS,
    CampaignKind,
    Phase,
    option_label,
    options,
)
from dangjian.appraisals.models import Campaign, Subject
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn, export_response
from dangjian.core.permissions import deny, get_scoped
from dangjian.core.scope import CHANGE, EXPORT, VIEW, covers, user_grants
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.core.widgets import DateInput
from dangjian.orglife.filters import OneOrMoreSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization

DECIDING = (Phase.COUNTED, Phase.DECIDED)


def _link(name: str, *args: Any) -> str:
    return reverse(f"appraisals:{name}", args=args)


def _crumbs(campaign: Campaign, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    return [
        (gettext("评议测评"), _link("campaigns")),
        (campaign.title, _link("campaign", campaign.pk)),
        *tail,
    ]


def _forbidden(request: HttpRequest, action: str) -> PermissionDenied:
    deny(request, request.user, "无此操作权限", model="appraisals.campaign", action=action)
    return PermissionDenied(gettext("您没有执行此操作的权限。"))


def staff_campaign(request: HttpRequest, pk: int, action: str = VIEW) -> Campaign:
    """The campaign for its organizing staff: 404 outside scope, 403 for voters and subjects
    (their member grant shows them the campaign, not its results)."""
    campaign = get_scoped(request, Campaign, action, pk=pk)
    campaign = Campaign.objects.select_related("organization").get(pk=campaign.pk)
    if not covers(request.user, Campaign, action, campaign.organization.path):
        raise _forbidden(request, action)
    return campaign


def _chart(sheet: documents.ResultSheet) -> dict[str, Any]:
    """The stacked bar of grade shares per graded subject (ECharts data)."""
    rows = [row for row in sheet.rows if row.cells and row.answered]
    return {
        "subjects": [row.subject.name for row in rows],
        "series": [
            {"name": label, "data": [float(row.cells[i].share or 0) for row in rows]}
            for i, label in enumerate(sheet.labels)
        ],
    }


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """测评结果: turnout, shares, proposals, the quota; never before the count."""
    campaign = staff_campaign(request, pk)
    context: dict[str, Any] = {
        "campaign": campaign,
        "page_title": gettext("测评结果"),
        "breadcrumbs": _crumbs(campaign, (gettext("测评结果"), "")),
        "campaign_url": _link("campaign", campaign.pk),
    }
    if not campaign.has_results:
        return render(request, "appraisals/results.html", context)
    sheet = documents.result_sheet(campaign, with_comments=True)
    path_ = campaign.organization.path
    context |= {
        "sheet": sheet,
        "chart": _chart(sheet),
        "chart_height": 120 + 34 * len([r for r in sheet.rows if r.cells and r.answered]),
        "can_decide": campaign.phase in DECIDING and covers(request.user, Campaign, CHANGE, path_),
        "can_export": covers(request.user, Campaign, EXPORT, path_),
        "published": campaign.phase == Phase.PUBLISHED,
    }
    return render(request, "appraisals/results.html", context)


@login_required
@require_POST
def recount(request: HttpRequest, pk: int) -> HttpResponse:
    """复核计票: count the stored ballots again and compare with the stored count."""
    campaign = staff_campaign(request, pk)
    if not campaign.has_results:
        messages.error(request, gettext("投票结束并计票后才能复核计票。"))
        return redirect("appraisals:results", pk=campaign.pk)
    same = counting.recount(campaign)
    audit.record(
        "appraisals.campaign.recount",
        actor=request.user,
        obj=campaign,
        success=same,
        message="复核一致" if same else "复核不一致",
        detail={"ballots": campaign.ballot_count},
    )
    if same:
        messages.success(
            request,
            gettext("复核一致：%(n)d张选票重新计票结果与原计票一致。")
            % {"n": campaign.ballot_count},
        )
    else:
        messages.error(
            request,
            gettext(
                "复核不一致：重新计票结果与原计票不一致，选票或计票记录可能已被改动，"
                "请联系安全保密管理员核查。"
            ),
        )
    return redirect("appraisals:results", pk=campaign.pk)


class DecisionForm(forms.Form):
    """One grade per graded subject (proposed or current final grade first), and a note."""

    note = forms.CharField(
        label=_("确定等次说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("如：经支部党员大会讨论表决确定。"),
    )

    def __init__(self, *args: Any, campaign: Campaign, subjects: list[Subject], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", gettext("请选择")), *options(DECISION_SCALE[campaign.kind])]
        self.fields["note"].initial = campaign.decision_note
        for subject in subjects:
            if not subject.graded:
                continue
            self.fields[self.key(subject)] = forms.ChoiceField(
                label=subject.name,
                choices=choices,
                initial=subject.final_grade or subject.proposed_grade,
                error_messages={
                    "required": gettext("请为“%(name)s”选择等次。") % {"name": subject.name},
                    "invalid_choice": gettext("“%(name)s”的等次不在可选等次内。")
                    % {"name": subject.name},
                },
                widget=forms.Select(attrs={"class": "form-select form-select-sm dj-grade"}),
            )

    @staticmethod
    def key(subject: Subject) -> str:
        return f"grade_{subject.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """确定等次: the organization fixes final grades; the action checks the quota."""
    campaign = staff_campaign(request, pk, CHANGE)
    if campaign.phase not in DECIDING:
        messages.error(
            request,
            gettext("测评当前处于“%(phase)s”阶段，不能确定等次。")
            % {"phase": campaign.get_phase_display()},
        )
        return redirect("appraisals:results", pk=campaign.pk)
    sheet = documents.result_sheet(campaign)
    subjects = [row.subject for row in sheet.rows]
    form = DecisionForm(request.POST or None, campaign=campaign, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        grades = {s.pk: form.cleaned_data[form.key(s)] for s in subjects if s.graded}
        try:
            actions.decide(
                campaign, grades, note=form.cleaned_data["note"], acting_user=request.user
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已确定评议等次。"))
            return redirect("appraisals:results", pk=campaign.pk)
    rows = [
        (row, form[form.key(row.subject)] if row.subject.graded else None) for row in sheet.rows
    ]
    top = options(DECISION_SCALE[campaign.kind])[0]
    return render(
        request,
        "appraisals/decide.html",
        {
            "campaign": campaign,
            "sheet": sheet,
            "form": form,
            "rows": rows,
            "top_code": top[0],
            "top_label": top[1],
            "page_title": gettext("确定评议等次"),
            "breadcrumbs": _crumbs(
                campaign,
                (gettext("测评结果"), reverse("appraisals:results", args=[campaign.pk])),
                (gettext("确定评议等次"), ""),
            ),
        },
    )


@login_required
@require_GET
def results_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The results as Excel (?format=xlsx) or Word (?format=docx); every file is audited."""
    campaign = staff_campaign(request, pk, EXPORT)
    fmt = request.GET.get("format", "xlsx")
    if not campaign.has_results or fmt not in ("xlsx", "docx"):
        messages.error(
            request,
            gettext("投票结束并计票后才能导出结果。")
            if not campaign.has_results
            else gettext("导出格式只能是 Excel 或 Word。"),
        )
        return redirect("appraisals:results", pk=campaign.pk)
    sheet = documents.result_sheet(campaign)
    if fmt == "xlsx":
        columns = documents.export_columns(sheet)
        name = documents.export_name(campaign)
        return export_response(request, sheet.rows, columns, name=name, fmt="xlsx")
    content = documents.render_docx(sheet)
    audit.record_security(
        "security.export",
        actor=request.user,
        obj=campaign,
        object_repr=str(campaign)[:200],
        detail={"document": "results", "format": "docx"},
    )
    response = HttpResponse(content, content_type=documents.DOCX_TYPE)
    filename = quote(documents.file_name(campaign))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
@require_GET
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """评议结果公示: the final grades, for staff and the campaign's voters and subjects."""
    campaign = get_scoped(request, Campaign, VIEW, pk=pk)
    campaign = Campaign.objects.select_related("organization").get(pk=campaign.pk)
    published = campaign.phase == Phase.PUBLISHED
    rows = []
    if published:
        for subject in campaign.subjects.select_related("organization"):
            label = documents.grade_label(campaign, subject, subject.final_grade)
            rows.append((subject, label))
    title = gettext("评议结果公示")
    return render(
        request,
        "appraisals/publicity.html",
        {
            "campaign": campaign,
            "published": published,
            "rows": rows,
            "page_title": title,
            "breadcrumbs": _crumbs(campaign, (title, "")),
        },
    )


def _grade_choices() -> list[tuple[str, str]]:
    """Every final grade code once, labelled with all its names (优秀, 基本合格/基本称职…)."""
    labels: dict[str, list[str]] = {}
    for scale_options in SCALE_OPTIONS.values():
        for code, label in scale_options:
            if str(label) not in labels.setdefault(code, []):
                labels[code].append(str(label))
    return [(code, "/".join(names)) for code, names in labels.items()]


class AppraisedFilter(django_filters.FilterSet):
    """GET names as the figures' drill-downs use them: within, kind, year, closes_from,
    closes_to, final_grade, graded."""

    within = within_filter()
    kind = django_filters.MultipleChoiceFilter(
        label=_("类型"),
        field_name="campaign__kind",
        choices=CampaignKind.choices,
        widget=OneOrMoreSelect,
    )
    year = django_filters.NumberFilter(label=_("评议年度"), field_name="campaign__year")
    closes_from = django_filters.DateFilter(
        label=_("截止日期起"),
        field_name="campaign__closes_at",
        lookup_expr="date__gte",
        widget=DateInput(),
    )
    closes_to = django_filters.DateFilter(
        label=_("截止日期止"),
        field_name="campaign__closes_at",
        lookup_expr="date__lte",
        widget=DateInput(),
    )
    final_grade = django_filters.ChoiceFilter(
        label=_("评定等次"), choices=_grade_choices, empty_label=_("全部等次")
    )
    graded = django_filters.BooleanFilter(label=_("评定等次对象"))

    class Meta:
        model = Subject
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)
        for name, bound in self.form.fields.items():
            text = name in ("year", "closes_from", "closes_to")
            css = "form-control form-control-sm" if text else "form-select form-select-sm"
            bound.widget.attrs.setdefault("class", css)

    def filter_within(
        self, queryset: QuerySet[Subject], name: str, value: Organization
    ) -> QuerySet[Subject]:
        return (
            queryset.filter(campaign__organization__path__startswith=value.path)
            if value
            else queryset
        )


def _final(subject: Subject) -> str:
    if not subject.graded:
        return documents.ungraded_label()
    return option_label(DECISION_SCALE[subject.campaign.kind], subject.final_grade)


class AppraisedListView(ScopedListView):
    """评议对象: everyone appraised in campaigns counted or later, for staff only."""

    model = Subject
    template_name = "appraisals/appraised_list.html"
    filterset_class = AppraisedFilter
    page_title = _("评议对象")
    export_name = _("评议对象")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("评议测评"), ""), (_("评议对象"), "")]
    page_related = ("campaign", "campaign__organization", "organization")
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("评议对象"), "name", 14),
        ExportColumn(_("职务/类别"), "post", 24),
        ExportColumn(
            _("所在党组织"), lambda s: (s.organization or s.campaign.organization).name, 28
        ),
        ExportColumn(_("评议测评"), "campaign.title", 30),
        ExportColumn(_("类型"), "campaign.kind", 20),
        ExportColumn(_("评议年度"), "campaign.year", 10),
        ExportColumn(_("评定等次"), _final, 12),
    ]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not _is_staff(request.user):
            raise _forbidden(request, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self) -> QuerySet[Subject]:
        return (
            self.scoped_queryset()
            .filter(campaign__phase__in=RESULT_PHASES)
            .order_by("-campaign__closes_at", "campaign_id", "position", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for subject in context["object_list"]:
            subject.final_label = _final(subject)
        return context


def _is_staff(user: Any) -> bool:
    """A grant of organizing staff (the member's own grant shows only their own rows)."""
    spec = Subject.scope
    return any(
        spec.allows(grant.role, VIEW) and grant.role not in spec.self_roles
        for grant in user_grants(user)
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/results/", results, name="results"),
    path("<int:pk>/results/recount/", recount, name="recount"),
    path("<int:pk>/results/export/", results_export, name="results_export"),
    path("<int:pk>/decide/", decide, name="decide"),
    path("<int:pk>/publicity/", publicity, name="publicity"),
    path("appraised/", AppraisedListView.as_view(), name="appraised"),
]
