"""Forms of the transfer, self-service, correction and cadre pages.

They only parse what was typed; the actions (`members.actions`) validate the domain rules and
save, and their refusals are shown inline on these forms (`core.views.forms.apply_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.members.actions import CORRECTABLE
from dangjian.members.choices import Category, Education, Ethnicity, Gender, Post
from dangjian.orgs.forms import ParentChoiceField
from dangjian.orgs.models import Organization

DATE = DateInput()
# The fields of the inbound form that describe the person (the rest describe the letter).
INBOUND_PERSON_FIELDS = (
    "name",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "post",
    "staff_no",
    "unit",
    "phone",
    "organization",
    "category",
    "joined_on",
    "converted_on",
)


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


class ReceiveForm(forms.Form):
    received_on = forms.DateField(
        label=_("接收日期"), widget=DateInput(attrs={"col": "col-12"}), initial=timezone.localdate
    )


class ReturnForm(forms.Form):
    returned_on = forms.DateField(
        label=_("退回日期"), widget=DateInput(attrs={"col": "col-12"}), initial=timezone.localdate
    )
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=200,
        error_messages={"required": _("请填写退回原因。")},
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
    )


class InboundForm(forms.Form):
    """A member arriving from another institution: the letter and the person's record."""

    other_institution = forms.CharField(
        label=_("转出的校外党组织"),
        max_length=150,
        help_text=_("介绍信上的转出单位党组织全称。"),
    )
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=50)
    issued_on = forms.DateField(
        label=_("介绍信开具日期"), widget=DATE, required=False, help_text=_("不填则按接收日期。")
    )
    received_on = forms.DateField(label=_("接收日期"), widget=DATE, initial=timezone.localdate)

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    gender = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", _("按身份证号识别")), *Gender.choices],
    )
    birth_date = forms.DateField(
        label=_("出生日期"), widget=DATE, required=False, help_text=_("不填则按身份证号识别。")
    )
    ethnicity = forms.ChoiceField(
        label=_("民族"), choices=Ethnicity.choices, initial=Ethnicity.HAN, required=False
    )
    education = forms.ChoiceField(label=_("学历"), choices=[], required=False)
    post = forms.ChoiceField(label=_("岗位/类别"), choices=[], required=False)
    staff_no = forms.CharField(label=_("工号/学号"), max_length=30, required=False)
    unit = forms.CharField(label=_("所在单位"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=24, required=False)
    organization = ParentChoiceField(
        label=_("转入党组织"), queryset=Organization.objects.none(), empty_label=_("请选择")
    )
    category = forms.ChoiceField(
        label=_("人员类别"),
        choices=[
            (Category.FULL, Category.FULL.label),
            (Category.PROBATIONARY, Category.PROBATIONARY.label),
        ],
        initial=Category.FULL,
    )
    joined_on = forms.DateField(
        label=_("入党日期"), widget=DATE, error_messages={"required": _("请填写入党日期。")}
    )
    converted_on = forms.DateField(
        label=_("转正日期"), widget=DATE, required=False, help_text=_("预备党员不填。")
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["education"].choices = _blank(gettext("（未填）")) + list(Education.choices)  # type: ignore[attr-defined]
        self.fields["post"].choices = _blank(gettext("（未填）")) + list(Post.choices)  # type: ignore[attr-defined]

    def person_data(self) -> dict[str, Any]:
        """The person's part of the cleaned data, as `actions.receive_from_outside` takes it."""
        return {name: self.cleaned_data.get(name) for name in INBOUND_PERSON_FIELDS}


class CorrectionRequestForm(forms.Form):
    """What a member asks to have corrected in their own record."""

    field = forms.ChoiceField(label=_("需更正的项目"), choices=[])
    proposed = forms.CharField(
        label=_("应更正为"),
        max_length=200,
        error_messages={"required": _("请填写应更正为的内容。")},
    )
    reason = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("如有依据（证件、档案材料等）请说明，便于党支部核实。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _blank(gettext("请选择")) + [  # type: ignore[attr-defined]
            (code, str(label)) for code, label in CORRECTABLE.items()
        ]


class CorrectionDecisionForm(forms.Form):
    """Staff accept (applying what can be applied) or reject a member's correction request."""

    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("accept", _("采纳并更正")), ("reject", _("不采纳"))],
        widget=forms.RadioSelect(attrs={"col": "col-12"}),
        error_messages={"required": _("请选择处理结果。")},
    )
    response = forms.CharField(
        label=_("处理意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("不采纳时必须填写理由；处理结果会通知申请人。"),
    )
