"""``xiaoqitong reindex_search [--model app.Model ...]``: recompute the stored search tokens.

Needed for rows written before their model was indexed (bulk-loaded demo data, rows older than the
index) and after a change of the catalogs, which are the tokenizer's user dictionary. Writes only the rows
whose tokens change, in batches; safe to run again.
"""

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from xiaoqitong.core import search


class Command(BaseCommand):
    help = "重建全文检索词（新建索引后、导入基础目录或修改词典后执行）；可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--model",
            action="append",
            default=[],
            metavar="APP.MODEL",
            help="只重建这些模型，如 orgs.Enterprise（可多次指定）；默认全部已登记检索的模型",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="每批读写的行数（默认 1000）")

    def handle(self, *args, model=(), batch_size=1000, verbosity=1, **options):
        registered = {r.model._meta.label_lower: r.model for r in search.registered()}
        if model:
            try:
                models = [apps.get_model(label) for label in model]
            except (LookupError, ValueError) as exc:
                raise CommandError(f"找不到模型：{exc}") from exc
            unknown = [m._meta.label for m in models if m._meta.label_lower not in registered]
            if unknown:
                raise CommandError(
                    f"这些模型没有登记全文检索：{'、'.join(unknown)}；已登记："
                    + "、".join(sorted(m._meta.label for m in registered.values()))
                )
        else:
            models = list(registered.values())
        search.reset_dictionary()  # the catalogs may have changed since this process built it
        started = time.perf_counter()
        for m in models:
            total = m._base_manager.count()
            with tqdm(total=total, desc=str(m._meta.verbose_name), unit="行", disable=not verbosity) as bar:
                read, changed = search.reindex(m, batch_size=batch_size, progress=bar.update)
            if verbosity:
                self.stdout.write(f"{m._meta.verbose_name}（{m._meta.label}）：{read} 行，更新 {changed} 行")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"完成，用时 {time.perf_counter() - started:.1f} 秒。"))
