"""The one way a form page runs a domain action: parse, call, show refusals inline, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangjian.core.errors import DomainError

R = TypeVar("R")


def apply_errors(form: forms.BaseForm, error: DomainError) -> None:
    """Show a domain refusal as inline field errors (or at the top of the form)."""
    for name, text in error.errors.items():
        form.add_error(name if name in form.fields else None, text)


def action_form(
    request: HttpRequest,
    form: forms.BaseForm,
    perform: Callable[[dict[str, Any]], R],
    *,
    success: Callable[[R], str] | str,
    next_url: Callable[[R], str] | str,
    template: str = "core/form_page.html",
    **context: Any,
) -> HttpResponse:
    """Run `perform(cleaned_data)` on a valid POST; refusals stay on the form, inline.

    On success: a message and a redirect to `next_url`. Otherwise the form page is rendered
    with `context` (page_title, breadcrumbs, intro, submit_label, cancel_url …).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(next_url(result) if callable(next_url) else next_url)
    return render(request, template, {"form": form, **context})
