"""The bulk path of the member import: the same records as the row path, all or nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dangjian.core import crypto
from dangjian.core.models import AuditEvent
from dangjian.members.importers import MemberImport
from dangjian.members.models import MemberEvent, Person
from dangjian.members.models.person import ID_FIELD, PHONE_FIELD
from dangjian.members.testing import make_id_number, make_person
from dangjian.members.tests.test_import import HEADER, member, run, xlsx


@pytest.fixture
def count(db):
    return Person.objects.count


# --- the bulk path ----------------------------------------------------------------------------


def test_bulk_path_writes_the_same_records_as_the_row_path(tree, personas, monkeypatch) -> None:
    def people(prefix: str, first_serial: int) -> list[list[Any]]:
        return [
            member(
                name=name,
                number=make_id_number(date(1990, 3, 15), serial=first_serial + i),
                staff=f"{prefix}{i}",
                phone=f"1380013800{i}",
            )
            for i, name in enumerate(["张三", "李四", "欧阳娜娜", "单田芳"])
        ]

    row_result = run(personas["committee"], xlsx([HEADER, *people("R", 700)]))
    assert row_result.ok, row_result.errors
    monkeypatch.setattr(MemberImport, "BULK_ROWS", 2)
    bulk_result = run(personas["committee"], xlsx([HEADER, *people("B", 800)]), "create")
    assert bulk_result.ok, bulk_result.errors
    assert bulk_result.created == 4
    fields = ["name", "name_pinyin", "name_initials", "gender", "birth_date", "ethnicity",
              "organization_id", "category", "applied_on", "joined_on", "converted_on", "status",
              "phone_masked"]  # fmt: skip
    for i in range(4):
        by_row = Person.objects.get(staff_no=f"R{i}")
        by_bulk = Person.objects.get(staff_no=f"B{i}")
        assert [getattr(by_row, f) for f in fields] == [getattr(by_bulk, f) for f in fields]
        number = by_bulk.reveal_id_number()
        assert number == make_id_number(date(1990, 3, 15), serial=800 + i)
        assert by_bulk.id_hash == crypto.lookup_hash(number, ID_FIELD)
        assert by_bulk.id_masked == number[:4] + "*" * 10 + number[-4:]
        assert crypto.decrypt(by_bulk.phone_cipher, PHONE_FIELD) == f"1380013800{i}"
        row_event, bulk_event = by_row.events.get(), by_bulk.events.get()
        assert (bulk_event.kind, bulk_event.summary, bulk_event.organization_id) == (
            row_event.kind,
            row_event.summary,
            row_event.organization_id,
        )
        assert bulk_event.actor == personas["committee"]
    assert Person.objects.get(staff_no="B2").name_pinyin == "ouyangnana"
    # One audit entry for the bulk registration (no values), one per row on the row path.
    bulk = AuditEvent.objects.get(action="members.person.bulk_register")
    assert bulk.detail["count"] == 4 and bulk.detail["source"] == "人员.xlsx"
    assert bulk.detail["last_id"] - bulk.detail["first_id"] == 3
    assert "1380013800" not in str(bulk.detail) and "4301" not in str(bulk.detail)
    assert AuditEvent.objects.filter(action="members.person.register").count() == 4


def test_bulk_path_is_all_or_nothing(tree, personas, count, monkeypatch) -> None:
    from dangjian.members import importers

    monkeypatch.setattr(MemberImport, "BULK_ROWS", 1)
    monkeypatch.setattr(importers, "registered", lambda numbers: {})
    taken = make_person(tree.b1, name="已登记")
    before = count()
    rows = [HEADER, member(name="甲"), member(name="乙", number=taken.reveal_id_number())]
    result = run(personas["secretary"], xlsx(rows))
    assert count() == before and not result.ok
    assert "已被登记" in result.errors[0].message and result.errors[0].row == 0
    assert not AuditEvent.objects.filter(action="members.person.bulk_register", success=True)


def test_two_hundred_and_fifty_rows_by_the_bulk_path(
    tree, personas, django_assert_max_num_queries
) -> None:
    rows = [HEADER] + [
        member(name=f"党员{i}", number=make_id_number(date(1990, 3, 15), serial=i), staff=f"S{i}")
        for i in range(250)
    ]
    upload = xlsx(rows)
    # About 20 fixed queries, then one INSERT per batch of people and of events: SQLite's
    # 999-parameter limit makes a batch about 21 people here (one per 1,000 on PostgreSQL).
    with django_assert_max_num_queries(45):
        result = run(personas["univ"], upload)
    assert result.ok and result.created == 250
    assert MemberEvent.objects.filter(kind="registered").count() == 250
    assert not AuditEvent.objects.filter(action="members.person.register").exists()


def test_bulk_pinyin_agrees_with_the_model() -> None:
    """The bulk path's one-pass pinyin gives what Person.save (pinyin_of) gives."""
    import random

    from dangjian.members.bulk import _pinyin
    from dangjian.orgs.models import pinyin_of

    rng = random.Random(7)
    common = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗单解曾仇区查朴尉迟长孙欧阳"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚重行乐长朝都"
    names = [
        rng.choice(common) + "".join(rng.choices(given, k=rng.choice((1, 2, 3))))
        for _ in range(2000)
    ]
    names += ["单田芳", "曾国藩", "买买提·艾力", "Tom李", "李1", "𠀀𠀁", "〇", "乐乐", "长孙无忌"]
    for name in names:
        assert _pinyin(name) == pinyin_of(name), name
