"""People pages: the register (list, filters, export), a person's record, its forms.

Citizen ID and phone numbers appear only masked; the plain value is fetched one at a time
through `reveal`, which checks the REVEAL permission and writes a security event.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, IMPORT, REVEAL, VIEW, can, covers
from dangjian.core.text import Text
from dangjian.core.views.forms import apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.members import actions
from dangjian.members.choices import MEMBER_CATEGORIES, ON_BOOKS, CadreStatus, Status
from dangjian.members.filters import PersonFilter
from dangjian.members.forms import PersonForm, photo_type
from dangjian.members.models import Cadre, MemberEvent, Person, Transfer
from dangjian.orgs.models import Organization

LIST_CRUMB = (_("党员名册"), "/members/")
REVEALABLE = ("id_number", "phone")
# The filters shown in the first row of the list; the rest fold under "更多筛选".
MAIN_FILTERS = ("within", "category", "status", "sort")


def _yes(value: bool) -> str:
    return gettext("是") if value else ""


class PersonListView(ScopedListView):
    model = Person
    template_name = "members/person_list.html"
    filterset_class = PersonFilter
    paginate_by = 50
    page_title = _("党员名册")
    export_name = _("党员名册")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("党员名册"), "")]
    # Protected numbers are exported masked only; a full list needs no plain numbers.
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("姓名"), "name", 10),
        ExportColumn(_("性别"), "gender", 6),
        ExportColumn(_("民族"), "ethnicity", 8),
        ExportColumn(_("出生日期"), "birth_date", 12),
        ExportColumn(_("身份证号（脱敏）"), "id_masked", 22),
        ExportColumn(_("籍贯"), "native_place", 10),
        ExportColumn(_("学历"), "education", 12),
        ExportColumn(_("学位"), "degree", 8),
        ExportColumn(_("工号/学号"), "staff_no", 14),
        ExportColumn(_("所在单位"), "unit", 20),
        ExportColumn(_("岗位/类别"), "post", 14),
        ExportColumn(_("职称/职务"), "title", 14),
        ExportColumn(_("入学年份"), "enrollment_year", 8),
        ExportColumn(_("手机号码（脱敏）"), "phone_masked", 14),
        ExportColumn(_("家庭住址"), "address", 24),
        ExportColumn(_("所在党组织"), "organization.name", 28),
        ExportColumn(_("党组织编码"), "organization.code", 14),
        ExportColumn(_("党小组"), "party_group.name", 14),
        ExportColumn(_("人员类别"), "category", 12),
        ExportColumn(_("递交入党申请书日期"), "applied_on", 12),
        ExportColumn(_("确定为积极分子日期"), "activist_on", 12),
        ExportColumn(_("确定为发展对象日期"), "candidate_on", 12),
        ExportColumn(_("入党日期"), "joined_on", 12),
        ExportColumn(_("转正日期"), "converted_on", 12),
        ExportColumn(_("党籍状态"), "status", 10),
        ExportColumn(_("停止党籍日期"), "suspended_on", 12),
        ExportColumn(_("失去联系"), lambda p: _yes(p.lost_contact), 8),
        ExportColumn(_("失联日期"), "lost_contact_since", 12),
        ExportColumn(_("流动党员"), lambda p: _yes(p.is_floating), 8),
        ExportColumn(_("外出流向"), "floating_destination", 16),
        ExportColumn(_("外出日期"), "floating_from", 12),
        ExportColumn(_("出党日期"), "left_on", 12),
        ExportColumn(_("出党方式"), "leave_reason", 12),
        ExportColumn(_("去世日期"), "died_on", 12),
        ExportColumn(_("离开本校党员名册日期"), "off_books_on", 12),
        ExportColumn(_("备注"), "note", 24),
    ]

    page_related = ("organization", "party_group", "cadre")  # one query for a page's rows

    def get_queryset(self) -> QuerySet[Person]:
        queryset = super().get_queryset()
        if not (self.filterset.is_bound and self.filterset.is_valid()):
            queryset = queryset.filter(status__in=ON_BOOKS)  # the register, not its history
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list(context["object_list"])
        for person in page:
            person.is_cadre = _in_office(person)  # type: ignore[attr-defined]
        context["object_list"] = page
        context["can_add"] = can(user, Person, ADD)
        context["can_import"] = can(user, Person, IMPORT)
        context["can_export"] = can(user, Person, EXPORT)
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        context["more_filters"] = [
            form[name] for name in form.fields if name not in (*MAIN_FILTERS, "q")
        ]
        context["more_open"] = any(
            self.request.GET.get(bound.name) for bound in context["more_filters"]
        )
        return context


def _in_office(person: Person) -> bool:
    """Whether the person has a cadre record in office (no query after select_related)."""
    try:
        cadre = person.cadre
    except Cadre.DoesNotExist:
        return False
    return cadre.status == CadreStatus.IN_OFFICE


# A person's record ---------------------------------------------------------------------------


def _allowed(user: Any, action: str, person: Person) -> bool:
    return Person.objects.restrict(user, action).filter(pk=person.pk).exists()


def _years_since(day: date | None, today: date) -> int | None:
    if day is None:
        return None
    return today.year - day.year - ((today.month, today.day) < (day.month, day.day))


def person_crumbs(person: Person, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    """Breadcrumbs of a page about one person."""
    url = reverse("members:detail", args=[person.pk])
    if not tail:
        return [LIST_CRUMB, (person.name, "")]
    return [LIST_CRUMB, (person.name, url), *tail]


def lifecycle_actions(person: Person) -> dict[str, bool]:
    """Which lifecycle forms make sense in the person's current state (the actions decide)."""
    on_books = person.status in ON_BOOKS
    return {
        "transfer_issue": on_books,
        "floating_start": on_books and not person.is_floating,
        "floating_end": person.is_floating,
        "contact_lost": on_books and not person.lost_contact,
        "contact_restored": person.lost_contact,
        "suspend": person.status == Status.NORMAL and person.category in MEMBER_CATEGORIES,
        "restore": person.status == Status.SUSPENDED,
        "leave": on_books,
        "death": on_books,
    }


