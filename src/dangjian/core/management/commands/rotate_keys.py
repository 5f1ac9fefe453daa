"""`dangjian rotate_keys`: re-encrypt every protected value under the current (first) key.

Run it after putting a new key first in DANGJIAN_FIELD_KEYS on every server (old keys kept
after it); when it reports no failures, the old keys can be dropped. It also recomputes the
lookup hashes, which is what a change of DANGJIAN_LOOKUP_KEY needs. Idempotent.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import crypto, protected


class Command(BaseCommand):
    help = "用当前（第一个）密钥重新加密全部加密存储的字段，并重算查找哈希；可重复运行。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="每批处理的记录数（默认 500）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数。")
        try:
            ring = crypto.keyring()
        except (crypto.CryptoError, OSError) as error:
            raise CommandError(f"字段加密密钥配置有误：{error}")
        if ring.derived:
            self.stderr.write(
                "注意：未配置 DANGJIAN_FIELD_KEYS，当前使用由 SECRET_KEY 派生的开发密钥。"
            )
        verb = "需重新加密" if dry_run else "重新加密"
        self.stdout.write(
            f"当前加密密钥：{ring.current[0]}" + ("（试运行，不写入）" if dry_run else "")
        )
        results = protected.rotate_all(batch_size=batch_size, dry_run=dry_run)
        failed = 0
        for result in results:
            self.stdout.write(
                f"{result.column.field}（{result.column.label}）：检查 {result.scanned} 条，"
                f"{verb} {result.reencrypted} 条，重算查找哈希 {result.rehashed} 条，"
                f"运行中被修改 {result.changed_meanwhile} 条，无法解密 {len(result.failed)} 条"
            )
            if result.failed:
                shown = "、".join(str(pk) for pk in result.failed[:20])
                more = " 等" if len(result.failed) > 20 else ""
                self.stderr.write(f"  无法解密的记录编号：{shown}{more}")
            failed += len(result.failed)
        if failed:
            raise CommandError(
                f"有 {failed} 条无法解密：请确认加密它们的旧密钥仍在 DANGJIAN_FIELD_KEYS 中，"
                "修复后重新运行；在此之前不要删除旧密钥。"
            )
        pending = sum(result.changed_meanwhile for result in results)
        if pending:
            self.stdout.write(f"有 {pending} 条在运行中被修改，请再运行一次。")
        self.stdout.write(self.style.SUCCESS("密钥轮换完成。" if not dry_run else "试运行完成。"))
