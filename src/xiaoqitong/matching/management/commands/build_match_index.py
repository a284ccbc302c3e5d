"""`xiaoqitong build_match_index`: build the matching index of the open positions and save a snapshot."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xiaoqitong.matching import services
from xiaoqitong.matching.arrays import build_catalog


class Command(BaseCommand):
    help = _("为已发布且在有效期内的岗位建立精准对接索引，并保存快照（默认保存在 VAR_DIR/matching/ 下）。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            default=None,
            help=_("快照文件路径，默认 VAR_DIR/matching/positions.npz"),
        )

    def handle(self, *args, output=None, **options):
        path = Path(output) if output else services.default_snapshot_path()
        started = time.perf_counter()
        self.stdout.write(_("读取基础目录……"))
        t0 = time.perf_counter()
        data = build_catalog()
        catalog_seconds = time.perf_counter() - t0
        c = data.catalog
        self.stdout.write(
            _(
                "基础目录：专业 %(majors)s 个，专业类 %(classes)s 个，专业大类 %(categories)s 个，"
                "专业族 %(families)s 个，产业链 %(chains)s 条，技能 %(skills)s 项，证书 %(certs)s 种，"
                "本市县级区划和园区 %(counties)s 个，词表 %(words)s 个词"
            )
            % {
                "majors": c.n_majors,
                "classes": c.n_classes,
                "categories": c.n_categories,
                "families": c.n_families,
                "chains": c.n_chains,
                "skills": c.n_skills,
                "certs": c.n_certs,
                "counties": c.n_counties,
                "words": len(data.vocabulary),
            }
        )
        if not c.n_majors:
            raise CommandError(_("基础目录为空：请先运行 xiaoqitong load_reference。"))

        def progress(done: int, total: int) -> None:
            line = _("读取岗位：%(done)s / %(total)s") % {"done": done, "total": total}
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()

        try:
            built = services.build_index(data=data, progress=progress)
        except services.NoPositionsError as exc:
            raise CommandError(_("没有已发布且在有效期内的岗位，未建立索引。")) from exc
        finally:
            self.stdout.write("")
        t0 = time.perf_counter()
        services.save_snapshot(built, path)
        saved = time.perf_counter() - t0
        timings = built.timings
        self.stdout.write(
            _("岗位 %(count)s 个（截至 %(on)s 已发布且在有效期内）")
            % {"count": len(built.index), "on": built.on}
        )
        self.stdout.write(
            _(
                "用时：读取目录 %(catalog).2f 秒，读取岗位 %(positions).2f 秒，建立索引 %(index).2f 秒，"
                "保存快照 %(save).2f 秒，共 %(total).2f 秒"
            )
            % {
                "catalog": catalog_seconds,
                "positions": timings["positions"],
                "index": timings["index"],
                "save": saved,
                "total": time.perf_counter() - started,
            }
        )
        size = path.stat().st_size / 2**20
        self.stdout.write(
            self.style.SUCCESS(
                _("已保存快照：%(path)s（%(size).1f MiB，版本 %(version)s）")
                % {"path": path, "size": size, "version": built.index.version}
            )
        )
