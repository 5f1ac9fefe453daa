"""restrict(user, action): subtree grants, self-service, admins, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.accounts.models import RoleGrant
from dangjian.core.models import AuditEvent, Notification
from dangjian.core.scope import CHANGE, DELETE, VIEW, can, covering_paths, scope_filter
from dangjian.core.testing.personas import make_user
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def codes(user, action=VIEW) -> set[str]:
    return set(Organization.objects.restrict(user, action).values_list("code", flat=True))


def test_grant_covers_the_subtree(tree, personas) -> None:
    assert codes(personas["univ"]) == {"U", "C1", "C2", "C1-B1", "C1-B2", "C2-B3", "C1-B1-G1"}
    assert codes(personas["committee"]) == {"C1", "C1-B1", "C1-B2", "C1-B1-G1"}
    assert codes(personas["secretary"]) == {"C1-B1", "C1-B1-G1"}
    assert codes(personas["outsider"]) == {"C2", "C2-B3"}


def test_actions_follow_the_role(tree, personas) -> None:
    assert codes(personas["member"]) == {"C1-B1", "C1-B1-G1"}
    assert codes(personas["member"], CHANGE) == set()
    assert codes(personas["secretary"], CHANGE) == {"C1-B1", "C1-B1-G1"}
    assert codes(personas["secretary"], DELETE) == set()
    assert can(personas["secretary"], Organization, CHANGE)
    assert not can(personas["member"], Organization, CHANGE)


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditor", "norole"])
def test_separated_admins_see_no_business_data(tree, personas, name) -> None:
    assert codes(personas[name]) == set()
    assert not can(personas[name], Organization, VIEW)


def test_only_the_auditor_reads_the_audit_log(tree, personas) -> None:
    from dangjian.core import audit

    audit.record("test.event")
    assert AuditEvent.objects.restrict(personas["auditor"]).count() == 1
    for name in ("univ", "secadmin", "sysadmin", "member"):
        assert AuditEvent.objects.restrict(personas[name]).count() == 0


def test_self_filter_gives_own_records_only(tree, personas) -> None:
    Notification.objects.create(recipient=personas["member"], title="给党员")
    Notification.objects.create(recipient=personas["univ"], title="给组织部")
    assert list(
        Notification.objects.restrict(personas["member"]).values_list("title", flat=True)
    ) == ["给党员"]


def test_several_grants_union_and_collapse(tree) -> None:
    user = make_user("two", "committee_staff", tree.c1)
    RoleGrant.objects.create(user=user, role="committee_staff", organization=tree.c2)
    RoleGrant.objects.create(user=user, role="committee_staff", organization=tree.b1)
    assert codes(user) == {"C1", "C2", "C1-B1", "C1-B2", "C2-B3", "C1-B1-G1"}
    condition = scope_filter(Organization, user, VIEW)
    assert str(condition).count("path__startswith") == 2  # B1 lies inside C1


def test_covering_paths_drops_nested() -> None:
    assert covering_paths(["0001", "00010002", "0002", "000100020003"]) == ["0001", "0002"]


def test_revoked_and_expired_grants_do_not_count(tree) -> None:
    user = make_user("temp", "committee_staff", tree.c1)
    grant = RoleGrant.objects.get(user=user)
    grant.revoked_at = timezone.now()
    grant.save()
    assert codes(user) == set()
    RoleGrant.objects.create(
        user=user,
        role="committee_staff",
        organization=tree.c1,
        valid_until=timezone.now() - timedelta(minutes=1),
    )
    user = type(user).objects.get(pk=user.pk)
    assert codes(user) == set()


def test_inactive_user_sees_nothing(tree, personas) -> None:
    user = personas["univ"]
    user.is_active = False
    assert codes(user) == set()


def test_restrict_is_one_query(tree, personas, django_assert_num_queries) -> None:
    user = type(personas["committee"]).objects.get(pk=personas["committee"].pk)
    with django_assert_num_queries(2):  # grants (cached afterwards) + the list
        list(Organization.objects.restrict(user))
    with django_assert_num_queries(1):
        list(Organization.objects.restrict(user))
