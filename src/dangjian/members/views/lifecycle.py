"""Lifecycle pages: one small form per action on a person (transfer, floating, contact,
standing, leaving, death, cadre record). Each shows the person's summary above the form,
calls one action, and comes back to the record with a message; refusals stay on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext

from dangjian.core import rules
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import CHANGE, covers
from dangjian.core.views.forms import action_form
from dangjian.members import actions
from dangjian.members import forms as member_forms
from dangjian.members import rules as member_rules
from dangjian.members.models import Cadre, Person
from dangjian.members.views.people import person_crumbs


def _run(
    request: HttpRequest,
    person: Person,
    form: forms.BaseForm,
    perform: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    success: str,
    intro: str = "",
    submit_label: str = "",
    danger: bool = False,
) -> HttpResponse:
    """The form page of one action on `person`; success goes back to the record."""
    detail_url = reverse("members:detail", args=[person.pk])
    return action_form(
        request,
        form,
        perform,
        success=success,
        next_url=detail_url,
        template="members/person_action.html",
        person=person,
        page_title=gettext("%(title)s：%(name)s") % {"title": title, "name": person.name},
        breadcrumbs=person_crumbs(person, (title, "")),
        intro=intro,
        submit_label=submit_label or title,
        danger=danger,
        cancel_url=detail_url,
    )


def _person(request: HttpRequest, pk: int) -> Person:
    """The person if the user may change their record (404 outside scope, 403 no grant)."""
    return get_scoped(request, Person, CHANGE, pk=pk)


@login_required
def transfer_issue(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.TransferIssueForm(request.POST or None, person=person),
        lambda data: actions.issue_transfer(person, acting_user=request.user, **data),
        title=gettext("开具组织关系介绍信"),
        submit_label=gettext("开具"),
        success=gettext("已开具组织关系介绍信，待接收方确认。"),
        intro=gettext(
            "校内转接由转入党组织确认接收后生效；转出本校在对方回执后登记接收，"
            "人员随即离开本校党员名册。"
        ),
    )


@login_required
def floating_start(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.FloatingStartForm(request.POST or None),
        lambda data: actions.start_floating(person, acting_user=request.user, **data),
        title=gettext("登记流动党员"),
        success=gettext("已登记为流动党员。"),
        intro=gettext("外出%(months)s个月以上且地点固定的，应转移组织关系。")
        % {"months": rules.value(member_rules.FLOATING_TRANSFER_MONTHS.code)},
    )


@login_required
def floating_end(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.DateForm(request.POST or None, label=gettext("结束流动日期")),
        lambda data: actions.end_floating(person, on=data["on"], acting_user=request.user),
        title=gettext("结束流动"),
        success=gettext("已登记结束流动。"),
    )


@login_required
def contact_lost(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.ContactLostForm(request.POST or None),
        lambda data: actions.mark_lost_contact(
            person, since=data["since"], acting_user=request.user
        ),
        title=gettext("登记失联"),
        success=gettext("已登记失去联系。"),
        intro=gettext("失去联系满%(months)s个月的，应按规定停止党籍。")
        % {"months": rules.value(member_rules.LOST_CONTACT_MONTHS.code)},
    )


@login_required
def contact_restored(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.DateForm(request.POST or None, label=gettext("恢复联系日期")),
        lambda data: actions.restore_contact(person, on=data["on"], acting_user=request.user),
        title=gettext("恢复联系"),
        success=gettext("已登记恢复联系。"),
    )


@login_required
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.SuspendForm(request.POST or None),
        lambda data: actions.suspend(person, acting_user=request.user, **data),
        title=gettext("停止党籍"),
        success=gettext("已停止党籍。"),
        danger=True,
    )


@login_required
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.RestoreForm(request.POST or None),
        lambda data: actions.restore_standing(person, acting_user=request.user, **data),
        title=gettext("恢复党籍"),
        success=gettext("已恢复党籍。"),
    )


@login_required
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.LeaveForm(request.POST or None),
        lambda data: actions.leave_party(person, acting_user=request.user, **data),
        title=gettext("出党"),
        success=gettext("已登记出党，该人员不再计入党员名册。"),
        intro=gettext("登记后该人员离开本校党员名册，记录予以保留。"),
        danger=True,
    )


@login_required
def death(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return _run(
        request,
        person,
        member_forms.DateForm(request.POST or None, label=gettext("去世日期")),
        lambda data: actions.record_death(person, on=data["on"], acting_user=request.user),
        title=gettext("登记去世"),
        success=gettext("已登记去世。"),
        intro=gettext("登记后该人员离开本校党员名册，记录予以保留。"),
        danger=True,
    )


def _cadre_person(request: HttpRequest, pk: int) -> Person:
    """The person, for a user whose grant allows managing cadre records over them."""
    person = _person(request, pk)
    require(request, Cadre, CHANGE)
    if not covers(request.user, Cadre, CHANGE, person.organization.path):
        deny(request, request.user, "无此操作权限", model="members.cadre", action=CHANGE)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    return person


@login_required
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _cadre_person(request, pk)
    cadre = Cadre.objects.restrict(request.user, CHANGE).filter(person=person).first()
    initial = (
        {name: getattr(cadre, name) for name in actions.CADRE_FIELDS} if cadre is not None else {}
    )
    return _run(
        request,
        person,
        member_forms.CadreForm(request.POST or None, initial=initial),
        lambda data: actions.save_cadre(person, data, acting_user=request.user),
        title=gettext("修改干部信息") if cadre else gettext("登记干部信息"),
        submit_label=gettext("保存"),
        success=gettext("已保存干部信息。"),
    )


@login_required
def cadre_end(request: HttpRequest, pk: int) -> HttpResponse:
    person = _cadre_person(request, pk)
    cadre = get_scoped(request, Cadre, CHANGE, person=person)
    return _run(
        request,
        person,
        member_forms.DateForm(request.POST or None, label=gettext("离任日期")),
        lambda data: actions.end_cadre(cadre, on=data["on"], acting_user=request.user),
        title=gettext("登记干部离任"),
        success=gettext("已登记离任。"),
    )
