"""The audit chain: appends, masking, and `dangjian audit verify` catching tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from dangjian.core import audit
from dangjian.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [audit.record("test.event", object_repr=f"对象{i}", detail={"i": i}) for i in range(n)]


def _raw(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back (on PostgreSQL past the triggers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")


def test_chain_links_each_row_to_the_previous() -> None:
    events = _events(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_mac == audit.GENESIS_MAC
    assert events[1].prev_mac == events[0].mac and events[2].prev_mac == events[1].mac
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_mac) == (3, events[2].mac)
    assert audit.verify_chain() == (3, None)


def test_mac_is_keyed(settings) -> None:
    _events(2)
    settings.AUDIT_CHAIN_KEY = "another key"
    _count, problem = audit.verify_chain()
    assert problem is not None and problem.seq == 1


def test_changed_row_is_caught_at_that_row() -> None:
    events = _events(5)
    _raw("UPDATE core_auditevent SET message = %s WHERE seq = %s", ["篡改", 3])
    count, problem = audit.verify_chain()
    assert count == 2
    assert problem is not None and problem.seq == 3 and problem.row_id == events[2].id
    assert "修改" in problem.reason


def test_deleted_middle_row_is_caught() -> None:
    _events(5)
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [2])
    _count, problem = audit.verify_chain()
    assert problem is not None and problem.seq == 2 and "删除" in problem.reason


def test_deleted_last_row_is_caught_by_the_head() -> None:
    _events(4)
    _raw("DELETE FROM core_auditevent WHERE seq = %s", [4])
    count, problem = audit.verify_chain()
    assert count == 3 and problem is not None and problem.seq == 4


def test_inserted_row_is_caught() -> None:
    events = _events(3)
    forged = AuditEvent(
        seq=4,
        occurred_at=events[-1].occurred_at,
        action="test.forged",
        prev_mac=events[-1].mac,
        mac="f" * 64,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (seq, occurred_at, actor_name, user_agent, category, action,"
            " object_type, object_id, object_repr, changes, detail, success, message, prev_mac, mac)"
            " VALUES (%s, %s, '', '', 'business', %s, '', '', '', '{}', '{}', %s, '', %s, %s)",
            [forged.seq, forged.occurred_at, forged.action, True, forged.prev_mac, forged.mac],
        )
    _count, problem = audit.verify_chain()
    assert problem is not None and problem.seq == 4


def test_verify_command_exits_nonzero_naming_the_row() -> None:
    _events(3)
    call_command("audit", "verify")  # clean: no exception
    _raw("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["x", 2])
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert "序号 2" in str(caught.value)


def test_verify_command_process_exit_code(tmp_path) -> None:
    """Through the real entry point: exit status 1 when broken."""
    _events(2)
    _raw("UPDATE core_auditevent SET object_repr = %s WHERE seq = %s", ["y", 1])
    with pytest.raises(SystemExit) as exited:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["dangjian", "audit", "verify"])
    assert exited.value.code == 1


def test_masked_changes_hide_sensitive_values() -> None:
    changes = audit.mask_changes(
        {"id_number": ("110101199001011234", "110101199001015678"), "name": ("张三", "张叁")},
        masked={"id_number"},
    )
    assert changes["id_number"] == [audit.MASK, audit.MASK]
    assert changes["name"] == ["张三", "张叁"]


def test_failed_transaction_leaves_no_row() -> None:
    _events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled_back")
        raise RuntimeError("boom")
    assert AuditEvent.objects.count() == 1
    assert audit.verify_chain() == (1, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers exist on PostgreSQL only")
def test_postgresql_refuses_update_and_delete() -> None:
    _events(1)
    for sql in ("UPDATE core_auditevent SET message = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "address", ["2001:DB8::1", "fe80::1%eth0", "::ffff:10.0.0.1", "10.0.0.1", "not-an-ip"]
)
def test_any_client_address_keeps_the_chain_valid(address: str) -> None:
    """The MAC covers the address as stored (IPv6 canonical), so verification holds."""
    from dangjian.core.audit import RequestInfo, current_request

    token = current_request.set(RequestInfo(address, "test"))
    try:
        audit.record("test.address")
    finally:
        current_request.reset(token)
    assert audit.verify_chain() == (1, None)
