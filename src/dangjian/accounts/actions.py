"""Account and role changes, done by the security administrator (三员分立).

Separation of duties is enforced here, so that the web pages, the API and the CLI refuse the
same things: an account holds either business roles or exactly one administrator role; the
security administrator does not change their own roles and does not deactivate themselves;
at least one active security administrator always remains. `acting_user=None` is the system
itself (`dangjian bootstrap` run by the operator on the server).

Passwords never reach the audit log: changes record only that a password was set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import ApiToken, RoleGrant, User
from dangjian.core import audit
from dangjian.core.actions import domain_action, track
from dangjian.core.audit import diff, snapshot
from dangjian.core.errors import DomainError
from dangjian.core.roles import ADMIN_ROLES, BUSINESS_ROLES, RoleKind
from dangjian.orgs.choices import Level, Status
from dangjian.orgs.models import Organization

PROFILE_FIELDS = ("display_name", "phone", "email")
MOBILE = re.compile(r"^1[3-9]\d{9}$")

# The organization levels each business role may be granted on.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    RoleKind.UNIVERSITY_STAFF: (Level.UNIVERSITY_COMMITTEE,),
    RoleKind.COMMITTEE_STAFF: (Level.COMMITTEE, Level.GENERAL_BRANCH),
    RoleKind.BRANCH_SECRETARY: (Level.BRANCH, Level.TEMPORARY_BRANCH),
    RoleKind.MEMBER: (Level.BRANCH, Level.TEMPORARY_BRANCH, Level.PARTY_GROUP),
}


def fitting_levels_text(role: str) -> str:
    """The levels a role fits, in Chinese ('党支部、临时党支部')."""
    return "、".join(str(Level(level).label) for level in ROLE_LEVELS.get(role, ()))


def _role_label(role: str) -> str:
    return str(RoleKind(role).label) if role in RoleKind.values else role


def _forget_grants(user: User) -> None:
    """Drop the per-request grant cache so the next check sees the change."""
    user.__dict__.pop("_dangjian_grants", None)


def _require_security_admin(acting_user: Any) -> None:
    """Only a security administrator (or the system itself) changes accounts and roles."""
    if acting_user is None:
        return
    if not (acting_user.is_active and acting_user.has_role(RoleKind.SECURITY_ADMIN)):
        raise DomainError(gettext("只有安全保密管理员可以管理账号与角色。"))


def _is_self(user: User, acting_user: Any) -> bool:
    return acting_user is not None and acting_user.pk == user.pk


def _other_security_admins(excluding: User) -> int:
    """Active security administrators besides `excluding`, with their grants locked.

    Locking the grant (and, on PostgreSQL, the user) rows serializes two administrators
    who would each remove the other at the same moment: the second sees the first's change.
    """
    grants = (
        RoleGrant.objects.active()
        .filter(role=RoleKind.SECURITY_ADMIN, user__is_active=True)
        .select_for_update()
    )
    return len({grant.user_id for grant in grants if grant.user_id != excluding.pk})


def _revoke_tokens(user: User) -> int:
    """End the user's API tokens: a stopped account or a reset password must not live on in them."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _password_errors(password: str, user: User) -> str:
    """The validators' Chinese messages for a password, joined; empty when it is fine."""
    if not password:
        return gettext("请填写密码。")
    try:
        validate_password(password, user)
    except ValidationError as error:
        return "".join(error.messages)
    return ""


def _clean_profile(data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Trimmed name, phone and e-mail with their errors (shared by create and update)."""
    values = {name: str(data.get(name) or "").strip() for name in PROFILE_FIELDS}
    errors: dict[str, str] = {}
    if not values["display_name"]:
        errors["display_name"] = gettext("请填写姓名。")
    elif len(values["display_name"]) > 50:
        errors["display_name"] = gettext("姓名不能超过50个字符。")
    phone = values["phone"].replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    values["phone"] = phone
    if phone and not MOBILE.match(phone):
        errors["phone"] = gettext("请填写11位手机号码。")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = gettext("请填写有效的电子邮箱地址。")
    return values, errors


@domain_action("accounts.user.create", _("新建账号"))
def create_user(data: Mapping[str, Any], *, password: str, acting_user: Any) -> User:
    """Open an account with an initial password that must be changed at first login."""
    _require_security_admin(acting_user)
    values, errors = _clean_profile(data)
    username = str(data.get("username") or "").strip()
    if not username:
        errors["username"] = gettext("请填写用户名。")
    elif len(username) > 150:
        errors["username"] = gettext("用户名不能超过150个字符。")
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors["username"] = gettext("用户名只能包含字母、数字和 @ . + - _ 字符。")
        else:
            if User.objects.filter(username__iexact=username).exists():
                errors["username"] = gettext("用户名“%(username)s”已被使用。") % {
                    "username": username
                }
    user = User(username=username, must_change_password=True, is_active=True, **values)
    problem = _password_errors(password, user)
    if problem:
        errors["password"] = problem
    if errors:
        raise DomainError(errors)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    track(
        user,
        changes={
            "username": (None, user.username),
            **{name: (None, values[name]) for name in PROFILE_FIELDS},
            "is_active": (None, True),
            "must_change_password": (None, True),
        },
        detail={"password": "已设置初始密码（不记录内容）"},
    )
    return user


@domain_action("accounts.user.update", _("修改账号"))
def update_user(user: User, data: Mapping[str, Any], *, acting_user: Any) -> User:
    """Change an account's name, phone and e-mail (the username is its fixed identity)."""
    _require_security_admin(acting_user)
    merged = {name: getattr(user, name) for name in PROFILE_FIELDS} | dict(data)
    values, errors = _clean_profile(merged)
    if errors:
        raise DomainError(errors)
    before = snapshot(user, PROFILE_FIELDS)
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=list(PROFILE_FIELDS))
    track(user, changes=diff(before, snapshot(user, PROFILE_FIELDS)))
    return user


