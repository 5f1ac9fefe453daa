"""`dangjian remind [--date YYYY-MM-DD]`: send the daily reminders now (cron without Celery)."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.core import reminders


class Command(BaseCommand):
    help = "发送每日到期、逾期事项提醒（站内通知和邮件）。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--date", help="按该日期计算（默认今天），格式 YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("日期格式不正确，应为 YYYY-MM-DD。")
        with transaction.atomic():
            count = reminders.run(day)
        self.stdout.write(self.style.SUCCESS(f"已发送提醒 {count} 条。"))
