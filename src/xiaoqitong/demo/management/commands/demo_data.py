"""``xiaoqitong demo_data --scale small|city|province --seed N --as-of YYYY-MM-DD [--reset | --delete]``."""

import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from xiaoqitong.analytics import services as analytics
from xiaoqitong.analytics.models import Snapshot
from xiaoqitong.demo.context import SCALES, DemoError
from xiaoqitong.demo.generator import delete_generated, generate


def parse_as_of(value: str | None) -> dt.date:
    """The ``--as-of`` option: a ``YYYY-MM-DD`` date, today (the city's local date) when not given."""
    if value is None:
        return timezone.localdate()
    text = value.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise CommandError(f"--as-of 的日期格式应为 YYYY-MM-DD（例如 2026-04-15），收到“{value}”。")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 的日期“{value}”不存在，请检查月份和日期。") from None


class Command(BaseCommand):
    help = (
        "生成演示城市数据（学校、企业、科研机构、开设专业、教师、学生、岗位、求职申请、毕业去向、演示账号），"
        "日期以基准日期（默认今天）为准；同一随机种子、同一基准日期生成的数据完全相同。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help=(
                "规模：small（12 所学校、300 家企业、3000 名学生、1000 个岗位）、"
                "city（45、8000、10 万、5 万）、province（600、12 万、150 万、75 万）"
            ),
        )
        parser.add_argument("--seed", type=int, default=2021, help="随机种子（默认 2021）")
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help=(
                "基准日期（默认今天）：学年（9 月 1 日开始）、开设专业年度、学生状态、岗位发布和有效期、"
                "求职申请和毕业去向都以这一天为准"
            ),
        )
        parser.add_argument("--reset", action="store_true", help="先删除上次生成的演示数据，再重新生成")
        parser.add_argument("--delete", action="store_true", help="只删除上次生成的演示数据，不再生成")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, scale, seed, as_of, reset, delete, no_progress, **options):
        progress = not no_progress and options["verbosity"] > 0
        as_of = parse_as_of(as_of)
        started = time.perf_counter()
        try:
            if delete:
                deleted = delete_generated(progress=progress)
                Snapshot.objects.all().delete()  # figures of the deleted city
                if not deleted:
                    self.stdout.write("数据库中没有演示数据，无需删除。")
                else:
                    self.stdout.write(
                        self.style.SUCCESS(
                            "已删除演示数据：" + "，".join(f"{k} {v} 条" for k, v in deleted.items())
                        )
                    )
                return
            run = generate(
                scale,
                seed,
                as_of=as_of,
                reset=reset,
                progress=progress,
                log=lambda msg: self.stdout.write(msg) if options["verbosity"] > 1 else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        snapshots = refresh_analytics(as_of)
        rows = sum(run.counts.values())
        seconds = time.perf_counter() - started
        ctx = run.context
        n = run.counts.get
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成（规模 {scale}，随机种子 {seed}，基准日期 {as_of:%Y-%m-%d}）："
                f"学校 {len(ctx.schools)} 所，"
                f"企业 {len(ctx.enterprises)} 家，科研机构 {len(ctx.institutions)} 个，"
                f"开设专业 {n('schools.SchoolMajor', 0)} 条，教师 {n('schools.Teacher', 0)} 名，"
                f"学生 {n('schools.Student', 0)} 名，岗位 {n('enterprises.Position', 0)} 个，"
                f"求职申请 {n('enterprises.Application', 0)} 份，"
                f"毕业去向 {n('enterprises.GraduateOutcome', 0)} 条，"
                f"演示账号 {len(ctx.accounts)} 个；共 {rows} 行；分析快照 {snapshots} 份；"
                f"用时 {seconds:.1f} 秒。"
            )
        )


def refresh_analytics(as_of) -> int:
    """The analytics snapshots of the demo city (its school year and the two before, for trends), computed
    as of its date; older ones, of a city generated before, are dropped. On PostgreSQL the tables are
    analyzed first: after a bulk load the planner knows nothing of them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    Snapshot.objects.all().delete()
    year = analytics.current_year(as_of)
    return sum(
        analytics.snapshots_refresh(year=y, today=as_of)["snapshots"] for y in (year - 2, year - 1, year)
    )
