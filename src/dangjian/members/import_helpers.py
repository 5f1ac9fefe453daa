"""What the member registry's importers share: word lists, tolerant parsers, lookups.

Real files say 汉 for 汉族, 本科 for 大学本科, 预备 for 预备党员, store ID numbers as numbers
and name a branch by its code in one row and by its full name in the next. The tables here
map those words to the registry's codes; the lookups turn an organization or a person named in
a cell into the record, cached per import and queried in batches of 1,000.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import crypto, idnumber
from dangjian.core.io import normalize as n
from dangjian.core.io.importer import ImportContext, Row
from dangjian.core.scope import VIEW
from dangjian.members.choices import CadreRank, Category, Education, Ethnicity, Gender, Post
from dangjian.members.models import Person
from dangjian.members.models.person import ID_FIELD
from dangjian.orgs.choices import Level, Position
from dangjian.orgs.models import Organization

BATCH = 1000

GENDER_SYNONYMS = {"男性": Gender.MALE, "女性": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
CATEGORY_SYNONYMS = {
    "正式": Category.FULL,
    "中共党员": Category.FULL,
    "党员": Category.FULL,
    "预备": Category.PROBATIONARY,
    "中共预备党员": Category.PROBATIONARY,
    "积极分子": Category.ACTIVIST,
    "申请人": Category.APPLICANT,
    "申请入党": Category.APPLICANT,
    "入党申请": Category.APPLICANT,
    "发展对象人选": Category.CANDIDATE,
}
# 研究生 alone says graduate education without saying which degree: the 学位 column decides.
GRADUATE = "graduate"
EDUCATION_SYNONYMS = {
    "博士": Education.DOCTORATE,
    "博士研究生": Education.DOCTORATE,
    "研究生（博士）": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "研究生（硕士）": Education.MASTER,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大本": Education.BACHELOR,
    "专科": Education.JUNIOR_COLLEGE,
    "大专": Education.JUNIOR_COLLEGE,
    "高职": Education.JUNIOR_COLLEGE,
    "中专": Education.SECONDARY,
    "中技": Education.SECONDARY,
    "职高": Education.SECONDARY,
    "技校": Education.SECONDARY,
    "高中": Education.HIGH_SCHOOL,
    "初中": Education.JUNIOR_HIGH,
    "小学": Education.JUNIOR_HIGH,
}
POST_SYNONYMS = {
    "管理": Post.MANAGEMENT,
    "管理岗": Post.MANAGEMENT,
    "管理岗位": Post.MANAGEMENT,
    "行政": Post.MANAGEMENT,
    "专业技术": Post.PROFESSIONAL,
    "专技": Post.PROFESSIONAL,
    "专业技术岗": Post.PROFESSIONAL,
    "专业技术岗位": Post.PROFESSIONAL,
    "教师": Post.PROFESSIONAL,
    "专任教师": Post.PROFESSIONAL,
    "工勤": Post.SUPPORT,
    "工勤技能": Post.SUPPORT,
    "工勤岗": Post.SUPPORT,
    "本科": Post.UNDERGRADUATE,
    "本科学生": Post.UNDERGRADUATE,
    "大学生": Post.UNDERGRADUATE,
    "硕士": Post.MASTER_STUDENT,
    "硕士生": Post.MASTER_STUDENT,
    "研究生": Post.MASTER_STUDENT,
    "博士": Post.DOCTORAL_STUDENT,
    "博士生": Post.DOCTORAL_STUDENT,
    "专科": Post.JUNIOR_COLLEGE_STUDENT,
    "高职学生": Post.JUNIOR_COLLEGE_STUDENT,
    "离退休": Post.RETIRED,
    "退休": Post.RETIRED,
    "离休": Post.RETIRED,
    "退休人员": Post.RETIRED,
}
POSITION_SYNONYMS = {
    "支部书记": Position.SECRETARY,
    "党支部书记": Position.SECRETARY,
    "党委书记": Position.SECRETARY,
    "总支书记": Position.SECRETARY,
    "支部副书记": Position.DEPUTY_SECRETARY,
    "党委副书记": Position.DEPUTY_SECRETARY,
    "组织": Position.ORGANIZATION,
    "宣传": Position.PUBLICITY,
    "纪检": Position.DISCIPLINE,
    "纪律检查委员": Position.DISCIPLINE,
    "支部委员": Position.MEMBER,
    "支委": Position.MEMBER,
    "党委委员": Position.MEMBER,
}
RANK_SYNONYMS = {
    "正处": CadreRank.DIVISION_CHIEF,
    "处级正职": CadreRank.DIVISION_CHIEF,
    "正处级干部": CadreRank.DIVISION_CHIEF,
    "副处": CadreRank.DEPUTY_DIVISION,
    "处级副职": CadreRank.DEPUTY_DIVISION,
    "副处级干部": CadreRank.DEPUTY_DIVISION,
    "正厅": CadreRank.DEPARTMENT_CHIEF,
    "厅级正职": CadreRank.DEPARTMENT_CHIEF,
    "副厅": CadreRank.DEPUTY_DEPARTMENT,
    "厅级副职": CadreRank.DEPUTY_DEPARTMENT,
}


def _ethnicity_synonyms() -> dict[str, str]:
    """汉 for 汉族, and the two-digit codes without their leading zero (Excel drops it)."""
    words: dict[str, str] = {}
    for code, label in Ethnicity.choices:
        text = str(label)
        if text.endswith("族") and len(text) >= 2:
            words[text[:-1]] = code
        if code.startswith("0"):
            words[code[1:]] = code
    return words


def choice(choices: Iterable[tuple[str, Any]], synonyms: Mapping[str, str]) -> n.Choice:
    return n.Choice(choices, synonyms)


GENDER = choice(Gender.choices, GENDER_SYNONYMS)
ETHNICITY = choice(Ethnicity.choices, _ethnicity_synonyms())
EDUCATION = choice([*Education.choices, (GRADUATE, "研究生")], EDUCATION_SYNONYMS)
POST = choice(Post.choices, POST_SYNONYMS)
CATEGORY = choice(Category.choices, CATEGORY_SYNONYMS)
POSITION = choice(Position.choices, POSITION_SYNONYMS)
RANK = choice(CadreRank.choices, RANK_SYNONYMS)


def example_id_number() -> str:
    """A valid number for the template's example row (born 1990-03-15, male)."""
    first17 = "43010219900315001"
    return first17 + idnumber.check_char(first17)


