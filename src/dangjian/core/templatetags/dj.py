"""Template helpers: Bootstrap form fields, masking, level badges."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html

register = template.Library()

_WIDGET_CLASS = {
    forms.CheckboxInput: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.RadioSelect: "",
    forms.CheckboxSelectMultiple: "",
}


@register.inclusion_tag("core/_field.html")
def field(bound: forms.BoundField, col: str = "col-12") -> dict[str, Any]:
    """One field with its label, help text and inline Chinese error."""
    widget = bound.field.widget
    css = next((c for t, c in _WIDGET_CLASS.items() if isinstance(widget, t)), "form-control")
    if css:
        existing = widget.attrs.get("class", "")
        if css not in existing:
            widget.attrs["class"] = f"{existing} {css}".strip()
    if bound.errors and "is-invalid" not in widget.attrs.get("class", ""):
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    return {
        "f": bound,
        "col": col,
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
    }


@register.filter
def mask(value: Any, keep: int = 3) -> str:
    """Mask all but the last `keep` characters (phone numbers and the like)."""
    text = str(value or "")
    if len(text) <= keep:
        return text
    return "*" * (len(text) - keep) + text[-keep:]


LEVEL_COLOURS = {
    "university_committee": "danger",
    "committee": "warning",
    "general_branch": "info",
    "branch": "success",
    "temporary_branch": "secondary",
    "party_group": "light",
}


@register.simple_tag
def level_badge(org: Any) -> str:
    """A coloured badge with the organization's level."""
    colour = LEVEL_COLOURS.get(org.level, "secondary")
    text_class = " text-dark" if colour in {"light", "warning", "info"} else ""
    return format_html(
        '<span class="badge badge-level text-bg-{}{}">{}</span>',
        colour,
        text_class,
        org.get_level_display(),
    )
