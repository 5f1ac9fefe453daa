"""A point in time from form or API data: one parser, one Chinese message, for every action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from dangjian.core.errors import DomainError


def parse_moment(value: Any, field: str) -> datetime:
    """An aware datetime from a datetime or 'YYYY-MM-DD HH:MM' text; DomainError on `field`."""
    if isinstance(value, str):
        parsed = parse_datetime(value.strip().replace(" ", "T"))
        if parsed is None:
            raise DomainError({field: gettext("时间格式不正确，应为 YYYY-MM-DD HH:MM。")})
        value = parsed
    if not isinstance(value, datetime):
        raise DomainError({field: gettext("请填写时间。")})
    return timezone.make_aware(value) if timezone.is_naive(value) else value
