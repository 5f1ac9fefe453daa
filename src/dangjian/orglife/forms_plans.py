"""The form of a yearly plan item (年度计划事项).

Every field is taken as text and checked by `plans.save_plan_item`, so its Chinese message is
the one shown on the field (a month 13, an empty topic); the selects only offer the choices.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import QuickSelect
from dangjian.orglife.choices import PlanKind

MONTH_CHOICES = [(str(n), format_lazy(_("{n}月"), n=n)) for n in range(1, 13)]


class PlanItemForm(forms.Form):
    year = forms.CharField(
        label=_("年度"), required=False, widget=forms.NumberInput(attrs={"col": "col-6 col-md-3"})
    )
    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=QuickSelect(choices=MONTH_CHOICES, attrs={"col": "col-6 col-md-3"}),
    )
    kind = forms.CharField(
        label=_("类型"),
        required=False,
        widget=QuickSelect(choices=PlanKind.choices, attrs={"col": "col-12 col-md-6"}),
    )
    topic = forms.CharField(
        label=_("主题"), required=False, widget=forms.TextInput(attrs={"col": "col-12"})
    )
    speaker_name = forms.CharField(
        label=_("主讲人"), required=False, widget=forms.TextInput(attrs={"col": "col-md-6"})
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.TextInput(attrs={"col": "col-md-6"})
    )
