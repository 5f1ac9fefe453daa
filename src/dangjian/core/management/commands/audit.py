"""`dangjian audit verify`: walk the audit chain; exit 1 naming the first bad row."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链完整性（发现篡改、插入、删除时以非零状态退出）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="校验审计日志链")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand != "verify":
            raise CommandError(f"未知子命令：{subcommand}")
        count, problem = audit.verify_chain()
        audit.record_security(
            "audit.verify",
            actor_name="cli",
            success=problem is None,
            message="日志链完整" if problem is None else problem.reason,
            detail={"rows": count, "first_bad_seq": problem.seq if problem else None},
        )
        if problem is not None:
            where = f"序号 {problem.seq}" + (
                f"（记录ID {problem.row_id}）" if problem.row_id else ""
            )
            raise CommandError(
                f"审计日志链已被破坏：{where}：{problem.reason}。已校验 {count} 条。"
            )
        self.stdout.write(self.style.SUCCESS(f"审计日志链完整：{count} 条记录校验通过。"))
