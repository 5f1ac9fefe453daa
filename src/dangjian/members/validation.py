"""Checks of a person's record shared by the forms, the importer, the API and the actions.

`clean_person` takes values as typed (strings, dates, an Organization) and returns them
normalized, or raises DomainError naming each bad field in Chinese. The date sequence and the
ID number's facts are checked here; uniqueness needs the database and is optional so that the
bulk importer can check a whole file at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from dangjian.core import crypto, idnumber, rules
from dangjian.core.actions import acting_user
from dangjian.core.errors import DomainError, RuleViolation
from dangjian.core.scope import VIEW
from dangjian.members import rules as member_rules
from dangjian.members.choices import (
    CATEGORY_DATE_FIELDS,
    Category,
    Education,
    Ethnicity,
    Gender,
    Post,
)
from dangjian.members.models.person import ID_FIELD, Person
from dangjian.orgs.choices import BRANCH_LEVELS, Level
from dangjian.orgs.models import Organization

TEXT_FIELDS = {
    "native_place": 50,
    "address": 200,
    "degree": 20,
    "staff_no": 30,
    "unit": 100,
    "title": 50,
    "note": 2000,
}
# Allowed values as frozensets: `Choices.values` builds a new list on every call, which cost
# ~10 s per 100,000 imported rows.
CHOICE_FIELDS: dict[str, frozenset[str]] = {
    "ethnicity": frozenset(Ethnicity.values),
    "education": frozenset(Education.values),
    "post": frozenset(Post.values),
}
CATEGORIES = frozenset(Category.values)
GENDERS = frozenset(Gender.values)


def _allowed(value: Any, choices: frozenset[str]) -> bool:
    """A choice's value (a JSON list or number is refused, not a TypeError)."""
    return isinstance(value, str) and value in choices


DATE_ORDER = ("applied_on", "activist_on", "candidate_on", "joined_on", "converted_on")
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
# Where a person's record may be kept: a branch, or a committee / general branch directly.
HOLDING_LEVELS = BRANCH_LEVELS | {Level.COMMITTEE, Level.GENERAL_BRANCH, Level.UNIVERSITY_COMMITTEE}