@n.accepts(
    _(
        "18位公民身份号码；末位 x 大小写均可，全角字符和空格自动去除。请将该列设为“文本”格式，"
        "以免 Excel 把号码改成科学计数法并丢失后几位"
    )
)
def id_number(value: Any) -> str:
    """A valid 18-character number ('' when blank); the reason in Chinese otherwise."""
    if n.is_blank(value):
        return ""
    try:
        return idnumber.parse(value).number
    except ValueError as error:
        raise ValueError(str(error)) from None


@dataclass(frozen=True)
class YearMonth:
    """出生年月 written without a day (1990.03); matched against the ID number's birth date.

    Excel turns 1990.10 typed into a cell into the number 1990.1, so a one-digit month
    may also mean ten times it.
    """

    year: int
    months: tuple[int, ...]
    shown: str


_YEAR_MONTH = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?$")


@n.accepts(
    _("日期，如 1990-03-15、1990年3月15日、1990.3.15；也可只写年月（1990.03），按身份证号补全")
)
def birth_date(value: Any) -> date | YearMonth | None:
    """A date, or a year and month to be completed from the ID number."""
    if isinstance(value, float) and 1900 <= value < 2100 and not value.is_integer():
        value = f"{value:.2f}".rstrip("0")
    if isinstance(value, str):
        folded = unicodedata.normalize("NFKC", value).strip()
        match = _YEAR_MONTH.match(folded)
        if match:
            year, month_text = int(match.group(1)), match.group(2)
            month = int(month_text)
            months = (month, month * 10) if len(month_text) == 1 and month == 1 else (month,)
            if 1 <= month <= 12:
                return YearMonth(year, months, value.strip())
    return n.to_date(value)


_TERM = re.compile(r"^第?\s*(\d+)\s*届?$")


@n.accepts(_("整数，如 3（也可写“第3届”）；不填为目前在任的一届"))
def term_number(value: Any) -> int | None:
    """届次: 3, '3', '第3届'."""
    if n.is_blank(value):
        return None
    text = unicodedata.normalize("NFKC", n.text(value))
    match = _TERM.match(text.replace(".0", ""))
    if not match or not 1 <= int(match.group(1)) <= 999:
        raise ValueError(
            gettext("“%(value)s”不是有效的届次，请填写如 3 的数字。") % {"value": text}
        )
    return int(match.group(1))


def mask(number: str) -> str:
    return idnumber.mask(number) if number else ""


