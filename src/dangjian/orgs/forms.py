"""Forms for the organization pages; they collect data, the actions validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.orgs.choices import Kind, Level, Position
from dangjian.orgs.models import Organization

DATE = DateInput()


class OrganizationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "code",
            "level",
            "kind",
            "unit",
            "founded_on",
            "phone",
            "is_joint",
            "joint_units",
            "is_model_branch",
            "is_benchmark_department",
            "is_dual_leader_studio",
            "note",
        ]
        widgets = {"founded_on": DATE, "note": forms.Textarea(attrs={"rows": 3, "col": "col-12"})}
        help_texts = {
            "code": _("全校唯一，如 C05-B012；导入、对接其他系统时使用。"),
            "kind": _("党支部按党员构成选择类型；党委、党总支可不填。"),
            "joint_units": _("联合党支部涵盖的单位数，一般不超过5个。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", gettext("请选择")), *Level.choices]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", gettext("（不区分）")), *Kind.choices]  # type: ignore[attr-defined]
        # Uniqueness and the other rules are the action's; the form only parses.
        self.fields["code"].validators = []

    def validate_unique(self) -> None:
        """Uniqueness is checked by the action, with the domain's message."""


class ParentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organization) -> str:
        label = gettext("%(name)s（%(level)s）") % {
            "name": obj.name,
            "level": obj.get_level_display(),
        }
        return f"{'　' * (obj.depth - 1)}{label}"


class MoveForm(forms.Form):
    parent = ParentChoiceField(queryset=Organization.objects.none(), label=_("新的上级党组织"))

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    into = ParentChoiceField(queryset=Organization.objects.none(), label=_("并入党组织"))
    on = forms.DateField(label=_("合并日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets  # type: ignore[attr-defined]


class DissolveForm(forms.Form):
    on = forms.DateField(label=_("撤销日期"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class TermForm(forms.Form):
    elected_on = forms.DateField(label=_("选举日期"), widget=DATE)
    term_years = forms.IntegerField(
        label=_("任期（年）"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("不填则按规则默认：基层党委5年，党总支、党支部3年。"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CommitteeMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices)
    started_on = forms.DateField(label=_("任职日期"), widget=DATE, required=False)


class EndPostForm(forms.Form):
    on = forms.DateField(label=_("离任日期"), widget=DATE, initial=timezone.localdate)