def normalize_phone(raw: object) -> str:
    """Full-width digits, spaces and a +86 prefix removed; '' when empty."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    text = re.sub(r"[\s()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    return text


def _text(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def clean_person(
    data: Mapping[str, Any],
    *,
    instance: Person | None = None,
    check_unique: bool = True,
    today: date | None = None,
) -> dict[str, Any]:
    """Normalized values of a person's record, or DomainError with a message per field.

    `data` may leave out fields when `instance` is given (an update); missing fields keep
    the instance's values for the cross-field checks.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    def current(name: str) -> Any:
        if name in cleaned:
            return cleaned[name]
        if name in data:
            return data[name]
        return getattr(instance, name, None) if instance is not None else None

    if "name" in data or instance is None:
        name = re.sub(r"\s+", "", _text(data.get("name")))
        if not name:
            errors["name"] = gettext("请填写姓名。")
        elif len(name) > 50:
            errors["name"] = gettext("姓名不能超过50个字。")
        cleaned["name"] = name

    parsed: idnumber.IdNumber | None = None
    if "id_number" in data or instance is None:
        try:
            parsed = idnumber.parse(data.get("id_number"), today=today)
            cleaned["id_number"] = parsed.number
        except ValueError as error:
            errors["id_number"] = str(error)

    # An edit that leaves the number alone is still checked against it.
    if (
        parsed is None
        and instance is not None
        and "id_number" not in data
        and any(field in data for field in ("gender", "birth_date"))
    ):
        parsed = _stored_number(instance, today, errors)
    for field in ("gender", "birth_date"):
        if data.get(field) in (None, "") and parsed is not None:
            cleaned[field] = parsed.gender if field == "gender" else parsed.birth_date
        elif field in data:
            cleaned[field] = data[field]
    if cleaned.get("gender") is not None and not _allowed(cleaned["gender"], GENDERS):
        errors["gender"] = gettext("性别应为“男”或“女”。")
    if cleaned.get("birth_date") is not None and not isinstance(cleaned["birth_date"], date):
        errors["birth_date"] = gettext("日期格式不正确。")
    if parsed is None and instance is None and "id_number" not in errors:
        errors["id_number"] = gettext("请填写身份证号。")
    if parsed is not None:
        for field, message in idnumber.consistency_errors(
            parsed, birth_date=cleaned.get("birth_date"), gender=cleaned.get("gender")
        ).items():
            errors.setdefault(field, message)

    for field, limit in TEXT_FIELDS.items():
        if field in data:
            text = _text(data[field])
            if len(text) > limit:
                errors[field] = gettext("不能超过%(n)d个字。") % {"n": limit}
            cleaned[field] = text
    for field, choices in CHOICE_FIELDS.items():
        if field in data:
            value: Any = data[field] or ""
            if value and not _allowed(value, choices):
                errors[field] = gettext("“%(value)s”不是可选的值。") % {"value": value}
            cleaned[field] = value
    if "ethnicity" in cleaned and not cleaned["ethnicity"]:
        cleaned["ethnicity"] = Ethnicity.HAN
    if "enrollment_year" in data:
        year = data["enrollment_year"]
        if year in ("", None):
            cleaned["enrollment_year"] = None
        else:
            try:
                year = int(year)
            except (TypeError, ValueError):
                year = 0
            if not 1950 <= year <= today.year + 1:
                errors["enrollment_year"] = gettext("入学年份不正确。")
            cleaned["enrollment_year"] = year
    if "photo" in data:  # checked by type and size where it is uploaded (forms.check_photo)
        cleaned["photo"] = data["photo"]
    if "phone" in data:
        phone = normalize_phone(data["phone"])
        if phone and not PHONE_PATTERN.match(phone):
            errors["phone"] = gettext("手机号码应为11位数字（或带区号的固定电话）。")
        cleaned["phone"] = phone

    if "organization" in data or instance is None:
        org = data.get("organization")
        if not isinstance(org, Organization):
            errors["organization"] = gettext("请选择所在党组织。")
        elif not org.is_active:
            errors["organization"] = gettext("党组织“%(name)s”已撤销，不能登记人员。") % {
                "name": org.name
            }
        elif org.level not in HOLDING_LEVELS:
            errors["organization"] = gettext(
                "人员应登记在党支部（或直属的党委、党总支），党小组请在“党小组”中填写。"
            )
        cleaned["organization"] = org
    if "party_group" in data:
        group = data.get("party_group")
        org = current("organization")
        if group is not None and (
            not isinstance(group, Organization)
            or group.level != Level.PARTY_GROUP
            or not isinstance(org, Organization)
            or not group.path.startswith(org.path)
        ):
            errors["party_group"] = gettext("党小组应是所在党支部下的党小组。")
        cleaned["party_group"] = group

    if "category" in data or instance is None:
        category = data.get("category") or ""
        if not _allowed(category, CATEGORIES):
            errors["category"] = gettext("请选择人员类别。")
        cleaned["category"] = category
    for field in DATE_ORDER:
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, date):
                errors[field] = gettext("日期格式不正确。")
                value = None
            elif value is not None and value > today:
                errors[field] = gettext("日期不能晚于今天。")
            cleaned[field] = value
    violated: list[str] = []
    errors.update(_date_sequence(current, errors, violated))

    if errors:
        # The code of a breached rule goes with the refusal (for a justified exception).
        raise DomainError(errors, code=violated[0] if violated else "")
    if check_unique:
        check_unique_person(cleaned, instance=instance)
    return cleaned


