"""The voter's pages: my campaigns, the ballot, the receipt, verification, the self-report, and
the public pages for voters with a printed code.

Secrecy (domain.md §5): the receipt is rendered once, in the response to the POST that cast
the ballot, and kept nowhere else: not in the session, the messages, a URL or a log (each is
tied to the account or to a time). Refusals go back on the page; nothing here logs. The public
code pages send no referrer, so the code in a QR link does not leak to other sites.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from dangjian.appraisals import actions, voting
from dangjian.appraisals.choices import DECISION_SCALE, Phase, option_label
from dangjian.appraisals.forms_voting import (
    CodeForm,
    ReceiptForm,
    ReportForm,
    answers_from,
    lay_out,
)
from dangjian.appraisals.models import Ballot, Campaign, Subject, Voter
from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny, get_scoped
from dangjian.core.scope import CHANGE, VIEW
from dangjian.core.views.forms import apply_errors
from dangjian.members.models import Person

MINE_TITLE = _("我的评议")
SIGNED_IN_LAYOUT = "base.html"
PUBLIC_LAYOUT = "appraisals/_ballot_public.html"
REPORT_PHASES = (Phase.DRAFT, Phase.SELF_REPORT)
SHOWN = 10


def _mine_crumb() -> tuple[Any, str]:
    return (MINE_TITLE, reverse("appraisals:mine"))


def _closed_reason(campaign: Campaign) -> str:
    """Why the ballot cannot be cast now ('' while the window is open)."""
    try:
        voting.check_open(campaign)
    except DomainError as error:
        return error.message
    return ""


def _own_voter(request: HttpRequest, campaign: Campaign) -> Voter:
    """The account's row on the voter list; 403 (audited) for anyone not on it."""
    user: Any = request.user  # signed in (login_required)
    voter = Voter.objects.filter(campaign=campaign, person__user=user).first()
    if voter is None:
        deny(request, request.user, "不在投票人名单中", campaign=campaign.pk)
        raise PermissionDenied(gettext("您不在本次测评的投票人名单中。"))
    return voter


def _ballot_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    code: str = "",
) -> HttpResponse:
    """The ballot (or why it cannot be cast), for an account or for a slip's code."""
    questions, subjects = voting.ballot_form(campaign)
    closed = _closed_reason(campaign)
    context: dict[str, Any] = {
        "page_title": campaign.title,
        "campaign": campaign,
        "closed": closed,
        "error": error,
        "ballot": None if closed else lay_out(questions, subjects, values or {}),
        "code": code,
        "public": bool(code),
        "layout": PUBLIC_LAYOUT if code else SIGNED_IN_LAYOUT,
        "action": reverse("appraisals:code_vote") if code else request.path,
    }
    if not code:
        context["breadcrumbs"] = [_mine_crumb(), (campaign.title, "")]
    return render(request, "appraisals/vote.html", context)


def _receipt_page(
    request: HttpRequest, campaign: Campaign, receipt: str, *, public: bool
) -> HttpResponse:
    """The one place a receipt is ever shown: the response to the vote itself."""
    context = {
        "page_title": gettext("投票成功"),
        "campaign": campaign,
        "receipt": receipt,
        "public": public,
        "layout": PUBLIC_LAYOUT if public else SIGNED_IN_LAYOUT,
        "verify_url": reverse("appraisals:code")
        if public
        else reverse("appraisals:verify", args=[campaign.pk]),
    }
    return render(request, "appraisals/receipt.html", context)


# The member's pages --------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The member's campaigns: ballots to cast, ballots cast, reports due, own final grades."""
    person = Person.objects.filter(user=request.user).first()  # type: ignore[misc]
    context: dict[str, Any] = {"page_title": MINE_TITLE, "breadcrumbs": [(MINE_TITLE, "")]}
    if person is None:
        return render(request, "appraisals/mine.html", context | {"missing": True}, status=403)
    now = timezone.now()
    rows = (
        Voter.objects.filter(person=person)
        .exclude(campaign__phase__in=REPORT_PHASES)
        .select_related("campaign__organization")
        .order_by("-campaign__opens_at", "-campaign_id")
    )
    to_vote, upcoming, cast = [], [], []
    for row in rows:
        campaign = row.campaign
        if row.has_voted:
            cast.append(campaign)
        elif campaign.phase == Phase.VOTING and now < campaign.opens_at:
            upcoming.append(campaign)
        elif campaign.phase == Phase.VOTING and now <= campaign.closes_at:
            to_vote.append(campaign)
    subjects = Subject.objects.filter(person=person).select_related("campaign__organization")
    reports = list(subjects.filter(campaign__phase__in=REPORT_PHASES).order_by("-campaign_id"))
    results = list(
        subjects.filter(campaign__phase=Phase.PUBLISHED).order_by("-campaign__year", "-pk")[:SHOWN]
    )
    for subject in results:
        scale = DECISION_SCALE[subject.campaign.kind]
        label = option_label(scale, subject.final_grade) if subject.final_grade else ""
        subject.grade_label = label  # type: ignore[attr-defined]
    context |= {
        "person": person,
        "to_vote": to_vote,
        "upcoming": upcoming,
        "cast": cast[:SHOWN],
        "reports": reports,
        "results": results,
    }
    return render(request, "appraisals/mine.html", context)


