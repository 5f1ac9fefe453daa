"""Forms of the responsibility-list pages (主体责任清单、任务清单、制度清单).

Every field is taken as text and checked by `tasks.actions` (`create_list`, `save_item`), so
the Chinese message shown on a field is the action's (an empty content, a year 二〇二五, a
date 2025-13-01); the selects only offer the choices.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, QuickSelect
from dangjian.tasks.choices import ItemStatus, ListKind


class ListForm(forms.Form):
    year = forms.CharField(
        label=_("年度"), required=False, widget=forms.NumberInput(attrs={"col": "col-6 col-md-4"})
    )
    kind = forms.CharField(
        label=_("清单类型"),
        required=False,
        widget=QuickSelect(choices=ListKind.choices, attrs={"col": "col-6 col-md-8"}),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("清单的依据、适用范围等，可不填。"),
    )


class ItemForm(forms.Form):
    content = forms.CharField(
        label=_("内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        help_text=_("不超过2000字。"),
    )
    owner = forms.CharField(
        label=_("责任人（部门）"), required=False, widget=forms.TextInput(attrs={"col": "col-md-6"})
    )
    deadline = forms.CharField(
        label=_("完成时限"), required=False, widget=DateInput(attrs={"col": "col-6 col-md-3"})
    )
    status = forms.CharField(
        label=_("状态"),
        required=False,
        widget=QuickSelect(choices=ItemStatus.choices, attrs={"col": "col-6 col-md-3"}),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.TextInput(attrs={"col": "col-12"})
    )
