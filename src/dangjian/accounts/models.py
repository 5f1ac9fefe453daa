"""Users, role grants and API tokens."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.roles import ADMIN_ROLES, SECURITY_ADMIN, RoleKind
from dangjian.core.scope import ADD, CHANGE, VIEW, ScopedQuerySet, ScopeSpec


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager with `restrict()`."""


class User(AbstractUser):
    """A person who logs in. Business access comes only from role grants."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = ScopedUserManager()  # type: ignore[misc]
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={SECURITY_ADMIN: {VIEW, ADD, CHANGE}}, path_field=None
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds an active grant of any of these role kinds."""
        from dangjian.core.scope import user_grants

        return any(grant.role in roles for grant in user_grants(self))

    @property
    def is_separated_admin(self) -> bool:
        """System, security or audit administrator (三员)."""
        return self.has_role(*ADMIN_ROLES)


class RoleGrantQuerySet(ScopedQuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        """Grants in force now: not revoked, not expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now)
        )


class RoleGrant(models.Model):
    """A role granted to a user on an organization (its subtree), or globally for admins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=RoleKind.choices)
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
        verbose_name=_("党组织"),
    )
    granted_at = models.DateTimeField(_("授予时间"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("授予人"),
    )
    valid_until = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()
    scope: ClassVar[ScopeSpec] = ScopeSpec(
        actions={SECURITY_ADMIN: {VIEW, ADD, CHANGE}}, path_field=None
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        where = f" @ {self.organization}" if self.organization_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.valid_until is None or self.valid_until > timezone.now()
        )


def hash_token(raw: str) -> str:
    """Tokens are stored only as a SHA-256 digest: a database leak reveals no usable token."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token, shown once at creation, used as `Authorization: Bearer`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    prefix = models.CharField(_("前缀"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