def _voter_campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign if the user may see it or votes in it (invited voters from elsewhere)."""
    campaign = voting.voter_campaign(request.user, pk)
    return campaign if campaign is not None else get_scoped(request, Campaign, VIEW, pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The ballot; its POST casts it and answers with the receipt, shown this once."""
    campaign = _voter_campaign(request, pk)
    voter = _own_voter(request, campaign)
    if request.method == "GET":
        if voter.has_voted:
            return redirect("appraisals:voted", pk=campaign.pk)
        return _ballot_page(request, campaign)
    questions, subjects = voting.ballot_form(campaign)
    answers = answers_from(request.POST, questions, subjects)
    try:
        receipt = actions.cast_ballot(
            campaign, answers, voter_user=request.user, person_id=voter.person_id
        )
    except DomainError as error:
        if Voter.objects.filter(pk=voter.pk, has_voted=True).exists():
            return _voted_page(request, campaign, error.message)
        return _ballot_page(request, campaign, values=answers, error=error.message)
    return _receipt_page(request, campaign, receipt, public=False)


def _voted_page(request: HttpRequest, campaign: Campaign, error: str = "") -> HttpResponse:
    context = {
        "page_title": gettext("您已投票"),
        "campaign": campaign,
        "error": error,
        "breadcrumbs": [_mine_crumb(), (campaign.title, "")],
    }
    return render(request, "appraisals/voted.html", context)