@domain_action("accounts.user.deactivate", _("停用账号"))
def deactivate_user(user: User, *, acting_user: Any) -> User:
    """Stop an account: it can no longer log in, its API tokens end; grants stay for later."""
    _require_security_admin(acting_user)
    if _is_self(user, acting_user):
        raise DomainError(gettext("不能停用自己的账号。"))
    if not user.is_active:
        raise DomainError(gettext("该账号已是停用状态。"))
    holds_security = (
        RoleGrant.objects.active().filter(user=user, role=RoleKind.SECURITY_ADMIN).exists()
    )
    if holds_security and _other_security_admins(user) == 0:
        raise DomainError(
            gettext("这是最后一名在用的安全保密管理员，不能停用：须始终保留至少一名。")
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    _forget_grants(user)
    revoked = _revoke_tokens(user)
    track(user, changes={"is_active": (True, False)}, detail={"api_tokens_revoked": revoked})
    return user


@domain_action("accounts.user.reactivate", _("启用账号"))
def reactivate_user(user: User, *, acting_user: Any) -> User:
    """Allow a stopped account to log in again, with the grants it still holds."""
    _require_security_admin(acting_user)
    if user.is_active:
        raise DomainError(gettext("该账号已是启用状态。"))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _forget_grants(user)
    track(user, changes={"is_active": (False, True)})
    return user


@domain_action("accounts.user.reset_password", _("重置密码"))
def reset_password(user: User, *, password: str, acting_user: Any) -> User:
    """Set a temporary password; the user must change it at the next login.

    Changing the password hash ends the user's sessions (Django's session hash), and the
    user's API tokens are revoked: a reset usually means the old secret is not trusted.
    """
    _require_security_admin(acting_user)
    if _is_self(user, acting_user):
        raise DomainError(gettext("请在“账号与密码”页面修改自己的密码。"))
    problem = _password_errors(password, user)
    if problem:
        raise DomainError({"password": problem})
    before = snapshot(user, ["must_change_password"])
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    track(
        user,
        changes=diff(before, snapshot(user, ["must_change_password"])),
        detail={
            "password": "已重置为临时密码（不记录内容）",
            "api_tokens_revoked": _revoke_tokens(user),
        },
    )
    return user


@domain_action("accounts.user.unlock", _("解除登录锁定"))
def unlock_user(user: User, *, acting_user: Any) -> int:
    """Clear the login failures that axes counted for the username; returns how many rows."""
    from axes.utils import reset

    _require_security_admin(acting_user)
    cleared = reset(username=user.get_username())
    track(user, detail={"cleared_attempts": cleared})
    return cleared


@domain_action("accounts.user.change_password", _("修改本人密码"))
def change_own_password(user: User, *, password: str, acting_user: Any) -> None:
    """A user's own password change (profile page); clears 'must change password'."""
    if acting_user is None or acting_user.pk != user.pk:
        raise DomainError(gettext("只能修改自己的密码。"))
    if user.check_password(password):
        raise DomainError({"password": gettext("新密码不能与当前密码相同。")})
    problem = _password_errors(password, user)
    if problem:
        raise DomainError({"password": problem})
    user.set_password(password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    revoked = _revoke_tokens(user)  # a token taken with the old password must not live on
    audit.record_security(
        "auth.password_changed",
        actor=user,
        obj=user,
        message="修改密码",
        detail={"api_tokens_revoked": revoked},
    )


def _check_organization(role: str, organization: Organization | None) -> None:
    """Administrators have no organization; a business role fits its organization's level."""
    label = _role_label(role)
    if role in ADMIN_ROLES:
        if organization is not None:
            raise DomainError(
                {
                    "organization": gettext("%(label)s不关联党组织，请不要选择党组织。")
                    % {"label": label}
                }
            )
        return
    if organization is None:
        raise DomainError(
            {"organization": gettext("请选择授予%(label)s角色的党组织。") % {"label": label}}
        )
    if organization.status != Status.ACTIVE:
        raise DomainError(
            {
                "organization": gettext("“%(name)s”已撤销或合并，不能在其上授权。")
                % {"name": organization.name}
            }
        )
    if organization.level not in ROLE_LEVELS[role]:
        raise DomainError(
            {
                "organization": gettext("%(label)s只能授予在%(role)s上，“%(name)s”是%(level)s。")
                % {
                    "label": label,
                    "role": fitting_levels_text(role),
                    "name": organization.name,
                    "level": organization.get_level_display(),
                }
            }
        )


def _check_separation(user: User, role: str, organization: Organization | None) -> None:
    """三员分立: business roles and administrator roles never meet on one account."""
    held = list(RoleGrant.objects.active().filter(user=user).select_related("organization"))
    held_admin = {grant.role for grant in held if grant.role in ADMIN_ROLES}
    held_business = {grant.role for grant in held if grant.role in BUSINESS_ROLES}
    if role in ADMIN_ROLES:
        if held_business:
            names = "、".join(sorted(_role_label(r) for r in held_business))
            raise DomainError(
                {
                    "role": gettext(
                        "该账号已有业务角色（%(names)s），按“三员分立”不能再授予%(role)s。"
                    )
                    % {"names": names, "role": _role_label(role)}
                }
            )
        if role in held_admin:
            raise DomainError(
                {"role": gettext("该账号已是%(role)s。") % {"role": _role_label(role)}}
            )
        if held_admin:
            other = _role_label(next(iter(held_admin)))
            raise DomainError(
                {
                    "role": gettext(
                        "该账号已是%(other)s，系统管理员、安全保密管理员、安全审计员不能相互兼任。"
                    )
                    % {"other": other}
                }
            )
        return
    if held_admin:
        other = _role_label(next(iter(held_admin)))
        raise DomainError(
            {
                "role": gettext("该账号是%(other)s，按“三员分立”不能再授予业务角色。")
                % {"other": other}
            }
        )
    for grant in held:
        if grant.role == role and grant.organization_id == getattr(organization, "pk", None):
            where = gettext("在“%(name)s”") % {"name": organization.name} if organization else ""
            raise DomainError(
                {
                    "role": gettext("该账号%(where)s已有%(role)s角色。")
                    % {"where": where, "role": _role_label(role)}
                }
            )


@domain_action("accounts.role.grant", _("授予角色"))
def grant_role(
    user: User,
    *,
    role: str,
    organization: Organization | None,
    valid_until: datetime | None = None,
    acting_user: Any,
) -> RoleGrant:
    """Grant a role, on an organization of a fitting level for business roles."""
    _require_security_admin(acting_user)
    if role not in RoleKind.values:
        raise DomainError({"role": gettext("请选择角色。")})
    if _is_self(user, acting_user):
        raise DomainError(gettext("不能修改自己的角色，请由其他安全保密管理员办理。"))
    if not user.is_active:
        raise DomainError(gettext("该账号已停用，请先启用再授权。"))
    _check_organization(role, organization)
    if valid_until is not None and valid_until <= timezone.now():
        raise DomainError({"valid_until": gettext("有效期须晚于当前时间。")})
    _check_separation(user, role, organization)
    grant = RoleGrant.objects.create(
        user=user,
        role=role,
        organization=organization,
        valid_until=valid_until,
        granted_by=acting_user,
    )
    _forget_grants(user)
    track(
        grant,
        changes={
            "user": (None, user.get_username()),
            "role": (None, role),
            "organization": (
                None,
                f"{organization.name}（{organization.code}）" if organization else None,
            ),
            "valid_until": (None, valid_until),
        },
    )
    return grant


@domain_action("accounts.role.revoke", _("撤销角色"))
def revoke_role(grant: RoleGrant, *, acting_user: Any) -> RoleGrant:
    """End a grant now; it stays as history."""
    _require_security_admin(acting_user)
    user = grant.user
    if _is_self(user, acting_user):
        raise DomainError(gettext("不能修改自己的角色，请由其他安全保密管理员办理。"))
    if not grant.is_active:
        raise DomainError(gettext("该授权已撤销或已过期。"))
    if (
        grant.role == RoleKind.SECURITY_ADMIN
        and user.is_active
        and _other_security_admins(user) == 0
    ):
        raise DomainError(
            gettext("这是最后一名在用的安全保密管理员，不能撤销：须始终保留至少一名。")
        )
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    _forget_grants(user)
    track(grant, changes={"revoked_at": (None, grant.revoked_at)})
    return grant
