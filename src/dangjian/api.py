"""REST API root (/api/v1/): authentication, error format, and each app's router.

Authentication: the browser session (with CSRF) or a per-user token from
`POST /api/v1/auth/token`, sent as `Authorization: Bearer <token>`. Every endpoint fetches
through `restrict()`, so the API shows exactly what the web pages show. Validation errors are
422 with {"detail": [{"loc": [...], "msg": "中文说明"}]}.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from axes.utils import reset as reset_failures
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from dangjian.accounts.middleware import MUST_CHANGE_MESSAGE
from dangjian.accounts.models import ApiToken, hash_token
from dangjian.accounts.views import lockout_response
from dangjian.core import audit
from dangjian.core.errors import DomainError

CSRF_FAILED = _("CSRF 校验失败：请刷新页面后重试，或改用 API 令牌（Authorization: Bearer）。")

# Messages of django-ninja's own errors, in the platform's language.
NINJA_MESSAGES = {
    "Cannot parse request body": _("请求内容不是有效的 JSON。"),
    "CSRF check Failed": CSRF_FAILED,
}


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token issued by /auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(
            key_hash=hash_token(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        row = next(iter(found.order_by()[:1]), None)  # key_hash is unique: no ORDER BY
        if row is None or not row.user.is_active or row.user.must_change_password:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class Session(APIKeyCookie):
    """The logged-in browser session; unsafe methods need the CSRF token.

    Without a logged-in session this answers "not authenticated" (401), also for unsafe
    methods, so a client without a session is never told about CSRF instead.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, str(CSRF_FAILED))
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


