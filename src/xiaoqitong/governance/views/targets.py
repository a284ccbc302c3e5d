"""The targets dashboard (every T and R of POLICY.md for the city with green/amber/red, a matrix of counties
and one of schools), one target's page (its definition, its history across years, the figure of every
county and school with a link to the records behind it) and the change form; exports of the same rows."""

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.analytics.views import Chart
from xiaoqitong.core.imports import dataset_response

from ..choices import Scope, State
from ..forms.targets import TargetForm
from ..models import Target
from ..policies.targets import may_change_targets, may_view_targets, visible_county_ids, visible_school_ids
from ..selectors import targets as T
from ..services.targets import target_update

STATE_CLASS = {
    State.GREEN: "success",
    State.AMBER: "warning",
    State.RED: "danger",
    State.NO_DATA: "secondary",
    State.MONITORED: "info",
}


def chosen_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if year in T.years() else timezone.localdate().year


def decorate(results: list[T.Result]) -> list[T.Result]:
    for r in results:
        r.css = STATE_CLASS[r.state]
    return results


def visible(user, results: list[T.Result]) -> list[T.Result]:
    schools, counties = visible_school_ids(user), visible_county_ids(user)
    out = []
    for r in results:
        if r.scope == Scope.SCHOOL and schools is not None and r.key not in schools:
            continue
        if r.scope == Scope.COUNTY and counties is not None and r.key not in counties:
            continue
        out.append(r)
    return out


def matrix(results: list[T.Result], scope: str) -> tuple[list[Target], list[dict]]:
    """Rows of a scope (counties or schools) × the targets set at it."""
    heads, rows = [], {}
    for r in results:
        if r.scope != scope:
            continue
        if r.target not in heads:
            heads.append(r.target)
        rows.setdefault(r.key, {"name": r.name, "key": r.key, "cells": {}})["cells"][r.target.code] = r
    lines = []
    for row in rows.values():
        row["cells"] = [row["cells"].get(t.code) for t in heads]
        lines.append(row)
    return heads, lines


EXPORT_HEADERS = [
    "年度",
    "编号",
    "指标",
    "范围",
    "单位名称",
    "分子",
    "分母",
    "数值",
    "目标",
    "状态",
    "说明",
    "政策依据",
]


def export_rows(results: list[T.Result]) -> tablib.Dataset:
    data = tablib.Dataset(headers=[_(h) for h in EXPORT_HEADERS])
    for r in results:
        data.append(
            [
                r.year,
                r.target.code,
                r.target.name,
                Scope(r.scope).label,
                r.name,
                "" if r.numerator is None else r.numerator,
                "" if r.denominator is None else r.denominator,
                r.value_text,
                r.target_text,
                State(r.state).label,
                r.note,
                r.target.source,
            ]
        )
    return data


class TargetsView(LoginRequiredMixin, View):
    """``/governance/targets/?year=&state=``: the dashboard; ``&export=xlsx|csv`` every row of the year."""

    def get(self, request):
        if not may_view_targets(request.user):
            raise PermissionDenied(_("目标指标面向政府部门、学校和研究人员。"))
        year = chosen_year(request)
        ev = T.Evaluator()
        results = decorate(visible(request.user, T.evaluate(year, evaluator=ev)))
        if request.GET.get("export") in ("xlsx", "csv"):
            return dataset_response(export_rows(results), request.GET["export"], f"targets-{year}")
        summary = decorate(T.city_summary(year, evaluator=ev))
        previous = (
            {r.target.code: r for r in T.city_summary(year - 1, evaluator=ev)} if year > T.FIRST_YEAR else {}
        )
        for r in summary:
            r.last = previous.get(r.target.code)
        counts = T.state_counts(summary)
        state = request.GET.get("state", "")
        shown = [r for r in summary if r.state == state] if state in State.values else summary
        county_heads, county_rows = matrix(results, Scope.COUNTY)
        school_heads, school_rows = matrix(results, Scope.SCHOOL)
        return render(
            request,
            "governance/targets.html",
            {
                "year": year,
                "years": T.years(),
                "summary": shown,
                "counts": [(s, State(s).label, counts[s], STATE_CLASS[s]) for s in State.values],
                "state": state,
                "county_heads": county_heads,
                "county_rows": county_rows,
                "school_heads": school_heads,
                "school_rows": school_rows,
                "may_change": may_change_targets(request.user),
            },
        )


