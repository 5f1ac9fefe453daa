"""The accounts app's web views in the permission matrix.

Everyone signed in may log out and use their own profile page; every user and role
management page belongs to the security administrator alone (三员分立).
"""

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.testing.matrix import PERSONAS, Endpoint
from dangjian.core.testing.personas import PASSWORD

EVERYONE = frozenset(p for p in PERSONAS if p != "anonymous")
SECURITY = frozenset({"secadmin"})
NEW_PASSWORD = "Fresh-Passw0rd!9"


def target(tree) -> User:
    """The account the security administrator works on: the persona without roles."""
    return User.objects.get(username="norole")


def stopped(tree) -> User:
    """A deactivated account, to reactivate."""
    user, _ = User.objects.get_or_create(
        username="stopped", defaults={"display_name": "已停用", "is_active": False}
    )
    return user


def member_grant(tree) -> RoleGrant:
    return RoleGrant.objects.get(user__username="member")


def on_target(tree) -> dict[str, int]:
    return {"pk": target(tree).pk}


ENDPOINTS = [
    Endpoint("accounts:logout", method="POST", ok=EVERYONE, data=lambda t: {}),
    Endpoint("accounts:profile", ok=EVERYONE),
    Endpoint(
        "accounts:profile",
        method="POST",
        ok=EVERYONE,
        data=lambda t: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    Endpoint("accounts:users", ok=SECURITY),
    Endpoint("accounts:user_create", ok=SECURITY),
    Endpoint(
        "accounts:user_create",
        method="POST",
        ok=SECURITY,
        data=lambda t: {
            "username": "zhangsan",
            "display_name": "张三",
            "phone": "13800138000",
            "email": "",
            "password": "",
        },
    ),
    Endpoint("accounts:user_detail", ok=SECURITY, args=on_target),
    Endpoint("accounts:user_edit", ok=SECURITY, args=on_target),
    Endpoint(
        "accounts:user_edit",
        method="POST",
        ok=SECURITY,
        args=on_target,
        data=lambda t: {"display_name": "无角色用户", "phone": "", "email": ""},
    ),
    Endpoint("accounts:user_deactivate", ok=SECURITY, args=on_target),
    Endpoint(
        "accounts:user_deactivate", method="POST", ok=SECURITY, args=on_target, data=lambda t: {}
    ),
    Endpoint("accounts:user_reactivate", ok=SECURITY, args=lambda t: {"pk": stopped(t).pk}),
    Endpoint(
        "accounts:user_reactivate",
        method="POST",
        ok=SECURITY,
        args=lambda t: {"pk": stopped(t).pk},
        data=lambda t: {},
    ),
    Endpoint("accounts:user_unlock", ok=SECURITY, args=on_target),
    Endpoint("accounts:user_unlock", method="POST", ok=SECURITY, args=on_target, data=lambda t: {}),
    Endpoint("accounts:user_reset_password", ok=SECURITY, args=on_target),
    Endpoint(
        "accounts:user_reset_password",
        method="POST",
        ok=SECURITY,
        args=on_target,
        data=lambda t: {"password": ""},
    ),
    Endpoint("accounts:grant_create", ok=SECURITY, args=on_target),
    Endpoint(
        "accounts:grant_create",
        method="POST",
        ok=SECURITY,
        args=on_target,
        data=lambda t: {"role": "member", "organization": t.b1.pk, "valid_until": ""},
    ),
    Endpoint("accounts:grant_revoke", ok=SECURITY, args=lambda t: {"pk": member_grant(t).pk}),
    Endpoint(
        "accounts:grant_revoke",
        method="POST",
        ok=SECURITY,
        args=lambda t: {"pk": member_grant(t).pk},
        data=lambda t: {},
    ),
    Endpoint("accounts:org_options", ok=SECURITY),
]
