"""``xiaoqitong load_reference``: load the official catalogs and the curated lists shipped with the
platform."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from xiaoqitong.reference.services import reference_load


class Command(BaseCommand):
    help = (
        "加载基础目录（行政区划、专业目录、国民经济行业分类、产业链、技能、证书）；可重复执行，已有数据不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="读取此目录下的文件，而不是随平台发布的 reference/data/",
        )

    def handle(self, *args, data_dir=None, verbosity=1, **options):
        started = time.perf_counter()
        results = reference_load(actor=None, data_dir=data_dir)
        elapsed = time.perf_counter() - started
        if verbosity:
            for result in results:
                self.stdout.write(result.line())
            changed = [r.label for r in results if r.changed]
            summary = f"用时 {elapsed:.1f} 秒；" + (
                f"有变化：{'、'.join(changed)}" if changed else "全部未变。"
            )
            self.stdout.write(self.style.SUCCESS(summary))
