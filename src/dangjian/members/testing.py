"""Test and demo helpers: valid citizen ID numbers and people made through the actions."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from dangjian.core.idnumber import check_char
from dangjian.members.choices import Category
from dangjian.orgs.models import Organization

_serial = itertools.count(1)


def make_id_number(
    birth: date, gender: str = "male", *, region: str = "430102", serial: int | None = None
) -> str:
    """A valid 18-character number for a birth date and gender (odd 17th digit = male)."""
    n = next(_serial) if serial is None else serial
    sequence = (n * 2) % 1000
    sequence = sequence + 1 if gender == "male" else sequence
    if gender == "female" and sequence % 2:
        sequence -= 1
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    if gender == "male" and int(first17[16]) % 2 == 0:
        first17 = first17[:16] + str((int(first17[16]) + 1) % 10)
    if gender == "female" and int(first17[16]) % 2 == 1:
        first17 = first17[:16] + str(int(first17[16]) - 1)
    return first17 + check_char(first17)


def person_data(organization: Organization, **overrides: Any) -> dict[str, Any]:
    """Valid data of a full member born 1990, for `actions.register_person`."""
    birth = overrides.pop("birth_date", date(1990, 3, 15))
    gender = overrides.pop("gender", "male")
    data: dict[str, Any] = {
        "name": "张三",
        "id_number": make_id_number(birth, gender),
        "gender": gender,
        "birth_date": birth,
        "ethnicity": "01",
        "education": "master",
        "post": "professional",
        "phone": "13800138000",
        "organization": organization,
        "category": Category.FULL,
        "applied_on": date(2010, 10, 1),
        "activist_on": date(2011, 4, 1),
        "candidate_on": date(2012, 5, 1),
        "joined_on": date(2012, 6, 1),
        "converted_on": date(2013, 6, 1),
    }
    data.update(overrides)
    return data


def make_person(organization: Organization, **overrides: Any) -> Any:
    """A person registered through the action (as the system)."""
    from dangjian.members.actions import register_person

    return register_person(person_data(organization, **overrides), acting_user=None)