@login_required
def voted(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a voter who has voted lands: 您已投票, never the receipt."""
    campaign = _voter_campaign(request, pk)
    if not _own_voter(request, campaign).has_voted:
        return redirect("appraisals:vote", pk=campaign.pk)
    return _voted_page(request, campaign)


def _verify_result(campaign: Campaign, receipt: str) -> dict[str, Any]:
    """Whether the receipt is in the box, with the number of ballots counted (or received)."""
    found = voting.verify_receipt(campaign, receipt)
    total = campaign.ballot_count if campaign.has_results else campaign.ballots.count()
    return {"found": found, "total": total}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm with the receipt that one's ballot is in the box (POST: no receipt in a URL)."""
    campaign = _voter_campaign(request, pk)
    form = ReceiptForm(request.POST or None)
    context: dict[str, Any] = {
        "page_title": gettext("核验选票"),
        "campaign": campaign,
        "form": form,
        "breadcrumbs": [_mine_crumb(), (campaign.title, ""), (gettext("核验选票"), "")],
    }
    if request.method == "POST" and form.is_valid():
        context["result"] = _verify_result(campaign, form.cleaned_data["receipt"])
        context["form"] = ReceiptForm()
    return render(request, "appraisals/verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, subject: int) -> HttpResponse:
    """The subject's 述职/自评: by the subject themself, or by staff who run the campaign."""
    mine = Subject.objects.filter(pk=subject, person__user__pk=request.user.pk or 0).first()
    own = mine is not None
    if mine is None:
        get_scoped(request, Subject, VIEW, pk=subject)  # 404 outside the user's view scope
    item = mine if mine is not None else get_scoped(request, Subject, CHANGE, pk=subject)
    campaign = item.campaign
    initial = {"report": item.report, "self_grade": item.self_grade}
    form = ReportForm(request.POST or None, request.FILES or None, subject=item, initial=initial)
    back = reverse("appraisals:mine") if own else reverse("appraisals:subjects", args=[campaign.pk])
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "report_file"}
        try:
            actions.submit_report(
                item, data, upload=form.cleaned_data.get("report_file"), acting_user=request.user
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("述职/自评已提交。"))
            return redirect(back)
    title = gettext("述职/自评")
    crumbs = [_mine_crumb()] if own else [(campaign.title, back)]
    context = {
        "page_title": title,
        "subject": item,
        "campaign": campaign,
        "form": form,
        "own": own,
        "open": campaign.phase in REPORT_PHASES,
        "back": back,
        "breadcrumbs": [*crumbs, (title, "")],
    }
    return render(request, "appraisals/report.html", context)


# Public pages: voters with a printed code ----------------------------------------------------


def _code_page(
    request: HttpRequest,
    *,
    code_form: CodeForm | None = None,
    receipt_form: ReceiptForm | None = None,
    **extra: Any,
) -> HttpResponse:
    context = {
        "page_title": gettext("扫码投票"),
        "layout": PUBLIC_LAYOUT,
        "code_form": code_form or CodeForm(),
        "receipt_form": receipt_form or ReceiptForm(),
        **extra,
    }
    return render(request, "appraisals/code.html", context)


def _open_ballot_for_code(request: HttpRequest, form: CodeForm) -> HttpResponse:
    """The ballot of a valid, unused code in an open campaign; otherwise the code page."""
    if not form.is_valid():
        return _code_page(request, code_form=form)
    code = form.cleaned_data["code"]
    try:
        campaign = voting.campaign_for_code(code)
        voting.check_open(campaign)
    except DomainError as error:
        form.add_error("code", error.message)
        return _code_page(request, code_form=form)
    return _ballot_page(request, campaign, code=voting.normalize_code(code))


def _receipt_lookup(request: HttpRequest, form: ReceiptForm) -> HttpResponse:
    """A receipt alone says whether its ballot was counted, and in which campaign."""
    context: dict[str, Any] = {"receipt_form": form, "tab": "receipt"}
    if form.is_valid():
        receipt = form.cleaned_data["receipt"]
        ballot = None
        if len(voting.normalize_code(receipt)) == 12:
            ballot = (
                Ballot.objects.filter(receipt_hash=voting.receipt_hash(receipt))
                .select_related("campaign")
                .defer("answers")
                .first()
            )
        if ballot is None:
            context["result"] = {"found": False}
        else:
            context["result"] = {"campaign": ballot.campaign} | _verify_result(
                ballot.campaign, receipt
            )
        context["receipt_form"] = ReceiptForm()
    return _code_page(request, **context)


@login_not_required
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Public: enter the code from a slip (POST, so it stays out of URLs), or check a receipt."""
    if request.method == "POST":
        if request.POST.get("op") == "receipt":
            return _receipt_lookup(request, ReceiptForm(request.POST))
        return _open_ballot_for_code(request, CodeForm(request.POST))
    return _code_page(request)


@login_not_required
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def code_vote(request: HttpRequest) -> HttpResponse:
    """Public: the ballot of a slip's code (GET ?code=, from the QR); POST casts it."""
    if request.method == "GET":
        if not request.GET.get("code"):
            return redirect("appraisals:code")
        return _open_ballot_for_code(request, CodeForm(request.GET))
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, code_form=form)
    slip = form.cleaned_data["code"]
    try:
        campaign = voting.campaign_for_code(slip)
        voting.check_open(campaign)
    except DomainError as error:
        form.add_error("code", error.message)
        return _code_page(request, code_form=form)
    questions, subjects = voting.ballot_form(campaign)
    answers = answers_from(request.POST, questions, subjects)
    try:
        campaign, receipt = actions.cast_with_code(slip, answers)
    except DomainError as error:
        try:  # the code may have been used meanwhile: then the ballot is of no more use
            voting.campaign_for_code(slip)
        except DomainError as gone:
            form.add_error("code", gone.message)
            return _code_page(request, code_form=form)
        return _ballot_page(
            request,
            campaign,
            values=answers,
            error=error.message,
            code=voting.normalize_code(slip),
        )
    return _receipt_page(request, campaign, receipt, public=True)


urlpatterns: list[URLPattern] = [
    path("mine/", mine, name="mine"),
    path("<int:pk>/vote/", vote, name="vote"),
    path("<int:pk>/voted/", voted, name="voted"),
    path("<int:pk>/verify/", verify, name="verify"),
    path("subjects/<int:subject>/report/", report, name="report"),
    path("code/", code, name="code"),
    path("code/vote/", code_vote, name="code_vote"),
]
