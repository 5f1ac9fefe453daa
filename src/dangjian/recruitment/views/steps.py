"""Form pages that change a case: record a step, review one, cancel a case, open one.

Each calls one action of `recruitment.actions`. A refusal stays on the form with the
action's Chinese message on its field; a breach of a rule offers a justification field so
an authorized user may retry and record the exception. Warnings of the rules that only warn
are shown as warning messages on the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.permissions import deny, get_scoped, require
from dangjian.core.scope import ADD, CHANGE
from dangjian.core.views.forms import apply_errors
from dangjian.recruitment import actions
from dangjian.recruitment.checks import voting_members
from dangjian.recruitment.choices import RecordState
from dangjian.recruitment.forms import JUSTIFICATION_HELP, CancelForm, OpenCaseForm, ReviewForm
from dangjian.recruitment.forms import StepForm as StepFormClass
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.plan import reviews
from dangjian.recruitment.steps import BY_NUMBER
from dangjian.recruitment.views.cases import case_crumbs

TEMPLATE = "recruitment/case_form.html"
VOTE_STEPS = (15, 23)


def _detail_url(case: Case) -> str:
    return reverse("recruitment:detail", args=[case.pk])


def _run(
    request: HttpRequest,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], Any],
    *,
    success: str,
    next_url: Callable[[Any], str],
    context: dict[str, Any],
) -> HttpResponse:
    """Run the action on a valid POST. A rule breach adds the justification field."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except RuleViolation as error:
            if "justification" not in form.fields and hasattr(form, "add_justification"):
                form.add_justification()
            apply_errors(form, error)
            context["justify"] = True
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            for warning in getattr(result, "warnings", []):
                messages.warning(request, warning)
            return redirect(next_url(result))
    context.setdefault("justify", _justify(request))
    return render(
        request, TEMPLATE, {"form": form, "justification_help": JUSTIFICATION_HELP, **context}
    )


def _justify(request: HttpRequest) -> bool:
    return request.method == "POST" and "justification" in request.POST


