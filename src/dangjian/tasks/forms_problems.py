"""Forms of the problem pages: they parse input; `tasks.actions` validates and saves.

Fields are optional here wherever the action names its own refusal, so the Chinese message
shown on the form is the action's. Evidence is several files in one input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, user_grants
from dangjian.core.widgets import DateInput
from dangjian.orgs.choices import COMMITTEE_LEVELS, Level
from dangjian.orgs.models import Organization
from dangjian.tasks.choices import ProblemCategory, ProblemLevel, ProblemSource
from dangjian.tasks.models import Problem

WIDE = {"col": "col-12"}
UNIT_OPTIONS = 2000  # responsible units offered on the form (a whole university fits)
ACCEPT = ".pdf,.jpg,.jpeg,.png"


def _covered(user: Any) -> tuple[Q | None, list[int]]:
    """The subtrees where `user` may list problems, and the organizations of those grants."""
    condition: Q | None = None
    own: list[int] = []
    for grant in user_grants(user):
        if grant.role == MEMBER or not Problem.scope.allows(grant.role, ADD):
            continue
        subtree = Q() if grant.path is None else Q(path__startswith=grant.path)
        condition = subtree if condition is None else condition | subtree
        if grant.organization_id is not None:
            own.append(grant.organization_id)
    return condition, own


def issuer_options(user: Any) -> Any:
    """Organizations that may list problems for `user`: their own, and the committees and
    general branches below them (a branch lists its own problems; a committee, its units')."""
    condition, own = _covered(user)
    if condition is None:
        return Organization.objects.none()
    return (
        Organization.objects.active()
        .filter(condition)
        .filter(Q(level__in=COMMITTEE_LEVELS) | Q(pk__in=own))
        .order_by("path")
    )


def default_issuer(user: Any) -> int | None:
    """The user's own organization (their first grant's)."""
    return next(iter(_covered(user)[1]), None)


class PathSelect(forms.Select):
    """Options carry their organization's path, so the form's JS offers only the units in
    the chosen issuer's subtree."""

    def __init__(self, rows: list[tuple[int, str, int, str]]) -> None:
        super().__init__()
        self.rows = rows

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = str(value or "")
        top = min((row[2] for row in self.rows), default=1)
        parts = [format_html("<select{}>", flatatt(final)), '<option value="">—</option>']
        for pk, label, depth, path in self.rows:
            mark = " selected" if str(pk) == chosen else ""
            parts.append(
                f'<option value="{pk}" data-path="{escape(path)}"{mark}>'
                f"{'　' * (depth - top)}{escape(label)}</option>"
            )
        parts.append("</select>")
        return mark_safe("".join(parts))


def _choice(label: Any, choices: Any, message: Any, **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "—"), *choices],
        error_messages={"invalid_choice": message},
        **kw,
    )


class ProblemForm(forms.Form):
    """List a problem: the issuer, the responsible unit in its subtree, what and where from."""

    issuer = _choice(_("列出单位"), [], _("请选择列出单位。"))
    unit = _choice(_("责任单位"), [], _("请选择责任单位。"))
    year = forms.CharField(
        label=_("年度"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 2000, "max": 2100, "col": "col-6 col-md-3"}),
    )
    number = forms.CharField(
        label=_("编号"),
        required=False,
        max_length=20,
        help_text=_("不填则按本年度清单顺序自动编号。"),
        widget=forms.TextInput(attrs={"col": "col-6 col-md-3"}),
    )
    level = _choice(
        _("层面"),
        ProblemLevel.choices,
        _("请选择层面。"),
        help_text=_("不选则按列出单位确定：学校党委列出的为学校层面。"),
        widget=forms.Select(attrs={"col": "col-md-6"}),
    )
    source = _choice(_("问题来源"), ProblemSource.choices, _("请选择问题来源。"))
    category = _choice(_("问题类别"), ProblemCategory.choices, _("请选择问题类别。"))
    description = forms.CharField(
        label=_("问题描述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000, **WIDE}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = ("pk", "name", "depth", "path")
        issuers = list(issuer_options(user).values_list(*fields))
        self.issuers = {row[0]: row for row in issuers}
        issuer: Any = self.fields["issuer"]
        issuer.choices = [("", "—")] + [(row[0], row[1]) for row in issuers]
        issuer.widget = PathSelect(issuers)
        condition, _own = _covered(user)
        units: list[tuple[int, str, int, str]] = []
        if condition is not None:
            found = (
                Organization.objects.active()
                .filter(condition)
                .exclude(level=Level.PARTY_GROUP)
                .order_by("path")
                .values_list(*fields)
            )
            units = list(found[:UNIT_OPTIONS])
        unit: Any = self.fields["unit"]
        unit.choices = [("", "—")] + [(row[0], row[1]) for row in units]
        unit.widget = PathSelect(units)

    def clean_issuer(self) -> str:
        value: str = self.cleaned_data.get("issuer") or ""
        if not value:
            raise forms.ValidationError(_("请选择列出单位。"))
        return value

    def action_data(self) -> dict[str, Any]:
        """The data `actions.list_problem` takes (no level: the action derives it)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "issuer"}
        if not data.get("level"):
            data.pop("level", None)
        return data


class LedgerForm(forms.Form):
    """The ledger entry (台账): measures, the person responsible and the deadline."""

    measures = forms.CharField(
        label=_("整改措施"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000, **WIDE}),
    )
    responsible = forms.CharField(
        label=_("责任人"), required=False, widget=forms.TextInput(attrs={"maxlength": 50})
    )
    deadline = forms.DateField(
        label=_("整改时限"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("整改时限的日期格式不正确。")},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the action checks each by content)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, **WIDE}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [data] if data else []


FILES_HELP = _("整改佐证材料：PDF、JPG或PNG，每个文件不超过10MB，可一次选择多个。")


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("整改进展"), required=False, widget=forms.Textarea(attrs={"rows": 3, **WIDE})
    )
    # Named as the actions name the evidence, so their refusals show on the field (the
    # metaclass takes it off the class: `self.files` stays the uploaded files).
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("佐证材料"), required=False, help_text=FILES_HELP
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("整改完成情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **WIDE}),
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("佐证材料"),
        required=False,
        help_text=_(
            "申请销号须有整改佐证材料（已上传的可不再上传）。PDF、JPG或PNG，每个不超过10MB。"
        ),
    )


ACCEPTED, RETURNED = "accept", "return"


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核验结论"),
        choices=[(ACCEPTED, _("核验属实，同意销号")), (RETURNED, _("退回继续整改"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input", **WIDE}),
        error_messages={
            "required": _("请选择核验结论。"),
            "invalid_choice": _("请选择核验结论。"),
        },
    )
    note = forms.CharField(
        label=_("核验意见"), required=False, widget=forms.Textarea(attrs={"rows": 3, **WIDE})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新打开理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **WIDE}),
    )


def problem_initial(user: Any, get: Any) -> dict[str, Any]:
    """The add form's first values: the user's own organization, this year, and any
    issuer/unit/year the link carried."""
    initial: dict[str, Any] = {"year": timezone.localdate().year, "issuer": default_issuer(user)}
    for name in ("issuer", "unit", "year", "source", "category"):
        if get.get(name):
            initial[name] = get[name]
    return initial
