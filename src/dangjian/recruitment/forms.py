"""Forms of the recruitment pages: they parse input; the actions validate and save.

A step's form is built from its `StepDef`, so the 25 steps need no form each. Dates are
taken as text and parsed by the actions (Chinese messages, the common Chinese date forms);
field names are those of the actions' `DomainError`s, so `apply_errors` puts each refusal
on its field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import VIEW
from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.members.choices import ON_BOOKS, Category, Status
from dangjian.members.filters import search_people
from dangjian.members.models import Person
from dangjian.orgs.models import Organization
from dangjian.recruitment import steps as kinds
from dangjian.recruitment.choices import CancelReason, CaseStatus, Decision, ReviewLevel
from dangjian.recruitment.models import Case
from dangjian.recruitment.plan import reviewer
from dangjian.recruitment.steps import STEPS, FieldDef, StepDef

OPEN_OPTIONS = 50  # people offered in the "open a case" select (search narrows it)
JUSTIFICATION_HELP = _("该登记违反了发展党员工作规则。如确有特殊情况，请填写例外理由后重新提交。")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    """A date picker whose text the action parses (so its Chinese message is the one shown)."""
    return forms.CharField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"required": _("请填写日期。")},
    )


def justification_field() -> forms.CharField:
    return forms.CharField(
        label=_("例外理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
        help_text=JUSTIFICATION_HELP,
    )


def helper_choices(case_org: Organization, user: Any) -> list[tuple[int, str]]:
    """Full members of the committee subtree above the branch, as far as the user sees."""
    committee = reviewer(case_org, ReviewLevel.COMMITTEE)
    rows = (
        Person.objects.restrict(user, VIEW)
        .filter(
            organization__path__startswith=committee.path,
            category=Category.FULL,
            status=Status.NORMAL,
        )
        .order_by("organization__path", "name_pinyin", "id")
        .values_list("pk", "name", "organization__name")
    )
    return [(pk, f"{name}（{org}）") for pk, name, org in rows]


def _field_for(spec: FieldDef, people: list[tuple[int, str]]) -> forms.Field:
    required_message = gettext("请填写%(label)s。") % {"label": spec.label}
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
        "error_messages": {"required": required_message},
    }
    if spec.kind == kinds.DATE:
        return date_field(spec.label, required=spec.required, help_text=spec.help)
    if spec.kind == kinds.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}), **common)
    if spec.kind == kinds.INT:
        return forms.IntegerField(min_value=spec.at_least, max_value=spec.at_most, **common)
    if spec.kind == kinds.DECIMAL:
        return forms.DecimalField(min_value=spec.at_least, max_value=spec.at_most, **common)
    if spec.kind == kinds.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *spec.choices], **common)
    if spec.kind == kinds.CHECKLIST:
        return forms.MultipleChoiceField(
            choices=spec.choices,
            widget=forms.CheckboxSelectMultiple(attrs={"col": "col-12"}),
            **common,
        )
    if spec.kind == kinds.BOOL:
        common["required"] = False
        return forms.BooleanField(**common)
    if spec.kind == kinds.PERSON:
        return forms.TypedChoiceField(choices=[("", "---------"), *people], coerce=int, **common)
    if spec.kind == kinds.PEOPLE:
        return forms.TypedMultipleChoiceField(
            choices=people,
            coerce=int,
            widget=forms.SelectMultiple(attrs={"size": min(max(len(people), 3), 8)}),
            **common,
        )
    return forms.CharField(max_length=200, **common)


class StepFieldsMixin:
    """Adds a step's structured fields to a form and returns them as the action's `data`."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    definition: StepDef

    def add_step_fields(
        self, definition: StepDef, case_org: Organization | None, user: Any
    ) -> None:
        self.definition = definition
        needs_people = any(f.kind in (kinds.PERSON, kinds.PEOPLE) for f in definition.fields)
        people = helper_choices(case_org, user) if needs_people and case_org else []
        for spec in definition.fields:
            self.fields[spec.name] = _field_for(spec, people)

    def add_justification(self) -> None:
        """Offer the justification field (after a rule refused the input)."""
        if "justification" not in self.fields:
            self.fields["justification"] = justification_field()

    def step_data(self) -> dict[str, Any]:
        return {spec.name: self.cleaned_data.get(spec.name) for spec in self.definition.fields}


