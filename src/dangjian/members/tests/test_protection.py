"""Citizen ID and phone numbers: never stored, audited or logged in plain text.

The whole registry flow runs with SQL logging on; then every text in every table and every
log line is searched for the plain numbers. Reveals are audited; ciphertexts are fresh each
time, bound to their column and tamper-evident; `dangjian rotate_keys` moves every value to a
new key and is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.accounts.models import User
from dangjian.core import crypto
from dangjian.core.errors import DomainError
from dangjian.core.idnumber import upgrade_15
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import Tree
from dangjian.members import actions
from dangjian.members.models import CorrectionRequest, MemberEvent, Person
from dangjian.members.testing import make_id_number, make_person, person_data

pytestmark = pytest.mark.django_db

K1, K2 = "k1:" + "11" * 16, "k2:" + "22" * 16


@pytest.fixture(autouse=True)
def _fresh_keyring() -> Iterator[None]:
    crypto._keyring.cache_clear()
    yield
    crypto._keyring.cache_clear()


def all_texts() -> Iterator[tuple[str, str]]:
    """(table, value) for every non-empty value of every column of every table."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if value not in (None, ""):
                        yield table, str(value)


def leaks(secrets: list[str]) -> list[tuple[str, str]]:
    return [(table, s) for table, text in all_texts() for s in secrets if s in text.upper()]


