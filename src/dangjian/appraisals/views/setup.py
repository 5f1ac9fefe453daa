"""Setting a campaign up: its subjects, voters, questionnaire and single-use codes, and the
printable slips of those codes.

The actions refuse setup changes once voting has opened; their Chinese messages are shown as
they are. The voter list says only whether each voter has voted: never when, never how. The
slips page shows codes in clear, so every view of it is a security event in the audit log
naming the campaign (never the codes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from dangjian.appraisals import actions
from dangjian.appraisals.choices import Phase
from dangjian.appraisals.forms import (
    CodesForm,
    PeopleForm,
    QuestionForm,
    SourceForm,
    question_initial,
)
from dangjian.appraisals.models import Campaign, Question, Subject, VoteCode, Voter
from dangjian.appraisals.sources import SUBJECT_SOURCES, VOTER_SOURCES
from dangjian.appraisals.views.campaigns import campaign_crumbs
from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE, VIEW
from dangjian.core.text import Text
from dangjian.members.models import Person

PER_PAGE = 100
SLIPS_PER_PAGE = 100
FOUND_MAX = 20
SLIP_PHASES = (*actions.SETUP_PHASES, Phase.VOTING)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_scoped(request, Campaign, CHANGE, pk=pk)


def _page(
    request: HttpRequest, campaign: Campaign, template: str, title: Text, **context: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "page_title": title,
            "breadcrumbs": campaign_crumbs(campaign, (title, "")),
            "in_setup": campaign.phase in actions.SETUP_PHASES,
            **context,
        },
    )


def _run(request: HttpRequest, perform: Callable[[], Any], success: Callable[[Any], str]) -> None:
    """Run an action; its refusal (or the success) becomes a message on the next page."""
    try:
        result = perform()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success(result))


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _found(request: HttpRequest, listed: QuerySet[Any]) -> list[Person]:
    """People matching ?q= (name or staff number) among those the user may view."""
    text = request.GET.get("q", "").strip()
    if not text:
        return []
    people = (
        Person.objects.restrict(request.user, VIEW)
        .filter(Q(name__icontains=text) | Q(staff_no__icontains=text))
        .exclude(pk__in=listed)
        .select_related("organization")
        .order_by("name_pinyin", "pk")
    )
    return list(people[:FOUND_MAX])


def _picked(request: HttpRequest) -> tuple[PeopleForm, list[Person]]:
    """The people ticked in the search results, re-read within the user's view scope."""
    ids = [raw for raw in request.POST.getlist("people") if raw.isdigit()]
    visible = Person.objects.restrict(request.user, VIEW).filter(pk__in=ids)
    form = PeopleForm(request.POST, choices=[(p.pk, p.name) for p in visible])
    if not form.is_valid():
        return form, []
    return form, list(visible.filter(pk__in=form.cleaned_data["people"]))


# Subjects -----------------------------------------------------------------------------------


