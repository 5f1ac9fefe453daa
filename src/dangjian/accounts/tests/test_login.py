"""Login security: lockout, audit of security events, session limits, password rules."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dangjian.accounts.middleware import LOGIN_AT
from dangjian.accounts.models import User
from dangjian.core.middleware import SessionTimeoutMiddleware
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import PASSWORD

LOGIN = "/accounts/login/"
NEW = "Another-Passw0rd!"


def attempt(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def security_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, category="security").order_by("seq"))


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- login and lockout -----------------------------------------------------------------------


def test_login_page(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "党建工作平台" in page and "用户名" in page and "登 录" in page


def test_login_success_is_audited(client, personas):
    response = attempt(client, "univ", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    [event] = security_events("auth.login")
    assert event.actor == personas["univ"] and event.success and event.ip_address == "127.0.0.1"
    assert signed_in(client)


def test_login_failure_is_audited(client, personas):
    response = attempt(client, "univ", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    [event] = security_events("auth.login_failed")
    assert (event.actor_name, event.success) == ("univ", False)
    assert "wrong-password" not in json.dumps([event.changes, event.detail, event.message])


def test_five_failures_lock_the_account(client, personas):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_COOLOFF_TIME * 60 == 30
    for _ in range(4):
        assert attempt(client, "member", "wrong").status_code == 200
    assert not security_events("auth.lockout")
    response = attempt(client, "member", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "连续登录失败5次，账号已锁定30分钟" in page and "联系安全保密管理员解锁" in page
    assert security_events("auth.lockout")[0].actor_name == "member"
    # Even the right password is refused while locked.
    response = attempt(client, "member", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    # Another account from the same place is not affected.
    assert attempt(Client(), "univ", PASSWORD).status_code == 302


def test_failures_older_than_the_cool_off_do_not_count(client, personas):
    for _ in range(4):
        attempt(client, "member", "wrong")
    AccessAttempt.objects.update(attempt_time=time_ago(minutes=31))
    assert attempt(client, "member", "wrong").status_code == 200
    assert AccessAttempt.objects.get(username="member").failures_since_start == 1


def test_four_failures_then_success_resets_the_count(client, personas):
    for _ in range(4):
        attempt(client, "member", "wrong")
    assert attempt(client, "member", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="member").exists()


def time_ago(**delta: int):
    from django.utils import timezone

    return timezone.now() - timedelta(**delta)


def test_security_admin_unlocks(client, personas, login):
    for _ in range(5):
        attempt(client, "member", "wrong")
    assert attempt(client, "member", PASSWORD).status_code == 429
    admin = login("secadmin")
    users = admin.get(reverse("accounts:users"), {"locked": "1"})
    assert [u.username for u in users.context["object_list"]] == ["member"]
    admin.post(reverse("accounts:user_unlock", args=[personas["member"].pk]))
    assert attempt(client, "member", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(
        action="accounts.user.unlock", actor=personas["secadmin"]
    ).exists()


def test_api_token_lockout_answers_429_in_chinese(client, personas):
    url = "/api/v1/auth/token"
    for _ in range(4):
        response = client.post(
            url, {"username": "member", "password": "x"}, content_type="application/json"
        )
        assert response.status_code == 401
    response = client.post(
        url, {"username": "member", "password": "x"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert "账号已锁定" in response.json()["detail"]


# --- logout and denials ----------------------------------------------------------------------


def test_logout_ends_the_session_and_is_audited(personas):
    client = Client()
    attempt(client, "univ", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "您已安全退出登录" in response.content.decode()
    assert not signed_in(client)
    [event] = security_events("auth.logout")
    assert event.actor == personas["univ"]
    assert client.get(reverse("core:home")).status_code == 302


def test_logout_needs_post(login):
    assert login("univ").get(reverse("accounts:logout")).status_code == 405


def test_permission_denied_is_audited(login, personas):
    assert login("member").get(reverse("audit:list")).status_code == 403
    [event] = security_events("security.permission_denied")
    assert event.actor == personas["member"] and event.detail["path"] == "/audit/"


# --- session limits --------------------------------------------------------------------------


def _age_session(client: Client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def test_idle_session_is_logged_out(client, personas):
    idle = django_settings.SESSION_IDLE_MINUTES * 60
    attempt(client, "univ", PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    _age_session(client, SessionTimeoutMiddleware.KEY, idle - 30)
    assert client.get(reverse("core:home")).status_code == 200
    _age_session(client, SessionTimeoutMiddleware.KEY, idle + 5)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?timeout=1"
    assert security_events("auth.session_timeout")
    assert not signed_in(client)
    assert "长时间未操作" in client.get(response["Location"]).content.decode()


def test_session_ends_at_its_absolute_lifetime(client, personas, account_middleware):
    lifetime = django_settings.SESSION_COOKIE_AGE
    assert lifetime == 12 * 60 * 60
    attempt(client, "univ", PASSWORD)
    assert LOGIN_AT in client.session
    # Active all along (the idle clock is fresh), but logged in longer ago than the lifetime.
    _age_session(client, LOGIN_AT, lifetime - 60)
    assert client.get(reverse("core:home")).status_code == 200
    _age_session(client, LOGIN_AT, lifetime + 5)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?timeout=1"
    assert security_events("auth.session_expired")[0].actor == personas["univ"]
    assert not signed_in(client)


def test_a_session_without_login_time_starts_its_clock(login, account_middleware):
    client = login("univ")
    assert client.get(reverse("core:home")).status_code == 200
    assert abs(client.session[LOGIN_AT] - time.time()) < 60


# --- password rules --------------------------------------------------------------------------


def messages_for(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def test_settings_use_chinese_password_validators():
    """settings.AUTH_PASSWORD_VALIDATORS lists the Chinese validators of accounts/validators."""
    names = [entry["NAME"] for entry in django_settings.AUTH_PASSWORD_VALIDATORS]
    assert "dangjian.accounts.validators.MinimumLengthValidator" in names
    assert "dangjian.accounts.validators.UserAttributeSimilarityValidator" in names
    for message in messages_for("Ab1!"):
        assert "password" not in message.lower(), message


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!x", "密码太短，至少需要8个字符。"),
        ("83920174", "密码只包含数字。"),
        ("password1", "这个密码太常见了。"),
        ("qmzkvrtlwe", "密码须至少包含小写字母、大写字母、数字、符号中的3类。"),
    ],
)
def test_short_and_simple_passwords_are_refused_in_chinese(chinese_validators, password, expected):
    assert expected in messages_for(password)


def test_password_like_the_phone_number_is_refused(chinese_validators, db):
    user = User(username="wangming", display_name="王明", phone="13912345678")
    assert "密码与手机号过于相似。" in messages_for("13912345678Ab", user)
    assert "密码与用户名过于相似。" in messages_for("Wangming-1", user)
    assert messages_for("Lake-Yuelu-2031", user) == []


def test_help_texts_are_chinese(chinese_validators):
    for text in password_validators_help_texts():
        assert "password" not in text.lower(), text


# --- own profile and password ----------------------------------------------------------------


def test_profile_shows_roles(login):
    page = login("secretary").get(reverse("accounts:profile")).content.decode()
    assert "党支部书记/委员 · 文学院教工第一党支部" in page and "修改密码" in page


def test_profile_password_change(personas):
    client = Client()
    attempt(client, "member", PASSWORD)
    url = reverse("accounts:profile")
    response = client.post(
        url, {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.context["form"].errors["old_password"]
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert "新密码不能与当前密码相同" in response.context["form"].errors["new_password1"][0]
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    user = User.objects.get(username="member")
    assert user.check_password(NEW) and user.password_changed_at is not None
    # The session survives its own password change.
    assert client.get(url).status_code == 200
    assert security_events("auth.password_changed")
    assert NEW not in json.dumps(
        list(AuditEvent.objects.values_list("changes", "detail", "message"))
    )