def test_plain_numbers_appear_nowhere(
    tree: Tree,
    personas: dict[str, User],
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    birth = date(1988, 8, 8)
    number = next(
        n for n in (make_id_number(birth, serial=s) for s in range(1, 99)) if n.endswith("X")
    )
    her: dict[str, Any] = {"birth_date": date(1992, 2, 2), "gender": "female"}
    other_number = make_id_number(date(1992, 2, 2), "female", serial=4242)
    proposed_number = make_id_number(birth, serial=4343)
    phones = ["13800138000", "13912345678", "13700001111", "13600002222"]
    secrets = [number, other_number, proposed_number, *phones]
    sec, member = personas["secretary"], personas["member"]

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own loggers stop at INFO
    # SQL logging is pinned at WARNING in settings (ballots); here it is opened on purpose.
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # every SQL statement and its parameters are logged
    try:
        with django_capture_on_commit_callbacks(execute=True):
            person = actions.register_person(
                person_data(
                    tree.b1, id_number=number.lower(), birth_date=birth, phone="+86 138 0013 8000"
                ),
                acting_user=sec,
            )
            with pytest.raises(DomainError):  # the same number again: refused
                actions.register_person(
                    person_data(tree.b1, id_number=number, birth_date=birth), acting_user=sec
                )
            with pytest.raises(DomainError):  # a malformed phone: refused
                actions.register_person(
                    person_data(tree.b1, id_number=other_number, phone="1391234567", **her),
                    acting_user=sec,
                )
            actions.update_person(person, {"phone": phones[1], "address": "长沙"}, acting_user=sec)
            Person.objects.filter(pk=person.pk).update(user=member)
            person.refresh_from_db()
            correction = actions.request_correction(
                person, field="phone", proposed=phones[2], reason="换号", acting_user=member
            )
            actions.decide_correction(correction, accept=True, response="", acting_user=sec)
            actions.request_correction(
                person, field="id_number", proposed=proposed_number, reason="", acting_user=member
            )
            assert actions.reveal(person, "id_number", acting_user=personas["univ"]) == number
            assert actions.reveal(person, "phone", acting_user=member) == phones[2]
            with pytest.raises(DomainError):
                actions.reveal(person, "phone", acting_user=sec)
            actions.receive_from_outside(
                person_data(tree.b1, name="李四", id_number=other_number, phone=phones[3], **her),
                other_institution="北京大学党委",
                letter_no="BJ-1",
                issued_on=date(2024, 1, 1),
                received_on=date(2024, 1, 2),
                acting_user=sec,
            )
            assert Person.objects.with_id_number(other_number).get().name == "李四"
    finally:
        connection.force_debug_cursor = False

    person.refresh_from_db()
    assert person.reveal_phone() == phones[2] and person.reveal_id_number() == number
    assert person.id_masked == number[:4] + "*" * 10 + number[-4:]
    assert any("members_person" in record.getMessage() for record in caplog.records)
    assert leaks([person.id_masked, person.phone_masked])  # the scan does find what is there
    assert leaks(secrets) == []
    log_text = "\n".join(record.getMessage() for record in caplog.records).upper()
    assert [s for s in secrets if s in log_text] == []
    audit_texts = [
        str(row) for row in AuditEvent.objects.values_list("changes", "detail", "message")
    ]
    assert len(audit_texts) > 10 and not any(s in t for t in audit_texts for s in secrets)
    event_texts = [str(row) for row in MemberEvent.objects.values_list("summary", "detail")]
    assert not any(s in t for t in event_texts for s in secrets)


def test_ciphertexts_are_fresh_bound_and_tamper_evident(
    tree: Tree, personas: dict[str, User]
) -> None:
    first = make_person(tree.b1, phone="13800138000")
    second = make_person(tree.b1, name="李四", phone="13800138000")
    assert first.phone_cipher != second.phone_cipher
    assert first.reveal_phone() == second.reveal_phone() == "13800138000"
    univ = personas["univ"]

    head, _, payload = first.id_cipher.rpartition("$")
    flipped = "A" if payload[20] != "A" else "B"  # a byte of the ciphertext body
    tampered = f"{head}${payload[:20]}{flipped}{payload[21:]}"
    Person.objects.filter(pk=first.pk).update(id_cipher=tampered)
    Person.objects.filter(pk=second.pk).update(id_cipher=second.phone_cipher)  # moved column
    for person in (first, second):
        person.refresh_from_db()
        with pytest.raises(crypto.CryptoError):
            person.reveal_id_number()
        with pytest.raises(DomainError) as caught:
            actions.reveal(person, "id_number", acting_user=univ)
        assert caught.value.errors == {
            "__all__": "该信息无法解密，可能已被改动，请联系系统管理员。"
        }
    refusals = AuditEvent.objects.filter(action="security.reveal", success=False)
    assert refusals.count() == 2 and all("无法解密" in row.message for row in refusals)


def test_lookup_by_hash_finds_exactly(tree: Tree) -> None:
    old = "430102880808123"  # a first-generation number
    person = make_person(tree.b1, id_number=old, birth_date=date(1988, 8, 8))
    number = upgrade_15(old)
    other = make_person(tree.b1, name="李四")
    assert person.reveal_id_number() == number
    for variant in (number, number.lower(), old, " ".join(number), chr(0xFF14) + number[1:]):
        assert list(Person.objects.with_id_number(variant)) == [person]
    assert list(Person.objects.with_id_number(other.reveal_id_number())) == [other]
    assert not Person.objects.with_id_number(make_id_number(date(1988, 8, 8), serial=999))
    assert not Person.objects.with_id_number("not a number").exists()
    assert person.id_hash not in (number, old) and len(person.id_hash) == 64


def test_reveal_is_audited_both_ways(tree: Tree, personas: dict[str, User]) -> None:
    person = make_person(tree.b1, phone="13800138000")
    Person.objects.filter(pk=person.pk).update(user=personas["member"])
    other = make_person(tree.b1, name="李四")
    assert actions.reveal(person, "phone", acting_user=personas["committee"]) == "13800138000"
    assert actions.reveal(person, "id_number", acting_user=personas["member"])
    for who, target in (("secretary", person), ("outsider", person), ("member", other)):
        with pytest.raises(DomainError) as caught:
            actions.reveal(target, "phone", acting_user=personas[who])
        assert caught.value.errors == {"__all__": "您没有查看完整身份证号、手机号码的权限。"}
    rows = AuditEvent.objects.filter(action="security.reveal").order_by("seq")
    assert [(row.actor_name, row.success, row.detail["field"]) for row in rows] == [
        ("committee", True, "phone"),
        ("member", True, "id_number"),
        ("secretary", False, "phone"),
        ("outsider", False, "phone"),
        ("member", False, "phone"),
    ]
    assert rows.filter(success=False).first().message == "无查看完整信息权限"
    with pytest.raises(ValueError):
        actions.reveal(person, "address", acting_user=None)


# Key rotation --------------------------------------------------------------------------------


def stored() -> list[str]:
    people = Person.objects.order_by("pk").values_list("id_cipher", "id_hash", "phone_cipher")
    corrections = CorrectionRequest.objects.order_by("pk").values_list("proposed_value", flat=True)
    return [value for row in people for value in row if value] + list(corrections)


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_rotation_moves_every_value_to_the_new_key(
    tree: Tree, personas: dict[str, User], settings: Any
) -> None:
    settings.DANGJIAN_FIELD_KEYS = K1
    first = make_person(tree.b1, phone="13800138000")
    second = make_person(tree.b1, name="李四", phone="")
    Person.objects.filter(pk=first.pk).update(user=personas["member"])
    first.refresh_from_db()
    actions.request_correction(
        first, field="phone", proposed="13912345678", reason="", acting_user=personas["member"]
    )
    actions.request_correction(
        first, field="address", proposed="长沙", reason="", acting_user=personas["member"]
    )
    numbers = [first.reveal_id_number(), second.reveal_id_number()]
    before = stored()

    settings.DANGJIAN_FIELD_KEYS = f"{K2},{K1}"
    assert "需重新加密 2 条" in rotate("--dry-run") and stored() == before
    output = rotate("--batch-size", "1")
    assert (
        "members.person.id_number（members.person.id_cipher）：检查 2 条，重新加密 2 条" in output
    )
    assert "members.person.phone（members.person.phone_cipher）：检查 1 条，重新加密 1 条" in output
    assert "members.correction.proposed（members.correctionrequest.proposed_value）：检查 1 条" in (
        output
    )
    ciphers = [value for value in stored() if value.startswith("sm4gcm$")]
    assert len(ciphers) == 4 and all(value.startswith("sm4gcm$k2$") for value in ciphers)

    settings.DANGJIAN_FIELD_KEYS = K2  # the old key dropped: everything still reads
    first.refresh_from_db()
    second.refresh_from_db()
    assert [first.reveal_id_number(), second.reveal_id_number()] == numbers
    assert first.reveal_phone() == "13800138000"
    correction = CorrectionRequest.objects.get(field="phone")
    assert actions.proposed_plain(correction) == "13912345678"
    assert CorrectionRequest.objects.get(field="address").proposed_value == "长沙"

    after = stored()
    assert "重新加密 0 条" in rotate() and stored() == after  # idempotent
    rotations = AuditEvent.objects.filter(action="security.key_rotation")
    assert rotations.count() == 3 and all(row.success for row in rotations)
    assert rotations.latest("seq").detail["key"] == "k2"


def test_rotation_recomputes_lookup_hashes_for_a_new_lookup_key(tree: Tree, settings: Any) -> None:
    person = make_person(tree.b1)
    number = person.reveal_id_number()
    settings.DANGJIAN_LOOKUP_KEY = "33" * 16
    assert not Person.objects.with_id_number(number).exists()
    assert "重算查找哈希 1 条" in rotate()
    assert Person.objects.with_id_number(number).get() == person


def test_rotation_reports_values_it_cannot_read(tree: Tree, settings: Any) -> None:
    settings.DANGJIAN_FIELD_KEYS = K1
    make_person(tree.b1, phone="")
    settings.DANGJIAN_FIELD_KEYS = K2  # K1 dropped too early
    before = stored()
    with pytest.raises(CommandError) as caught:
        rotate()
    assert "有 1 条无法解密" in str(caught.value) and stored() == before
    row = AuditEvent.objects.get(action="security.key_rotation")
    assert not row.success
    assert [column["failed"] for column in row.detail["columns"]] == [0, 1, 0]


def test_rotation_refuses_a_bad_batch_size_and_a_bad_key_setting(settings: Any) -> None:
    with pytest.raises(CommandError, match="--batch-size 应为正整数"):
        rotate("--batch-size", "0")
    settings.DANGJIAN_FIELD_KEYS = "k1:abc"
    with pytest.raises(CommandError, match="字段加密密钥配置有误"):
        rotate()