@login_required
def subjects(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if request.method == "POST":
        _add(request, campaign, subjects=True)
        return redirect("appraisals:subjects", pk=campaign.pk)
    rows = Paginator(campaign.subjects.select_related("organization", "person"), PER_PAGE)
    page = rows.get_page(request.GET.get("page"))
    counts = campaign.subjects.aggregate(
        total=Count("pk"), graded=Count("pk", filter=Q(graded=True))
    )
    return _page(
        request,
        campaign,
        "appraisals/subjects.html",
        gettext("评议对象"),
        page_obj=page,
        counts=counts,
        source_form=SourceForm(sources=SUBJECT_SOURCES),
        found=_found(request, campaign.subjects.exclude(person=None).values("person_id")),
        query=request.GET.get("q", ""),
    )


def _add(request: HttpRequest, campaign: Campaign, *, subjects: bool) -> None:
    """Add subjects or voters from a source (op=source) or picked people (op=people)."""
    user = request.user
    add: Callable[..., int] = actions.add_subjects if subjects else actions.add_voters
    done = gettext("已添加%(n)s名评议对象。") if subjects else gettext("已添加%(n)s名投票人。")
    if request.POST.get("op") == "people":
        form, people = _picked(request)
        if not people:
            _form_errors(request, form)
            return
        _run(
            request,
            lambda: add(campaign, people=people, acting_user=user),
            lambda n: done % {"n": n},
        )
        return
    source_form = SourceForm(request.POST, sources=SUBJECT_SOURCES if subjects else VOTER_SOURCES)
    if not source_form.is_valid():
        _form_errors(request, source_form)
        return
    source = source_form.cleaned_data["source"]
    _run(
        request,
        lambda: add(campaign, source=source, acting_user=user),
        lambda n: done % {"n": n},
    )


@login_required
@require_POST
def subject_remove(request: HttpRequest, pk: int, subject: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    found = Subject.objects.filter(campaign=campaign, pk=subject).first()
    if found is None:
        raise Http404(gettext("未找到该评议对象。"))
    name = found.name
    _run(
        request,
        lambda: actions.remove_subject(found, acting_user=request.user),
        lambda _r: gettext("已移除评议对象“%(name)s”。") % {"name": name},
    )
    return redirect("appraisals:subjects", pk=campaign.pk)


# Voters ---------------------------------------------------------------------------------------


@login_required
def voters(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if request.method == "POST":
        _add(request, campaign, subjects=False)
        return redirect("appraisals:voters", pk=campaign.pk)
    listed = campaign.voters.select_related("person__organization").order_by(
        "kind", "person__name_pinyin", "pk"
    )
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    counts = campaign.voters.aggregate(
        total=Count("pk"), voted=Count("pk", filter=Q(has_voted=True))
    )
    return _page(
        request,
        campaign,
        "appraisals/voters.html",
        gettext("投票人"),
        page_obj=page,
        counts=counts,
        source_form=SourceForm(sources=VOTER_SOURCES),
        found=_found(request, campaign.voters.values("person_id")),
        query=request.GET.get("q", ""),
    )


@login_required
@require_POST
def voter_remove(request: HttpRequest, pk: int, voter: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    found = Voter.objects.filter(campaign=campaign, pk=voter).select_related("person").first()
    if found is None:
        raise Http404(gettext("未找到该投票人。"))
    name = found.person.name
    _run(
        request,
        lambda: actions.remove_voter(found, acting_user=request.user),
        lambda _r: gettext("已将“%(name)s”移出投票人名单。") % {"name": name},
    )
    return redirect("appraisals:voters", pk=campaign.pk)


# The questionnaire ----------------------------------------------------------------------------


def _question(campaign: Campaign, question: int) -> Question:
    found = Question.objects.filter(campaign=campaign, pk=question).first()
    if found is None:
        raise Http404(gettext("未找到该题目。"))
    return found


def _save_question(
    request: HttpRequest, campaign: Campaign, form: QuestionForm, question: Question | None
) -> bool:
    if not form.is_valid():
        return False
    try:
        actions.save_question(
            campaign, form.cleaned_data, question=question, acting_user=request.user
        )
    except DomainError as error:
        for name, text in error.errors.items():
            form.add_error(name if name in form.fields else None, text)
        return False
    messages.success(request, gettext("已保存题目。"))
    return True


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = QuestionForm(request.POST or None, initial={"kind": "grade"})
    if request.method == "POST" and _save_question(request, campaign, form, None):
        return redirect("appraisals:questions", pk=campaign.pk)
    return _page(
        request,
        campaign,
        "appraisals/questions.html",
        gettext("测评问卷"),
        questions=list(campaign.questions.all()),
        form=form,
        show_form=request.method == "POST",
    )


@login_required
def question_edit(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    found = _question(campaign, question)
    form = QuestionForm(request.POST or None, initial=question_initial(found))
    if request.method == "POST" and _save_question(request, campaign, form, found):
        return redirect("appraisals:questions", pk=campaign.pk)
    title = gettext("编辑题目")
    crumbs = campaign_crumbs(
        campaign, (gettext("测评问卷"), reverse("appraisals:questions", args=[campaign.pk]))
    )
    return render(
        request,
        "appraisals/question_form.html",
        {
            "campaign": campaign,
            "question": found,
            "form": form,
            "page_title": title,
            "breadcrumbs": [*crumbs, (title, "")],
            "cancel_url": reverse("appraisals:questions", args=[campaign.pk]),
        },
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    found = _question(campaign, question)
    _run(
        request,
        lambda: actions.delete_question(found, acting_user=request.user),
        lambda _r: gettext("已删除题目。"),
    )
    return redirect("appraisals:questions", pk=campaign.pk)


# Codes and slips ------------------------------------------------------------------------------


@login_required
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = CodesForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            count = form.cleaned_data["count"]
            _run(
                request,
                lambda: actions.generate_codes(campaign, count, acting_user=request.user),
                lambda n: gettext("已生成%(n)s个投票码。") % {"n": n},
            )
        else:
            _form_errors(request, form)
        return redirect("appraisals:codes", pk=campaign.pk)
    counts = campaign.codes.aggregate(total=Count("pk"), used=Count("pk", filter=Q(used=True)))
    counts["unused"] = counts["total"] - counts["used"]
    return _page(
        request,
        campaign,
        "appraisals/codes.html",
        gettext("投票码"),
        counts=counts,
        form=form,
        can_print=campaign.phase in SLIP_PHASES and counts["unused"] > 0,
    )


def _qr_svg(text: str) -> SafeString:
    """The QR code of `text` as inline SVG, drawn on the server (no internet needed)."""
    code = segno.make_qr(text, error="m")
    svg = code.svg_inline(scale=1, border=2, omitsize=True, dark="#111827", light="#ffffff")
    return mark_safe(svg)  # segno's own markup; the text is only encoded in paths


@login_required
def slips(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable slips of the unused codes; every view is audited (naming the campaign)."""
    campaign = _campaign(request, pk)
    if campaign.phase not in SLIP_PHASES:
        messages.info(request, gettext("投票已结束，投票码不再打印。"))
        return redirect("appraisals:codes", pk=campaign.pk)
    unused = VoteCode.objects.filter(campaign=campaign, used=False).order_by("serial")
    page = Paginator(unused, SLIPS_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_security(
        "security.reveal",
        actor=request.user,
        obj=campaign,
        detail={"field": "vote_codes", "page": page.number, "shown": len(page.object_list)},
        message="打印投票码",
    )
    base = reverse("appraisals:code_vote")
    base = request.build_absolute_uri(base or "/appraisals/")
    rows = []
    for slip in page.object_list:
        code = actions.reveal_code(slip)
        rows.append({"serial": slip.serial, "code": code, "qr": _qr_svg(f"{base}?code={code}")})
    return render(
        request,
        "appraisals/slips.html",
        {
            "campaign": campaign,
            "page_title": gettext("打印投票码"),
            "breadcrumbs": campaign_crumbs(
                campaign,
                (gettext("投票码"), reverse("appraisals:codes", args=[campaign.pk])),
                (gettext("打印投票码"), ""),
            ),
            "rows": rows,
            "page_obj": page,
            "entry_url": base,
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/subjects/", subjects, name="subjects"),
    path("<int:pk>/subjects/<int:subject>/remove/", subject_remove, name="subject_remove"),
    path("<int:pk>/voters/", voters, name="voters"),
    path("<int:pk>/voters/<int:voter>/remove/", voter_remove, name="voter_remove"),
    path("<int:pk>/questions/", questions, name="questions"),
    path("<int:pk>/questions/<int:question>/", question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question>/delete/", question_delete, name="question_delete"),
    path("<int:pk>/codes/", codes, name="codes"),
    path("<int:pk>/slips/", slips, name="slips"),
]