class StepForm(StepFieldsMixin, forms.Form):
    """Record one step: its date, its fields, a note, and a justification when needed."""

    def __init__(
        self,
        *args: Any,
        case: Case,
        definition: StepDef,
        user: Any,
        justify: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"] = date_field(definition.date_label)
        self.add_step_fields(definition, case.organization, user)
        self.fields["note"] = forms.CharField(
            label=_("备注"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
        )
        if justify:
            self.add_justification()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=Decision.choices, widget=forms.RadioSelect
    )
    decided_on = date_field(_("审核日期"))
    reason = forms.CharField(
        label=_("意见（退回时必填）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
    )

    def __init__(self, *args: Any, justify: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if justify:
            self.add_justification()

    def add_justification(self) -> None:
        if "justification" not in self.fields:
            self.fields["justification"] = justification_field()


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("终止原因"), choices=[("", "---------"), *CancelReason.choices]
    )
    on = date_field(_("终止日期"))
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
    )


def open_candidates(user: Any) -> QuerySet[Person]:
    """People on the books in the user's scope, not yet members, without an open case."""
    from dangjian.members.choices import MEMBER_CATEGORIES
    from dangjian.recruitment.models import Case as CaseModel

    busy = CaseModel.objects.filter(status=CaseStatus.OPEN).values("person_id")
    return (
        Person.objects.restrict(user, VIEW)
        .filter(status__in=ON_BOOKS)
        .exclude(category__in=MEMBER_CATEGORIES)
        .exclude(pk__in=busy)
    )


class OpenCaseForm(StepFieldsMixin, forms.Form):
    """Open a case: a person of the registry, the application date and step 1's fields."""

    person = forms.IntegerField(label=_("申请人"), error_messages={"required": _("请选择申请人。")})

    def __init__(
        self, *args: Any, user: Any, search: str = "", justify: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        from dangjian.recruitment.steps import step

        self.user = user
        self.candidates = open_candidates(user)
        found = search_people(self.candidates, search).order_by("name_pinyin", "id")
        rows = list(found.values_list("pk", "name", "organization__name")[:OPEN_OPTIONS])
        chosen = self.data.get("person") or self.initial.get("person")
        if chosen and str(chosen).isdigit() and all(str(r[0]) != str(chosen) for r in rows):
            rows += list(
                self.candidates.filter(pk=chosen).values_list("pk", "name", "organization__name")
            )
        self.fields["person"].widget = QuickSelect(
            choices=[("", gettext("请选择"))] + [(pk, f"{n}（{o}）") for pk, n, o in rows]
        )
        self.fields["applied_on"] = date_field(step(1).date_label)
        self.add_step_fields(step(1), None, user)
        if justify:
            self.add_justification()

    def clean_person(self) -> Person:
        pk = self.cleaned_data["person"]
        person = self.candidates.select_related("organization").filter(pk=pk).first()
        if person is None:
            raise forms.ValidationError(
                gettext("所选人员不在您的管理范围内、已是党员或已有进行中的发展档案。")
            )
        return person


class AttachmentForm(forms.Form):
    step = forms.TypedChoiceField(
        label=_("所属步骤"),
        coerce=int,
        choices=[(s.number, f"{s.number}. {s.label}") for s in STEPS],
    )
    title = forms.CharField(label=_("材料名称"), max_length=100)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPG或PNG格式，不超过10MB。"),
        error_messages={"required": _("请选择要上传的文件。")},
    )
