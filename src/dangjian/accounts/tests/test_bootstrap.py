"""`dangjian bootstrap`: the first university committee and the three administrators, once."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEvent
from dangjian.core.roles import RoleKind
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization


def run(*args: str) -> str:
    out = StringIO()
    call_command("bootstrap", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"用户名 (\S+)  临时密码 (\S+)", output))


@pytest.mark.django_db
def test_first_run_creates_root_and_three_admins():
    output = run("--name", "湘麓大学委员会", "--code", "U")
    root = Organization.objects.get()
    assert (root.name, root.code, root.level, root.depth) == (
        "湘麓大学委员会",
        "U",
        Level.UNIVERSITY_COMMITTEE,
        1,
    )
    passwords = printed_passwords(output)
    assert set(passwords) == {"secadmin", "sysadmin", "auditor"}
    request = RequestFactory().post("/accounts/login/")
    for username, role in [
        ("secadmin", RoleKind.SECURITY_ADMIN),
        ("sysadmin", RoleKind.SYSTEM_ADMIN),
        ("auditor", RoleKind.AUDIT_ADMIN),
    ]:
        user = User.objects.get(username=username)
        assert user.must_change_password
        assert [(g.role, g.organization) for g in user.role_grants.all()] == [(role, None)]
        assert authenticate(request, username=username, password=passwords[username]) == user
    assert "只显示这一次" in output
    audited = str(list(AuditEvent.objects.values_list("changes", "detail", "message")))
    assert not any(password in audited for password in passwords.values())
    assert AuditEvent.objects.filter(action="orgs.organization.create").exists()


@pytest.mark.django_db
def test_second_run_creates_nothing_and_explains():
    run("--name", "湘麓大学委员会", "--code", "U")
    output = run("--name", "另一所大学委员会", "--code", "X")
    assert Organization.objects.count() == 1 and User.objects.count() == 3
    assert "已有高校党委“湘麓大学委员会”" in output
    assert "已有安全保密管理员“secadmin”" in output
    assert "系统已初始化" in output and not printed_passwords(output)


@pytest.mark.django_db
def test_only_missing_admins_are_created_and_names_can_be_chosen():
    run("--name", "湘麓大学委员会", "--code", "U")
    RoleGrant.objects.filter(role=RoleKind.AUDIT_ADMIN).delete()
    output = run("--audit-admin", "shenji")
    assert set(printed_passwords(output)) == {"shenji"}
    assert User.objects.get(username="shenji").has_role(RoleKind.AUDIT_ADMIN)


@pytest.mark.django_db
def test_first_run_needs_name_and_code():
    with pytest.raises(CommandError, match="--name 和 --code"):
        run()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_taken_username_is_refused_and_nothing_is_written():
    User.objects.create_user("sysadmin", password="x")
    with pytest.raises(CommandError, match="已被使用"):
        run("--name", "湘麓大学委员会", "--code", "U")
    assert not Organization.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["sysadmin"]


@pytest.mark.django_db
def test_bad_organization_data_is_refused():
    with pytest.raises(CommandError):
        run("--name", "  ", "--code", "U")
