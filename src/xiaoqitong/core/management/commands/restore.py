"""``xiaoqitong restore FILE [--yes]``: put back what ``xiaoqitong backup`` saved.

Refuses an archive of another database vendor, and a target that already holds data unless ``--yes``;
restores the database and replaces the media folder, then compares every table's row count with the
manifest: a difference fails the command.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from xiaoqitong.core import backup

VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class Command(BaseCommand):
    help = "从 backup 生成的归档恢复数据库和上传文件（会覆盖现有数据），并核对各表行数。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份归档（.tar.gz）")
        parser.add_argument("--yes", action="store_true", help="目标数据库已有数据时仍然覆盖")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, file, yes=False, database="default", verbosity=1, **options):
        def progress(message):
            if verbosity:
                self.stdout.write(message)

        try:
            with backup.open_archive(file) as archive:
                self._check(archive.manifest, database, yes)
                result = backup.restore(archive, alias=database, progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc

        expected = result.manifest.counts
        if result.mismatches:
            lines = [
                f"  {table}：备份 {want} 行，恢复后 {'缺少此表' if got is None else f'{got} 行'}"
                for table, (want, got) in sorted(result.mismatches.items())
            ]
            raise CommandError(
                f"恢复后有 {len(result.mismatches)} 张表的行数与备份不符：\n" + "\n".join(lines)
            )
        pending = backup.pending_migrations(database)
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"提示：备份早于当前版本，有 {len(pending)} 个迁移未应用（如 {pending[0]}），"
                    "请运行 xiaoqitong migrate。"
                )
            )
        if verbosity >= 2:
            for table, n in sorted(expected.items()):
                self.stdout.write(f"  {table}：{n} 行 ✓")
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{len(expected)} 张表共 {sum(expected.values())} 行，行数与备份一致；"
                f"上传文件 {result.media_files} 个（备份时间 {result.manifest.data.get('created_at')}）"
            )
        )

    def _check(self, manifest, database, yes):
        vendor = connections[database].vendor
        if manifest.vendor != vendor:
            raise CommandError(
                f"备份来自 {VENDOR_NAMES.get(manifest.vendor, manifest.vendor)} 数据库，当前配置的是 "
                f"{VENDOR_NAMES.get(vendor, vendor)}：不能跨数据库类型恢复。请在同类数据库上恢复"
                "（跨类型迁移请用 dumpdata/loaddata）。"
            )
        existing = backup.existing_data(database)
        if existing and not yes:
            biggest = sorted(existing.items(), key=lambda item: -item[1])[:10]
            listing = "、".join(f"{table}（{n} 行）" for table, n in biggest)
            more = f" 等 {len(existing)} 张表" if len(existing) > len(biggest) else ""
            raise CommandError(
                f"目标数据库已有数据，恢复会全部覆盖：共 {sum(existing.values())} 行，{listing}{more}；"
                "上传文件目录也会被替换。确认覆盖请加 --yes。"
            )
