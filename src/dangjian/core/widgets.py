"""Form widgets shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A native date picker. Always ISO formatted: `<input type=date>` shows nothing else.

    Django would localize the value (2024/09/01 in zh-hans), which the browser discards, and
    saving the form would then erase the date.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