def _date_sequence(current: Any, known: Mapping[str, str], violated: list[str]) -> dict[str, str]:
    """The category has its dates; the dates run in order; joining at 18 or older."""
    errors: dict[str, str] = {}
    category = current("category")
    if _allowed(category, CATEGORIES):
        reached = list(CATEGORY_DATE_FIELDS).index(category)
        for index, (step, field) in enumerate(CATEGORY_DATE_FIELDS.items()):
            value = current(field)
            if field in known:
                continue
            if index > reached and value is not None:
                errors[field] = gettext("人员类别为“%(category)s”，不应填写“%(field)s”。") % {
                    "category": Category(category).label,
                    "field": _label(field),
                }
            elif step in (Category.PROBATIONARY, Category.FULL) and index <= reached and not value:
                errors[field] = gettext("%(category)s须填写“%(field)s”。") % {
                    "category": Category(category).label,
                    "field": _label(field),
                }
    previous: tuple[str, date] | None = None
    birth = current("birth_date")
    for field in DATE_ORDER:
        value = current(field)
        if value is None or field in errors or field in known:
            continue
        if isinstance(birth, date) and value <= birth:
            errors[field] = gettext("“%(field)s”应晚于出生日期。") % {"field": _label(field)}
        elif previous is not None and value < previous[1]:
            errors[field] = gettext("“%(field)s”（%(day)s）不能早于“%(before)s”（%(prev)s）。") % {
                "field": _label(field),
                "day": value.isoformat(),
                "before": _label(previous[0]),
                "prev": previous[1].isoformat(),
            }
        previous = (field, value)
    joined, converted = current("joined_on"), current("converted_on")
    if isinstance(joined, date) and isinstance(birth, date) and "joined_on" not in errors:
        age = joined.year - birth.year - ((joined.month, joined.day) < (birth.month, birth.day))
        if age < rules.value(member_rules.JOIN_MIN_AGE.code):
            _breach(errors, violated, member_rules.JOIN_MIN_AGE.code, "joined_on", age=age)
    if (
        isinstance(joined, date)
        and isinstance(converted, date)
        and "converted_on" not in errors
        and converted >= joined
    ):
        months = member_rules.months_between(joined, converted)
        if months < rules.value(member_rules.PROBATION_MONTHS.code):
            _breach(
                errors,
                violated,
                member_rules.PROBATION_MONTHS.code,
                "converted_on",
                converted=converted.isoformat(),
            )
    return errors


def _breach(
    errors: dict[str, str], violated: list[str], code: str, field: str, **facts: Any
) -> None:
    """Apply a rule: a refusal joins the errors (and names the rule); a warning passes."""
    try:
        rules.breach(code, field=field, **facts)
    except RuleViolation as violation:
        errors.update(violation.errors)
        violated.append(code)


def _stored_number(
    instance: Person, today: date, errors: dict[str, str]
) -> idnumber.IdNumber | None:
    """The registered number's facts, or an error asking for the number again."""
    try:
        return idnumber.parse(instance.reveal_id_number(), today=today)
    except (crypto.CryptoError, ValueError):
        errors["id_number"] = gettext("已登记的身份证号无法读取，请重新填写身份证号。")
        return None


def _label(field: str) -> str:
    return str(getattr(Person._meta.get_field(field), "verbose_name", field))


def check_unique_person(cleaned: Mapping[str, Any], *, instance: Person | None = None) -> None:
    """A person is registered once: by ID number, and by staff or student number."""
    errors: dict[str, str] = {}
    others = Person.objects.all()
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    number = cleaned.get("id_number")
    if number:
        clash = (
            others.filter(id_hash=crypto.lookup_hash(number, ID_FIELD))
            .select_related("organization")
            .first()
        )
        if clash is not None:
            errors["id_number"] = _duplicate_message(clash)
    staff_no = cleaned.get("staff_no")
    if staff_no and others.filter(staff_no=staff_no).exists():
        errors["staff_no"] = gettext("工号/学号“%(no)s”已被他人使用。") % {"no": staff_no}
    if errors:
        raise DomainError(errors)


def _duplicate_message(clash: Person) -> str:
    """Who holds the number, named only to a user who may see that person.

    Otherwise anyone allowed to register could learn whose a number is by typing it in.
    """
    actor = acting_user()
    if actor is not None and Person.objects.restrict(actor, VIEW).filter(pk=clash.pk).exists():
        return gettext("该身份证号已登记（%(name)s，%(org)s）。") % {
            "name": clash.name,
            "org": clash.organization.name,
        }
    return gettext("该身份证号已登记，不能重复登记；如该同志从其他党组织转入，请办理组织关系转接。")
