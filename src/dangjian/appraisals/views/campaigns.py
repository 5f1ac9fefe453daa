"""The organizer's campaign pages: the list in scope, starting a campaign with its subjects,
voters and codes in one go, a campaign's page with its phase buttons, and live turnout.

Every page is for staff who may change the campaign's organization (members get 403: they
have their own voting pages). Turnout is voters marked voted plus codes used, never anything
from the ballots: results exist only once counted, on the results pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.appraisals import actions, voting
from dangjian.appraisals.choices import PHASE_ORDER, Phase
from dangjian.appraisals.filters import CampaignFilter
from dangjian.appraisals.forms import (
    DEFAULT_SUBJECTS,
    CampaignForm,
    addable_organizations,
    initial_of,
)
from dangjian.appraisals.models import Campaign, Subject, VoteCode, Voter
from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, EXPORT, can
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView

LIST_CRUMB: tuple[Text, str] = (_("评议测评"), "/appraisals/")
MAIN_FILTERS = ("within", "kind", "phase", "year")
STEPS: list[tuple[str, Text]] = [
    (Phase.DRAFT, _("筹备")),
    (Phase.SELF_REPORT, _("述职/自评")),
    (Phase.VOTING, _("投票")),
    (Phase.COUNTED, _("计票")),
    (Phase.DECIDED, _("确定等次")),
    (Phase.PUBLISHED, _("公示")),
]
# The phase buttons: op → (action, label, the phases it is offered in).
PHASE_OPS: dict[str, tuple[Callable[..., Any], Text, tuple[str, ...]]] = {
    "self_report": (actions.open_self_report, _("开始述职/自评"), (Phase.DRAFT,)),
    "open": (actions.open_voting, _("开始投票"), (Phase.DRAFT, Phase.SELF_REPORT)),
    "close": (actions.close_voting, _("结束投票并计票"), (Phase.VOTING,)),
    "publish": (actions.publish, _("公示评议结果"), (Phase.DECIDED,)),
}
DONE = {
    "self_report": _("已开始述职/自评。"),
    "open": _("已开始投票，投票人可在投票时间内投票。"),
    "close": _("已结束投票并完成计票。"),
    "publish": _("已公示评议结果。"),
}


def campaign_crumbs(campaign: Campaign, *more: tuple[Text, str]) -> list[tuple[Text, str]]:
    """Breadcrumbs of a campaign's pages: the list, the campaign, then `more`."""
    return [
        (LIST_CRUMB[0], reverse("appraisals:campaigns")),
        (campaign.title, reverse("appraisals:campaign", args=[campaign.pk])),
        *more,
    ]


