"""Form widgets shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


class DateInput(forms.DateInput):
    """A native date picker. Always ISO formatted: `<input type=date>` shows nothing else.

    Django would localize the value (2024/09/01 in zh-hans), which the browser discards, and
    saving the form would then erase the date.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class QuickSelect(forms.Select):
    """A flat select rendered in Python rather than one template per option.

    Django renders every option through `select_option.html` (≈ 80 µs each); with a few
    hundred organizations in a university's 'within' select that was a third of the member
    list page (32 of 128 ms at a million members). Grouped choices are not supported.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        parts: list[str] = [format_html("<select{}>", flatatt(final))]
        for option, label in self.choices:
            text = str(option)
            mark = " selected" if text in chosen else ""
            parts.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))
