"""On PostgreSQL: two security administrators stopping each other at once leave one standing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dangjian.accounts import actions
from dangjian.accounts.models import RoleGrant, User
from dangjian.core.errors import DomainError
from dangjian.core.roles import RoleKind
from dangjian.core.testing.personas import make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL (DATABASE_URL)"
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["deactivate", "revoke"])
def test_mutual_removal_leaves_one_security_admin(how: str) -> None:
    first = make_user("sec1", RoleKind.SECURITY_ADMIN)
    second = make_user("sec2", RoleKind.SECURITY_ADMIN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor_pk: int, target_pk: int) -> None:
        try:
            actor, target = User.objects.get(pk=actor_pk), User.objects.get(pk=target_pk)
            barrier.wait()
            if how == "deactivate":
                actions.deactivate_user(target, acting_user=actor)
            else:
                grant = RoleGrant.objects.get(user=target, role=RoleKind.SECURITY_ADMIN)
                actions.revoke_role(grant, acting_user=actor)
            outcomes.append("done")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=remove, args=(first.pk, second.pk)),
        threading.Thread(target=remove, args=(second.pk, first.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("done") == 1, outcomes
    standing = RoleGrant.objects.active().filter(role=RoleKind.SECURITY_ADMIN, user__is_active=True)
    assert standing.count() == 1
