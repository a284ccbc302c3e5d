"""``xiaoqitong backup [--output FILE]``: the database and the uploaded files in one archive.

SQLite is copied with its online backup API (consistent while the server runs), PostgreSQL with
``pg_dump --format=custom``; ``manifest.json`` records the vendor, migrations and row counts that
``xiaoqitong restore`` checks.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiaoqitong.core import backup


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个归档（默认 var/backups/xqt-日期-时间.tar.gz）；用 restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="归档文件路径（.tar.gz）")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, output=None, database="default", verbosity=1, **options):
        def progress(message):
            if verbosity:
                self.stdout.write(message)

        try:
            result = backup.backup(output, alias=database, progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = result.manifest.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{result.path}（{result.size / 1024 / 1024:.1f} MB；{result.manifest.vendor}，"
                f"{len(counts)} 张表 {sum(counts.values())} 行，上传文件 {result.media_files} 个）"
            )
        )
