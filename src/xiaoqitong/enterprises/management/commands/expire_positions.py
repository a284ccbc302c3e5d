"""`xiaoqitong expire_positions`: expire the postings whose valid-until date has passed (as the daily task
does), e.g. from cron where no Celery beat runs."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from xiaoqitong.enterprises import services


class Command(BaseCommand):
    help = "将有效期已过的岗位标记为已过期（与每日定时任务相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按此日期判断（YYYY-MM-DD），默认今天", default=None)

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{today}") from exc
        count = services.positions_expire(actor=None, today=day)
        self.stdout.write(f"已过期岗位：{count}")
