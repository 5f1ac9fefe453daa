"""Case pages: the list of cases in scope and a case's page with its 25 steps.

The list reads only the denormalized columns of `Case` (next step, due date, who must act),
so a page is a constant number of queries; days overdue are computed when shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.io.export import ExportColumn
from dangjian.core.permissions import get_scoped
from dangjian.core.scope import ADD, CHANGE, EXPORT, IMPORT, VIEW, can, covers
from dangjian.core.text import Text
from dangjian.core.views.generic import ScopedListView
from dangjian.members.models import Person
from dangjian.recruitment import steps as kinds
from dangjian.recruitment.choices import RecordState, Stage
from dangjian.recruitment.filters import CaseFilter
from dangjian.recruitment.models import Attachment, Case, StepRecord
from dangjian.recruitment.plan import reviews
from dangjian.recruitment.steps import STEPS, StepDef, step

LIST_CRUMB = (_("发展党员档案"), "/recruitment/")
MAIN_FILTERS = ("within", "stage", "status", "overdue")


def step_label(number: int | None) -> str:
    """'7. 确定发展对象', or '' for none."""
    return f"{number}. {step(number).label}" if number else ""


def days_overdue(case: Case, today: date) -> int:
    """Days past the due date of the next step (0 when not due or closed)."""
    if not case.is_open or case.due_on is None or case.due_on >= today:
        return 0
    return (today - case.due_on).days


class CaseListView(ScopedListView):
    model = Case
    template_name = "recruitment/case_list.html"
    filterset_class = CaseFilter
    paginate_by = 50
    page_title = _("发展党员档案")
    export_name = _("发展党员档案")
    breadcrumbs: ClassVar[list[tuple[Text, str]]] = [(_("发展党员档案"), "")]
    page_related = ("person", "organization", "waiting_organization")
    export_columns: ClassVar[list[ExportColumn]] = [
        ExportColumn(_("姓名"), "person.name", 10),
        ExportColumn(_("工号/学号"), "person.staff_no", 14),
        ExportColumn(_("培养党支部"), "organization.name", 28),
        ExportColumn(_("状态"), "status", 10),
        ExportColumn(_("所处阶段"), "stage", 24),
        ExportColumn(_("已完成步骤"), lambda c: step_label(c.last_step), 24),
        ExportColumn(_("最近步骤日期"), "last_step_on", 12),
        ExportColumn(_("下一步骤"), lambda c: step_label(c.next_step), 24),
        ExportColumn(_("应完成日期"), "due_on", 12),
        ExportColumn(_("逾期天数"), lambda c: days_overdue(c, timezone.localdate()) or "", 8),
        ExportColumn(_("最早可办理日期"), "earliest_on", 12),
        ExportColumn(_("待审核党组织"), "waiting_organization.name", 20),
        ExportColumn(_("申请入党日期"), "applied_on", 12),
        ExportColumn(_("确定积极分子日期"), "activist_on", 12),
        ExportColumn(_("确定发展对象日期"), "candidate_on", 12),
        ExportColumn(_("支部大会通过日期"), "voted_on", 12),
        ExportColumn(_("预备期满日期"), "probation_ends_on", 12),
        ExportColumn(_("转正日期"), "converted_on", 12),
        ExportColumn(_("结束原因"), "close_reason", 20),
    ]

    def get_queryset(self) -> QuerySet[Case]:
        queryset = super().get_queryset()
        if not (self.filterset.is_bound and self.filterset.is_valid()):
            queryset = queryset.filter(status="open")
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        rows = list(context["object_list"])
        for case in rows:
            case.last_label = step_label(case.last_step)  # type: ignore[attr-defined]
            case.next_label = step_label(case.next_step)  # type: ignore[attr-defined]
            case.overdue_days = days_overdue(case, today)  # type: ignore[attr-defined]
        context["object_list"] = rows
        context["can_add"] = can(user, Case, ADD)
        context["can_export"] = can(user, Case, EXPORT)
        context["can_import"] = can(user, Case, IMPORT)
        form = self.filterset.form
        context["main_filters"] = [form[name] for name in MAIN_FILTERS]
        context["more_filters"] = [
            form[name] for name in form.fields if name not in (*MAIN_FILTERS, "q")
        ]
        context["more_open"] = any(
            self.request.GET.get(bound.name) for bound in context["more_filters"]
        )
        return context


# A case's page --------------------------------------------------------------------------------


def case_crumbs(case: Case, *tail: tuple[Text, str]) -> list[tuple[Text, str]]:
    """Breadcrumbs of a page about one case."""
    if not tail:
        return [LIST_CRUMB, (case.person.name, "")]
    return [LIST_CRUMB, (case.person.name, reverse("recruitment:detail", args=[case.pk])), *tail]


def _names(records: list[StepRecord]) -> dict[int, str]:
    """Names of the people the records cite (talkers, mentors, introducers): part of the
    record the user may see, so looked up by id without the person's own scope."""
    ids: set[int] = set()
    for record in records:
        for spec in step(record.step).fields:
            value = record.data.get(spec.name)
            if spec.kind == kinds.PERSON and isinstance(value, int):
                ids.add(value)
            elif spec.kind == kinds.PEOPLE and isinstance(value, list):
                ids.update(v for v in value if isinstance(v, int))
    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _shown(spec: kinds.FieldDef, value: Any, names: dict[int, str]) -> str:
    """A field's value as a person reads it: names for ids, labels for codes."""
    if value is None or value == "" or value == []:
        return ""
    if spec.kind == kinds.PERSON:
        return names.get(value, gettext("（人员#%(pk)s）") % {"pk": value})
    if spec.kind == kinds.PEOPLE:
        return "、".join(names.get(v, f"#{v}") for v in value)
    if spec.kind in (kinds.CHOICE, kinds.CHECKLIST):
        labels = {code: str(label) for code, label in spec.choices}
        items = value if isinstance(value, list) else [value]
        return "、".join(labels.get(item, str(item)) for item in items)
    if spec.kind == kinds.BOOL:
        return gettext("是") if value else gettext("否")
    return str(value)