class OfflineSwagger(Swagger):
    """The docs page from the Swagger UI files bundled with django-ninja, never from a CDN.

    Ninja falls back to a CDN template when "ninja" is not in INSTALLED_APPS; this class always
    renders the bundled template (whose assets staticfiles serves from ninja's static folder)
    and switches off the online validator badge.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not apps.is_installed("ninja"):
            raise ImproperlyConfigured(
                'The API docs need "ninja" in INSTALLED_APPS (its templates and static files).'
            )
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render(request, self.template, context)


class DangjianAPI(NinjaAPI):
    """NinjaAPI whose body errors name the field as domain refusals do: ["body", "name"].

    Ninja puts the operation's parameter name in between (["body", "payload", "name"]); for an
    operation with one body schema that name says nothing to the client, so it is dropped.
    """

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        error = super().validation_error_from_error_contexts(error_contexts)
        body_params = {
            name
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
            and len(context.model.model_fields) == 1
            for name in context.model.model_fields
        }
        for item in error.errors:
            loc = tuple(item.get("loc", ()))
            if len(loc) >= 2 and loc[0] == "body" and loc[1] in body_params:
                item["loc"] = ("body", *loc[2:])
        return error


api = DangjianAPI(
    title="Dangjian 党建工作平台 API",
    version="1",
    description=(
        "高校党建工作平台的 REST API。所有数据按调用者的组织范围过滤：范围外的记录不存在（404），"
        "无此类操作权限为 403。\n\n"
        "认证：用 `POST /api/v1/auth/token` 换取令牌，以 `Authorization: Bearer <令牌>` 发送；"
        "或使用已登录的浏览器会话（POST、PATCH、DELETE 须带 `X-CSRFToken`）。\n\n"
        '错误：422 返回 `{"detail": [{"loc": ["body", "字段"], "msg": "中文说明"}]}`；'
        '其他错误返回 `{"detail": "中文说明"}`。'
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    docs=OfflineSwagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)


def _expected(ctx: dict[str, Any]) -> str:
    """Pydantic's "'a', 'b' or 'c'" as "a、b、c"."""
    text = str(ctx.get("expected", ""))
    return "、".join(part.strip().strip("'") for part in text.replace(" or ", ", ").split(","))


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _message_for(error: dict[str, Any]) -> str:
    """A Chinese message for one validation error: our own text, or pydantic's type in Chinese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    date_format = gettext("日期格式不正确，应为 YYYY-MM-DD。")
    messages = {
        "missing": gettext("此字段为必填项。"),
        "string_too_long": gettext("长度不能超过%(max_length)s个字符。")
        % {"max_length": ctx.get("max_length", "")},
        "string_too_short": gettext("长度不能少于%(min_length)s个字符。")
        % {"min_length": ctx.get("min_length", "")},
        "string_type": gettext("请输入文本。"),
        "int_parsing": gettext("请输入整数。"),
        "int_type": gettext("请输入整数。"),
        "int_from_float": gettext("请输入整数。"),
        "float_parsing": gettext("请输入数字。"),
        "float_type": gettext("请输入数字。"),
        "decimal_parsing": gettext("请输入数字。"),
        "date_from_datetime_parsing": date_format,
        "date_from_datetime_inexact": date_format,
        "date_parsing": date_format,
        "date_type": date_format,
        "datetime_parsing": gettext("日期时间格式不正确，应为 YYYY-MM-DDTHH:MM:SS。"),
        "datetime_from_date_parsing": gettext("日期时间格式不正确，应为 YYYY-MM-DDTHH:MM:SS。"),
        "bool_parsing": gettext("请输入 true 或 false。"),
        "bool_type": gettext("请输入 true 或 false。"),
        "enum": gettext("取值不正确，可选：%(ctx)s。") % {"ctx": _expected(ctx)},
        "literal_error": gettext("取值不正确，可选：%(ctx)s。") % {"ctx": _expected(ctx)},
        "json_invalid": gettext("请求内容不是有效的 JSON。"),
        "greater_than_equal": gettext("不能小于%(ge)s。") % {"ge": ctx.get("ge", "")},
        "greater_than": gettext("须大于%(gt)s。") % {"gt": ctx.get("gt", "")},
        "less_than_equal": gettext("不能大于%(le)s。") % {"le": ctx.get("le", "")},
        "less_than": gettext("须小于%(lt)s。") % {"lt": ctx.get("lt", "")},
        "list_type": gettext("请提供列表。"),
        "dict_type": gettext("请求内容格式不正确。"),
        "model_attributes_type": gettext("请求内容格式不正确。"),
        "model_type": gettext("请求内容格式不正确。"),
        "extra_forbidden": gettext("不支持此字段。"),
    }
    text = str(error.get("msg", ""))
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    if _has_chinese(text):
        return text
    return messages.get(kind, gettext("取值不正确。"))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [
        {
            "loc": list(error.get("loc", [])),
            "msg": _message_for(error),
            "type": error.get("type", ""),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    detail = [
        {
            "loc": ["body", name] if name != "__all__" else ["body"],
            "msg": text,
            "type": exc.code or "domain",
        }
        for name, text in exc.errors.items()
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"detail": gettext("未找到该记录，或不在您的管理范围内。")}, status=404
    )


@api.exception_handler(PermissionDenied)
def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or gettext("您没有执行此操作的权限。")}, status=403
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": gettext("未登录或令牌无效。")}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    return api.create_response(
        request, {"detail": str(NINJA_MESSAGES.get(message, message))}, status=exc.status_code
    )


class TokenIn(Schema):
    username: str = Field(max_length=150, description="用户名")
    password: str = Field(max_length=128, description="密码")


class TokenOut(Schema):
    token: str = Field(description="令牌，作为 Authorization: Bearer <token> 发送；只返回这一次")
    expires_at: str = Field(description="过期时间（ISO 8601）")
    token_type: str = "Bearer"


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    tags=["认证"],
    summary="用用户名和密码换取 API 令牌",
    description="令牌只在此时返回一次，服务器只保存其摘要。连续登录失败达到上限后账号临时锁定，"
    "返回 429，与网页登录相同。",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange username and password for a bearer token (lockout applies as for the web login)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None:
        return Status(401, {"detail": gettext("用户名或密码错误。")})
    if getattr(user, "must_change_password", False):
        # A temporary password set by the security admin must not become a working token.
        return Status(403, {"detail": str(MUST_CHANGE_MESSAGE)})
    if settings.AXES_RESET_ON_SUCCESS:
        # As a web login does; the login signal is not sent, since it would start a session.
        reset_failures(ip=getattr(request, "axes_ip_address", None), username=user.get_username())
    raw = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
    ApiToken.objects.create(user=user, prefix=raw[:8], key_hash=hash_token(raw), expires_at=expires)
    audit.record_security("auth.api_token_issued", actor=user, obj=user, detail={"prefix": raw[:8]})
    return Status(200, {"token": raw, "expires_at": expires.isoformat(), "token_type": "Bearer"})


class RoleOut(Schema):
    role: str = Field(description="角色")
    role_label: str = Field(description="角色（中文）")
    organization: int | None = Field(description="授权的党组织 id；三员为 null")


class MeOut(Schema):
    username: str = Field(description="用户名")
    display_name: str = Field(description="姓名")
    roles: list[RoleOut] = Field(description="有效的角色授权")


@api.get("/me", response=MeOut, tags=["认证"], summary="当前用户与角色")
def me(request: HttpRequest) -> dict[str, Any]:
    """The caller and their active role grants."""
    from dangjian.core.roles import RoleKind
    from dangjian.core.scope import user_grants

    user = request.user
    labels = dict(RoleKind.choices)
    return {
        "username": user.get_username(),
        "display_name": getattr(user, "display_name", ""),
        "roles": [
            {
                "role": g.role,
                "role_label": str(labels.get(g.role, g.role)),
                "organization": g.organization_id,
            }
            for g in user_grants(user)
        ],
    }


def _register_routers() -> None:
    from dangjian.appraisals.api import router as appraisals_router
    from dangjian.core.api import router as figures_router
    from dangjian.members.api import router as members_router
    from dangjian.orglife.api import router as orglife_router
    from dangjian.orgs.api import router as orgs_router
    from dangjian.recruitment.api import router as recruitment_router
    from dangjian.tasks.api import router as tasks_router

    api.add_router("/organizations", orgs_router)
    api.add_router("/members", members_router)
    api.add_router("/figures", figures_router)
    api.add_router("/recruitment", recruitment_router)
    api.add_router("/orglife", orglife_router)
    api.add_router("/appraisals", appraisals_router)
    api.add_router("/tasks", tasks_router)


_register_routers()
