"""Citizen ID numbers (公民身份号码, GB 11643-1999): validation, facts, masking.

Shared by the member registry (issue 3: validation, consistency with birth date and gender,
masked display) and recruitment (age ≥ 18 at application, from the ID number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level codes (first two digits) of the mainland, Hong Kong, Macao and Taiwan, and
# 83 of the residence permits of Taiwan residents.
PROVINCES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
EARLIEST_BIRTH = date(1900, 1, 1)
_PATTERN = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character number and the facts it carries."""

    number: str
    birth_date: date
    gender: str  # "male" / "female", from the 17th digit's parity
    region: str  # the 6-digit area code

    @property
    def masked(self) -> str:
        return mask(self.number)

    def age_on(self, day: date) -> int:
        """Whole years of age on `day` (a birthday on 29 February counts from 1 March)."""
        birth = self.birth_date
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(raw: object) -> str:
    """Text as typed or as a spreadsheet stored it: full-width, spaces, lower-case x, numbers.

    A number that Excel kept as a float has lost its last digits; that cannot be repaired.
    """
    if isinstance(raw, bool) or raw is None:
        return ""
    if isinstance(raw, float):
        if raw >= 1e15:  # 16+ digits exceed a double's precision: the tail is gone
            raise ValueError(
                gettext("身份证号被表格存成了数字，末几位已丢失；请将该列设为文本后重新填写。")
            )
        raw = int(raw)
    if isinstance(raw, Decimal):
        try:
            raw = int(raw)
        except (InvalidOperation, ValueError):
            return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", text).upper()


def upgrade_15(number: str) -> str:
    """A first-generation 15-digit number as its 18-digit form (born 19xx, check added)."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def parse(raw: object, *, today: date | None = None) -> IdNumber:
    """Validate and return the facts; a ValueError carries the Chinese reason."""
    number = normalize(raw)
    if not number:
        raise ValueError(gettext("请填写身份证号。"))
    if len(number) == 15 and number.isdigit():
        number = upgrade_15(number)
    if len(number) != 18:
        raise ValueError(gettext("身份证号应为18位，现为%(n)d位。") % {"n": len(number)})
    if not _PATTERN.match(number):
        raise ValueError(gettext("身份证号前17位应为数字，最后一位为数字或X。"))
    if number[:2] not in PROVINCES:
        raise ValueError(
            gettext("身份证号前两位（省份代码）%(code)s不存在。") % {"code": number[:2]}
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(
            gettext("身份证号中的出生日期 %(text)s 不是有效日期。") % {"text": number[6:14]}
        )
    if not EARLIEST_BIRTH <= birth <= (today or date.today()):
        raise ValueError(
            gettext("身份证号中的出生日期 %(day)s 不合理。") % {"day": birth.isoformat()}
        )
    if number[17] != check_char(number[:17]):
        raise ValueError(
            gettext("身份证号校验位不符（应为%(char)s），请核对是否录错。")
            % {"char": check_char(number[:17])}
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return IdNumber(number, birth, gender, number[:6])


def consistency_errors(
    id_number: IdNumber, *, birth_date: date | None, gender: str | None
) -> dict[str, str]:
    """Fields of a record that contradict its ID number, with the reason."""
    errors: dict[str, str] = {}
    if birth_date and birth_date != id_number.birth_date:
        errors["birth_date"] = gettext("出生日期与身份证号（%(day)s）不一致。") % {
            "day": id_number.birth_date.isoformat()
        }
    if gender and gender != id_number.gender:
        errors["gender"] = gettext("性别与身份证号不一致。")
    return errors


def mask(number: str) -> str:
    """First 4 and last 4 characters shown: 4301**********123X."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
