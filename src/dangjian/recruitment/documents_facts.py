"""What the recruitment documents print, read once from a case: its step records, the names
of the people they refer to, and each field shown as text by its definition in `steps.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from dangjian.core.docx import chinese_date, missing
from dangjian.members.models import Person
from dangjian.recruitment.models import Case, StepRecord
from dangjian.recruitment.steps import (
    BOOL,
    CHECKLIST,
    CHOICE,
    DATE,
    DECIMAL,
    INT,
    PEOPLE,
    PERSON,
    FieldDef,
    step,
)


def _number(value: Any) -> str:
    """3.0 → 3, 2.5 → 2.5: days and hours as people write them."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(spec: FieldDef, code: Any) -> str:
    for value, label in spec.choices:
        if value == code:
            return str(label)
    return str(code)


@dataclass
class CaseFacts:
    """A case with its records (every state: a request is printed while it waits) and the
    names of the people its records name."""

    case: Case
    person: Person
    records: list[StepRecord]
    names: dict[int, str]

    def all(self, number: int) -> list[StepRecord]:
        """The records of step `number`, in date order."""
        return [record for record in self.records if record.step == number]

    def last(self, number: int) -> StepRecord | None:
        records = self.all(number)
        return records[-1] if records else None

    def date(self, number: int) -> str:
        """The date of step `number`'s latest record, or （未登记）."""
        record = self.last(number)
        return chinese_date(record.occurred_on if record else None)

    def value(self, number: int, name: str, record: StepRecord | None = None) -> str:
        """Field `name` of step `number` (of `record`, else its latest record) as text."""
        record = record or self.last(number)
        spec = next(f for f in step(number).fields if f.name == name)
        return self.show(spec, record.data.get(name) if record else None)

    def show(self, spec: FieldDef, value: Any) -> str:
        """A stored field value as text; nothing stored → （未登记）."""
        if value is None or value == "" or value == [] or value == ():
            return missing()
        if spec.kind == DATE:
            return chinese_date(value)
        if spec.kind in (INT, DECIMAL):
            return _number(value)
        if spec.kind == CHOICE:
            return _label(spec, value)
        if spec.kind == CHECKLIST:
            return "、".join(_label(spec, item) for item in value)
        if spec.kind == BOOL:
            return gettext("是") if value else gettext("否")
        if spec.kind == PERSON:
            return self.names.get(value, missing())
        if spec.kind == PEOPLE:
            return "、".join(self.names.get(pk, missing()) for pk in value)
        return str(value)

    def summary(self, record: StepRecord) -> str:
        """The recorded fields of a record as 标签：值; fields not recorded are left out."""
        parts = [
            f"{spec.label}：{self.show(spec, record.data.get(spec.name))}"
            for spec in step(record.step).fields
            if record.data.get(spec.name) not in (None, "", [], ())
        ]
        return "；".join(parts)


def _person_ids(records: list[StepRecord]) -> set[int]:
    ids: set[int] = set()
    for record in records:
        for spec in step(record.step).fields:
            value = record.data.get(spec.name)
            if spec.kind == PERSON and isinstance(value, int):
                ids.add(value)
            elif spec.kind == PEOPLE and isinstance(value, list):
                ids.update(pk for pk in value if isinstance(pk, int))
    return ids


def load(case: Case) -> CaseFacts:
    """The facts of a case the caller already got within its scope.

    Talkers, mentors and introducers are part of the case's record, so their names are read
    whatever the reader's scope (a talker may belong to the committee above the branch); only
    names are read, nothing else about them.
    """
    records = list(case.records.order_by("step", "occurred_on", "id"))
    ids = _person_ids(records)
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return CaseFacts(case=case, person=case.person, records=records, names=names)


def basic_rows(facts: CaseFacts) -> list[tuple[str, str]]:
    """The person's basic data as on every form (the ID number only masked)."""
    person = facts.person
    return [
        (gettext("姓名"), person.name),
        (gettext("性别"), person.get_gender_display()),
        (gettext("民族"), person.get_ethnicity_display()),
        (gettext("出生日期"), chinese_date(person.birth_date)),
        (gettext("身份证号"), person.id_masked),
        (gettext("籍贯"), person.native_place),
        (gettext("学历"), person.get_education_display() if person.education else ""),
        (gettext("学位"), person.degree),
        (gettext("工号/学号"), person.staff_no),
        (gettext("所在单位"), person.unit),
        (gettext("岗位/类别"), person.get_post_display() if person.post else ""),
        (gettext("职称/职务"), person.title),
    ]
