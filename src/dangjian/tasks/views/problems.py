"""Pages of problem lists and their rectification (清单 → 台账 → 销号).

The list (with the loop's counts), the form that lists a problem, the problem's page (the
loop as a stepper, its log, the ledger entry, the evidence and the forms each side may use),
one page per step, evidence downloads and the ledger export (整改台账, in `tasks.ledger`).
Every read goes through `restrict()`; every change through `tasks.actions`, whose refusals
are shown on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dangjian.core.errors import DomainError
from dangjian.core.permissions import get_scoped, require
from dangjian.core.scope import ADD, CHANGE, DELETE, EXPORT, VIEW, can, covers
from dangjian.core.text import Text
from dangjian.core.uploads import scan_type
from dangjian.core.views.forms import action_form, apply_errors
from dangjian.core.views.generic import ScopedListView
from dangjian.tasks import actions, ledger
from dangjian.tasks.choices import ProblemStatus, ProblemStep
from dangjian.tasks.filters_problems import ProblemFilter, status_counts
from dangjian.tasks.forms_problems import (
    ACCEPTED,
    LedgerForm,
    ProblemForm,
    ProgressForm,
    ReopenForm,
    SubmitForm,
    VerifyForm,
    issuer_options,
    problem_initial,
)
from dangjian.tasks.models import Problem, ProblemFile

LIST_TITLE = _("问题清单")
# The loop on the list page: each count links to its status.
LOOP = (
    (ProblemStatus.LISTED, _("清单")),
    (ProblemStatus.RECTIFYING, _("台账")),
    (ProblemStatus.SUBMITTED, _("待核验")),
    (ProblemStatus.CLOSED, _("已销号")),
)
# The stepper of a problem's page, the log steps that mark each, and how far each status is.
STEPS = (
    (_("列入清单"), ProblemStep.LISTED),
    (_("建立台账"), ProblemStep.LEDGER),
    (_("整改中"), ProblemStep.PROGRESS),
    (_("申请销号"), ProblemStep.SUBMITTED),
    (_("核验销号"), ProblemStep.CLOSED),
)
DONE_STEPS = {
    ProblemStatus.LISTED: 1,
    ProblemStatus.RECTIFYING: 2,
    ProblemStatus.SUBMITTED: 4,
    ProblemStatus.CLOSED: 5,
}


def list_crumb() -> tuple[Text, str]:
    return (LIST_TITLE, reverse("tasks:problems"))


def problem_crumbs(problem: Problem, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    """Breadcrumbs of a page about one problem."""
    name = gettext("%(year)d年第%(number)s号问题") % {
        "year": problem.year,
        "number": problem.number,
    }
    if not tail:
        return [list_crumb(), (name, "")]
    return [list_crumb(), (name, reverse("tasks:problem", args=[problem.pk])), *tail]


# The list -------------------------------------------------------------------------------------


class ProblemListView(ScopedListView):
    model = Problem
    template_name = "tasks/problem_list.html"
    filterset_class = ProblemFilter
    paginate_by = 50
    page_title = LIST_TITLE
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(LIST_TITLE, "")]
    page_related = ("issuer", "unit", "recurring_of")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        counted: QuerySet[Problem] = self.filterset.without("status")
        counts = status_counts(counted)
        chosen = self.request.GET.get("status", "")
        context["loop"] = [
            {"status": status.value, "label": label, "count": counts[status.value]}
            for status, label in LOOP
        ]
        context["total"] = counts["total"]
        context["chosen_status"] = chosen
        context["can_add"] = can(user, Problem, ADD)
        context["can_export"] = can(user, Problem, EXPORT)
        form = self.filterset.form
        main = ("within", "year", "status", "level")
        context["main_filters"] = [form[name] for name in main]
        context["more_filters"] = [form[name] for name in form.fields if name not in main]
        context["more_open"] = any(
            self.request.GET.get(bound.name) for bound in context["more_filters"]
        )
        return context


# A problem's page -----------------------------------------------------------------------------


def steps_of(problem: Problem, log: list[Any]) -> list[dict[str, Any]]:
    """The stepper: each step done, current or to come, with when it was last done."""
    done = DONE_STEPS[ProblemStatus(problem.status)]
    when = {entry.step: entry.at for entry in log}
    return [
        {
            "label": label,
            "number": index + 1,
            "state": "done" if index < done else "current" if index == done else "todo",
            "at": when.get(step) if index < done else None,
        }
        for index, (label, step) in enumerate(STEPS)
    ]


def _forms(request: HttpRequest, problem: Problem) -> dict[str, Any]:
    """The forms the user may use on this problem now (None where they may not)."""
    user = request.user
    unit_may = covers(user, Problem, CHANGE, problem.unit.path)
    issuer_may = covers(user, Problem, CHANGE, problem.issuer.path)
    status = problem.status
    rectifying = unit_may and status == ProblemStatus.RECTIFYING
    ledger_initial = {
        "measures": problem.measures,
        "responsible": problem.responsible,
        "deadline": problem.deadline,
    }
    return {
        "ledger_form": LedgerForm(initial=ledger_initial, auto_id="ledger_%s")
        if unit_may and status in (ProblemStatus.LISTED, ProblemStatus.RECTIFYING)
        else None,
        "progress_form": ProgressForm(auto_id="progress_%s") if rectifying else None,
        "submit_form": SubmitForm(auto_id="submit_%s") if rectifying else None,
        "verify_form": VerifyForm(auto_id="verify_%s")
        if issuer_may and status == ProblemStatus.SUBMITTED
        else None,
        "reopen_form": ReopenForm(auto_id="reopen_%s")
        if issuer_may and status == ProblemStatus.CLOSED
        else None,
        "can_delete": status == ProblemStatus.LISTED
        and covers(user, Problem, DELETE, problem.issuer.path),
        "is_unit": unit_may,
        "is_issuer": issuer_may,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_scoped(request, Problem, VIEW, pk=pk)
    problem = Problem.objects.select_related(
        "issuer", "unit", "recurring_of", "verified_by", "created_by"
    ).get(pk=found.pk)
    log = list(problem.log.select_related("by"))
    files = list(
        ProblemFile.objects.restrict(request.user, VIEW)
        .filter(problem=problem)
        .select_related("uploaded_by")
    )
    context = {
        "problem": problem,
        "page_title": problem_crumbs(problem)[-1][0],
        "breadcrumbs": problem_crumbs(problem),
        "steps": steps_of(problem, log),
        "log": list(reversed(log)),
        "files": files,
        "similarity": ledger.percent(problem.similarity),
        "days_overdue": problem.days_overdue(),
        **_forms(request, problem),
    }
    return render(request, "tasks/problem_detail.html", context)


# Listing a problem ----------------------------------------------------------------------------


@login_required
def add(request: HttpRequest) -> HttpResponse:
    require(request, Problem, ADD)
    user = request.user
    form = ProblemForm(request.POST or None, user=user, initial=problem_initial(user, request.GET))
    if request.method == "POST" and form.is_valid():
        issuer = issuer_options(user).filter(pk=form.cleaned_data["issuer"]).first()
        try:
            if issuer is None:
                raise DomainError({"issuer": gettext("请选择列出单位。")})
            problem = actions.list_problem(issuer, form.action_data(), acting_user=user)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, gettext("已列入问题清单（编号%(n)s）。") % {"n": problem.number}
            )
            if problem.recurring_of is not None:
                messages.warning(
                    request,
                    gettext(
                        "该问题与%(year)d年已销号的问题“%(other)s”相似度为%(share)s，疑似反弹。"
                    )
                    % {
                        "year": problem.recurring_of.year,
                        "other": problem.recurring_of.description[:40],
                        "share": ledger.percent(problem.similarity),
                    },
                )
            return redirect("tasks:problem", pk=problem.pk)
    title = gettext("列入问题清单")
    return render(
        request,
        "tasks/problem_form.html",
        {
            "form": form,
            "page_title": title,
            "breadcrumbs": [list_crumb(), (title, "")],
            "cancel_url": reverse("tasks:problems"),
        },
    )


# The steps of the loop ------------------------------------------------------------------------

FILE_ERRORS = {"file": "files", "title": "files"}


def _with_files(perform: Callable[[], Problem]) -> Problem:
    """Run a step that stores files; a refused file is shown on the files field."""
    try:
        return perform()
    except DomainError as error:
        error.errors = {FILE_ERRORS.get(k, k): v for k, v in error.errors.items()}
        raise


def _step(
    request: HttpRequest,
    problem: Problem,
    form: Any,
    perform: Callable[[dict[str, Any]], Problem],
    *,
    title: str,
    success: Callable[[Problem], str] | str,
    intro: str = "",
) -> HttpResponse:
    """One step's form page (also where a refusal posted from the problem's page shows)."""
    back = reverse("tasks:problem", args=[problem.pk])
    return action_form(
        request,
        form,
        perform,
        success=success,
        next_url=back,
        page_title=title,
        breadcrumbs=problem_crumbs(problem, (title, "")),
        intro=intro,
        submit_label=title,
        cancel_url=back,
        problem=problem,
    )


@login_required
def ledger_entry(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, CHANGE, pk=pk)
    initial = {
        "measures": problem.measures,
        "responsible": problem.responsible,
        "deadline": problem.deadline,
    }
    return _step(
        request,
        problem,
        LedgerForm(request.POST or None, initial=initial),
        lambda data: actions.open_ledger(problem, data, acting_user=request.user),
        title=gettext("整改台账"),
        success=gettext("已保存整改台账。"),
        intro=gettext("责任单位填写整改措施、责任人和整改时限；保存后问题进入整改。"),
    )


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, CHANGE, pk=pk)
    return _step(
        request,
        problem,
        ProgressForm(request.POST or None, request.FILES or None),
        lambda data: _with_files(
            lambda: actions.record_progress(
                problem, data["note"], data["files"], acting_user=request.user
            )
        ),
        title=gettext("报送整改进展"),
        success=gettext("已报送整改进展。"),
    )


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, CHANGE, pk=pk)
    return _step(
        request,
        problem,
        SubmitForm(request.POST or None, request.FILES or None),
        lambda data: _with_files(
            lambda: actions.submit_closure(
                problem, data["note"], data["files"], acting_user=request.user
            )
        ),
        title=gettext("申请销号"),
        success=gettext("已申请销号，待列出单位核验。"),
        intro=gettext("说明整改完成情况并上传佐证材料；列出单位核验属实后销号。"),
    )


def _verified(problem: Problem) -> str:
    if problem.status == ProblemStatus.CLOSED:
        return gettext("已核验销号。")
    return gettext("已退回责任单位继续整改。")


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, CHANGE, pk=pk)
    return _step(
        request,
        problem,
        VerifyForm(request.POST),
        lambda data: actions.verify(
            problem, data["decision"] == ACCEPTED, data["note"], acting_user=request.user
        ),
        title=gettext("核验销号"),
        success=_verified,
    )


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, CHANGE, pk=pk)
    return _step(
        request,
        problem,
        ReopenForm(request.POST),
        lambda data: actions.reopen(problem, data["reason"], acting_user=request.user),
        title=gettext("重新打开"),
        success=gettext("已重新打开，问题回到整改中。"),
    )


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_scoped(request, Problem, DELETE, pk=pk)
    back = reverse("tasks:problem", args=[problem.pk])
    warning = ""
    if request.method == "POST":
        try:
            actions.delete_problem(problem, acting_user=request.user)
        except DomainError as error:
            warning = error.message
        else:
            messages.success(request, gettext("已删除该问题。"))
            return redirect("tasks:problems")
    title = gettext("删除问题")
    return render(
        request,
        "core/confirm.html",
        {
            "page_title": title,
            "breadcrumbs": problem_crumbs(problem, (title, "")),
            "question": gettext("确定从问题清单中删除“%(text)s”吗？")
            % {"text": problem.description[:60]},
            "warning": warning
            or gettext("只有尚未建立整改台账的问题可以删除；已建立台账的问题须整改销号。"),
            "danger": True,
            "submit_label": gettext("删除"),
            "cancel_url": back,
        },
    )


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence, served only to those who see the problem, typed by its content."""
    stored = get_scoped(request, ProblemFile, VIEW, pk=pk)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("文件不存在。")) from None
    kind = scan_type(handle.read(16))
    handle.seek(0)
    response = FileResponse(
        handle,
        content_type=kind[1] if kind else "application/octet-stream",
        filename=f"{stored.title}.{kind[0] if kind else 'bin'}",
        as_attachment=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("problems/", ProblemListView.as_view(), name="problems"),
    path("problems/add/", add, name="problem_add"),
    path("problems/ledger/", ledger.export, name="problems_ledger"),
    path("problems/<int:pk>/", detail, name="problem"),
    path("problems/<int:pk>/ledger/", ledger_entry, name="problem_ledger"),
    path("problems/<int:pk>/progress/", progress, name="problem_progress"),
    path("problems/<int:pk>/submit/", submit, name="problem_submit"),
    path("problems/<int:pk>/verify/", verify, name="problem_verify"),
    path("problems/<int:pk>/reopen/", reopen, name="problem_reopen"),
    path("problems/<int:pk>/delete/", delete, name="problem_delete"),
    path("problems/files/<int:pk>/", download, name="problem_file"),
]
