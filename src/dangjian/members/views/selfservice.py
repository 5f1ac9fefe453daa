"""The member's own pages (my record, correction requests) and the staff's handling of those
requests. A member reaches only the Person linked to their account: the link is what
authorizes the self-service pages, so a user without one gets a friendly 404 page."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import idnumber
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import CHANGE, REVEAL, VIEW
from dangjian.core.text import Text
from dangjian.core.views.forms import action_form
from dangjian.core.views.generic import ScopedListView
from dangjian.members import actions
from dangjian.members.choices import Category, CorrectionStatus, TransferStatus
from dangjian.members.filters import search_people
from dangjian.members.forms_self import CorrectionDecisionForm, CorrectionRequestForm
from dangjian.members.models import Cadre, CorrectionRequest, Person
from dangjian.members.models.person import mask_phone
from dangjian.members.validation import normalize_phone
from dangjian.orgs.models import CommitteeMember

ME_CRUMB = (_("我的党员档案"), "/members/me/")
LIST_CRUMB = (_("信息更正申请"), "/members/corrections/")
PROTECTED = ("id_number", "phone")
TIMELINE_SHOWN = 50
PENDING_FIRST = Case(
    When(status=CorrectionStatus.PENDING, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


def own_person(request: HttpRequest) -> Person | None:
    """The person linked to the signed-in account, if any."""
    return (
        Person.objects.filter(user=request.user)  # type: ignore[misc]  # login_required
        .select_related("organization", "party_group")
        .first()
    )


def _missing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "members/me_missing.html",
        {"page_title": gettext("我的党员档案"), "breadcrumbs": [ME_CRUMB]},
        status=404,
    )


def field_label(code: str) -> str:
    return str(actions.CORRECTABLE.get(code, code))


def proposed_display(correction: CorrectionRequest) -> str:
    """What a page may show of the proposed value: protected numbers only masked."""
    if correction.field not in PROTECTED:
        return correction.proposed_value
    value = actions.proposed_plain(correction)
    if not value or value.startswith("sm4gcm$"):  # unreadable: show nothing of it
        return gettext("（已加密）")
    if correction.field == "phone":
        return mask_phone(normalize_phone(value))
    return idnumber.mask(idnumber.normalize(value))


def _full_years(since: date, today: date) -> int:
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def standing(person: Person, today: date) -> dict[str, Any]:
    """Party standing (党龄, from the end of probation) and the probation period."""
    since = person.standing_since()
    probation_ends = None
    if person.category == Category.PROBATIONARY and person.joined_on:
        try:
            probation_ends = person.joined_on.replace(year=person.joined_on.year + 1)
        except ValueError:  # joined on 29 February
            probation_ends = person.joined_on.replace(year=person.joined_on.year + 1, day=28)
    return {
        "since": since,
        "years": _full_years(since, today) if since and since <= today else None,
        "probation_ends": probation_ends,
    }


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own record, standing, posts, timeline and correction requests."""
    person = own_person(request)
    if person is None:
        return _missing(request)
    today = timezone.localdate()
    corrections = list(person.corrections.order_by("-requested_at")[:20])
    for correction in corrections:
        correction.field_label = field_label(correction.field)  # type: ignore[attr-defined]
        correction.shown_value = (  # type: ignore[attr-defined]
            gettext("（内容已加密保存）")
            if correction.field in PROTECTED
            else correction.proposed_value
        )
    return render(
        request,
        "members/me.html",
        {
            "person": person,
            "page_title": gettext("我的党员档案"),
            "breadcrumbs": [ME_CRUMB],
            "standing": standing(person, today),
            "age": person.age_on(today),
            "posts": list(
                CommitteeMember.objects.filter(person=person)
                .select_related("term__organization")
                .order_by("ended_on", "-started_on")
            ),
            "cadre": Cadre.objects.filter(person=person).first(),
            "open_transfers": list(
                person.transfers.filter(status=TransferStatus.ISSUED).select_related(
                    "to_organization"
                )
            ),
            "events": list(person.events.all()[:TIMELINE_SHOWN]),
            "corrections": corrections,
            "can_reveal": Person.objects.restrict(request.user, REVEAL)
            .filter(pk=person.pk)
            .exists(),
        },
    )


