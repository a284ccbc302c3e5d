"""The certification targets page: ``/certification/targets/?year=`` — T12 (enterprises holding the title
against 30 by 2025, by level, year by year) and T2 (the share of local large and medium enterprises taking
part deeply, for the city and each county-level unit, with the written definition and the count of each way
of taking part). ``&export=xlsx|csv`` downloads the county rows. Aggregates only, for officers, researchers
and platform administrators."""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import percent_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.orgs.choices import Role

from ..selectors.evidence import DEFINITION, Way
from ..selectors.targets import FIRST_YEAR, Report, targets_report

READERS = {Role.GOV_OFFICER, Role.RESEARCHER, Role.PLATFORM_ADMIN}


def may_view_targets(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", "") in READERS))


def year_choices() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def chosen_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in year_choices() else timezone.localdate().year


def met_text(met) -> str:
    return {True: _("达标"), False: _("未达标"), None: _("暂无数据")}[met]


def report_dataset(report: Report) -> tablib.Dataset:
    """T12 as one row, then T2 for the city and each county-level unit."""
    ways = list(Way.LABELS)
    out = tablib.Dataset(
        headers=[
            "年度",
            "指标",
            "范围",
            "分子",
            "分母",
            "数值",
            "目标",
            "是否达标",
            "持有称号",
            *[str(Way.LABELS[w]) for w in ways],
        ]
    )
    out.append(
        [
            report.year,
            "T12",
            _("全市"),
            report.certified["total"],
            "",
            report.certified["total"],
            _("%(n)s 家（%(y)s 年）") % {"n": report.certified_target, "y": report.target_year},
            met_text(report.t12_met),
            report.certified["total"],
            *["" for _w in ways],
        ]
    )
    for line in [report.city, *report.counties]:
        out.append(
            [
                report.year,
                "T2",
                line.region.name if line.region else _("全市"),
                line.deep,
                line.total,
                percent_text(line.deep, line.total),
                f"≥ {report.share_target * 100:.0f}%",
                met_text(report.county_met(line)),
                line.certified,
                *[line.by_way.get(w, 0) for w in ways],
            ]
        )
    return out


class TargetsView(LoginRequiredMixin, View):
    """GET /certification/targets/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        if not may_view_targets(request.user):
            raise PermissionDenied(_("产教融合指标面向政府部门和研究人员。"))
        year = chosen_year(request)
        report = targets_report(year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("产教融合指标") + f"-{year}"
            return dataset_response(report_dataset(report), fmt, name, request.GET.get("encoding", "utf-8"))
        peak = max([n for _y, n in report.trajectory] + [report.certified_target, 1])
        return render(
            request,
            "certification/targets.html",
            {
                "report": report,
                "year": year,
                "years": year_choices(),
                "definition": DEFINITION % {"n": report.min_ways},
                "ways": [(key, label, report.city.by_way.get(key, 0)) for key, label in Way.LABELS.items()],
                "trajectory": [(y, n, round(n * 100 / peak)) for y, n in report.trajectory],
                "target_bar": round(report.certified_target * 100 / peak),
                "share_target_text": f"{report.share_target * 100:.0f}%",
                "rules_url": reverse("cooperation:rule_list"),
                "criteria_url": reverse("certification:criterion_list"),
            },
        )


urlpatterns = [path("targets/", TargetsView.as_view(), name="targets")]
