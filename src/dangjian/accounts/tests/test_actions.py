"""The rules of every account and role action: separation of duties, levels, self-protection."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from dangjian.accounts import actions
from dangjian.accounts.models import ApiToken, RoleGrant, User, hash_token
from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent
from dangjian.core.roles import RoleKind
from dangjian.core.testing.personas import PASSWORD, make_user
from dangjian.orgs.choices import Level, Status
from dangjian.orgs.models import Organization

NEW = "Brand-New-Passw0rd"


@pytest.fixture
def sec(personas) -> User:
    return personas["secadmin"]


def events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=code).order_by("seq"))


def audit_text() -> str:
    """Everything the audit log holds, as one string (to prove a password is not in it)."""
    rows = AuditEvent.objects.values_list("changes", "detail", "message", "object_repr")
    return json.dumps(list(rows), ensure_ascii=False)


# --- create / update -------------------------------------------------------------------------


def test_create_user_sets_a_temporary_password(sec):
    user = actions.create_user(
        {
            "username": "zhangsan",
            "display_name": " 张三 ",
            "phone": "138-0013-8000",
            "email": "zs@example.edu.cn",
        },
        password=NEW,
        acting_user=sec,
    )
    user.refresh_from_db()
    assert user.display_name == "张三" and user.phone == "13800138000"
    assert user.must_change_password and user.is_active and user.check_password(NEW)
    assert not user.role_grants.exists()
    [event] = events("accounts.user.create")
    assert event.actor_id == sec.pk and event.success
    assert event.changes["username"] == [None, "zhangsan"]
    assert "password" not in event.changes
    assert NEW not in audit_text()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "", "display_name": "张三"}, "username"),
        ({"username": "UNIV", "display_name": "张三"}, "username"),
        ({"username": "bad name!", "display_name": "张三"}, "username"),
        ({"username": "zs", "display_name": ""}, "display_name"),
        ({"username": "zs", "display_name": "张三", "phone": "12345"}, "phone"),
        ({"username": "zs", "display_name": "张三", "email": "not-an-email"}, "email"),
    ],
)
def test_create_user_refuses_bad_fields(sec, data, field):
    with pytest.raises(DomainError) as caught:
        actions.create_user(data, password=NEW, acting_user=sec)
    assert field in caught.value.errors
    assert not User.objects.filter(username="zs").exists()
    assert events("accounts.user.create")[-1].success is False


@pytest.mark.parametrize("weak", ["Ab1!", "12345678", "password", "abcdefgh", "Zhangsan-2024"])
def test_create_user_refuses_weak_passwords_in_chinese(sec, chinese_validators, weak):
    with pytest.raises(DomainError) as caught:
        actions.create_user(
            {"username": "zhangsan", "display_name": "张三"}, password=weak, acting_user=sec
        )
    message = caught.value.errors["password"]
    assert "密码" in message and "This password" not in message
    assert weak not in audit_text()


@pytest.mark.parametrize("persona", ["univ", "sysadmin", "auditor", "norole"])
def test_only_the_security_admin_manages_accounts(personas, persona):
    with pytest.raises(DomainError, match="只有安全保密管理员"):
        actions.create_user(
            {"username": "zs", "display_name": "张三"}, password=NEW, acting_user=personas[persona]
        )
    target = personas["norole"]
    with pytest.raises(DomainError):
        actions.grant_role(
            target, role=RoleKind.MEMBER, organization=None, acting_user=personas[persona]
        )


def test_update_user_changes_profile_fields_only(sec, personas):
    user = personas["norole"]
    actions.update_user(
        user, {"display_name": "李四", "phone": "13912345678", "username": "x"}, acting_user=sec
    )
    user.refresh_from_db()
    assert (user.username, user.display_name, user.phone) == ("norole", "李四", "13912345678")
    [event] = events("accounts.user.update")
    assert event.changes == {"display_name": ["norole", "李四"], "phone": ["", "13912345678"]}
    with pytest.raises(DomainError) as caught:
        actions.update_user(user, {"phone": "02788888888"}, acting_user=sec)
    assert "phone" in caught.value.errors


# --- deactivate / reactivate -----------------------------------------------------------------


def test_deactivate_and_reactivate(sec, personas):
    user = personas["member"]
    actions.deactivate_user(user, acting_user=sec)
    user.refresh_from_db()
    assert not user.is_active
    with pytest.raises(DomainError, match="已是停用"):
        actions.deactivate_user(user, acting_user=sec)
    actions.reactivate_user(user, acting_user=sec)
    user.refresh_from_db()
    assert user.is_active
    with pytest.raises(DomainError, match="已是启用"):
        actions.reactivate_user(user, acting_user=sec)
    assert [e.changes for e in events("accounts.user.deactivate") if e.success] == [
        {"is_active": [True, False]}
    ]


def test_security_admin_cannot_deactivate_themselves(sec):
    with pytest.raises(DomainError, match="不能停用自己"):
        actions.deactivate_user(sec, acting_user=sec)
    sec.refresh_from_db()
    assert sec.is_active


def test_the_last_active_security_admin_stays(sec):
    """Only reachable by the system itself: an acting security admin is always another one."""
    with pytest.raises(DomainError, match="最后一名"):
        actions.deactivate_user(sec, acting_user=None)
    with pytest.raises(DomainError, match="最后一名"):
        actions.revoke_role(RoleGrant.objects.get(user=sec), acting_user=None)
    other = make_user("sec2", RoleKind.SECURITY_ADMIN)
    actions.deactivate_user(other, acting_user=sec)
    with pytest.raises(DomainError, match="最后一名"):
        actions.deactivate_user(sec, acting_user=None)
    actions.reactivate_user(other, acting_user=sec)
    actions.revoke_role(RoleGrant.objects.get(user=sec), acting_user=other)
    sec.refresh_from_db()
    assert not User.objects.get(pk=sec.pk).has_role(RoleKind.SECURITY_ADMIN)
    with pytest.raises(DomainError, match="最后一名"):
        actions.revoke_role(RoleGrant.objects.get(user=other), acting_user=None)


def test_an_inactive_or_expired_security_admin_does_not_count(sec):
    make_user("sec2", RoleKind.SECURITY_ADMIN, is_active=False)
    expired = make_user("sec3", RoleKind.SECURITY_ADMIN)
    RoleGrant.objects.filter(user=expired).update(valid_until=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError, match="最后一名"):
        actions.deactivate_user(sec, acting_user=None)


# --- passwords and lockout -------------------------------------------------------------------


def token_for(user: User) -> ApiToken:
    return ApiToken.objects.create(
        user=user,
        prefix="abcd1234",
        key_hash=hash_token(f"raw-{user.pk}"),
        expires_at=timezone.now() + timedelta(days=30),
    )


def test_deactivation_and_reset_revoke_api_tokens(sec, personas):
    member, univ = personas["member"], personas["univ"]
    first, other = token_for(member), token_for(univ)
    actions.deactivate_user(member, acting_user=sec)
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.revoked_at is not None and other.revoked_at is None
    actions.reset_password(univ, password=NEW, acting_user=sec)
    other.refresh_from_db()
    assert other.revoked_at is not None
    assert events("accounts.user.reset_password")[-1].detail["api_tokens_revoked"] == 1


def test_reset_password(sec, personas):
    user = personas["member"]
    actions.reset_password(user, password=NEW, acting_user=sec)
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert user.must_change_password and user.password_changed_at is not None
    [event] = events("accounts.user.reset_password")
    assert event.changes == {"must_change_password": [False, True]}
    assert NEW not in audit_text()


def test_reset_password_refusals(sec, personas):
    with pytest.raises(DomainError, match="账号与密码"):
        actions.reset_password(sec, password=NEW, acting_user=sec)
    with pytest.raises(DomainError) as caught:
        actions.reset_password(personas["member"], password="short", acting_user=sec)
    assert "password" in caught.value.errors
    assert personas["member"].check_password(PASSWORD)


def test_unlock_clears_the_axes_attempts_of_that_username(sec, personas):
    for username, agent in [("member", "a"), ("member", "b"), ("univ", "a")]:
        AccessAttempt.objects.create(
            username=username,
            ip_address="10.0.0.1",
            user_agent=agent,
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
        )
    assert actions.unlock_user(personas["member"], acting_user=sec) == 2
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["univ"]
    [event] = events("accounts.user.unlock")
    assert event.detail == {"cleared_attempts": 2}


def test_change_own_password(personas):
    user = personas["member"]
    user.must_change_password = True
    user.save()
    with pytest.raises(DomainError, match="不能与当前密码相同"):
        actions.change_own_password(user, password=PASSWORD, acting_user=user)
    with pytest.raises(DomainError, match="只能修改自己的密码"):
        actions.change_own_password(user, password=NEW, acting_user=personas["secadmin"])
    actions.change_own_password(user, password=NEW, acting_user=user)
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=user).exists()
    assert NEW not in audit_text()


# --- grants ----------------------------------------------------------------------------------


@pytest.fixture
def more_levels(tree):
    """A general branch and a temporary branch under C1, besides the persona tree."""
    add = Organization.objects.add_child
    general = add(
        tree.c1, {"name": "文学院研究生党总支", "code": "C1-GB", "level": Level.GENERAL_BRANCH}
    )
    tree.c1.refresh_from_db()
    temporary = add(
        tree.c1,
        {"name": "文学院培训班临时党支部", "code": "C1-TB", "level": Level.TEMPORARY_BRANCH},
    )
    return {"general": general, "temporary": temporary}


FITS = {
    RoleKind.UNIVERSITY_STAFF: {"university"},
    RoleKind.COMMITTEE_STAFF: {"c1", "general"},
    RoleKind.BRANCH_SECRETARY: {"b1", "temporary"},
    RoleKind.MEMBER: {"b1", "temporary", "g1"},
}


@pytest.mark.parametrize("role", list(FITS))
@pytest.mark.parametrize("where", ["university", "c1", "general", "b1", "temporary", "g1"])
def test_business_roles_need_an_organization_of_a_fitting_level(
    sec, personas, tree, more_levels, role, where
):
    org = more_levels.get(where) or getattr(tree, where)
    user = personas["norole"]
    if where in FITS[role]:
        grant = actions.grant_role(user, role=role, organization=org, acting_user=sec)
        assert grant.is_active and grant.granted_by == sec
        assert user.has_role(role)
    else:
        with pytest.raises(DomainError) as caught:
            actions.grant_role(user, role=role, organization=org, acting_user=sec)
        assert "只能授予在" in caught.value.errors["organization"]
        assert not user.role_grants.exists()


def test_organization_required_for_business_and_refused_for_admin_roles(sec, personas, tree):
    user = personas["norole"]
    with pytest.raises(DomainError) as caught:
        actions.grant_role(user, role=RoleKind.MEMBER, organization=None, acting_user=sec)
    assert "organization" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        actions.grant_role(
            user, role=RoleKind.AUDIT_ADMIN, organization=tree.university, acting_user=sec
        )
    assert "不关联党组织" in caught.value.errors["organization"]
    with pytest.raises(DomainError) as caught:
        actions.grant_role(user, role="superuser", organization=None, acting_user=sec)
    assert "role" in caught.value.errors


def test_no_grant_on_a_dissolved_organization(sec, personas, tree):
    Organization.objects.filter(pk=tree.b2.pk).update(
        status=Status.DISSOLVED, dissolved_on=date(2024, 1, 1)
    )
    tree.b2.refresh_from_db()
    with pytest.raises(DomainError, match="已撤销或合并"):
        actions.grant_role(
            personas["norole"], role=RoleKind.MEMBER, organization=tree.b2, acting_user=sec
        )


@pytest.mark.parametrize(
    "admin_role", [RoleKind.SYSTEM_ADMIN, RoleKind.SECURITY_ADMIN, RoleKind.AUDIT_ADMIN]
)
def test_admin_and_business_roles_never_meet(sec, personas, tree, admin_role):
    # A business user cannot become an administrator ...
    with pytest.raises(DomainError, match="三员分立"):
        actions.grant_role(
            personas["committee"], role=admin_role, organization=None, acting_user=sec
        )
    # ... and an administrator cannot get a business role.
    admin = make_user("admin2", admin_role)
    with pytest.raises(DomainError, match="三员分立"):
        actions.grant_role(admin, role=RoleKind.MEMBER, organization=tree.b1, acting_user=sec)


def test_two_different_admin_roles_are_refused(sec, personas):
    with pytest.raises(DomainError, match="不能相互兼任"):
        actions.grant_role(
            personas["sysadmin"], role=RoleKind.AUDIT_ADMIN, organization=None, acting_user=sec
        )
    with pytest.raises(DomainError, match="已是系统管理员"):
        actions.grant_role(
            personas["sysadmin"], role=RoleKind.SYSTEM_ADMIN, organization=None, acting_user=sec
        )


def test_duplicate_business_grant_refused_but_another_organization_is_fine(sec, personas, tree):
    user = personas["committee"]
    with pytest.raises(DomainError, match="已有基层党委工作人员"):
        actions.grant_role(
            user, role=RoleKind.COMMITTEE_STAFF, organization=tree.c1, acting_user=sec
        )
    actions.grant_role(user, role=RoleKind.COMMITTEE_STAFF, organization=tree.c2, acting_user=sec)
    assert user.role_grants.active().count() == 2


def test_an_ended_grant_does_not_block_separation(sec, personas):
    user = personas["member"]
    grant = RoleGrant.objects.get(user=user)
    RoleGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - timedelta(days=1))
    actions.grant_role(
        user,
        role=RoleKind.AUDIT_ADMIN,
        organization=None,
        acting_user=make_user("sec2", RoleKind.SECURITY_ADMIN),
    )
    assert user.has_role(RoleKind.AUDIT_ADMIN)


def test_security_admin_cannot_change_their_own_roles(sec, tree):
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        actions.grant_role(sec, role=RoleKind.SYSTEM_ADMIN, organization=None, acting_user=sec)
    make_user("sec2", RoleKind.SECURITY_ADMIN)
    with pytest.raises(DomainError, match="不能修改自己的角色"):
        actions.revoke_role(RoleGrant.objects.get(user=sec), acting_user=sec)
    assert RoleGrant.objects.get(user=sec).is_active


def test_valid_until_must_lie_ahead_and_ends_the_grant(sec, personas, tree):
    user = personas["norole"]
    with pytest.raises(DomainError) as caught:
        actions.grant_role(
            user,
            role=RoleKind.MEMBER,
            organization=tree.b1,
            valid_until=timezone.now() - timedelta(minutes=1),
            acting_user=sec,
        )
    assert "valid_until" in caught.value.errors
    grant = actions.grant_role(
        user,
        role=RoleKind.MEMBER,
        organization=tree.b1,
        valid_until=timezone.now() + timedelta(days=30),
        acting_user=sec,
    )
    assert grant.is_active


def test_no_grant_to_a_deactivated_account(sec, personas, tree):
    user = personas["norole"]
    actions.deactivate_user(user, acting_user=sec)
    with pytest.raises(DomainError, match="已停用"):
        actions.grant_role(user, role=RoleKind.MEMBER, organization=tree.b1, acting_user=sec)


def test_revoke_ends_the_grant_and_keeps_history(sec, personas):
    user = personas["member"]
    grant = RoleGrant.objects.get(user=user)
    assert user.has_role(RoleKind.MEMBER)
    actions.revoke_role(grant, acting_user=sec)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and not grant.is_active
    assert not User.objects.get(pk=user.pk).has_role(RoleKind.MEMBER)
    with pytest.raises(DomainError, match="已撤销或已过期"):
        actions.revoke_role(grant, acting_user=sec)
    [event] = [e for e in events("accounts.role.revoke") if e.success]
    assert event.object_type == "accounts.rolegrant" and "revoked_at" in event.changes


def test_grant_is_audited_with_organization_name_and_code(sec, personas, tree):
    actions.grant_role(
        personas["norole"], role=RoleKind.BRANCH_SECRETARY, organization=tree.b2, acting_user=sec
    )
    [event] = events("accounts.role.grant")
    assert event.changes["organization"] == [None, "文学院本科生第一党支部（C1-B2）"]
    assert event.changes["role"] == [None, "branch_secretary"]