@login_required
def correction_request(request: HttpRequest) -> HttpResponse:
    """A member asks for their own record to be corrected (never anyone else's)."""
    person = own_person(request)
    if person is None:
        return _missing(request)
    initial = {"field": request.GET.get("field", "")}
    title = gettext("申请更正信息")
    return action_form(
        request,
        CorrectionRequestForm(request.POST or None, initial=initial),
        lambda data: actions.request_correction(
            person,
            field=data["field"],
            proposed=data["proposed"],
            reason=data["reason"],
            acting_user=request.user,
        ),
        success=gettext("已提交更正申请，党支部处理后会通知您。"),
        next_url=reverse("members:me"),
        page_title=title,
        breadcrumbs=[ME_CRUMB, (title, "")],
        intro=gettext(
            "申请由所在党组织核实后处理。身份证号、手机号码的新内容加密保存，仅显示部分号码。"
        ),
        submit_label=gettext("提交申请"),
        cancel_url=reverse("members:me"),
    )


class CorrectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=CorrectionStatus.choices, empty_label=_("全部状态")
    )
    field = django_filters.ChoiceFilter(
        label=_("需更正的项目"),
        choices=list(actions.CORRECTABLE.items()),
        empty_label=_("全部项目"),
    )

    class Meta:
        model = CorrectionRequest
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def filter_q(
        self, queryset: QuerySet[CorrectionRequest], name: str, value: str
    ) -> QuerySet[CorrectionRequest]:
        if not (value or "").strip():
            return queryset
        return queryset.filter(person__in=search_people(Person.objects.all(), value).values("pk"))


class CorrectionListView(ScopedListView):
    """Correction requests of the people in the staff member's scope, pending ones first."""

    model = CorrectionRequest
    action = CHANGE
    template_name = "members/correction_list.html"
    filterset_class = CorrectionFilter
    page_title = _("信息更正申请")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [LIST_CRUMB]

    def base_queryset(self) -> QuerySet[CorrectionRequest]:
        return (
            self.scoped_queryset()
            .select_related("person", "person__organization")
            .order_by(PENDING_FIRST, "-requested_at", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = list(context["object_list"])
        for correction in page:
            correction.field_label = field_label(correction.field)
            correction.shown_value = (
                gettext("（已加密，详见处理页）")
                if correction.field in PROTECTED
                else correction.proposed_value
            )
        context["object_list"] = page
        context["pending_total"] = (
            self.scoped_queryset().filter(status=CorrectionStatus.PENDING).count()
        )
        return context


@login_required
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request and the decision form; fields not applied directly get a link to the
    person's edit page."""
    correction = get_scoped(request, CorrectionRequest, CHANGE, pk=pk)
    person = correction.person
    pending = correction.status == CorrectionStatus.PENDING
    detail_url = reverse("members:correction_detail", args=[correction.pk])
    if request.method == "POST" and not pending:
        messages.info(request, gettext("该申请已处理。"))
        return redirect(detail_url)
    direct = correction.field in actions.DIRECTLY_APPLIED
    can_edit = Person.objects.restrict(request.user, CHANGE).filter(pk=person.pk).exists()
    title = gettext("更正申请：%(name)s") % {"name": person.name}
    context: dict[str, Any] = {
        "correction": correction,
        "person": person,
        "field_label": field_label(correction.field),
        "proposed": proposed_display(correction),
        "protected": correction.field in PROTECTED,
        "direct": direct,
        "edit_url": reverse("members:edit", args=[person.pk]) if can_edit else "",
        "person_visible": Person.objects.restrict(request.user, VIEW).filter(pk=person.pk).exists(),
        "page_title": title,
        "breadcrumbs": [LIST_CRUMB, (title, "")],
    }
    if not pending:
        return render(request, "members/correction_detail.html", {"form": None, **context})

    def decide(data: dict[str, Any]) -> CorrectionRequest:
        return actions.decide_correction(
            correction,
            accept=data["decision"] == "accept",
            response=data["response"],
            acting_user=request.user,
        )

    def success(decided: CorrectionRequest) -> str:
        if decided.status == CorrectionStatus.REJECTED:
            return gettext("已处理：不采纳。")
        if direct:
            return gettext("已采纳，%(name)s的档案已更正。") % {"name": person.name}
        return gettext("已采纳；请在人员档案中修改“%(field)s”。") % {
            "field": field_label(correction.field)
        }

    return action_form(
        request,
        CorrectionDecisionForm(request.POST or None),
        decide,
        success=success,
        next_url=detail_url,
        template="members/correction_detail.html",
        **context,
    )
