"""API authentication: tokens, lockout, session with CSRF; the OpenAPI document and docs page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import ApiToken, User, hash_token
from dangjian.core.models import AuditEvent
from dangjian.core.testing.personas import PASSWORD

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"


def issue(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def api() -> Client:
    return Client()


# --- tokens -----------------------------------------------------------------------------------


def test_token_is_issued_and_works_as_bearer(api: Client, personas: Any) -> None:
    response = issue(api, "committee")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    me = Client().get(ME_URL, **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "committee"
    assert me.json()["roles"] == [
        {
            "role": "committee_staff",
            "role_label": "基层党委工作人员",
            "organization": personas["committee"].role_grants.get().organization_id,
        }
    ]


def test_token_is_stored_only_as_its_digest(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    row = ApiToken.objects.get(user=personas["univ"])
    assert row.key_hash == hash_token(token) != token
    stored = [str(value) for value in row.__dict__.values()]
    assert not any(token in value for value in stored)
    assert row.prefix == token[:8]


def test_token_issue_is_audited(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    event = AuditEvent.objects.get(action="auth.api_token_issued")
    assert event.actor_id == personas["univ"].pk
    assert event.detail == {"prefix": token[:8]}


def test_token_issue_starts_no_session(api: Client, personas: Any) -> None:
    response = issue(api, "univ")
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("username", ["univ", "nobody"])
def test_wrong_credentials_are_refused_in_chinese(
    api: Client, personas: Any, username: str
) -> None:
    response = issue(api, username, "wrong-password")
    assert response.status_code == 401
    assert response.json() == {"detail": "用户名或密码错误。"}
    assert not ApiToken.objects.exists()


def test_missing_field_is_a_chinese_422(api: Client, db: Any) -> None:
    response = api.post(TOKEN_URL, {"username": "univ"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
    assert response.json()["detail"][0]["msg"] == "此字段为必填项。"


def test_invalid_json_is_refused_in_chinese(api: Client, db: Any) -> None:
    response = api.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容不是有效的 JSON。"}


def test_inactive_user_gets_no_token(api: Client, personas: Any) -> None:
    User.objects.filter(username="univ").update(is_active=False)
    assert issue(api, "univ").status_code == 401


def test_five_failures_lock_the_account(api: Client, personas: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert issue(api, "univ", "wrong").status_code == 401
    locked = issue(api, "univ", "wrong")
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    # While locked, even the right password gets no token.
    again = issue(api, "univ")
    assert again.status_code == 429
    assert "锁定" in again.json()["detail"]
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="auth.lockout").exists()


def test_lockout_counts_per_username(api: Client, personas: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        issue(api, "univ", "wrong")
    assert issue(api, "committee").status_code == 200


def test_success_resets_the_failure_count(api: Client, personas: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        issue(api, "univ", "wrong")
    assert issue(api, "univ").status_code == 200
    for _ in range(limit - 1):
        assert issue(api, "univ", "wrong").status_code == 401
    assert issue(api, "univ").status_code == 200


# --- using tokens -----------------------------------------------------------------------------


def test_no_credentials_is_401_in_chinese(api: Client, db: Any) -> None:
    response = api.get(ME_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效。"}


def test_unknown_token_is_401(api: Client, personas: Any) -> None:
    assert api.get(ME_URL, **bearer("not-a-token")).status_code == 401


def test_expired_token_is_401(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(ME_URL, **bearer(token)).status_code == 401


def test_revoked_token_is_401(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    ApiToken.objects.update(revoked_at=timezone.now())
    assert Client().get(ME_URL, **bearer(token)).status_code == 401


def test_token_of_a_deactivated_user_is_401(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    User.objects.filter(username="univ").update(is_active=False)
    assert Client().get(ME_URL, **bearer(token)).status_code == 401


def test_token_use_is_recorded(api: Client, personas: Any) -> None:
    token = issue(api, "univ").json()["token"]
    Client().get(ME_URL, **bearer(token))
    assert ApiToken.objects.get().last_used_at is not None


def test_bearer_needs_no_csrf_token(api: Client, tree: Any, personas: Any) -> None:
    token = issue(api, "committee").json()["token"]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/organizations/{tree.b1.pk}/terms",
        {"elected_on": "2023-06-01"},
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 201, response.content


# --- session ----------------------------------------------------------------------------------

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"


def session_client(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_session_reads_without_csrf(personas: Any) -> None:
    response = session_client(personas["univ"]).get(ME_URL)
    assert response.status_code == 200
    assert response.json()["username"] == "univ"


def test_session_post_without_csrf_token_is_refused(tree: Any, personas: Any) -> None:
    response = session_client(personas["committee"]).post(
        f"/api/v1/organizations/{tree.b1.pk}/terms",
        {"elected_on": "2023-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF 校验失败" in response.json()["detail"]


def test_session_post_with_csrf_token_is_accepted(tree: Any, personas: Any) -> None:
    client = session_client(personas["committee"])
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    response = client.post(
        f"/api/v1/organizations/{tree.b1.pk}/terms",
        {"elected_on": "2023-06-01"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 201, response.content


def test_anonymous_post_is_401_not_a_csrf_error(tree: Any) -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"/api/v1/organizations/{tree.b1.pk}/terms",
        {"elected_on": "2023-06-01"},
        content_type="application/json",
    )
    assert response.status_code == 401


# --- OpenAPI and docs -------------------------------------------------------------------------


def test_openapi_document_lists_the_operations(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert {
        ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/organizations"),
        ("POST", "/api/v1/organizations"),
        ("GET", "/api/v1/organizations/{org_id}"),
        ("PATCH", "/api/v1/organizations/{org_id}"),
        ("DELETE", "/api/v1/organizations/{org_id}"),
        ("POST", "/api/v1/organizations/{org_id}/move"),
        ("POST", "/api/v1/organizations/{org_id}/merge"),
        ("POST", "/api/v1/organizations/{org_id}/dissolve"),
        ("GET", "/api/v1/organizations/{org_id}/terms"),
        ("POST", "/api/v1/organizations/{org_id}/terms"),
        ("GET", "/api/v1/figures"),
        ("GET", "/api/v1/figures/{name}"),
    } <= operations
    tags = {tag for ops in schema["paths"].values() for op in ops.values() for tag in op["tags"]}
    assert tags == {
        "认证",
        "党组织",
        "统计指标",
        "党员",
        "组织关系转接",
        "党员自助与信息更正",
        "干部",
        "发展党员",
        "组织生活",
        "评议测评",
        "督办整改",
    }
    for ops in schema["paths"].values():
        for op in ops.values():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), op["summary"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_loads_only_local_assets(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "docs page loads remote assets"
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset[len(settings.STATIC_URL) :]), f"{asset} is not a static file"
    assert '"validatorUrl": null' in html


def test_temporary_password_gives_no_token(tree, personas) -> None:
    """A password set by the security admin must be changed before the API can be used."""
    from django.test import Client

    from dangjian.core.testing.personas import PASSWORD

    user = personas["secretary"]
    user.must_change_password = True
    user.save()
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "secretary", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403 and "修改密码" in response.json()["detail"]


def test_changing_ones_password_ends_api_tokens(tree, personas) -> None:
    """A token taken with a stolen password must not outlive the victim's password change."""
    from django.test import Client

    from dangjian.accounts.actions import change_own_password
    from dangjian.core.testing.personas import PASSWORD

    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        {"username": "univ", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    user = personas["univ"]
    change_own_password(user, password="Another-Passw0rd!", acting_user=user)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
