"""View-side permission helpers on top of `restrict()`: 404 outside scope, 403 audited."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from dangjian.core import audit
from dangjian.core.scope import VIEW, can

M = TypeVar("M", bound=models.Model)


def deny(request: HttpRequest | None, user: Any, reason: str, **detail: Any) -> None:
    """Record a permission denial as a security event."""
    if request is not None:
        detail.setdefault("path", request.path)
        detail.setdefault("method", request.method)
    audit.record_security(
        "security.permission_denied", actor=user, success=False, message=reason, detail=detail
    )


def require(request: HttpRequest, model: type[models.Model], action: str = VIEW) -> None:
    """403 (audited) unless the user holds some grant allowing `action` on `model`."""
    if not can(request.user, model, action):
        deny(request, request.user, "无此操作权限", model=model._meta.label_lower, action=action)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def get_scoped(request: HttpRequest, model: type[M], action: str = VIEW, **lookup: Any) -> M:
    """The object if in the user's scope for `action`.

    A user with no grant for this action on the model at all gets 403. Outside the user's
    view scope the object does not exist for them (404); visible but not allowed for this
    action is a 403. All three are audited.
    """
    require(request, model, action)
    manager: Any = model._default_manager
    try:
        obj = manager.restrict(request.user, action).filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id, e.g. ?parent=abc
        raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
    if obj is not None:
        return obj  # type: ignore[no-any-return]
    if action != VIEW and manager.restrict(request.user, VIEW).filter(**lookup).exists():
        deny(request, request.user, "无此操作权限", model=model._meta.label_lower, action=action)
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))
    if manager.filter(**lookup).exists():
        deny(
            request, request.user, "访问范围外的对象", model=model._meta.label_lower, action=action
        )
    raise Http404(gettext("未找到该记录，或不在您的管理范围内。"))