def _entry(definition: StepDef, records: list[StepRecord], names: dict[int, str]) -> dict[str, Any]:
    shown = []
    for record in records:
        fields = [
            (spec.label, _shown(spec, record.data.get(spec.name), names))
            for spec in definition.fields
        ]
        record.shown_fields = [(label, text) for label, text in fields if text]  # type: ignore[attr-defined]
        shown.append(record)
    return {"step": definition, "records": shown}


def _standing(case: Case, today: date) -> list[str]:
    """Why the case stands where it does, in sentences (warnings of the plan)."""
    notes = []
    overdue = days_overdue(case, today)
    if overdue:
        notes.append(gettext("下一步骤已逾期%(n)d天。") % {"n": overdue})
    if case.earliest_on and case.earliest_on > today:
        notes.append(
            gettext("按规定最早可于%(day)s办理下一步骤。") % {"day": case.earliest_on.isoformat()}
        )
    if case.waiting_organization is not None:
        notes.append(
            gettext("正在等待%(org)s审核，审核通过后才能继续。")
            % {"org": case.waiting_organization.name}
        )
    return notes


def detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user, today = request.user, timezone.localdate()
    records = list(
        StepRecord.objects.restrict(user, VIEW)
        .filter(case=case)
        .prefetch_related("reviews__organization")
        .order_by("step", "occurred_on", "id")
    )
    attachments: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.restrict(user, VIEW).filter(case=case):
        attachments[attachment.step].append(attachment)
    by_step: dict[int, list[StepRecord]] = defaultdict(list)
    for record in records:
        by_step[record.step].append(record)
    names = _names(records)
    stages = []
    for stage in Stage:
        entries = []
        for definition in STEPS:
            if definition.stage == stage:
                entry = _entry(definition, by_step.get(definition.number, []), names)
                entry["attachments"] = attachments.get(definition.number, [])
                entry["is_next"] = definition.number == case.next_step
                found = by_step.get(definition.number, [])
                entry["is_done"] = any(r.state == RecordState.DONE for r in found)
                entry["is_pending"] = any(r.state != RecordState.DONE for r in found)
                entries.append(entry)
        stages.append({"label": stage.label, "number": stage.value, "entries": entries})
    can_change = case.is_open and covers(user, Case, CHANGE, case.organization.path)
    waiting = next((r for r in records if r.state == RecordState.SUBMITTED), None)
    return {
        "case": case,
        "person": case.person,
        "page_title": gettext("发展党员档案：%(name)s") % {"name": case.person.name},
        "breadcrumbs": case_crumbs(case),
        "stages": stages,
        "next_label": step_label(case.next_step),
        "overdue_days": days_overdue(case, today),
        "standing": _standing(case, today) if case.is_open else [],
        "can_change": can_change,
        "can_record": can_change and case.next_step is not None and waiting is None,
        "can_cancel": can_change and not case.admitted_on,
        "can_upload": covers(user, Case, CHANGE, case.organization.path),
        "can_export": covers(user, Case, EXPORT, case.organization.path),
        "can_see_person": Person.objects.restrict(user, VIEW).filter(pk=case.person_id).exists(),
        "waiting_record": waiting,
        "can_review": waiting is not None and reviews(user, case.waiting_organization),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_scoped(request, Case, VIEW, pk=pk)
    return render(request, "recruitment/case_detail.html", detail_context(request, case))
