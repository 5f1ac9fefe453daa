"""Forms of the plan and task pages: they parse input; `tasks.actions` validates and saves.

Fields the actions check are optional text here, so the action's Chinese refusal (naming its
field) is the one shown on the form, and a page and the API refuse the same input alike.
Milestones (repeated rows) and per-unit split deadlines are read by the views from the POST.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import MEMBER
from dangjian.core.scope import ADD, user_grants
from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization
from dangjian.tasks.models import Plan

WIDE = {"col": "col-12"}
HALF = {"col": "col-md-6"}
QUARTER = {"col": "col-6 col-md-3"}


def addable_organizations(user: Any) -> Any:
    """Organizations where `user` may draft plans (their ADD grants' subtrees)."""
    condition: Q | None = None
    for grant in user_grants(user):
        if grant.role == MEMBER or not Plan.scope.allows(grant.role, ADD):
            continue
        subtree = Q() if grant.path is None else Q(path__startswith=grant.path)
        condition = subtree if condition is None else condition | subtree
    if condition is None:
        return Organization.objects.none()
    return (
        Organization.objects.active()
        .filter(condition)
        .exclude(level=Level.PARTY_GROUP)
        .order_by("path")
    )


def units_below(org: Organization, *, include_self: bool = True) -> Any:
    """Active organizations in `org`'s subtree that can lead a task (no party groups)."""
    rows = (
        Organization.objects.active()
        .filter(path__startswith=org.path)
        .exclude(level=Level.PARTY_GROUP)
        .order_by("path")
    )
    return rows if include_self else rows.exclude(pk=org.pk)


def _indented(rows: Any, top: int) -> list[tuple[str, str]]:
    return [(str(o.pk), f"{'　' * max(0, o.depth - top)}{o.name}") for o in rows]


def _date(label: Any, attrs: dict[str, str] = QUARTER) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=DateInput(attrs=dict(attrs)))


class PlanForm(forms.Form):
    """Draft or change a plan; the organization is chosen only when it is drafted."""

    organization = forms.ChoiceField(
        label=_("印发单位"),
        widget=QuickSelect(attrs=HALF),
        error_messages={
            "required": _("请选择印发单位。"),
            "invalid_choice": _("请选择您管理范围内的党组织。"),
        },
    )
    title = forms.CharField(
        label=_("方案名称"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, **WIDE}),
    )
    source_document = forms.CharField(
        label=_("依据文件"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, **HALF}),
        help_text=_("例如上级通知、会议纪要的文号或名称。"),
    )
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期"))
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4, **WIDE})
    )

    def __init__(self, *args: Any, user: Any = None, plan: Plan | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if plan is not None:
            del self.fields["organization"]
        else:
            rows = list(addable_organizations(user))
            top = min((o.depth for o in rows), default=1)
            self.fields["organization"].choices = [("", "—"), *_indented(rows, top)]  # type: ignore[attr-defined]

    def action_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organization"}


class TaskForm(forms.Form):
    """Add or change a task: the lead unit is chosen within the issuer's subtree."""

    number = forms.CharField(
        label=_("编号"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 20, **QUARTER}),
        help_text=_("留空则自动编号。"),
    )
    deadline = _date(_("完成时限"))
    responsible = forms.CharField(
        label=_("责任人"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 50, **HALF}),
    )
    content = forms.CharField(
        label=_("任务内容"), required=False, widget=forms.Textarea(attrs={"rows": 3, **WIDE})
    )
    criterion = forms.CharField(
        label=_("验收标准"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **WIDE}),
        help_text=_("写明可检查的成果，例如“形成调研报告并报送”。"),
    )
    lead_unit = forms.ChoiceField(
        label=_("牵头单位"),
        required=False,
        widget=QuickSelect(attrs=HALF),
        error_messages={"invalid_choice": _("请在下发单位的下级范围内选择牵头单位。")},
    )
    cooperating_units = forms.MultipleChoiceField(
        label=_("配合单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, **HALF}),
        help_text=_("按住 Ctrl（Mac 为 ⌘）可多选。"),
        error_messages={"invalid_choice": _("请在方案印发单位的范围内选择配合单位。")},
    )

    def __init__(self, *args: Any, issuer: Organization, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leads = list(units_below(issuer))
        self.fields["lead_unit"].choices = [("", "—"), *_indented(leads, issuer.depth)]  # type: ignore[attr-defined]
        others = list(units_below(plan.organization))
        self.fields["cooperating_units"].choices = _indented(others, plan.organization.depth)  # type: ignore[attr-defined]

    def action_data(self, milestones: list[dict[str, str]] | None) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cooperating_units"] = [int(pk) for pk in data.get("cooperating_units") or []]
        if milestones is not None:
            data["milestones"] = milestones
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input (the action checks each by content)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [data] if data else []


class ReportForm(forms.Form):
    """The lead unit's progress report, or its claim for acceptance (申请验收)."""

    text = forms.CharField(
        label=_("进展情况"), required=False, widget=forms.Textarea(attrs={"rows": 4, **WIDE})
    )
    progress = forms.CharField(
        label=_("进度（%）"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5, **QUARTER}),
    )
    for_acceptance = forms.BooleanField(
        label=_("任务已完成，申请验收"),
        required=False,
        widget=forms.CheckboxInput(attrs={"col": "col-6 col-md-9 pt-md-4"}),
        help_text=_("申请验收须附佐证材料，进度按100%计。"),
    )
    evidence = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、JPG或PNG，每个文件不超过10MB，可多选。"),
    )


class CheckForm(forms.Form):
    """The issuer's decision on a claim: accept, or return with the reason."""

    op = forms.ChoiceField(
        choices=[("accept", _("通过验收")), ("return", _("退回"))],
        error_messages={"required": _("未知的操作。"), "invalid_choice": _("未知的操作。")},
    )
    reason = forms.CharField(label=_("审核意见"), required=False)


class SplitForm(forms.Form):
    """The lead unit splits its task into sub-tasks, one per unit below it."""

    units = forms.MultipleChoiceField(
        label=_("下级单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请选择本单位的下级单位。")},
    )

    def __init__(self, *args: Any, lead_unit: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(units_below(lead_unit, include_self=False))
        self.fields["units"].choices = _indented(self.rows, lead_unit.depth + 1)  # type: ignore[attr-defined]
