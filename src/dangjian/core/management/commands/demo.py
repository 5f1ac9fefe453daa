"""`dangjian demo`: load the demo university and its logins (idempotent).

    dangjian demo [--scale N] [--password P]

Scale 1 is one university at the seed report's size (29 grassroots committees and general
branches, 255 branches); scale N adds universities 2..N beside it (about 375 organizations
each). Running it again creates nothing new. Other apps add their demo records by defining
`load_demo(scale) -> dict[str, int]` in their `demo.py`; it is called after the tree and the
logins exist and must be idempotent too.
"""

from __future__ import annotations

import importlib
import os
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts import demo as account_demo
from dangjian.core import audit
from dangjian.core.models.audit import AuditCategory
from dangjian.orgs import demo as org_demo

DEFAULT_PASSWORD = "Dangjian@2024"
PASSWORD_ENV = "DANGJIAN_DEMO_PASSWORD"
URL = "http://127.0.0.1:8000"
EXPLICIT_MODULES = {"dangjian.orgs", "dangjian.accounts"}


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table aligned for CJK text."""
    widths = [max(display_width(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(pad(cell, w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def app_demo_loaders() -> list[tuple[str, Callable[[int], dict[str, int]]]]:
    """`load_demo` of every other Dangjian app that has a `demo.py` defining one."""
    loaders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian.") or config.name in EXPLICIT_MODULES:
            continue
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        loader = getattr(module, "load_demo", None)
        if callable(loader):
            loaders.append((config.label, loader))
    return loaders


class Command(BaseCommand):
    help = "生成演示数据：一所（或 N 所）虚构高校的党组织、委员会届次和演示账号（可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="生成的高校数（每所约375个党组织）；默认 1，与样本高校规模相同。",
        )
        parser.add_argument(
            "--password",
            default="",
            help=f"演示账号密码；默认取环境变量 {PASSWORD_ENV}，否则为 {DEFAULT_PASSWORD}。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境（DANGJIAN_ENV=production）不能生成演示数据。")
        scale: int = options["scale"]
        if scale < 1:
            raise CommandError("--scale 须为正整数。")
        password = options["password"] or os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("演示密码不符合密码策略：" + "；".join(error.messages))
        started = time.monotonic()

        def progress(result: org_demo.DemoTreeResult, total: int) -> None:
            if total > 1:
                done = result.universities_created + result.universities_skipped
                self.stdout.write(f"  … {done}/{total} 所高校，{result.organizations} 个党组织")

        try:
            tree = org_demo.build_demo_tree(scale, progress=progress)
            users = account_demo.ensure_demo_users(password)
        except (org_demo.DemoConflict, LookupError) as error:
            raise CommandError(str(error))
        extra = {label: loader(scale) for label, loader in app_demo_loaders()}
        changed = bool(
            tree.universities_created
            or users.changed
            or any(any(counts.values()) for counts in extra.values())
        )
        seconds = time.monotonic() - started
        if changed:
            audit.record(
                "core.demo.load",
                actor_name="system",
                category=AuditCategory.SYSTEM,
                message="生成演示数据",
                detail={
                    "scale": scale,
                    "universities_created": tree.universities_created,
                    "universities_existing": tree.universities_skipped,
                    "organizations": tree.organizations,
                    "terms": tree.terms,
                    "committee_members": tree.members,
                    "users_created": users.users_created,
                    "passwords_set": users.passwords_set,
                    "grants_created": users.grants_created,
                    "apps": extra,
                    "seconds": round(seconds, 2),
                },
            )
        self._report(tree, users, extra, password, seconds, changed)

    def _report(
        self,
        tree: org_demo.DemoTreeResult,
        users: account_demo.DemoUsersResult,
        extra: dict[str, dict[str, int]],
        password: str,
        seconds: float,
        changed: bool,
    ) -> None:
        write = self.stdout.write
        if tree.universities_created:
            write(
                self.style.SUCCESS(
                    f"已生成 {tree.universities_created} 所高校：{tree.organizations} 个党组织、"
                    f"{tree.terms} 个委员会届次、{tree.members} 名委员"
                    f"（另有 {tree.universities_skipped} 所已存在），用时 {seconds:.1f} 秒。"
                )
            )
        else:
            write(f"演示高校已存在（{tree.universities_skipped} 所），未重复生成。")
        if users.users_created or users.grants_created:
            write(f"新建演示账号 {users.users_created} 个，授权 {users.grants_created} 项。")
        if users.passwords_set:
            write(f"已将 {users.passwords_set} 个演示账号的密码设为本次指定的密码。")
        for label, counts in extra.items():
            write(f"{label}: " + "，".join(f"{name} {n}" for name, n in counts.items()))
        if not changed:
            write("数据无变化。")
        write("")
        write(
            table(
                ["账号", "姓名", "角色", "党组织", "密码"],
                [
                    [
                        login.username,
                        login.display_name,
                        login.role_label,
                        login.organization,
                        password,
                    ]
                    for login in users.logins
                ],
            )
        )
        write("")
        write(f"启动服务（dangjian runserver）后访问 {URL} 登录。")
