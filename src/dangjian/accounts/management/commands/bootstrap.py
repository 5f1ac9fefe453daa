"""`dangjian bootstrap`: first-time production setup, run once by the operator on the server.

Creates the university committee (the root of the organization tree) and the three separated
administrators (三员分立) with temporary passwords printed once. Run again, it creates only
what is missing and says what it left alone, so it is safe to repeat; it never makes a
second university committee or a second administrator of a kind that already has one.
Without any security administrator left, it is also the way to appoint a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dangjian.accounts import actions
from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.passwords import generate_password
from dangjian.core.errors import DomainError
from dangjian.core.roles import RoleKind
from dangjian.orgs.actions import create_organization
from dangjian.orgs.choices import Level
from dangjian.orgs.models import Organization

ADMINS = (
    (RoleKind.SECURITY_ADMIN, "security_admin", "secadmin"),
    (RoleKind.SYSTEM_ADMIN, "system_admin", "sysadmin"),
    (RoleKind.AUDIT_ADMIN, "audit_admin", "auditor"),
)


@dataclass(frozen=True)
class Created:
    role: str
    username: str
    password: str


class Command(BaseCommand):
    help = "首次部署初始化：创建高校党委（组织树根）和系统管理员、安全保密管理员、安全审计员账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", help="高校党委名称，如“湘麓大学委员会”（首次运行必填）")
        parser.add_argument("--code", help="高校党委组织编码，如 U（首次运行必填）")
        for _role, option, default in ADMINS:
            parser.add_argument(
                f"--{option.replace('_', '-')}",
                dest=option,
                default=default,
                help=f"{RoleKind(_role).label}的用户名（默认 {default}）",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[Created] = []
        try:
            with transaction.atomic():
                self._root(options.get("name"), options.get("code"))
                for role, option, _default in ADMINS:
                    result = self._admin(role, options[option])
                    if result is not None:
                        created.append(result)
        except DomainError as error:
            raise CommandError(error.message) from error
        if not created:
            self.stdout.write("系统已初始化，本次没有创建任何账号。")
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("已创建以下管理员账号，临时密码只显示这一次："))
        for item in created:
            self.stdout.write(f"  {item.role}  用户名 {item.username}  临时密码 {item.password}")
        self.stdout.write(
            "请将密码分别当面交给三名不同的管理员；首次登录须修改密码。"
            "此后的账号与授权由安全保密管理员在“用户与角色”页面办理。"
        )

    def _root(self, name: str | None, code: str | None) -> None:
        """The university committee: created once, never a second one."""
        existing = Organization.objects.filter(depth=1, level=Level.UNIVERSITY_COMMITTEE).first()
        if existing is not None:
            self.stdout.write(f"已有高校党委“{existing.name}”（编码 {existing.code}），不再创建。")
            return
        if not (name and code):
            raise CommandError("首次初始化须用 --name 和 --code 指定高校党委的名称和组织编码。")
        org = create_organization(
            {"name": name, "code": code, "level": Level.UNIVERSITY_COMMITTEE},
            parent=None,
            acting_user=None,
        )
        self.stdout.write(self.style.SUCCESS(f"已创建高校党委“{org.name}”（编码 {org.code}）。"))

    def _admin(self, role: str, username: str) -> Created | None:
        """One administrator of a kind, unless an active one already exists."""
        label = str(RoleKind(role).label)
        holder = (
            RoleGrant.objects.active()
            .filter(role=role, user__is_active=True)
            .select_related("user")
            .first()
        )
        if holder is not None:
            self.stdout.write(f"已有{label}“{holder.user.username}”，不再创建。")
            return None
        if User.objects.filter(username__iexact=username).exists():
            option = next(opt for r, opt, _d in ADMINS if r == role).replace("_", "-")
            raise CommandError(
                f"用户名“{username}”已被使用，且不是在用的{label}；"
                f"请用 --{option} 指定另一个用户名。"
            )
        password = generate_password()
        user = actions.create_user(
            {"username": username, "display_name": label}, password=password, acting_user=None
        )
        actions.grant_role(user, role=role, organization=None, acting_user=None)
        return Created(label, username, password)
