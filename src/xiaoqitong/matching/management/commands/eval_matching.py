"""`xiaoqitong eval_matching`: Recall@k, NDCG@k and MRR of the matching engine and of the text-only baseline
on a labelled set (default: the shipped one, docs/design/matching-labels.md). Nothing is left in the
database."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xiaoqitong.matching import evaluation


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


class Command(BaseCommand):
    help = _(
        "在标注集上评测精准对接：比较精准对接引擎与仅文本 BM25 基线的 Recall@k、NDCG@k 和 MRR"
        "（默认使用平台自带的标注集；评测数据在事务中创建并回滚，不留在数据库中）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--labels",
            metavar="FILE",
            default=None,
            help=_("标注文件（JSON），默认为平台自带的 %(path)s") % {"path": evaluation.DEFAULT_LABELS.name},
        )
        parser.add_argument("--k", type=int, default=10, help=_("每名学生取前 k 个岗位评测，默认 10"))

    def handle(self, *args, labels=None, k=10, verbosity=1, **options):
        if k <= 0:
            raise CommandError(_("--k 应为正整数。"))
        started = time.perf_counter()
        try:
            label_set = evaluation.load_labels(labels)
            result = evaluation.evaluate(label_set, k=k)
        except evaluation.LabelsError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        if verbosity >= 2:
            self._details(result)
        self._summary(result)
        self.stdout.write(_("用时 %(seconds).1f 秒；评测数据已回滚，数据库未改变。") % {"seconds": seconds})

    def _summary(self, result: evaluation.EvaluationResult) -> None:
        s = result.labels
        counts = evaluation.grade_counts(s)
        self.stdout.write(
            _("标注集：%(title)s（%(source)s，评测日期 %(as_of)s）")
            % {"title": s.title or "-", "source": s.source, "as_of": s.as_of}
        )
        self.stdout.write(
            _(
                "学生 %(students)s 名（有相关岗位的 %(judged)s 名），岗位 %(positions)s 个，"
                "企业 %(enterprises)s 家；标注 %(pairs)s 对：2 分 %(good)s 对，1 分 %(fair)s 对，"
                "0 分 %(zero)s 对（未标注的均为 0 分）"
            )
            % {
                "students": len(s.students),
                "judged": result.engine.students,
                "positions": len(s.positions),
                "enterprises": len(s.enterprises),
                "pairs": s.labelled_pairs,
                "good": counts[2],
                "fair": counts[1],
                "zero": counts[0],
            }
        )
        names = {evaluation.ENGINE: _("精准对接引擎"), evaluation.BASELINE: _("仅文本 BM25 基线")}
        headers = [_("方法"), f"Recall@{result.k}", f"NDCG@{result.k}", "MRR"]
        rows = [
            [names[method], f"{m.recall:.3f}", f"{m.ndcg:.3f}", f"{m.mrr:.3f}"]
            for method, m in result.metrics.items()
        ]
        widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            cells = [_pad(row[0], widths[0])]
            cells += [_pad(c, w, right=True) for c, w in zip(row[1:], widths[1:], strict=True)]
            self.stdout.write("  ".join(cells))

    def _details(self, result: evaluation.EvaluationResult) -> None:
        """Each student's top k by both methods, with the grade of each position (verbosity 2)."""
        grades = result.labels.grades
        for student in sorted(grades):
            own = grades[student]
            relevant = sorted(p for p, g in own.items() if g >= 1)
            self.stdout.write(
                _("学生 %(key)s：相关岗位 %(relevant)s") % {"key": student, "relevant": relevant}
            )
            for method, label in ((evaluation.ENGINE, _("引擎")), (evaluation.BASELINE, _("基线"))):
                ranked = " ".join(f"{p}:{own.get(p, 0)}" for p in result.rankings[method][student])
                self.stdout.write(f"  {label} {ranked}")