def _target(code: str) -> Target:
    target = Target.objects.filter(code=code).first()
    if target is None:
        raise Http404(_("没有这个目标。"))
    return target


def history_chart(target: Target, rows: list[T.Result]) -> Chart:
    share = rows and rows[-1].unit == "share"

    def number(value):
        return None if value is None else round(float(value * 100 if share else value), 2)

    values = [number(r.value) for r in rows]
    goals = [number(r.goal) for r in rows]
    series = [
        {"name": _("实际"), "type": "line", "data": values, "connectNulls": False, "label": {"show": True}}
    ]
    if any(g is not None for g in goals) and target.comparison in ("ge", "le"):
        series.append(
            {
                "name": _("目标"),
                "type": "line",
                "data": goals,
                "lineStyle": {"type": "dashed"},
                "symbol": "none",
            }
        )
    return Chart(
        id="history",
        title=_("历年全市情况") + ("（%）" if share else ""),
        option={
            "tooltip": {"trigger": "axis"},
            "legend": {},
            "xAxis": {"type": "category", "data": [str(r.year) for r in rows]},
            "yAxis": {"type": "value"},
            "series": series,
        },
        height=280,
        note=_("空缺的年份表示平台没有该年的数据。"),
    )


class TargetDetailView(LoginRequiredMixin, View):
    """``/governance/targets/<code>/?year=``: drill-down from the city to counties, schools and records."""

    def get(self, request, code):
        if not may_view_targets(request.user):
            raise PermissionDenied(_("目标指标面向政府部门、学校和研究人员。"))
        target = _target(code)
        year = chosen_year(request)
        ev = T.Evaluator()
        results = decorate(visible(request.user, T.evaluate(year, codes=[code], evaluator=ev)))
        if request.GET.get("export") in ("xlsx", "csv"):
            return dataset_response(export_rows(results), request.GET["export"], f"target-{code}-{year}")
        city = decorate([ev.result(target, year, Scope.CITY, None)])[0]
        history = decorate(T.history(code, T.FIRST_YEAR, timezone.localdate().year, evaluator=ev))
        return render(
            request,
            "governance/target_detail.html",
            {
                "target": target,
                "year": year,
                "years": T.years(),
                "city": city,
                "counties": [r for r in results if r.scope == Scope.COUNTY],
                "schools": [r for r in results if r.scope == Scope.SCHOOL],
                "history": history,
                "chart": history_chart(target, history),
                "may_change": may_change_targets(request.user),
                "rule_url": reverse("cooperation:rule_list") if target.rule_key else "",
            },
        )


class TargetEditView(LoginRequiredMixin, View):
    """``/governance/targets/<code>/edit/``: officers change value, bounds, band, deadline and note."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_change_targets(request.user):
            raise PermissionDenied(_("只有政府部门工作人员和平台管理员可以修改目标。"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, code):
        target = _target(code)
        return render(
            request, "governance/target_form.html", {"target": target, "form": TargetForm(instance=target)}
        )

    def post(self, request, code):
        target = _target(code)
        form = TargetForm(request.POST, instance=Target.objects.get(pk=target.pk))
        if form.is_valid():
            try:
                target_update(
                    actor=request.user,
                    target=target,
                    data={name: form.cleaned_data[name] for name in form.changed_data},
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("已保存目标 %(code)s。") % {"code": target.code})
                return redirect(target.get_absolute_url())
        return render(request, "governance/target_form.html", {"target": target, "form": form})


urlpatterns = [
    path("targets/", TargetsView.as_view(), name="targets"),
    path("targets/<str:code>/", TargetDetailView.as_view(), name="target_detail"),
    path("targets/<str:code>/edit/", TargetEditView.as_view(), name="target_edit"),
]