def _detail_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    lineage = person.organization.ancestors_and_self()
    visible = set(
        Organization.objects.restrict(user)
        .filter(pk__in=[org.pk for org in lineage])
        .values_list("pk", flat=True)
    )
    org_trail = [
        (org.name, reverse("orgs:detail", args=[org.pk]) if org.pk in visible else "")
        for org in lineage
    ]
    transfers = list(
        Transfer.objects.restrict(user)
        .filter(person=person)
        .select_related("from_organization", "to_organization")
    )
    can_change = _allowed(user, CHANGE, person)
    cadre = Cadre.objects.restrict(user).filter(person=person).first()
    path = person.organization.path
    open_transfer = any(t.is_open for t in transfers)
    person.is_cadre = _in_office(person)  # type: ignore[attr-defined]
    states = lifecycle_actions(person)
    states["transfer_issue"] = states["transfer_issue"] and not open_transfer
    return {
        "person": person,
        "page_title": person.name,
        "breadcrumbs": person_crumbs(person),
        "org_trail": org_trail,
        "age": person.age_on(today),
        "standing_years": _years_since(person.standing_since(), today),
        "posts": list(
            person.posts.select_related("term__organization").order_by("-started_on", "-id")
        ),
        "cadre": cadre,
        "transfers": transfers,
        "events": list(
            MemberEvent.objects.restrict(user)
            .filter(person=person)
            .select_related("actor", "organization")
        ),
        "can_change": can_change,
        "can_delete": _allowed(user, DELETE, person),
        "can_reveal": _allowed(user, REVEAL, person),
        "can_cadre": covers(user, Cadre, CHANGE, path) and person.on_books,
        "actions": {name: ok for name, ok in states.items() if ok} if can_change else {},
        "open_transfer": open_transfer,
        "revealed": {},
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(request, Person, VIEW, pk=pk)
    return render(request, "members/person_detail.html", _detail_context(request, person))


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The plain ID or phone number of one person, audited (htmx fragment or full page)."""
    if field not in REVEALABLE:
        raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
    person = get_scoped(request, Person, VIEW, pk=pk)
    try:
        value = actions.reveal(person, field, acting_user=request.user)
    except DomainError as error:
        if getattr(request, "htmx", False):
            return HttpResponse(
                format_html('<span class="text-danger small">{}</span>', error.message),
                status=403,
            )
        raise PermissionDenied(error.message) from error
    if getattr(request, "htmx", False):
        response = render(
            request, "members/_person_revealed.html", {"value": value or gettext("（未登记）")}
        )
    else:  # without JavaScript: the record page with this one value shown
        context = _detail_context(request, person)
        context["revealed"] = {field: value or gettext("（未登记）")}
        response = render(request, "members/person_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """The person's photo, for users who may see the person; never cached publicly."""
    person = get_scoped(request, Person, VIEW, pk=pk)
    if not person.photo:
        raise Http404(gettext("该人员没有照片。"))
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("该人员没有照片。")) from None
    kind = photo_type(handle.read(16))
    handle.seek(0)
    response = FileResponse(handle, content_type=kind[1] if kind else "application/octet-stream")
    response["Cache-Control"] = "private, max-age=600"
    return response


# Forms ---------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: PersonForm, **context: Any) -> HttpResponse:
    return render(request, "members/person_form.html", {"form": form, **context})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    require(request, Person, ADD)
    initial = {}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = request.GET["organization"]
    form = PersonForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.register_person(form.action_data(), acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已登记“%(name)s”。") % {"name": person.name})
            return redirect("members:detail", pk=person.pk)
    return _form_page(
        request,
        form,
        page_title=gettext("登记人员"),
        breadcrumbs=[LIST_CRUMB, (gettext("登记人员"), "")],
        cancel_url=reverse("members:list"),
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(request, Person, CHANGE, pk=pk)
    form = PersonForm(
        request.POST or None, request.FILES or None, user=request.user, instance=person
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person, form.action_data(), acting_user=request.user)
        except DomainError as error:
            person.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("members:detail", pk=person.pk)
    return _form_page(
        request,
        form,
        person=person,
        page_title=gettext("编辑：%(name)s") % {"name": person.name},
        breadcrumbs=person_crumbs(person, (gettext("编辑"), "")),
        cancel_url=reverse("members:detail", args=[person.pk]),
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_scoped(request, Person, DELETE, pk=pk)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.delete_person(person, acting_user=request.user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, gettext("已删除“%(name)s”。") % {"name": person.name})
            return redirect("members:list")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": gettext("删除：%(name)s") % {"name": person.name},
            "form": form,
            "danger": True,
            "submit_label": gettext("删除"),
            "question": gettext(
                "确定删除“%(name)s”的记录吗？仅用于删除误登记的人员；"
                "转出、出党、去世等请办理相应手续，记录予以保留。"
            )
            % {"name": person.name},
            "breadcrumbs": person_crumbs(person, (gettext("删除"), "")),
            "cancel_url": reverse("members:detail", args=[pk]),
        },
    )