def _count(model: type[Any], **conditions: Any) -> Subquery:
    rows = (
        model.objects.filter(campaign=OuterRef("pk"), **conditions)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


def with_turnout(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate voted/listed counts per campaign in the same query (no N+1)."""
    zero = Value(0)
    return queryset.annotate(
        voted_n=Coalesce(_count(Voter, has_voted=True), zero)
        + Coalesce(_count(VoteCode, used=True), zero),
        listed_n=Coalesce(_count(Voter), zero) + Coalesce(_count(VoteCode), zero),
    )


def _eligible(campaign: Any) -> int:
    return int(campaign.eligible_count or getattr(campaign, "listed_n", 0) or 0)


def _percent(voted: int, eligible: int) -> str:
    return f"{voted * 100 / eligible:.1f}%" if eligible else "—"


def _window(campaign: Campaign) -> str:
    opens, closes = timezone.localtime(campaign.opens_at), timezone.localtime(campaign.closes_at)
    return f"{opens:%Y-%m-%d %H:%M} – {closes:%Y-%m-%d %H:%M}"


class CampaignListView(ScopedListView):
    """Campaigns the user may run; staff only (CHANGE), so members get 403."""

    model = Campaign
    action = CHANGE
    template_name = "appraisals/campaign_list.html"
    filterset_class = CampaignFilter
    paginate_by = 50
    page_title = _("评议测评")
    export_name = _("评议测评一览")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("评议测评"), "")]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("名称"), "title", 34),
        ExportColumn(_("党组织"), "organization.name", 28),
        ExportColumn(_("类型"), "kind", 22),
        ExportColumn(_("评议年度"), "year", 10),
        ExportColumn(_("阶段"), "phase", 12),
        ExportColumn(_("投票时间"), _window, 34),
        ExportColumn(_("已投票"), "voted_n", 10),
        ExportColumn(_("应投票"), _eligible, 10),
        ExportColumn(_("投票率"), lambda c: _percent(c.voted_n, _eligible(c)), 10),
    ]

    def base_queryset(self) -> QuerySet[Campaign]:
        return with_turnout(self.scoped_queryset().select_related("organization"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        for campaign in rows:
            campaign.eligible_n = _eligible(campaign)
            campaign.turnout_percent = _percent(campaign.voted_n, campaign.eligible_n)
        context["can_add"] = can(self.request.user, Campaign, ADD)
        context["can_export"] = can(self.request.user, Campaign, EXPORT)
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        context["more_filters"] = [form["closes_from"], form["closes_to"]]
        context["more_open"] = any(self.request.GET.get(n) for n in ("closes_from", "closes_to"))
        return context


# Starting and changing a campaign ------------------------------------------------------------


def _start(user: Any, form: CampaignForm) -> Campaign:
    """Create the campaign with its subjects, voters and codes: all or nothing."""
    data = form.cleaned_data
    organization = addable_organizations(user).get(pk=data["organization"])
    with transaction.atomic():
        campaign = actions.create_campaign(organization, form.action_data(), acting_user=user)
        if data.get("subject_source"):
            actions.add_subjects(campaign, source=data["subject_source"], acting_user=user)
        if data.get("voter_source"):
            actions.add_voters(campaign, source=data["voter_source"], acting_user=user)
        if data.get("code_count"):
            actions.generate_codes(campaign, data["code_count"], acting_user=user)
    return campaign


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
    title = gettext("发起评议测评") if campaign is None else gettext("修改评议测评")
    crumbs = (
        [(LIST_CRUMB[0], reverse("appraisals:campaigns")), (title, "")]
        if campaign is None
        else campaign_crumbs(campaign, (title, ""))
    )
    cancel = (
        reverse("appraisals:campaign", args=[campaign.pk])
        if campaign
        else reverse("appraisals:campaigns")
    )
    return render(
        request,
        "appraisals/campaign_form.html",
        {
            "form": form,
            "campaign": campaign,
            "page_title": title,
            "breadcrumbs": crumbs,
            "cancel_url": cancel,
            "default_subjects": DEFAULT_SUBJECTS,
        },
    )


@login_required
def add(request: HttpRequest) -> HttpResponse:
    require(request, Campaign, ADD)
    user = request.user
    initial: dict[str, Any] = {"year": timezone.localdate().year - 1, "voter_source": "members"}
    for name in ("organization", "kind"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    initial["subject_source"] = DEFAULT_SUBJECTS.get(initial.get("kind", ""), "")
    form = CampaignForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = _start(user, form)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                gettext(
                    "已发起“%(title)s”：评议对象%(subjects)s个，投票人%(voters)s人，投票码%(codes)s个。"
                )
                % {
                    "title": campaign.title,
                    "subjects": campaign.subjects.count(),
                    "voters": campaign.voters.count(),
                    "codes": campaign.codes.count(),
                },
            )
            return redirect("appraisals:campaign", pk=campaign.pk)
    return _form_page(request, form, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_scoped(request, Campaign, CHANGE, pk=pk)
    form = CampaignForm(
        request.POST or None, user=request.user, campaign=campaign, initial=initial_of(campaign)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_campaign(campaign, form.action_data(), acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存测评信息。"))
            return redirect("appraisals:campaign", pk=campaign.pk)
    return _form_page(request, form, campaign)


# A campaign's page ---------------------------------------------------------------------------


def phase_steps(campaign: Campaign) -> list[dict[str, Any]]:
    """The stepper: each step done, current or to come."""
    at = PHASE_ORDER.index(Phase(campaign.phase))
    return [
        {
            "label": label,
            "state": "done" if index < at else "current" if index == at else "todo",
            "number": index + 1,
        }
        for index, (_phase, label) in enumerate(STEPS)
    ]


def turnout_context(campaign: Campaign) -> dict[str, Any]:
    voted, eligible = voting.turnout(campaign)
    return {
        "campaign": campaign,
        "voted": voted,
        "eligible": eligible,
        "percent": _percent(voted, eligible),
        "bar": min(100, round(voted * 100 / eligible)) if eligible else 0,
        "live": campaign.phase == Phase.VOTING,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_scoped(request, Campaign, CHANGE, pk=pk)
    subjects = Subject.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        graded=Count("pk", filter=Q(graded=True)),
        reported=Count("pk", filter=~Q(report="")),
    )
    counts = {
        "subjects": subjects["total"],
        "graded": subjects["graded"],
        "reported": subjects["reported"],
        "voters": campaign.voters.count(),
        "codes": campaign.codes.count(),
        "questions": campaign.questions.count(),
    }
    buttons = [
        {"op": op, "label": label, "danger": op == "close"}
        for op, (_fn, label, phases) in PHASE_OPS.items()
        if campaign.phase in phases
    ]
    in_setup = campaign.phase in actions.SETUP_PHASES
    context = {
        "campaign": campaign,
        "page_title": campaign.title,
        "breadcrumbs": [*campaign_crumbs(campaign)[:-1], (campaign.title, "")],
        "steps": phase_steps(campaign),
        "counts": counts,
        "buttons": buttons,
        "in_setup": in_setup,
        "can_edit": campaign.phase in (*actions.SETUP_PHASES, Phase.VOTING),
        "window": _window(campaign),
        "results_url": reverse("appraisals:results", args=[campaign.pk])
        if campaign.has_results
        else "",
        "t": turnout_context(campaign),
    }
    return render(request, "appraisals/campaign_detail.html", context)


@login_required
@require_POST
def phase(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the campaign on (op=self_report|open|close|publish); refusals as messages."""
    campaign = get_scoped(request, Campaign, CHANGE, pk=pk)
    op = request.POST.get("op", "")
    if op not in PHASE_OPS:
        messages.error(request, gettext("未知的操作。"))
        return redirect("appraisals:campaign", pk=campaign.pk)
    perform = PHASE_OPS[op][0]
    try:
        outcome = perform(campaign, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(DONE[op]))
        if op == "close":
            for warning in outcome or []:
                messages.warning(request, str(warning))
    return redirect("appraisals:campaign", pk=campaign.pk)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_scoped(request, Campaign, CHANGE, pk=pk)
    title = campaign.title
    try:
        actions.delete_campaign(campaign, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("appraisals:campaign", pk=pk)
    messages.success(request, gettext("已删除“%(title)s”。") % {"title": title})
    return redirect("appraisals:campaigns")


@login_required
def turnout(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment of live turnout: voted / eligible, never any result."""
    campaign = get_scoped(request, Campaign, CHANGE, pk=pk)
    return render(request, "appraisals/_turnout.html", {"t": turnout_context(campaign)})


urlpatterns: list[URLPattern] = [
    path("", CampaignListView.as_view(), name="campaigns"),
    path("add/", add, name="campaign_add"),
    path("<int:pk>/", detail, name="campaign"),
    path("<int:pk>/edit/", edit, name="campaign_edit"),
    path("<int:pk>/phase/", phase, name="campaign_phase"),
    path("<int:pk>/delete/", delete, name="campaign_delete"),
    path("<int:pk>/turnout/", turnout, name="turnout"),
]
