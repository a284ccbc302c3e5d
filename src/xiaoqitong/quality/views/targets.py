"""The quality targets overview (T3, T4, T6, T18-T23): each target for the city and, where the policy sets
it per school, for every school the user may see, met or not, with its source and a link to the area page
behind the figure; ``?year=``; export of the same rows."""

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.imports import dataset_response
from xiaoqitong.orgs.models import School

from .. import rules, targets
from ..policies.targets import may_view_targets

FIRST_YEAR = 2021  # the policy's year


def year_choices() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def chosen_year(request) -> int:
    """``?year=`` when it is one of :func:`year_choices`, else this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in year_choices() else timezone.localdate().year


def overview(user, year: int) -> dict:
    """The rows for ``user`` in ``year``: the city's, and a matrix of schools × school-level measures."""
    rows = targets.evaluate(year, school_ids=targets.visible_school_ids(user))
    schools = School.objects.in_bulk({r.school_id for r in rows if r.school_id is not None})
    city, matrix = [], {}
    school_measures = [m for m in targets.measures() if "school" in m.scopes]
    for row in rows:
        row.text = targets.value_text(row.measure, row.value)
        row.target_text = targets.target_text(row.measure, row.target)
        try:
            row.url = reverse(row.measure.url_name) if row.measure.url_name else ""
        except NoReverseMatch:
            row.url = ""
        if row.school_id is None:
            city.append(row)
        elif row.school_id in schools:
            matrix.setdefault(row.school_id, {})[row.measure.rule] = row
    lines = [
        {"school": schools[sid], "cells": [cells.get(m.rule) for m in school_measures]}
        for sid, cells in sorted(matrix.items(), key=lambda kv: schools[kv[0]].code)
    ]
    heads = []
    for measure in school_measures:
        rule = rules.rule(measure.rule)
        heads.append(
            {"measure": measure, "id": rule.target, "target": targets.target_text(measure, rule.value)}
        )
    return {"city": city, "heads": heads, "lines": lines, "rows": rows}


def rows_dataset(rows: list) -> tablib.Dataset:
    out = tablib.Dataset(
        headers=["指标编号", "指标", "范围", "分子", "分母", "实际值", "目标", "是否达标", "依据"]
    )
    schools = School.objects.in_bulk({r.school_id for r in rows if r.school_id is not None})
    for row in rows:
        figure = row.figure
        out.append(
            [
                row.target_id,
                row.measure.label,
                schools[row.school_id].name if row.school_id in schools else "全市",
                "" if figure.numerator is None else figure.numerator,
                "" if figure.denominator is None else figure.denominator,
                targets.value_text(row.measure, row.value),
                targets.target_text(row.measure, row.target),
                {True: "达标", False: "未达标", None: "暂无数据"}[row.met],
                row.source,
            ]
        )
    return out


class TargetsView(LoginRequiredMixin, View):
    """GET /quality/targets/?year=2026 (``&export=xlsx|csv``)."""

    def get(self, request):
        if not may_view_targets(request.user):
            raise PermissionDenied(_("质量指标总览面向政府部门、学校和研究人员。"))
        year = chosen_year(request)
        data = overview(request.user, year)
        fmt = request.GET.get("export")
        if fmt:
            name = _("培养质量与产教对接指标") + f"-{year}"
            return dataset_response(
                rows_dataset(data["rows"]), fmt, name, request.GET.get("encoding", "utf-8")
            )
        met = sum(1 for r in data["city"] if r.met)
        return render(
            request,
            "quality/targets.html",
            data
            | {
                "year": year,
                "years": year_choices(),
                "city_met": met,
                "rules_url": reverse("cooperation:rule_list"),
            },
        )


urlpatterns = [path("targets/", TargetsView.as_view(), name="targets")]