def chunks(values: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    """Lists of at most `size` values, for `__in` lookups that stay under database limits."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# Organizations ----------------------------------------------------------------------------


class OrgLookup:
    """Organizations named in cells (by code or exact full name), cached for the import.

    A university has a few hundred organizations: they are read once, in one query, when
    the first cell is looked up. A tree too big for that (a whole province) is queried per
    distinct value instead.
    """

    PRELOAD_LIMIT = 20_000

    def __init__(self) -> None:
        self.found: dict[str, Organization | str] = {}
        self.groups: dict[tuple[int, str], Organization | str] = {}
        self.by_code: dict[str, Organization] | None = None
        self.by_name: dict[str, list[Organization]] = {}

    def organization(self, value: str) -> Organization | str:
        """The organization, or the Chinese reason it cannot be used."""
        if value not in self.found:
            self.found[value] = self._find(value)
        return self.found[value]

    def _preload(self) -> bool:
        if self.by_code is None:
            self.by_code = {}
            if Organization.objects.count() <= self.PRELOAD_LIMIT:
                for org in Organization.objects.all():
                    self.by_code[org.code] = org
                    self.by_name.setdefault(org.name, []).append(org)
        return bool(self.by_code)

    def _find(self, value: str) -> Organization | str:
        code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
        if self._preload():
            assert self.by_code is not None
            exact = self.by_code.get(code)
            matches = [exact] if exact is not None else self.by_name.get(value, [])
        else:
            matches = list(Organization.objects.filter(Q(code=code) | Q(name=value))[:3])
            matches = [org for org in matches if org.code == code] or matches
        if len(matches) == 1:
            return matches[0]
        if matches:
            return gettext("有多个党组织名为“%(value)s”，请改填党组织编码。") % {"value": value}
        return gettext("未找到党组织“%(value)s”，请填写党组织编码或完整名称。") % {"value": value}

    def party_group(self, org: Organization, value: str) -> Organization | str:
        """A party group of `org`, by code or name."""
        key = (org.pk, value)
        if key not in self.groups:
            code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
            matches = list(
                Organization.objects.filter(
                    Q(code=code) | Q(name=value),
                    path__startswith=org.path,
                    level=Level.PARTY_GROUP,
                )[:2]
            )
            if len(matches) == 1:
                self.groups[key] = matches[0]
            else:
                self.groups[key] = gettext("“%(org)s”下没有名为“%(value)s”的党小组。") % {
                    "org": org.name,
                    "value": value,
                }
        return self.groups[key]


def outside_scope(value: str) -> str:
    return gettext("党组织“%(value)s”不在您的管理范围内，不能导入到该组织。") % {"value": value}


# People -------------------------------------------------------------------------------------


def id_hash(number: str) -> str:
    return crypto.lookup_hash(number, ID_FIELD)


def people_by_hash(hashes: Iterable[str], queryset: Any = None) -> dict[str, Person]:
    """Persons by ID hash, one query per 1,000 hashes."""
    queryset = Person.objects.all() if queryset is None else queryset
    found: dict[str, Person] = {}
    for batch in chunks(sorted(set(hashes))):
        found.update(
            (person.id_hash, person)
            for person in queryset.filter(id_hash__in=batch).select_related("organization")
        )
    return found


def people_by_staff_no(numbers: Iterable[str], queryset: Any = None) -> dict[str, Person]:
    """Persons by staff or student number, one query per 1,000 numbers."""
    queryset = Person.objects.all() if queryset is None else queryset
    found: dict[str, Person] = {}
    for batch in chunks(sorted(set(numbers) - {""})):
        found.update(
            (person.staff_no, person)
            for person in queryset.filter(staff_no__in=batch).select_related("organization")
        )
    return found


def find_people(rows: list[Row], ctx: ImportContext) -> None:
    """Set `row.obj` to the person a row names by 身份证号 or 工号/学号 (visible to the user).

    Used by the position and cadre imports; a row whose person is missing, out of scope, or
    named inconsistently gets its error here.
    """
    visible = Person.objects.restrict(ctx.user, VIEW)
    wanted = [row for row in rows if not ctx.has_errors(row.number)]
    by_hash = people_by_hash(
        (id_hash(row.data["id_number"]) for row in wanted if row.data.get("id_number")), visible
    )
    by_staff = people_by_staff_no((row.data.get("staff_no") or "" for row in wanted), visible)
    for row in wanted:
        number, staff_no = row.data.get("id_number") or "", row.data.get("staff_no") or ""
        person = None
        if number:
            person = by_hash.get(id_hash(number))
            if person is None:
                ctx.add_error(row.number, "id_number", not_found_by_id(number))
                continue
        if staff_no:
            other = by_staff.get(staff_no)
            if other is None:
                ctx.add_error(
                    row.number,
                    "staff_no",
                    gettext("未找到工号/学号为“%(no)s”的人员，或其不在您的管理范围内。")
                    % {"no": staff_no},
                )
                continue
            if person is not None and other.pk != person.pk:
                ctx.add_error(
                    row.number,
                    "staff_no",
                    gettext("工号/学号“%(no)s”与身份证号不是同一人。") % {"no": staff_no},
                )
                continue
            person = other
        name = row.data.get("name") or ""
        if person is not None and name and name != person.name:
            ctx.add_error(
                row.number,
                "name",
                gettext("姓名“%(name)s”与登记的姓名（%(registered)s）不一致。")
                % {"name": name, "registered": person.name},
            )
            continue
        row.obj = person


def not_found_by_id(number: str) -> str:
    return gettext("未找到身份证号为 %(masked)s 的人员，或其不在您的管理范围内。") % {
        "masked": mask(number)
    }


def require_person_key(values: dict[str, Any]) -> dict[str, str]:
    """Rows of the position and cadre imports name the person by ID or staff number."""
    if not values.get("id_number") and not values.get("staff_no"):
        return {"id_number": gettext("请填写身份证号或工号/学号（至少一项）。")}
    return {}


__all__ = [
    "CATEGORY",
    "EDUCATION",
    "ETHNICITY",
    "GENDER",
    "GRADUATE",
    "POSITION",
    "POST",
    "RANK",
    "OrgLookup",
    "YearMonth",
    "birth_date",
    "chunks",
    "example_id_number",
    "find_people",
    "id_hash",
    "id_number",
    "mask",
    "not_found_by_id",
    "outside_scope",
    "people_by_hash",
    "people_by_staff_no",
    "require_person_key",
    "term_number",
]
