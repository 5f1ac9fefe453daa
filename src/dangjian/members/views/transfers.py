"""Transfer pages (组织关系转接): the worklist, the letter, receiving or returning it, and
receiving a member from another institution. Every change goes through `members.actions`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE, EXPORT, VIEW, can, covering_paths, covers, user_grants
from dangjian.core.text import Text
from dangjian.core.views.forms import action_form
from dangjian.core.views.generic import ScopedListView
from dangjian.core.widgets import DateInput
from dangjian.members import actions
from dangjian.members.choices import TransferDirection, TransferStatus
from dangjian.members.filters import FLOW_DIRECTION, crossing, search_people
from dangjian.members.forms_self import InboundForm, ReceiveForm, ReturnForm
from dangjian.members.models import Person, Transfer
from dangjian.members.validation import HOLDING_LEVELS
from dangjian.orgs.choices import Level
from dangjian.orgs.filters import offer_within, within_filter
from dangjian.orgs.models import Organization

LIST_CRUMB = (_("组织关系转接"), "/members/transfers/")
PENDING, ISSUED, ALL = "pending", "issued", "all"
TABS: tuple[tuple[str, Text], ...] = (
    (PENDING, _("待接收")),
    (ISSUED, _("已开出")),
    (ALL, _("全部")),
)


def grant_condition(user: Any, model: type[models.Model], action: str, path_field: str) -> Q | None:
    """Records whose organization (at `path_field`) lies under a grant allowing `action` on
    `model`; self-service grants do not count. None: no such grant."""
    spec = model.scope  # type: ignore[attr-defined]
    paths: list[str] = []
    for grant in user_grants(user):
        if not spec.allows(grant.role, action) or grant.role in spec.self_roles:
            continue
        if grant.path is None:
            return Q(**{f"{path_field}__isnull": False})
        paths.append(grant.path)
    if not paths:
        return None
    condition = Q()
    for path in covering_paths(paths):
        condition |= Q(**{f"{path_field}__startswith": path})
    return condition


def receiving(user: Any) -> Q | None:
    """Letters addressed to an organization the user may receive members into."""
    return grant_condition(user, Person, CHANGE, "to_organization__path")


def issuing(user: Any) -> Q | None:
    """Letters issued by an organization in the user's scope."""
    return grant_condition(user, Transfer, VIEW, "from_organization__path")


def tab_queryset(queryset: QuerySet[Transfer], tab: str, user: Any) -> QuerySet[Transfer]:
    """The open letters of a worklist tab (待接收 / 已开出); 'all' leaves the list as is."""
    if tab not in (PENDING, ISSUED):
        return queryset
    condition = receiving(user) if tab == PENDING else issuing(user)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition, status=TransferStatus.ISSUED)


def may_receive(user: Any, transfer: Transfer) -> bool:
    """As `actions.receive_transfer` decides: the receiving organization's staff, or for a
    letter out of the institution the sending side (recording the receipt 回执)."""
    if not transfer.is_open:
        return False
    if transfer.to_organization is not None:
        return covers(user, Person, CHANGE, transfer.to_organization.path)
    return Person.objects.restrict(user, CHANGE).filter(pk=transfer.person_id).exists()


def may_return(user: Any, transfer: Transfer) -> bool:
    """As `actions.return_transfer` decides: either side of the letter."""
    if not transfer.is_open:
        return False
    target = transfer.to_organization
    if target is not None and covers(user, Person, CHANGE, target.path):
        return True
    return Person.objects.restrict(user, CHANGE).filter(pk=transfer.person_id).exists()


def from_label(transfer: Transfer) -> str:
    """Where the letter comes from: a branch here, or the other institution."""
    if transfer.from_organization is not None:
        return transfer.from_organization.name
    return transfer.other_institution


def to_label(transfer: Transfer) -> str:
    """Where the letter goes: a branch here, or the other institution."""
    if transfer.to_organization is not None:
        return transfer.to_organization.name
    return transfer.other_institution


FLOWS = (("in", _("转入")), ("out", _("转出")))


class TransferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    direction = django_filters.ChoiceFilter(
        label=_("转接类型"), choices=TransferDirection.choices, empty_label=_("全部类型")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TransferStatus.choices, empty_label=_("全部状态")
    )
    issued_from = django_filters.DateFilter(
        label=_("开具日期起"), field_name="issued_on", lookup_expr="gte", widget=DateInput()
    )
    issued_to = django_filters.DateFilter(
        label=_("开具日期止"), field_name="issued_on", lookup_expr="lte", widget=DateInput()
    )
    received_from = django_filters.DateFilter(
        label=_("接收日期起"), field_name="received_on", lookup_expr="gte", widget=DateInput()
    )
    received_to = django_filters.DateFilter(
        label=_("接收日期止"), field_name="received_on", lookup_expr="lte", widget=DateInput()
    )
    within = within_filter()
    flow = django_filters.ChoiceFilter(
        label=_("转入/转出"),
        choices=FLOWS,
        empty_label=_("转入和转出"),
        method="filter_flow",
    )

    class Meta:
        model = Transfer
        fields: list[str] = []

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request is not None:
            scoped = Organization.objects.restrict(request.user).exclude(level=Level.PARTY_GROUP)
            offer_within(self, scoped)

    def filter_within(
        self, queryset: QuerySet[Transfer], name: str, value: Organization | None
    ) -> QuerySet[Transfer]:
        """Letters from or to the subtree; with `flow`, those crossing its boundary."""
        if not value:
            return queryset
        flow = self.form.cleaned_data.get("flow")
        if flow:
            return crossing(queryset, value.path, flow)
        return queryset.filter(
            Q(from_organization__path__startswith=value.path)
            | Q(to_organization__path__startswith=value.path)
        )

    def filter_flow(
        self, queryset: QuerySet[Transfer], name: str, value: str
    ) -> QuerySet[Transfer]:
        if not value or self.form.cleaned_data.get("within"):
            return queryset  # with an organization, applied in filter_within
        return queryset.filter(direction=FLOW_DIRECTION[value])

    def filter_q(self, queryset: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        """The person (name, pinyin, staff number, exact ID number) or the letter number."""
        text = (value or "").strip()
        if not text:
            return queryset
        people = search_people(Person.objects.all(), text).values("pk")
        return queryset.filter(Q(person__in=people) | Q(letter_no__icontains=text))


class TransferListView(ScopedListView):
    """The transfer worklist: letters to receive, letters issued and still open, and all."""

    model = Transfer
    template_name = "members/transfer_list.html"
    filterset_class = TransferFilter
    page_title = _("组织关系转接")
    export_name = _("组织关系转接")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [LIST_CRUMB]
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("姓名"), "person.name", 10),
        ExportColumn(_("身份证号"), "person.id_masked", 20),
        ExportColumn(_("介绍信编号"), "letter_no", 18),
        ExportColumn(_("转接类型"), "direction", 12),
        ExportColumn(_("状态"), "status", 12),
        ExportColumn(_("转出党组织"), from_label, 28),
        ExportColumn(_("转入党组织"), to_label, 28),
        ExportColumn(_("开具日期"), "issued_on", 12),
        ExportColumn(_("接收日期"), "received_on", 12),
        ExportColumn(_("退回日期"), "returned_on", 12),
        ExportColumn(_("转接原因"), "reason", 24),
        ExportColumn(_("退回原因"), "return_reason", 24),
    ]

    def tab(self) -> str:
        """The chosen tab; staff who handle letters start on their worklist (待接收)."""
        value = self.request.GET.get("tab", "")
        if value in dict(TABS):
            return value
        if self.request.GET.get("flow") or self.request.GET.get("received_from"):
            return ALL  # a figure's drill-down: completed transfers, not the worklist
        return PENDING if can(self.request.user, Transfer, CHANGE) else ALL

    def base_queryset(self) -> QuerySet[Transfer]:
        queryset = self.scoped_queryset().select_related(
            "person", "from_organization", "to_organization"
        )
        return tab_queryset(queryset, self.tab(), self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scoped = self.scoped_queryset()
        handles_letters = can(user, Transfer, CHANGE)
        tabs = []
        for code, label in TABS if handles_letters else ():
            count = None
            if code != ALL:
                condition = receiving(user) if code == PENDING else issuing(user)
                count = (
                    scoped.filter(condition, status=TransferStatus.ISSUED).count()
                    if condition is not None
                    else 0
                )
            tabs.append({"code": code, "label": label, "count": count})
        context["tabs"] = tabs
        context["tab"] = self.tab()
        context["can_inbound"] = can(user, Person, ADD)
        context["can_export"] = can(user, Transfer, EXPORT)
        return context


def _letter_crumbs(transfer: Transfer, title: str = "") -> list[tuple[Text, str]]:
    crumbs: list[tuple[Text, str]] = [
        LIST_CRUMB,
        (
            gettext("%(name)s（%(no)s）")
            % {"name": transfer.person.name, "no": transfer.letter_no},
            reverse("members:transfer_detail", args=[transfer.pk]),
        ),
    ]
    if title:
        crumbs.append((title, ""))
    return crumbs


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter: who, from where to where, its number, dates and state, and what the user
    may do with it."""
    transfer = get_scoped(request, Transfer, VIEW, pk=pk)
    person = transfer.person
    user = request.user
    return render(
        request,
        "members/transfer_detail.html",
        {
            "transfer": transfer,
            "person": person,
            "from_label": from_label(transfer),
            "to_label": to_label(transfer),
            "page_title": gettext("组织关系介绍信：%(name)s") % {"name": person.name},
            "breadcrumbs": [LIST_CRUMB, (person.name, "")],
            "can_receive": may_receive(user, transfer),
            "can_return": may_return(user, transfer),
            "person_visible": Person.objects.restrict(user, VIEW).filter(pk=person.pk).exists(),
        },
    )


def _open_letter(
    request: HttpRequest, pk: int, allowed: Callable[[Any, Transfer], bool]
) -> tuple[Transfer | None, HttpResponse | None]:
    """The open letter the user may act on; a closed one sends back to its page."""
    transfer = get_scoped(request, Transfer, CHANGE, pk=pk)
    if not transfer.is_open:
        messages.info(request, gettext("该转接已办结。"))
        return None, redirect("members:transfer_detail", pk=transfer.pk)
    if not allowed(request.user, transfer):
        deny(request, request.user, "无此操作权限", model="members.transfer", action=CHANGE)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    return transfer, None


@login_required
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Receive the member (internal letter), or record the receipt of a letter sent out."""
    transfer, response = _open_letter(request, pk, may_receive)
    if transfer is None:
        assert response is not None
        return response
    outbound = transfer.to_organization is None
    title = gettext("登记回执") if outbound else gettext("接收组织关系")
    detail_url = reverse("members:transfer_detail", args=[transfer.pk])
    return action_form(
        request,
        ReceiveForm(request.POST or None),
        lambda data: actions.receive_transfer(
            transfer, received_on=data["received_on"], acting_user=request.user
        ),
        success=(
            gettext("已登记回执，%(name)s的组织关系已转出。")
            if outbound
            else gettext("已接收%(name)s的组织关系。")
        )
        % {"name": transfer.person.name},
        next_url=detail_url,
        template="members/transfer_form.html",
        transfer=transfer,
        from_label=from_label(transfer),
        to_label=to_label(transfer),
        page_title=title,
        breadcrumbs=_letter_crumbs(transfer, title),
        intro=(
            gettext("对方党组织已收到介绍信后登记回执；该人员随即移出本校党员名册。")
            if outbound
            else gettext("接收后，该人员转入本党组织，原党小组安排清空。")
        ),
        submit_label=title,
        cancel_url=detail_url,
    )


@login_required
def return_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter comes back unused; the member stays where they were."""
    transfer, response = _open_letter(request, pk, may_return)
    if transfer is None:
        assert response is not None
        return response
    title = gettext("退回介绍信")
    detail_url = reverse("members:transfer_detail", args=[transfer.pk])
    return action_form(
        request,
        ReturnForm(request.POST or None),
        lambda data: actions.return_transfer(
            transfer,
            returned_on=data["returned_on"],
            reason=data["reason"],
            acting_user=request.user,
        ),
        success=gettext("介绍信已退回，%(name)s仍在%(org)s。")
        % {"name": transfer.person.name, "org": from_label(transfer)},
        next_url=detail_url,
        template="members/transfer_form.html",
        transfer=transfer,
        from_label=from_label(transfer),
        to_label=to_label(transfer),
        page_title=title,
        breadcrumbs=_letter_crumbs(transfer, title),
        intro=gettext("退回后转接办结，人员仍留在原党组织；如需转接请重新开具介绍信。"),
        submit_label=title,
        danger=True,
        cancel_url=detail_url,
    )


def receiving_organizations(user: Any) -> QuerySet[Organization]:
    """Where the user may register a person: active holding organizations under their
    grants allowing ADD on people (a branch secretary included)."""
    condition = grant_condition(user, Person, ADD, "path")
    if condition is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(condition)
        .active()
        .filter(level__in=HOLDING_LEVELS)
        .order_by("path")
    )


@login_required
def inbound(request: HttpRequest) -> HttpResponse:
    """Receive a member from another institution: registered here with the letter on file."""
    require(request, Person, ADD)
    form = InboundForm(request.POST or None, organizations=receiving_organizations(request.user))

    def perform(data: dict[str, Any]) -> Person:
        return actions.receive_from_outside(
            form.person_data(),
            other_institution=data["other_institution"],
            letter_no=data["letter_no"],
            issued_on=data["issued_on"],
            received_on=data["received_on"],
            acting_user=request.user,
        )

    title = gettext("接收校外转入")
    return action_form(
        request,
        form,
        perform,
        success=lambda person: (
            gettext("已接收%(name)s的组织关系，转入%(org)s。")
            % {"name": person.name, "org": person.organization.name}
        ),
        next_url=lambda person: reverse("members:detail", args=[person.pk]),
        template="members/transfer_inbound.html",
        page_title=title,
        breadcrumbs=[LIST_CRUMB, (title, "")],
        cancel_url=reverse("members:transfers"),
    )
