"""REST API root (/api/v1/): authentication, error format, and each app's router.

Authentication: the browser session (with CSRF) or a per-user token from
`POST /api/v1/auth/token`, sent as `Authorization: Bearer <token>`. Every endpoint fetches
through `restrict()`, so the API shows exactly what the web pages show. Validation errors are
422 with {"detail": [{"loc": [...], "msg": "中文说明"}]}.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from dangjian.accounts.models import ApiToken, hash_token
from dangjian.core import audit
from dangjian.core.errors import DomainError


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token issued by /auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class Session(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="Dangjian 党建工作平台 API",
    version="1",
    description="高校党建工作平台的 REST API。所有数据按调用者的组织范围过滤。",
    auth=[BearerToken(), Session()],
    urls_namespace="api",
)


def _message_for(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "此字段为必填项。",
        "string_too_long": f"长度不能超过{ctx.get('max_length', '')}个字符。",
        "string_too_short": f"长度不能少于{ctx.get('min_length', '')}个字符。",
        "int_parsing": "请输入整数。",
        "int_type": "请输入整数。",
        "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD。",
        "date_parsing": "日期格式不正确，应为 YYYY-MM-DD。",
        "date_type": "日期格式不正确，应为 YYYY-MM-DD。",
        "bool_parsing": "请输入 true 或 false。",
        "enum": f"取值不正确，可选：{ctx.get('expected', '')}。",
        "literal_error": f"取值不正确，可选：{ctx.get('expected', '')}。",
        "json_invalid": "请求内容不是有效的 JSON。",
        "greater_than_equal": f"不能小于{ctx.get('ge', '')}。",
        "less_than_equal": f"不能大于{ctx.get('le', '')}。",
        "string_type": "请输入文本。",
        "model_attributes_type": "请求内容格式不正确。",
    }
    return messages.get(kind, "取值不正确。")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [
        {"loc": list(error.get("loc", [])), "msg": _message_for(error), "type": error.get("type", "")}
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    detail = [
        {"loc": ["body", name] if name != "__all__" else ["body"], "msg": text, "type": exc.code or "domain"}
        for name, text in exc.errors.items()
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "未找到该记录，或不在您的管理范围内。"}, status=404)


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "您没有执行此操作的权限。"}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效。"}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str
    token_type: str = "Bearer"


@api.post("/auth/token", auth=None, response={200: TokenOut, 401: dict, 429: dict}, tags=["认证"],
          summary="用用户名和密码换取 API 令牌")
def issue_token(request: HttpRequest, payload: TokenIn) -> tuple[int, Any]:
    """Exchange username and password for a bearer token (lockout applies as for the web login)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            return 429, {"detail": "连续登录失败次数过多，账号已临时锁定，请稍后再试。"}
        return 401, {"detail": "用户名或密码错误。"}
    raw = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.create(user=user, prefix=raw[:8], key_hash=hash_token(raw), expires_at=expires)
    audit.record_security("auth.api_token_issued", actor=user, obj=user, detail={"prefix": raw[:8]})
    return 200, {"token": raw, "expires_at": expires.isoformat(), "token_type": "Bearer"}


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[dict[str, Any]]


@api.get("/me", response=MeOut, tags=["认证"], summary="当前用户与角色")
def me(request: HttpRequest) -> dict[str, Any]:
    from dangjian.core.scope import user_grants

    user = request.user
    return {
        "username": user.get_username(),
        "display_name": getattr(user, "display_name", ""),
        "roles": [{"role": g.role, "organization": g.organization_id} for g in user_grants(user)],
    }


def _register_routers() -> None:
    from dangjian.orgs.api import router as orgs_router

    api.add_router("/organizations", orgs_router)


_register_routers()
