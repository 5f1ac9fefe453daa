"""Concurrency on PostgreSQL: parallel audit appends and parallel tree inserts stay consistent."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from dangjian.core import audit
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import build_personas, build_tree
from dangjian.orgs import actions
from dangjian.orgs.models import Organization

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
]


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` in `count` threads started together; return the errors they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_audit_appends_keep_one_unbroken_chain() -> None:
    def work(i: int) -> None:
        for n in range(15):
            audit.record("test.parallel", object_repr=f"线程{i}-{n}")

    assert run_threads(8, work) == []
    assert AuditEvent.objects.count() == 120
    assert audit.verify_chain() == (120, None)


@pytest.mark.django_db(transaction=True)
def test_parallel_children_get_distinct_paths() -> None:
    tree = build_tree()
    users = build_personas(tree)

    def work(i: int) -> None:
        data = {
            "name": f"文学院第{i}党支部",
            "code": f"PAR-{i}",
            "level": "branch",
            "kind": "teacher",
        }
        actions.create_organization(
            data, parent=Organization.objects.get(pk=tree.c1.pk), acting_user=users["committee"]
        )

    assert run_threads(6, work) == []
    children = Organization.objects.get_children(Organization.objects.get(pk=tree.c1.pk))
    assert children.filter(code__startswith="PAR-").count() == 6
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert audit.verify_chain()[1] is None
