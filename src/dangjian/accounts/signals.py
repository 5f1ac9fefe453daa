"""Security events for the audit log: logins, failures, logouts, lockouts."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from dangjian.accounts.middleware import LOGIN_AT
from dangjian.core import audit


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Audit the login and start the session's absolute lifetime (SessionLifetimeMiddleware)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()
    audit.record_security("auth.login", actor=user, obj=user, message="登录成功")


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    audit.record_security(
        "auth.login_failed",
        actor_name=username,
        success=False,
        message="账号已临时锁定，拒绝登录" if locked else "用户名或密码错误",
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_security("auth.logout", actor=user, obj=user, message="退出登录")


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any
) -> None:
    audit.record_security(
        "auth.lockout",
        actor_name=(username or "")[:150],
        success=False,
        message="连续登录失败次数过多，账号已临时锁定",
        detail={"at": timezone.now().isoformat()},
    )
