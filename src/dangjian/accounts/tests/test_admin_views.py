"""The security administrator's user and role pages."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.models import AuditEvent
from dangjian.core.roles import RoleKind
from dangjian.core.testing.personas import PASSWORD, make_user
from dangjian.orgs.choices import Level, Status
from dangjian.orgs.models import Organization


@pytest.fixture
def sec(login):
    return login("secadmin")


def lock(username: str, failures: int = 5) -> None:
    AccessAttempt.objects.create(
        username=username,
        ip_address="10.0.0.9",
        user_agent="pytest",
        failures_since_start=failures,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )


def shown_password(response) -> str:
    match = re.search(r'data-testid="temp-password">([^<]+)<', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def usernames(response) -> set[str]:
    return {u.username for u in response.context["object_list"]}


# --- list ------------------------------------------------------------------------------------


def test_list_shows_every_account_with_roles(sec, personas):
    response = sec.get(reverse("accounts:users"))
    assert response.status_code == 200
    assert usernames(response) == set(personas)
    page = response.content.decode()
    assert "党支部书记/委员 · 文学院教工第一党支部" in page
    assert "安全审计员" in page and "新建用户" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "secre"}, {"secretary"}),
        ({"q": "1380013"}, {"phoned"}),
        ({"q": "王小"}, {"phoned"}),
        ({"role": "committee_staff"}, {"committee", "outsider"}),
        ({"role": "none"}, {"norole", "phoned"}),
        ({"organization": "C1-B1"}, {"secretary", "member"}),
        ({"organization": "wxyjg"}, {"secretary", "member"}),
        ({"organization": "zzz"}, set()),
        ({"organization": "数学与统计"}, {"outsider"}),
        ({"active": "0"}, {"phoned"}),
        ({"locked": "1"}, {"member"}),
    ],
)
def test_list_filters(sec, personas, query, expected):
    User.objects.create_user("phoned", phone="13800138000", display_name="王小明", is_active=False)
    lock("member")
    lock("univ", failures=2)
    response = sec.get(reverse("accounts:users"), query)
    assert usernames(response) == expected


def test_list_locked_filter_excludes_locked(sec, personas):
    lock("member")
    response = sec.get(reverse("accounts:users"), {"locked": "0"})
    assert "member" not in usernames(response) and "univ" in usernames(response)


def test_list_queries_do_not_grow_with_the_page(sec, tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert sec.get(reverse("accounts:users")).status_code == 200
        return len(queries)

    count()  # warm up: the first request records the session's activity
    before = count()
    for i in range(12):
        make_user(f"extra{i}", RoleKind.MEMBER, tree.b2)
    assert count() == before


@pytest.mark.parametrize(
    "persona", ["univ", "committee", "member", "sysadmin", "auditor", "norole"]
)
def test_others_are_refused_and_the_refusal_audited(login, personas, persona):
    response = login(persona).get(reverse("accounts:users"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="security.permission_denied", actor=personas[persona], success=False
    ).exists()


def test_menu_entry_only_for_the_security_admin(login, personas):
    url = reverse("accounts:users")
    assert url in login("secadmin").get(reverse("core:home")).content.decode()
    for persona in ("univ", "sysadmin", "auditor"):
        assert f'href="{url}"' not in login(persona).get(reverse("core:home")).content.decode()


# --- create, edit, password ------------------------------------------------------------------


def test_create_with_generated_password_shows_it_once(sec, personas):
    response = sec.post(
        reverse("accounts:user_create"),
        {
            "username": "lisi",
            "display_name": "李四",
            "phone": "13912345678",
            "email": "",
            "password": "",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    user = User.objects.get(username="lisi")
    assert user.must_change_password
    request = RequestFactory().post(reverse("accounts:login"))
    assert authenticate(request, username="lisi", password=password) == user
    detail = sec.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert password not in detail
    assert password not in str(list(AuditEvent.objects.values_list("changes", "detail")))


def test_create_with_typed_password_and_inline_errors(sec, personas, chinese_validators):
    response = sec.post(reverse("accounts:user_create"), {"username": "x", "display_name": ""})
    assert response.context["form"].errors["display_name"]
    response = sec.post(
        reverse("accounts:user_create"),
        {
            "username": "univ",
            "display_name": "重名",
            "password": "abc",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "已被使用" in form.errors["username"][0]
    assert "密码太短" in form.errors["password"][0]
    response = sec.post(
        reverse("accounts:user_create"),
        {
            "username": "wangwu",
            "display_name": "王五",
            "password": "Wuhan-Spring-2031",
        },
    )
    assert shown_password(response) == "Wuhan-Spring-2031"
    assert User.objects.get(username="wangwu").check_password("Wuhan-Spring-2031")


def test_edit(sec, personas):
    user = personas["norole"]
    response = sec.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"display_name": "赵六", "phone": "12", "email": ""},
    )
    assert "11位手机号码" in response.context["form"].errors["phone"][0]
    response = sec.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {"display_name": "赵六", "phone": "13700001111", "email": "z@x.cn"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.phone, user.email) == ("赵六", "13700001111", "z@x.cn")


def test_reset_password_page(sec, personas, login):
    member = personas["member"]
    member_client = login("member")
    url = reverse("accounts:user_reset_password", args=[member.pk])
    assert "临时密码" in sec.get(url).content.decode()
    response = sec.post(url, {"password": ""})
    password = shown_password(response)
    member.refresh_from_db()
    assert member.must_change_password and member.check_password(password)
    # The member's existing session ended with the password change.
    assert member_client.get(reverse("core:home")).status_code == 302


def test_security_admin_cannot_reset_own_password_here(sec, personas):
    me = personas["secadmin"]
    response = sec.post(reverse("accounts:user_reset_password", args=[me.pk]), {"password": ""})
    assert response.status_code == 200
    assert "账号与密码" in str(response.context["form"].non_field_errors())
    me.refresh_from_db()
    assert me.check_password(PASSWORD)


# --- deactivate, reactivate, unlock ----------------------------------------------------------


def test_deactivate_reactivate(sec, personas):
    user = personas["member"]
    page = sec.get(reverse("accounts:user_deactivate", args=[user.pk])).content.decode()
    assert "停用账号" in page
    response = sec.post(reverse("accounts:user_deactivate", args=[user.pk]), follow=True)
    assert "已停用账号" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    sec.post(reverse("accounts:user_reactivate", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_active


def test_deactivating_oneself_is_refused_with_a_message(sec, personas):
    me = personas["secadmin"]
    response = sec.post(reverse("accounts:user_deactivate", args=[me.pk]), follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_unlock(sec, personas):
    lock("member")
    detail = sec.get(reverse("accounts:user_detail", args=[personas["member"].pk]))
    assert detail.context["lock"].locked and "立即解锁" in detail.content.decode()
    response = sec.post(reverse("accounts:user_unlock", args=[personas["member"].pk]), follow=True)
    assert "已解除" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="member").exists()


# --- grants ----------------------------------------------------------------------------------


def test_grant_and_revoke_pages(sec, personas, tree):
    user = personas["norole"]
    url = reverse("accounts:grant_create", args=[user.pk])
    page = sec.get(url).content.decode()
    assert "角色与党组织层级" in page and "文学院教工第一党支部（C1-B1）" in page
    response = sec.post(url, {"role": "branch_secretary", "organization": tree.b2.pk})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.organization, grant.granted_by) == (
        "branch_secretary",
        tree.b2,
        personas["secadmin"],
    )
    response = sec.post(reverse("accounts:grant_revoke", args=[grant.pk]), follow=True)
    assert "已撤销" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_grant_errors_are_shown_inline(sec, personas, tree):
    user = personas["norole"]
    url = reverse("accounts:grant_create", args=[user.pk])
    response = sec.post(url, {"role": "branch_secretary", "organization": tree.c1.pk})
    assert response.status_code == 200
    assert "只能授予在党支部、临时党支部上" in response.context["form"].errors["organization"][0]
    # The chosen organization stays selected even if the search would not list it.
    assert f'value="{tree.c1.pk}" selected' in response.content.decode()
    response = sec.post(
        url, {"role": "member", "organization": tree.b1.pk, "valid_until": "2001-01-01"}
    )
    assert "有效期须晚于当前时间" in response.context["form"].errors["valid_until"][0]
    assert not RoleGrant.objects.filter(user=user).exists()


def test_admin_role_is_granted_without_organization(sec, personas, tree):
    user = personas["norole"]
    url = reverse("accounts:grant_create", args=[user.pk])
    response = sec.post(
        url, {"role": "audit_admin", "organization": tree.b1.pk, "valid_until": "2099-12-31"}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=user)
    assert grant.organization is None
    assert timezone.localtime(grant.valid_until) == timezone.make_aware(datetime(2100, 1, 1))


def test_grant_separation_refused_on_the_page(sec, personas):
    response = sec.post(
        reverse("accounts:grant_create", args=[personas["univ"].pk]), {"role": "system_admin"}
    )
    assert "三员分立" in response.context["form"].errors["role"][0]


def test_revoking_own_role_is_refused(sec, personas):
    grant = RoleGrant.objects.get(user=personas["secadmin"])
    response = sec.post(reverse("accounts:grant_revoke", args=[grant.pk]), follow=True)
    assert "不能修改自己的角色" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_organization_picker(sec, tree):
    url = reverse("accounts:org_options")
    Organization.objects.filter(pk=tree.b2.pk).update(
        status=Status.DISSOLVED, dissolved_on=date(2024, 1, 1)
    )
    page = sec.get(url, {"role": "member", "q": "wxy"}).content.decode()
    assert "文学院教工第一党支部（C1-B1）" in page and "第一党小组（C1-B1-G1）" not in page
    assert "文学院本科生第一党支部" not in page  # dissolved
    assert "文学院党委" not in page  # a committee does not fit the member role
    assert (
        "数学学院研究生党支部" not in sec.get(url, {"role": "member", "q": "wxy"}).content.decode()
    )
    by_code = sec.get(url, {"role": "committee_staff", "q": "c2"}).content.decode()
    assert "数学与统计学院党委（C2）" in by_code and "文学院" not in by_code
    assert "不关联党组织" in sec.get(url, {"role": "system_admin"}).content.decode()
    # Names and codes only: no level badges, member counts or links to records.
    assert "href" not in page


def test_organization_picker_limit(sec, tree):
    parent = tree.c2
    for i in range(55):
        parent.refresh_from_db()
        Organization.objects.add_child(
            parent, {"name": f"测试党支部{i:02d}", "code": f"T{i:02d}", "level": Level.BRANCH}
        )
    page = sec.get(
        reverse("accounts:org_options"), {"role": "member", "q": "测试"}
    ).content.decode()
    assert len(re.findall(r'<option value="\d', page)) == 50
    assert "仅显示前 50 个" in page


def test_user_detail_shows_grant_history(sec, personas, tree):
    member = personas["member"]
    grant = RoleGrant.objects.get(user=member)
    RoleGrant.objects.filter(pk=grant.pk).update(revoked_at=grant.granted_at)
    page = sec.get(reverse("accounts:user_detail", args=[member.pk])).content.decode()
    assert "已撤销" in page and "文学院教工第一党支部" in page
    own = sec.get(reverse("accounts:user_detail", args=[personas["secadmin"].pk])).content.decode()
    assert "这是您本人的账号" in own
    assert reverse("accounts:user_deactivate", args=[personas["secadmin"].pk]) not in own
