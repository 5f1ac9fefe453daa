"""Pieces every app's API router uses: pages of a list, refusals located by field, an
organization named in a filter, and the "seen but not allowed" check (one copy, not one per app)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from ninja import Field as NinjaField
from ninja import Schema
from ninja.errors import ValidationError

from dangjian.core.errors import DomainError
from dangjian.core.permissions import deny
from dangjian.core.scope import VIEW, covers
from dangjian.orgs.api import NOT_IN_SCOPE
from dangjian.orgs.models import Organization

R = TypeVar("R")


class PageQuery(Schema):
    page: int = NinjaField(1, ge=1, description="页码（从1开始）")
    page_size: int = NinjaField(50, ge=1, le=500, description="每页条数（1-500）")


def located(run: Callable[[], R], names: Mapping[str, str] | None = None) -> R:
    """Run an action; its refusals are 422 located by field (`names`: the API's name for a
    field the action calls otherwise)."""
    try:
        return run()
    except DomainError as error:
        names = names or {}
        detail = [
            {
                "loc": ["body"] if name == "__all__" else ["body", names.get(name, name)],
                "msg": text,
                "type": error.code or "domain",
            }
            for name, text in error.errors.items()
        ]
        raise ValidationError(detail) from error


def anchor(request: HttpRequest, pk: int | None, field: str) -> Organization | None:
    """An organization named in a list filter: must be visible, else 422 on that parameter."""
    if pk is None:
        return None
    org = Organization.objects.restrict(request.user, VIEW).filter(pk=pk).first()
    if org is None:
        raise ValidationError(
            [{"loc": ["query", field], "msg": str(NOT_IN_SCOPE), "type": "not_in_scope"}]
        )
    return org


def page_of(queryset: QuerySet[Any], query: PageQuery) -> dict[str, Any]:
    """One page of a queryset: two queries (count and rows)."""
    start = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "items": list(queryset[start : start + query.page_size]),
    }


def may(request: HttpRequest, model: type[models.Model], action: str, org: Organization) -> None:
    """403 (audited) unless the caller's grants for `action` cover `org` (seen, not allowed)."""
    if not covers(request.user, model, action, org.path):
        deny(request, request.user, "无此操作权限", model=model._meta.label_lower, action=action)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def day_filter(value: str | None, name: str) -> date | None:
    """A date query parameter, or 422 on that parameter."""
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(
            [
                {
                    "loc": ["query", name],
                    "msg": gettext("日期格式不正确，应为 YYYY-MM-DD。"),
                    "type": "date_parsing",
                }
            ]
        )
    return day