@login_required
def record_step(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    case = get_scoped(request, Case, CHANGE, pk=pk)
    definition = BY_NUMBER.get(number)
    if definition is None:
        raise Http404(gettext("没有这个步骤。"))
    returned = case.records.filter(step=number, state=RecordState.RETURNED).order_by("-id").first()
    initial: dict[str, Any] = {"occurred_on": timezone.localdate().isoformat()}
    if returned is not None:  # corrected and resubmitted
        initial.update(returned.data, occurred_on=returned.occurred_on.isoformat())
        initial["note"] = returned.note
    if number in VOTE_STEPS and "should_attend" not in initial:
        initial["should_attend"] = voting_members(case)
    form = StepFormClass(
        request.POST or None,
        case=case,
        definition=definition,
        user=request.user,
        justify=_justify(request),
        initial=initial,
    )

    def perform(data: dict[str, Any]) -> actions.Outcome:
        return actions.record_step(
            case,
            number,
            occurred_on=data["occurred_on"],
            data=form.step_data(),
            note=data.get("note", ""),
            justification=data.get("justification", ""),
            acting_user=request.user,
        )

    title = gettext("登记第%(n)d步：%(label)s") % {"n": number, "label": definition.label}
    return _run(
        request,
        form,
        perform,
        success=gettext("已登记第%(n)d步“%(label)s”。") % {"n": number, "label": definition.label},
        next_url=lambda outcome: _detail_url(case),
        context={
            "case": case,
            "person": case.person,
            "page_title": title,
            "breadcrumbs": case_crumbs(case, (title, "")),
            "intro": _step_intro(definition, returned),
            "submit_label": gettext("登记"),
            "cancel_url": _detail_url(case),
        },
    )


def _step_intro(definition: Any, returned: StepRecord | None) -> str:
    parts = []
    if definition.review:
        parts.append(gettext("本步骤登记后报上级党组织审核。"))
    if definition.documents:
        parts.append(
            gettext("相关材料：%(docs)s（可在档案页上传扫描件）。")
            % {"docs": "、".join(str(d) for d in definition.documents)}
        )
    if returned is not None:
        last = returned.reviews.order_by("-id").first()
        if last is not None and last.reason:
            parts.insert(0, gettext("上级退回原因：%(reason)s") % {"reason": last.reason})
    return " ".join(parts)


@login_required
def review(request: HttpRequest, record_pk: int) -> HttpResponse:
    record = get_scoped(request, StepRecord, CHANGE, pk=record_pk)
    case = record.case
    if record.state != RecordState.SUBMITTED:
        messages.info(request, gettext("该步骤不在待审核状态。"))
        return redirect(_detail_url(case))
    if not reviews(request.user, case.waiting_organization):
        deny(request, request.user, "非审核党组织", model="recruitment.steprecord", action="review")
        raise PermissionDenied(gettext("该步骤应由上级党组织审核。"))
    form = ReviewForm(
        request.POST or None,
        justify=_justify(request) or record.step in (17, 24),
        initial={"decided_on": timezone.localdate().isoformat(), "decision": "approved"},
    )
    definition = BY_NUMBER[record.step]
    title = gettext("审核第%(n)d步：%(label)s") % {"n": record.step, "label": definition.label}
    return _run(
        request,
        form,
        lambda data: actions.review_step(
            record,
            decision=data["decision"],
            decided_on=data["decided_on"],
            reason=data.get("reason", ""),
            justification=data.get("justification", ""),
            acting_user=request.user,
        ),
        success=gettext("已审核。"),
        next_url=lambda outcome: _detail_url(case),
        context={
            "case": case,
            "person": case.person,
            "record": record,
            "page_title": title,
            "breadcrumbs": case_crumbs(case, (title, "")),
            "intro": gettext("报送日期：%(day)s。退回时请写明原因，支部修改后可重新报送。")
            % {"day": record.occurred_on.isoformat()},
            "submit_label": gettext("提交审核意见"),
            "cancel_url": _detail_url(case),
        },
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped(request, Case, CHANGE, pk=pk)
    form = CancelForm(request.POST or None, initial={"on": timezone.localdate().isoformat()})
    title = gettext("终止发展")
    return _run(
        request,
        form,
        lambda data: actions.cancel_case(
            case,
            reason=data["reason"],
            on=data["on"],
            note=data.get("note", ""),
            acting_user=request.user,
        ),
        success=gettext("已终止发展，档案予以保留。"),
        next_url=lambda result: _detail_url(case),
        context={
            "case": case,
            "person": case.person,
            "page_title": title,
            "breadcrumbs": case_crumbs(case, (title, "")),
            "intro": gettext("终止后档案不再出现在工作台中，已登记的步骤予以保留。"),
            "submit_label": title,
            "danger": True,
            "cancel_url": _detail_url(case),
        },
    )


@login_required
def open_case(request: HttpRequest) -> HttpResponse:
    require(request, Case, ADD)
    search = request.GET.get("q", "").strip()
    initial: dict[str, Any] = {"applied_on": timezone.localdate().isoformat()}
    if request.GET.get("person", "").isdigit():
        initial["person"] = request.GET["person"]
    form = OpenCaseForm(
        request.POST or None,
        user=request.user,
        search=search,
        justify=_justify(request),
        initial=initial,
    )
    title = gettext("建立发展党员档案")
    return _run(
        request,
        form,
        lambda data: actions.open_case(
            data["person"],
            applied_on=data["applied_on"],
            data=form.step_data(),
            justification=data.get("justification", ""),
            acting_user=request.user,
        ),
        success=gettext("已建立发展党员档案。"),
        next_url=lambda outcome: _detail_url(outcome.record.case),
        context={
            "page_title": title,
            "breadcrumbs": [(gettext("发展党员档案"), reverse("recruitment:list")), (title, "")],
            "intro": gettext(
                "从党员名册中选择递交入党申请书的人员（尚未入党、没有进行中的发展档案），"
                "登记申请日期即建立档案。"
            ),
            "search": search,
            "show_search": True,
            "submit_label": title,
            "cancel_url": reverse("recruitment:list"),
        },
    )
