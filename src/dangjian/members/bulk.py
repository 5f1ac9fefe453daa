"""Registering many people at once: the fast path of large member imports.

`register_person` costs a few milliseconds a person (its checks, a savepoint, the audit row),
which is right for a form and for a small file, and far too slow for a university's first
import of 100,000 members. `bulk_register` takes rows that the importer has already checked
(`clean_person(check_unique=False)` on every row, duplicates found in the file and in the
database in batches) and writes them in batches of 1,000: encryption, lookup hash, mask and
pinyin computed per row in Python exactly as `Person.set_id_number`/`save` do, then the people
and their REGISTERED timeline events, and ONE audit entry for the whole import (how many, the
first and last id, the file's name; never the values).

A batch is written with `bulk_create`, or on PostgreSQL with COPY (ids drawn from the table's
sequence first): Django's per-field preparation of a bulk INSERT cost as much as all the
checks of a row. The database's unique indexes stay the last word on duplicates: a clash
that appears after the importer's checks refuses the whole batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from psycopg import errors as pg_errors
from psycopg import sql
from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS

from dangjian.core.actions import domain_action, track
from dangjian.core.errors import DomainError
from dangjian.core.scope import ADD, covers
from dangjian.members.actions import PERSON_FIELDS
from dangjian.members.choices import Category, EventKind
from dangjian.members.import_helpers import chunks, id_hash
from dangjian.members.models import MemberEvent, Person
from dangjian.orgs.models import Organization, pinyin_of

BATCH = 1000


@dataclass(frozen=True)
class Registered:
    """Who already holds a number (for the importer's message)."""

    name: str
    organization: str
    path: str


@lru_cache(maxsize=100_000)
def _pinyin(name: str) -> tuple[str, str]:
    """`pinyin_of(name)` with one conversion instead of two, cached (names repeat).

    For a name of Chinese characters only, pypinyin gives one syllable per character and
    the first-letter style is each syllable's first letter, so both columns come from one
    call; anything else (Latin letters, a middle dot, characters without pinyin) goes
    through `pinyin_of` itself. tests/test_import.py checks that the two agree.
    """
    if RE_HANS.match(name):
        syllables = lazy_pinyin(name, errors="default")
        if len(syllables) == len(name) and all(syllables):
            full = "".join(syllables).lower()
            initials = "".join(syllable[0] for syllable in syllables).lower()
            return full[:255], initials[:100]
    return pinyin_of(name)


def registered(numbers: Iterable[str]) -> dict[str, Registered]:
    """ID numbers already in the registry, one query per 1,000 numbers."""
    by_hash = {id_hash(number): number for number in numbers if number}
    found: dict[str, Registered] = {}
    for batch in chunks(by_hash):
        rows = Person.objects.filter(id_hash__in=batch).values_list(
            "id_hash", "name", "organization__name", "organization__path"
        )
        for hashed, name, org_name, path in rows:
            found[by_hash[hashed]] = Registered(name, org_name, path)
    return found


def staff_numbers_in_use(numbers: Iterable[str]) -> set[str]:
    """Staff or student numbers already used by someone, one query per 1,000."""
    used: set[str] = set()
    for batch in chunks(sorted({number for number in numbers if number})):
        used.update(Person.objects.filter(staff_no__in=batch).values_list("staff_no", flat=True))
    return used


def _check(rows: Sequence[Mapping[str, Any]], acting_user: Any) -> dict[int, Organization]:
    """The action's own guard: every organization in scope, nobody twice in the batch."""
    orgs = {row["organization"].pk: row["organization"] for row in rows}
    for org in orgs.values():
        if not covers(acting_user, Person, ADD, org.path):
            raise DomainError(gettext("您无权登记“%(name)s”的人员。") % {"name": org.name})
    numbers = [row["id_number"] for row in rows]
    staff = [row.get("staff_no") or "" for row in rows]
    staff = [number for number in staff if number]
    if len(set(numbers)) != len(numbers) or len(set(staff)) != len(staff):
        raise DomainError(gettext("待登记的人员中有重复的身份证号或工号/学号。"))
    return orgs


def _person(row: Mapping[str, Any]) -> Person:
    """A Person as `register_person` would save it (protected values, mask, pinyin)."""
    person = Person(**{name: row[name] for name in PERSON_FIELDS if name in row})
    person.set_id_number(row["id_number"])
    person.set_phone(row.get("phone") or "")
    person.name_pinyin, person.name_initials = _pinyin(person.name)
    return person


def _insert(model: type[models.Model], objects: list[Any]) -> None:
    """INSERT a batch (COPY on PostgreSQL); afterwards each object has its primary key."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        now = timezone.now()
        convert = [_converter(field, now) for field in fields]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table),
            sql.SQL(", ").join(
                [sql.Identifier(str(c)) for c in [meta.pk.column, *(f.column for f in fields)]]
            ),
        )
        with cursor.cursor.copy(statement) as copy:
            for obj, pk in zip(objects, ids, strict=True):
                obj.pk = pk
                copy.write_row([pk, *(fn(obj) for fn in convert)])
    for obj in objects:
        obj._state.adding, obj._state.db = False, connection.alias


def _converter(field: models.Field[Any, Any], now: Any) -> Callable[[Any], Any]:
    """How one column's value is read off an object for COPY (as Django would save it)."""
    attname = field.attname
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return lambda obj: now
    if isinstance(field, models.JSONField):
        return lambda obj: json.dumps(getattr(obj, attname), ensure_ascii=False)
    if isinstance(field, models.FileField):
        return lambda obj: getattr(obj, attname).name or ""
    return lambda obj: getattr(obj, attname)


@domain_action("members.person.bulk_register", _("批量登记人员"))
def bulk_register(
    cleaned_rows: Sequence[Mapping[str, Any]],
    *,
    acting_user: Any,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Register checked rows (clean_person's output) in batches; returns how many.

    All or nothing: runs in one transaction; a clash that appears meanwhile (someone
    registered the same person a moment ago) refuses the whole batch.
    """
    if not cleaned_rows:
        return 0
    orgs = _check(cleaned_rows, acting_user)
    today = timezone.localdate()
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    summaries: dict[tuple[int, str], str] = {}
    first_id = last_id = None
    count = 0
    for batch in chunks(cleaned_rows, BATCH):
        people = [_person(row) for row in batch]
        try:
            with transaction.atomic():
                _insert(Person, people)
        except (IntegrityError, pg_errors.IntegrityError):  # COPY raises psycopg's own
            raise DomainError(
                gettext(
                    "有人员的身份证号或工号/学号已被登记（可能是导入期间他人刚刚登记），"
                    "未登记任何人员；请重新导入。"
                )
            ) from None
        events = []
        for person in people:
            key = (person.organization_id, person.category)
            summary = summaries.get(key)
            if summary is None:
                summary = summaries[key] = gettext("登记于%(org)s，类别：%(category)s") % {
                    "org": person.organization.name,
                    "category": Category(person.category).label,
                }
            events.append(
                MemberEvent(
                    person=person,
                    kind=EventKind.REGISTERED,
                    occurred_on=today,
                    summary=summary[:300],
                    detail={},
                    organization_id=person.organization_id,
                    actor=actor,
                )
            )
        _insert(MemberEvent, events)
        first_id = first_id or people[0].pk
        last_id = people[-1].pk
        count += len(people)
        if progress is not None:
            progress(count, len(cleaned_rows))
    track(
        None,
        detail={
            "count": count,
            "first_id": first_id,
            "last_id": last_id,
            "source": source,
            "organizations": len(orgs),
        },
    )
    return count


__all__ = ["Registered", "bulk_register", "registered", "staff_numbers_in_use"]
