"""Cleaning a step record's structured fields from what a form, the API or a file gives."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from dangjian.core.io.normalize import to_bool, to_date
from dangjian.members.models import Person
from dangjian.recruitment.steps import (
    BOOL,
    CHECKLIST,
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    LONG_TEXT,
    PEOPLE,
    PERSON,
    StepDef,
)

TEXT_LIMIT, LONG_TEXT_LIMIT = 200, 5000


def _person_id(value: Any) -> int | None:
    if isinstance(value, Person):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def clean_fields(step: StepDef, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """JSON-ready values of the step's fields and a Chinese message per bad field."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in step.fields:
        value = raw.get(spec.name)
        empty = value is None or value == "" or value == [] or value == ()
        if empty:
            if spec.required:
                errors[spec.name] = gettext("请填写%(label)s。") % {"label": spec.label}
            continue
        try:
            data[spec.name] = _clean_one(spec, value)
        except ValueError as error:
            errors[spec.name] = str(error)
    return data, errors


def _clean_one(spec: Any, value: Any) -> Any:
    if spec.kind == DATE:
        day = to_date(value)  # raises ValueError with a Chinese message
        if day is None:
            raise ValueError(gettext("日期格式不正确。"))
        return day.isoformat()
    if spec.kind in (INT, DECIMAL):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(gettext("请填写数字。")) from None
        if spec.kind == INT and number != number.to_integral_value():
            raise ValueError(gettext("请填写整数。"))
        if spec.at_least is not None and number < spec.at_least:
            raise ValueError(gettext("不能小于%(n)s。") % {"n": spec.at_least})
        if spec.at_most is not None and number > spec.at_most:
            raise ValueError(gettext("不能大于%(n)s。") % {"n": spec.at_most})
        return int(number) if spec.kind == INT else float(number)
    if spec.kind == CHOICE:
        allowed = {code for code, _label in spec.choices}
        labels = {str(label): code for code, label in spec.choices}
        text = str(value).strip()
        if text in allowed:
            return text
        if text in labels:
            return labels[text]
        raise ValueError(gettext("“%(value)s”不是可选的值。") % {"value": text})
    if spec.kind == CHECKLIST:
        items = value if isinstance(value, list | tuple) else [value]
        allowed = {code for code, _label in spec.choices}
        bad = [str(item) for item in items if item not in allowed]
        if bad:
            raise ValueError(gettext("“%(value)s”不是可选的值。") % {"value": bad[0]})
        return [code for code, _label in spec.choices if code in items]
    if spec.kind == BOOL:
        return to_bool(value)
    if spec.kind == PERSON:
        pk = _person_id(value)
        if pk is None:
            raise ValueError(gettext("请选择人员。"))
        return pk
    if spec.kind == PEOPLE:
        items = value if isinstance(value, list | tuple) else str(value).split(",")
        ids = [_person_id(item) for item in items if str(item).strip()]
        if any(pk is None for pk in ids):
            raise ValueError(gettext("请选择人员。"))
        unique = list(dict.fromkeys(ids))
        if len(unique) != len(ids):
            raise ValueError(gettext("同一人不能重复填写。"))
        if spec.at_least is not None and len(unique) < spec.at_least:
            raise ValueError(gettext("至少需要%(n)d人。") % {"n": spec.at_least})
        if spec.at_most is not None and len(unique) > spec.at_most:
            raise ValueError(gettext("最多%(n)d人。") % {"n": spec.at_most})
        return unique
    text = str(value).strip()
    limit = LONG_TEXT_LIMIT if spec.kind == LONG_TEXT else TEXT_LIMIT
    if len(text) > limit:
        raise ValueError(gettext("不能超过%(n)d个字。") % {"n": limit})
    return text
