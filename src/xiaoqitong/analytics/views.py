"""Dashboard pages of analytics (issue 5) for the government: 供需总览 (the city), 产业链, 县市区对比, the
drill-down of one row (专业, 专业类, 专业大类, 产业链 or 县市区) with the records behind its numbers, and
分析阈值. Government officers and platform administrators only (``selectors.sees_city``); the school page
and the researchers' page are in ``views_school``.

Every figure comes from the kept snapshots through ``selectors`` (one query per table, none per row). Every
table and chart has its data as an xlsx workbook (``?export=xlsx``: one sheet per table or chart) or one
table as csv (``?export=csv&table=<name>``). The pages work without JavaScript but for the charts, whose
data the tables below them show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import quote, urlencode

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.imports import escape_formulae
from xiaoqitong.core.policy import can
from xiaoqitong.enterprises.choices import PUBLIC_POSITION
from xiaoqitong.enterprises.models import GraduateOutcome, Position
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import Major, MajorClass
from xiaoqitong.schools.models import SchoolMajor

from . import forms, measures, selectors, services
from .choices import Dimension, FieldStatus, ThresholdKey
from .models import Snapshot, Threshold

#: How many 专业类 the overview's chart shows (the largest demand first).
CHART_TOP = 20
#: Colours of the statuses, in charts and badges (Bootstrap's palette).
STATUS_COLOURS = {
    "shortage": "#dc3545",
    "gap": "#fd7e14",
    "balanced": "#198754",
    "surplus": "#0d6efd",
    "none": "#adb5bd",
}
STATUS_BADGES = {
    "shortage": "text-bg-danger",
    "gap": "text-bg-warning",
    "balanced": "text-bg-success",
    "surplus": "text-bg-primary",
    "none": "text-bg-light border",
}
SUPPLY_COLOUR = "#6c757d"
DEMAND_COLOUR = "#0d6efd"
EMPLOYMENT_COLOUR = "#20c997"
INDEX_COLOUR = "#fd7e14"
#: The page's fonts (``static/xqt/app.css``): ECharts measures its labels with the font it draws them in.
CHART_FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
#: Dimensions a drill-down can show, and those kept for a county's scope (``services.COUNTY_DIMENSIONS``).
DRILL_DIMENSIONS = ("major", "major_class", "major_category", "chain", "county")
#: Thresholds that pages read when they are shown (the others classify fields when snapshots are computed).
LIVE_THRESHOLDS = {
    ThresholdKey.RETIRE_ENROLMENT_DROP,
    ThresholdKey.RETIRE_EMPLOYMENT_RATE,
    ThresholdKey.SUPPRESS_BELOW,
}

ALIGNMENT_HELP = gettext_lazy(
    "结构偏离指数 = ½ × Σ|某产业链在校生占比 − 该产业链需求名额占比|：0 表示专业结构与产业需求完全一致，"
    "1 表示完全错位；越小越好。"
)
EMPLOYMENT_INDEX_HELP = gettext_lazy("按企业从业人数计算的同一指数：专业结构与产业现有就业结构的差距。")


# --- tables ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a table: how its values read on the page and in an export.

    ``kind``: ``text``, ``status`` (a badge), ``count``, ``ratio`` (two decimals), ``index`` (three
    decimals, from 0 to 1), ``rate`` (a percentage; exported as a number of percent), ``days``.
    """

    key: str
    label: object
    kind: str = "count"
    help: object = ""
    link: Callable[[dict], str] | None = None  # a link of its own (else numbers link to the row's drill-down)
    missing: object = ""  # what a missing value means in a row marked ``no_schools``

    @property
    def numeric(self) -> bool:
        return self.kind not in {"text", "status"}

    @property
    def header(self) -> str:
        return f"{self.label}（%）" if self.kind == "rate" else str(self.label)

    def value(self, row: dict):
        """The value in an export: numbers as numbers, rates in percent, nothing as an empty cell."""
        if self.kind == "status":
            return str(row.get("status_display") or "")
        value = row.get(self.key)
        if value is None or value == "":
            return self._missing(row) if self.numeric else ""
        if self.kind == "rate":
            return round(value * 100, 1)
        if self.kind == "count":
            return int(value)
        if self.kind in {"ratio", "days", "index"}:
            return round(float(value), 4)
        return str(value)

    def text(self, row: dict) -> str:
        if self.kind == "status":
            return str(row.get("status_display") or "")
        value = row.get(self.key)
        if value is None or value == "":
            return self._missing(row) or "—"
        if self.kind == "rate":
            return f"{value * 100:.1f}%"
        if self.kind == "count":
            return f"{int(value):,}"
        if self.kind == "ratio":
            return f"{value:.2f}"
        if self.kind == "index":
            return f"{value:.3f}"
        if self.kind == "days":
            return f"{value:.1f}"
        return str(value)

    def _missing(self, row: dict) -> str:
        """Why a value is missing, when the row says (a county without schools), else nothing."""
        return str(self.missing) if self.missing and row.get("no_schools") else ""


@dataclasses.dataclass
class Table:
    """Rows under named columns, shown as an HTML table and exported as a sheet."""

    name: str  # its sheet, and ``?export=csv&table=<name>``
    title: str
    columns: list[Column]
    rows: list[dict]
    link: Callable[[dict], str] | None = None  # the drill-down of a row: every number links there
    empty: str = ""  # why there is no row
    hint: str = ""  # what to do about it
    csv_url: str = ""

    def html_rows(self) -> list[dict]:
        out = []
        for row in self.rows:
            url = self.link(row) if self.link else ""
            cells = []
            for index, column in enumerate(self.columns):
                text = column.text(row)
                if column.link is not None:
                    href = column.link(row)
                elif index == 0 or (column.numeric and row.get(column.key) is not None):
                    href = url
                else:
                    href = ""
                cells.append(
                    {
                        "text": text,
                        "url": href,
                        "kind": column.kind,
                        "numeric": column.numeric,
                        "badge": STATUS_BADGES.get(row.get("status") or "", "")
                        if column.kind == "status"
                        else "",
                    }
                )
            out.append({"key": row.get("key"), "cells": cells})
        return out

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=[c.header for c in self.columns])
        for row in self.rows:
            data.append([c.value(row) for c in self.columns])
        data = escape_formulae(data)
        data.title = sheet_title(self.title)
        return data


def sheet_title(title: str) -> str:
    """A worksheet's name: at most 31 characters, none of ``[]:*?/\\``."""
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31] or "Sheet"


@dataclasses.dataclass
class Chart:
    """An ECharts option, drawn by ``static/xqt/app.js`` (its data is also a table or a sheet)."""

    id: str
    title: str
    option: dict
    height: int = 360
    note: str = ""

    @property
    def option_id(self) -> str:
        return f"{self.id}-option"

    def __post_init__(self):
        self.option = {"textStyle": {"fontFamily": CHART_FONT}, **self.option}


def measure_columns() -> list[Column]:
    """The measures of a field (专业类, 产业链, 专业 …), in the order the tables show them."""
    return [
        Column("status", _("供需状态"), "status"),
        Column("index", _("供需指数"), "ratio", _("需求名额 ÷ 预计毕业生")),
        Column("headcount", _("需求名额"), "count", _("学年内发布的岗位招聘名额（近 12 个月）")),
        Column("graduates", _("预计毕业生"), "count", _("本学年将毕业的学生")),
        Column("enrolled", _("在校生"), "count"),
        Column("filled", _("已录用"), "count", _("已发录用通知或已入职的名额")),
        Column("unfilled", _("未招满"), "count", _("需求名额减已录用")),
        Column("days_to_fill", _("录用天数"), "days", _("从岗位发布到首次录用的平均天数")),
        Column("applicants_per_place", _("每名额投递"), "ratio", _("投递数 ÷ 需求名额（不含撤回）")),
        Column("employment_rate", _("就业率"), "rate", _("本届毕业生中就业和创业的比例")),
        Column("related_rate", _("对口率"), "rate", _("就业者中专业对口的比例")),
        Column("local_rate", _("本地就业率"), "rate", _("就业者中在本市就业的比例")),
        Column("further_rate", _("升学率"), "rate", _("本届毕业生中升学的比例")),
    ]


#: The measures of one row in groups, as the drill-down shows the chosen year.
MEASURE_GROUPS = (
    (gettext_lazy("供需"), ("status", "index", "headcount", "graduates", "enrolled")),
    (gettext_lazy("招聘"), ("filled", "unfilled", "days_to_fill", "applicants_per_place")),
    (gettext_lazy("毕业去向"), ("employment_rate", "related_rate", "local_rate", "further_rate")),
)


def measure_groups(row: dict) -> list[dict]:
    columns = {c.key: c for c in measure_columns()}
    return [
        {
            "title": title,
            "items": [
                {
                    "label": columns[key].label,
                    "help": columns[key].help,
                    "text": columns[key].text(row),
                    "badge": STATUS_BADGES.get(row.get("status") or "", "") if key == "status" else "",
                }
                for key in keys
            ],
        }
        for title, keys in MEASURE_GROUPS
    ]


def field_table(
    name: str, title: str, dimension: str, rows: list[dict], year: int, county: int | None = None, **kwargs
) -> Table:
    """The table of a dimension's rows with every measure, each number linking to the row's drill-down."""
    return Table(
        name=name,
        title=title,
        columns=[Column("label", Dimension(dimension).label, "text"), *measure_columns()],
        rows=rows,
        link=lambda row: drill_url(dimension, row["key"], year, county),
        **kwargs,
    )


def drill_url(dimension: str, key: int, year: int, county: int | None = None) -> str:
    query = {"dimension": dimension, "key": key, "year": year}
    if county:
        query["county"] = county
    return f"{reverse('analytics:drilldown')}?{urlencode(query)}"


# --- exports --------------------------------------------------------------------------------------------
def _query(request, **changes) -> str:
    """The page's query string with some parameters changed (``None`` drops one)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _with_export_links(request, tables: list[Table]) -> str:
    for table in tables:
        table.csv_url = f"{request.path}?{_query(request, export='csv', table=table.name)}"
    return f"{request.path}?{_query(request, export='xlsx', table=None)}"


def export(request, tables: list, filename: str, *, param: str = "table") -> HttpResponse:
    """The page's tables as one xlsx workbook (a sheet each) or one table as csv (``<param>=<name>``, default
    the first; UTF-8 with a BOM, or GBK with ``encoding=gbk``). A table has ``name``, ``title`` and
    ``dataset()``."""
    fmt = request.GET.get("export")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        book = tablib.Databook([table.dataset() for table in tables])
        body = book.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        wanted = request.GET.get(param) or tables[0].name
        table = next((t for t in tables if t.name == wanted), None)
        if table is None:
            raise Http404(_("没有这个表格：%(name)s") % {"name": wanted})
        text = table.dataset().export("csv")
        filename = f"{filename}-{table.title}"
        if request.GET.get("encoding", "").lower() in {"gbk", "gb18030"}:
            body = text.encode("gb18030", errors="replace")
            content_type = "text/csv; charset=gb18030"
        else:
            body = ("\ufeff" + text).encode("utf-8")  # BOM: Excel opens UTF-8 csv correctly
            content_type = "text/csv; charset=utf-8"
    else:
        raise Http404(_("不支持的导出格式。"))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.{fmt}')}"
    return response


def chart_table(name: str, chart: Chart, columns: list[Column], rows: list[dict]) -> Table:
    """A chart's data as a sheet of the export."""
    return Table(name=name, title=chart.title, columns=columns, rows=rows)


# --- years ----------------------------------------------------------------------------------------------
def years_offered(user) -> list[int]:
    """The school years with majors on record or kept figures, and the current one; newest first."""
    years = set(
        SchoolMajor.objects.restrict(user, "view").order_by().values_list("year", flat=True).distinct()
    )
    years |= set(
        Snapshot.objects.filter(scope=measures.CITY.key).order_by().values_list("year", flat=True).distinct()
    )
    years.add(services.current_year())
    return sorted(years, reverse=True)


def chosen_year(request) -> tuple[int, list[int]]:
    """``?year=`` when it is one of the years offered, else the current school year."""
    years = years_offered(request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return (year if year in years else services.current_year()), years


# --- city totals and trend ------------------------------------------------------------------------------
def totals(by_school: dict, by_county: dict) -> dict:
    """The city's totals: supply and outcomes from the figures by school (each school major counts once),
    demand from the figures by county (each posting has one workplace, so counts once)."""

    def add(data: dict, name: str) -> int:
        return int(sum(row.get(name) or 0 for row in data.values()))

    out = {name: add(by_school, name) for name in ("enrolled", "new", "graduates", "outcomes", "employed")}
    out.update({name: add(by_county, name) for name in ("headcount", "filled", "unfilled", "positions")})
    out["employment_rate"] = measures.rate(out["employed"], out["outcomes"])
    out["index"] = measures.rate(out["headcount"], out["graduates"])
    return out


def city_years() -> dict[int, dict]:
    """Totals and alignment indices of the city for every kept year (one query over the snapshots)."""
    kept: dict[int, dict[str, dict]] = {}
    for year, dimension, data in Snapshot.objects.filter(
        scope=measures.CITY.key, dimension__in=("school", "county", services.ALIGNMENT)
    ).values_list("year", "dimension", "data"):
        kept.setdefault(year, {})[dimension] = data
    out = {}
    for year, parts in sorted(kept.items()):
        if "school" not in parts or "county" not in parts:
            continue
        row = {"year": year, "label": str(year), **totals(parts["school"], parts["county"])}
        alignment = parts.get(services.ALIGNMENT) or {}
        row["demand_index"] = alignment.get("demand_index")
        row["employment_index"] = alignment.get("employment_index")
        out[year] = row
    return out


def change(now, before) -> str:
    """“较上年 +12” (a count) or “较上年 +1.5 个百分点” (a rate): empty without last year's figure."""
    if now is None or before is None:
        return ""
    if isinstance(now, float) or isinstance(before, float):
        points = (now - before) * 100
        return _("较上年 %(sign)s%(value).1f 个百分点") % {
            "sign": "+" if points >= 0 else "−",
            "value": abs(points),
        }
    diff = int(now) - int(before)
    return _("较上年 %(sign)s%(value)s") % {"sign": "+" if diff >= 0 else "−", "value": f"{abs(diff):,}"}


# --- charts ---------------------------------------------------------------------------------------------
def _round(value, digits: int = 3):
    return None if value is None else round(value, digits)


def _status_name(status: str) -> str:
    return str(FieldStatus(status).label)


def demand_supply_chart(rows: list[dict]) -> Chart:
    """Demand headcount (coloured by status) beside expected graduates, horizontal bars, largest first."""
    names = [row["label"] for row in rows]
    series = []
    for status in ("shortage", "gap", "balanced", "surplus", "none"):
        data = [row["headcount"] if row["status"] == status else None for row in rows]
        if any(value is not None for value in data):
            series.append(
                {
                    "name": _status_name(status),
                    "type": "bar",
                    "stack": "demand",
                    "data": data,
                    "itemStyle": {"color": STATUS_COLOURS[status]},
                    "barMaxWidth": 12,
                }
            )
    series.append(
        {
            "name": _("预计毕业生"),
            "type": "bar",
            "data": [row["graduates"] for row in rows],
            "itemStyle": {"color": SUPPLY_COLOUR, "opacity": 0.55},
            "barMaxWidth": 12,
        }
    )
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>{a}：{c}"},
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 32, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("人"), "splitLine": {"lineStyle": {"type": "dashed"}}},
        "yAxis": {
            "type": "category",
            "data": names,
            "inverse": True,
            "axisLabel": {"width": 190, "overflow": "truncate"},
        },
        "series": series,
    }
    return Chart(
        "chart-demand-supply",
        _("需求名额与预计毕业生（需求最多的 %(n)s 个专业类）") % {"n": len(rows)},
        option,
        height=max(320, 44 + 30 * len(rows)),
        note=_("每个专业类上面一条是需求名额，颜色表示供需状态；下面的灰条是预计毕业生。"),
    )


def trend_chart(rows: list[dict]) -> Chart:
    years = [str(row["year"]) for row in rows]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years},
        "yAxis": [
            {"type": "value", "name": _("人")},
            {"type": "value", "name": _("结构偏离指数"), "min": 0, "max": 1, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": _("需求名额"),
                "type": "bar",
                "data": [r["headcount"] for r in rows],
                "itemStyle": {"color": DEMAND_COLOUR},
                "barMaxWidth": 28,
            },
            {
                "name": _("预计毕业生"),
                "type": "bar",
                "data": [r["graduates"] for r in rows],
                "itemStyle": {"color": SUPPLY_COLOUR},
                "barMaxWidth": 28,
            },
            {
                "name": _("结构偏离指数"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_round(r["demand_index"]) for r in rows],
                "itemStyle": {"color": INDEX_COLOUR},
                "symbolSize": 8,
                "label": {"show": True, "position": "top"},
            },
        ],
    }
    return Chart("chart-trend", _("历年供需与结构偏离指数"), option, height=320)


def shares_chart(chains: list[dict]) -> Chart:
    def percent(value):
        return round(value * 100, 1)

    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [c["label"] for c in chains],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": "%", "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": _("在校生占比"),
                "type": "bar",
                "data": [percent(c["enrolment_share"]) for c in chains],
                "itemStyle": {"color": SUPPLY_COLOUR},
            },
            {
                "name": _("需求名额占比"),
                "type": "bar",
                "data": [percent(c["demand_share"]) for c in chains],
                "itemStyle": {"color": DEMAND_COLOUR},
            },
            {
                "name": _("企业从业人数占比"),
                "type": "bar",
                "data": [percent(c["employment_share"]) for c in chains],
                "itemStyle": {"color": EMPLOYMENT_COLOUR},
            },
        ],
    }
    return Chart("chart-shares", _("各产业链的在校生、需求与从业人数占比"), option, height=380)


def counties_chart(rows: list[dict], city: dict | None) -> Chart:
    counties = [r for r in rows if r.get("county")]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [r["label"] for r in counties],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {
            "type": "value",
            "name": _("结构偏离指数"),
            "nameTextStyle": {"align": "left"},
            "min": 0,
            "max": 1,
        },
        "series": [
            {
                "name": _("偏离指数（对需求）"),
                "type": "bar",
                "data": [_round(r["demand_index"]) for r in counties],
                "itemStyle": {"color": DEMAND_COLOUR},
                "barMaxWidth": 24,
                "label": {"show": True, "position": "top", "fontSize": 10},
            },
            {
                "name": _("偏离指数（对从业结构）"),
                "type": "bar",
                "data": [_round(r["employment_index"]) for r in counties],
                "itemStyle": {"color": EMPLOYMENT_COLOUR},
                "barMaxWidth": 24,
            },
        ],
    }
    if city and city.get("demand_index") is not None:
        option["series"][0]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": _round(city["demand_index"]), "name": _("全市")}],
            "label": {"formatter": _("全市 {c}"), "position": "insideEndTop"},
            "lineStyle": {"type": "dashed"},
        }
    return Chart("chart-counties", _("各县市区的结构偏离指数"), option, height=360)


def drill_chart(rows: list[dict]) -> Chart:
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(r["year"]) for r in rows]},
        "yAxis": [
            {"type": "value", "name": _("人")},
            {"type": "value", "name": _("供需指数"), "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": _("需求名额"),
                "type": "bar",
                "data": [r["headcount"] for r in rows],
                "itemStyle": {"color": DEMAND_COLOUR},
                "barMaxWidth": 28,
            },
            {
                "name": _("预计毕业生"),
                "type": "bar",
                "data": [r["graduates"] for r in rows],
                "itemStyle": {"color": SUPPLY_COLOUR},
                "barMaxWidth": 28,
            },
            {
                "name": _("在校生"),
                "type": "line",
                "data": [r["enrolled"] for r in rows],
                "itemStyle": {"color": EMPLOYMENT_COLOUR},
                "symbolSize": 7,
            },
            {
                "name": _("供需指数"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [_round(r["index"], 2) for r in rows],
                "itemStyle": {"color": INDEX_COLOUR},
                "lineStyle": {"type": "dashed"},
                "symbolSize": 7,
                "label": {"show": True, "position": "top"},
            },
        ],
    }
    return Chart("chart-drill", _("历年需求、供给与供需指数"), option, height=320)


# --- helpers ----------------------------------------------------------------------------------------------
#: Database keys fit in a signed 64-bit integer: anything larger is no key (and would overflow SQLite).
MAX_KEY = 2**63 - 1


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_KEY <= number <= MAX_KEY else None


def _page(request, template: str, context: dict, *, status: int = 200):
    """Render a page; ``keep`` are the parameters the year form carries over (all but the year)."""
    keep = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in {"year", "export", "table"}
        for value in values
    ]
    return render(request, template, {"keep": keep, **context}, status=status)


def _status_filter(request, rows: list[dict]) -> tuple[str, list[dict], list[dict]]:
    """``?status=`` narrows a table to one status; returns it, the rows and the choices with counts."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    wanted = request.GET.get("status") or ""
    if wanted not in counts:
        wanted = ""
    choices = [
        {
            "value": "",
            "label": _("全部"),
            "count": len(rows),
            "url": f"{request.path}?{_query(request, status=None)}",
            "active": not wanted,
        }
    ]
    for status in selectors.STATUS_ORDER:
        if status in counts:
            choices.append(
                {
                    "value": status,
                    "label": _status_name(status),
                    "count": counts[status],
                    "url": f"{request.path}?{_query(request, status=status)}",
                    "active": status == wanted,
                    "badge": STATUS_BADGES[status],
                }
            )
    shown = [row for row in rows if row["status"] == wanted] if wanted else rows
    return wanted, shown, choices


def thresholds_sentence(t: measures.Thresholds) -> dict[str, str]:
    """The rules of the classification and of the warnings, with the thresholds in force."""
    return {
        "classes": _(
            "紧缺：需求名额 ÷ 预计毕业生 ≥ %(shortage)s 且需求名额 ≥ %(headcount)s；"
            "过剩：该比值 ≤ %(surplus)s 且预计毕业生 ≥ %(graduates)s；"
            "无本地供给：需求名额 ≥ %(headcount)s 而本地没有预计毕业生。"
        )
        % {
            "shortage": f"{t.shortage_index:g}",
            "surplus": f"{t.surplus_index:g}",
            "headcount": f"{t.min_headcount:g}",
            "graduates": f"{t.min_graduates:g}",
        },
        "retire": _(
            "淘汰预警：招生人数较上一学年下降 %(drop)s 以上、就业率低于 %(rate)s，"
            "且不属于紧缺或无本地供给的专业。"
        )
        % {"drop": f"{t.retire_enrolment_drop * 100:g}%", "rate": f"{t.retire_employment_rate * 100:g}%"},
    }


#: The postings that count as demand (published, closed or expired), as a query of the positions list.
PUBLIC_QUERY = urlencode({"status": sorted(str(s) for s in PUBLIC_POSITION)}, doseq=True)


# --- 供需总览 -----------------------------------------------------------------------------------------------
@login_required
def overview(request):
    """The city: KPIs, demand against supply by 专业类, the warnings with their numbers, the trend."""
    selectors.require(selectors.sees_city(request.user))
    year, years = chosen_year(request)
    classes = selectors.figures(year, "major_class")
    align = selectors.alignment(year)
    align_before = selectors.alignment(year - 1)
    warns = selectors.warnings(year)
    selectors.snapshot(year, measures.CITY, "school")  # kept (computed if missing) before reading the trend
    selectors.snapshot(year, measures.CITY, "county")
    by_year = city_years()
    now = by_year.get(year) or totals({}, {})
    before = by_year.get(year - 1)
    t = services.thresholds()

    status, shown, status_choices = _status_filter(request, classes)
    class_table = field_table(
        "classes",
        _("专业类供需"),
        "major_class",
        shown,
        year,
        empty=_("%(year)s 学年没有专业类的供需数据：还没有登记本学年的开设专业，也没有发布岗位。")
        % {"year": year},
        hint=_("请学校在“开设专业”中登记本学年的专业和招生，企业发布招聘岗位；数据每天凌晨重新计算。"),
    )
    top = sorted((r for r in classes if r["headcount"]), key=lambda r: (-r["headcount"], r["code"]))[
        :CHART_TOP
    ]
    chart = demand_supply_chart(top) if top else None

    retire_table = Table(
        name="retire",
        title=_("淘汰预警"),
        columns=[
            Column("label", _("专业"), "text"),
            Column("new_before", _("上年招生"), "count"),
            Column("new", _("本年招生"), "count"),
            Column("enrolment_drop", _("招生降幅"), "rate"),
            Column("employment_rate", _("就业率"), "rate"),
            Column("index", _("供需指数"), "ratio"),
            Column("status", _("供需状态"), "status"),
            Column("headcount", _("需求名额"), "count"),
            Column("graduates", _("预计毕业生"), "count"),
        ],
        rows=warns["retire"],
        link=lambda row: drill_url("major", row["key"], year),
        empty=_("没有需要淘汰预警的专业：没有专业同时满足招生下降、就业率低且需求不紧缺。"),
        hint=_("上一学年没有招生数据的专业无法比较；预警条件可在“分析阈值”中调整。"),
    )
    gap_table = Table(
        name="gaps",
        title=_("缺口：有需求、无本地供给的专业类"),
        columns=[
            Column("label", _("专业类"), "text"),
            Column("headcount", _("需求名额"), "count"),
            Column("positions", _("岗位数"), "count"),
            Column("enterprises", _("需求企业"), "count"),
            Column("unfilled", _("未招满"), "count"),
            Column("days_to_fill", _("录用天数"), "days"),
            Column("applicants_per_place", _("每名额投递"), "ratio"),
        ],
        rows=warns["gaps"],
        link=lambda row: drill_url("major_class", row["key"], year),
        empty=_("没有缺口：每个有一定需求的专业类都有本地预计毕业生。"),
        hint=_("企业发布的岗位所要求的专业类若本市没有院校开设，会列在这里。"),
    )
    trend_rows = list(by_year.values())
    trend_table = Table(
        name="trend",
        title=_("历年趋势"),
        columns=[
            Column("label", _("学年"), "text", link=lambda row: f"{request.path}?year={row['year']}"),
            Column("demand_index", _("结构偏离指数"), "index"),
            Column("employment_index", _("偏离指数（对从业结构）"), "index"),
            Column("headcount", _("需求名额"), "count"),
            Column("graduates", _("预计毕业生"), "count"),
            Column("enrolled", _("在校生"), "count"),
            Column("new", _("招生"), "count"),
            Column("unfilled", _("未招满"), "count"),
            Column("employment_rate", _("就业率"), "rate"),
        ],
        rows=trend_rows,
        link=lambda row: f"{request.path}?year={row['year']}",
        empty=_("还没有保存任何学年的数据。"),
        hint=_("数据每天凌晨计算并按学年保存。"),
    )
    chart_sheet = (
        chart_table(
            "chart",
            chart,
            [
                Column("label", _("专业类"), "text"),
                Column("status", _("供需状态"), "status"),
                Column("headcount", _("需求名额"), "count"),
                Column("graduates", _("预计毕业生"), "count"),
            ],
            top,
        )
        if chart
        else None
    )
    kpis = [
        {
            "label": _("在校生"),
            "value": f"{now['enrolled']:,}",
            "change": change(now["enrolled"], before and before["enrolled"]),
            "url": f"{reverse('schools:schoolmajor_list')}?year={year}",
            "icon": "people",
        },
        {
            "label": _("预计毕业生"),
            "value": f"{now['graduates']:,}",
            "change": change(now["graduates"], before and before["graduates"]),
            "url": f"{reverse('schools:schoolmajor_list')}?year={year}",
            "icon": "mortarboard",
        },
        {
            "label": _("需求名额"),
            "value": f"{now['headcount']:,}",
            "change": change(now["headcount"], before and before["headcount"]),
            "url": f"{reverse('enterprises:position_list')}?{PUBLIC_QUERY}",
            "icon": "briefcase",
        },
        {
            "label": _("未招满名额"),
            "value": f"{now['unfilled']:,}",
            "change": change(now["unfilled"], before and before["unfilled"]),
            "url": f"{reverse('enterprises:position_list')}?open=yes",
            "icon": "hourglass-split",
        },
        {
            "label": _("%(year)s 届就业率") % {"year": year},
            "value": Column("r", "", "rate").text({"r": now["employment_rate"]}),
            "change": change(now["employment_rate"], before and before["employment_rate"]),
            "url": f"{reverse('enterprises:graduateoutcome_list')}?year={year}",
            "icon": "person-check",
        },
        {
            "label": _("结构偏离指数"),
            "value": "—" if align["demand_index"] is None else f"{align['demand_index']:.3f}",
            "change": (
                _("上年 %(value).3f") % {"value": align_before["demand_index"]}
                if align_before["demand_index"] is not None
                else _("上年无数据")
            ),
            "url": reverse("analytics:chains") + f"?year={year}",
            "icon": "distribute-vertical",
            "help": ALIGNMENT_HELP,
        },
    ]
    tables = [class_table, retire_table, gap_table, trend_table]
    if chart_sheet:
        tables.insert(1, chart_sheet)
    if request.GET.get("export"):
        return export(request, tables, _("供需总览-%(year)s") % {"year": year})
    xlsx_url = _with_export_links(request, tables)
    trend = trend_chart(trend_rows) if len(trend_rows) >= 2 else None
    return _page(
        request,
        "analytics/overview.html",
        {
            "year": year,
            "years": years,
            "has_data": bool(classes),
            "kpis": kpis,
            "chart": chart,
            "class_table": class_table,
            "status": status,
            "status_choices": status_choices,
            "retire_table": retire_table,
            "gap_table": gap_table,
            "trend_table": trend_table,
            "trend_chart": trend,
            "rules": thresholds_sentence(t),
            "alignment_help": ALIGNMENT_HELP,
            "xlsx_url": xlsx_url,
            "may_set_thresholds": services.may_set_thresholds(request.user),
        },
    )


# --- 产业链 -------------------------------------------------------------------------------------------------
@login_required
def chains(request):
    """Per industry chain: the measures, and the structure alignment (shares of enrolment, demand and
    employment) with its two dissimilarity indices."""
    selectors.require(selectors.sees_city(request.user))
    year, years = chosen_year(request)
    rows = selectors.figures(year, "chain")
    align = selectors.alignment(year)
    align_before = selectors.alignment(year - 1)
    chain_table = field_table(
        "chains",
        _("产业链供需"),
        "chain",
        rows,
        year,
        empty=_("%(year)s 学年没有产业链的供需数据：没有对接产业链的开设专业，也没有产业链企业发布的岗位。")
        % {"year": year},
        hint=_("请在基础目录中维护产业链与专业类、行业的对应关系，并登记本学年的开设专业。"),
    )
    share_table = Table(
        name="shares",
        title=_("结构占比"),
        columns=[
            Column("label", _("产业链"), "text"),
            Column("enrolment_share", _("在校生占比"), "rate"),
            Column("demand_share", _("需求名额占比"), "rate"),
            Column("employment_share", _("企业从业人数占比"), "rate"),
            Column("gap", _("在校生与需求占比之差"), "rate", _("正数：在校生相对需求偏多；负数：偏少")),
        ],
        rows=[{**c, "gap": c["enrolment_share"] - c["demand_share"]} for c in align["chains"]],
        link=lambda row: drill_url("chain", row["key"], year),
        empty=_("没有可比较的占比：本学年既没有对接产业链的在校生，也没有产业链的需求。"),
        hint=_("登记开设专业和发布岗位后即可比较。"),
    )
    chart = shares_chart(align["chains"]) if align["chains"] else None
    indices = [
        {
            "label": _("结构偏离指数（对需求）"),
            "value": align["demand_index"],
            "before": align_before["demand_index"],
            "help": ALIGNMENT_HELP,
        },
        {
            "label": _("结构偏离指数（对从业结构）"),
            "value": align["employment_index"],
            "before": align_before["employment_index"],
            "help": EMPLOYMENT_INDEX_HELP,
        },
    ]
    tables = [chain_table, share_table]
    if request.GET.get("export"):
        return export(request, tables, _("产业链-%(year)s") % {"year": year})
    xlsx_url = _with_export_links(request, tables)
    return _page(
        request,
        "analytics/chains.html",
        {
            "year": year,
            "years": years,
            "chain_table": chain_table,
            "share_table": share_table,
            "chart": chart,
            "indices": indices,
            "xlsx_url": xlsx_url,
        },
    )


# --- 县市区对比 ---------------------------------------------------------------------------------------------
@login_required
def counties(request):
    """The county-level units and the parks side by side (alignment, supply, demand, outcomes), and one
    county's 专业类 and chains (``?county=<pk>``)."""
    user = request.user
    selectors.require(selectors.sees_city(user))
    year, years = chosen_year(request)
    aligned = selectors.alignment_by_county(year)
    by_county = {row["key"]: row for row in selectors.figures(year, "county")}
    schools = dict(
        School.objects.restrict(user, "view")
        .order_by()
        .values("county_id")
        .annotate(n=Count("id"))
        .values_list("county_id", "n")
    )
    city_totals = totals(selectors.snapshot(year, measures.CITY, "school").data, by_county)
    rows = []
    for row in aligned:
        county = row["county"]
        figures = city_totals if county is None else by_county.get(county, {})
        n = sum(schools.values()) if county is None else schools.get(county, 0)
        merged = {
            **{k: v for k, v in figures.items() if k not in {"label", "key", "code", "name"}},
            **row,
            "key": county,
            "schools": n,
            "no_schools": not n,
            "change": (
                None
                if row["demand_index"] is None or row["demand_index_before"] is None
                else row["demand_index"] - row["demand_index_before"]
            ),
        }
        if county is None:
            merged["status"] = ""
        rows.append(merged)
    city = next((r for r in rows if r["key"] is None), None)

    def numbers_link(row):
        if row["key"] is None:
            return f"{reverse('analytics:overview')}?year={year}"
        return drill_url("county", row["key"], year)

    def detail_link(row):
        if row["key"] is None:
            return f"{reverse('analytics:overview')}?year={year}"
        return f"{request.path}?{_query(request, county=row['key'], export=None, table=None)}#county-detail"

    no_schools = _("无职业院校")
    county_table = Table(
        name="counties",
        title=_("县市区对比"),
        columns=[
            Column("label", _("县市区"), "text", link=detail_link),
            Column("schools", _("职业院校"), "count"),
            Column("demand_index", _("偏离指数（对需求）"), "index", ALIGNMENT_HELP, missing=no_schools),
            Column("demand_index_before", _("上年"), "index", missing=no_schools),
            Column("change", _("变化"), "index", _("负数表示结构更贴近需求")),
            Column(
                "employment_index",
                _("偏离指数（对从业结构）"),
                "index",
                EMPLOYMENT_INDEX_HELP,
                missing=no_schools,
            ),
            Column("enrolled", _("在校生"), "count"),
            Column("graduates", _("预计毕业生"), "count"),
            Column("headcount", _("需求名额"), "count", _("工作地点在该县市区的岗位名额")),
            Column("unfilled", _("未招满"), "count"),
            Column("index", _("供需指数"), "ratio"),
            Column("status", _("供需状态"), "status"),
            Column("employment_rate", _("就业率"), "rate"),
        ],
        rows=rows,
        link=numbers_link,
        empty=_("没有县市区：基础目录中还没有本市的县级区划。"),
        hint=_("请管理员导入行政区划目录。"),
    )
    chart = counties_chart(rows, city) if len(rows) > 1 else None
    without = [r["label"] for r in rows if r["key"] is not None and r["no_schools"]]

    tables = [county_table]
    detail = None
    chosen = _int(request.GET.get("county"))
    if chosen is not None and chosen in {r["key"] for r in rows}:
        scope = measures.Scope(county=chosen)
        label = next(r["label"] for r in rows if r["key"] == chosen)
        detail = {
            "key": chosen,
            "label": label,
            "schools": schools.get(chosen, 0),
            "classes": field_table(
                "county_classes",
                _("%(county)s·专业类") % {"county": label},
                "major_class",
                selectors.figures(year, "major_class", scope),
                year,
                chosen,
                empty=_("%(county)s 本学年没有专业类的供需数据：没有开设专业，也没有工作地点在这里的岗位。")
                % {"county": label},
                hint=_("该县市区的院校登记专业、企业发布岗位后，这里会随之更新。"),
            ),
            "chains": field_table(
                "county_chains",
                _("%(county)s·产业链") % {"county": label},
                "chain",
                selectors.figures(year, "chain", scope),
                year,
                chosen,
                empty=_("%(county)s 本学年没有产业链的供需数据。") % {"county": label},
                hint=_("该县市区的院校登记专业、企业发布岗位后，这里会随之更新。"),
            ),
        }
        tables += [detail["classes"], detail["chains"]]
    if request.GET.get("export"):
        return export(request, tables, _("县市区对比-%(year)s") % {"year": year})
    xlsx_url = _with_export_links(request, tables)
    return _page(
        request,
        "analytics/counties.html",
        {
            "year": year,
            "years": years,
            "county_table": county_table,
            "chart": chart,
            "without_schools": without,
            "detail": detail,
            "county_choices": [r for r in rows if r["key"] is not None],
            "alignment_help": ALIGNMENT_HELP,
            "xlsx_url": xlsx_url,
        },
    )


# --- drill-down -------------------------------------------------------------------------------------------
def _records(user, dimension: str, code: str, year: int, county_code: str | None) -> list[dict]:
    """Links to the lists of the records behind a row's numbers, filtered to it as far as they can be."""
    supply: dict = {"year": year}
    start, end = measures.school_year_window(year)
    tz = timezone.get_current_timezone()
    demand: dict = {
        "published_from": start.astimezone(tz).date().isoformat(),
        "published_before": end.astimezone(tz).date().isoformat(),
    }
    outcomes: dict = {"year": year}
    if dimension in {"major", "major_class", "major_category"}:
        supply["major"] = demand["major"] = outcomes["major"] = code
    elif dimension == "chain":
        supply["chain"] = demand["chain"] = code
    elif dimension == "county":
        supply["county"] = demand["county"] = outcomes["county"] = code
    if county_code:
        supply["county"] = demand["county"] = outcomes["county"] = county_code
    out = []
    if can(user, "view", SchoolMajor):
        out.append(
            {
                "label": _("开设专业"),
                "note": _("本学年开设的专业，含在校生、招生和预计毕业生（供给）"),
                "url": f"{reverse('schools:schoolmajor_list')}?{urlencode(supply)}",
                "icon": "mortarboard",
            }
        )
    if can(user, "view", Position):
        out.append(
            {
                "label": _("招聘岗位"),
                "note": _("该学年 12 个月内发布的已发布、已结束和已过期岗位（需求）"),
                "url": f"{reverse('enterprises:position_list')}?{PUBLIC_QUERY}&{urlencode(demand)}",
                "icon": "briefcase",
            }
        )
    if can(user, "view", GraduateOutcome):
        out.append(
            {
                "label": _("毕业去向"),
                "note": _("%(year)s 届毕业生的去向（就业率等）") % {"year": year},
                "url": f"{reverse('enterprises:graduateoutcome_list')}?{urlencode(outcomes)}",
                "icon": "person-check",
            }
        )
    return out


@login_required
def drilldown(request):
    """One row (``?dimension=…&key=<pk>``, in a county with ``&county=<pk>``): its figures for every kept
    year, what it is made of (a 专业类's majors, a 大类's classes), and the records behind its numbers."""
    user = request.user
    selectors.require(selectors.sees_city(user))
    year, years = chosen_year(request)
    dimension = request.GET.get("dimension") or ""
    key = _int(request.GET.get("key"))
    county = _int(request.GET.get("county"))
    label = None
    if dimension in DRILL_DIMENSIONS and key is not None:
        label = selectors.labels(dimension, [key]).get(key)
    county_label = None
    if county is not None:
        if county in measures.counties() and dimension in services.COUNTY_DIMENSIONS:
            county_label = selectors.labels("county", [county]).get(county)
        if county_label is None:
            label = None
    if label is None:
        return _page(
            request,
            "analytics/drilldown.html",
            {
                "missing": True,
                "year": year,
                "years": years,
                "overview_url": f"{reverse('analytics:overview')}?year={year}",
            },
            status=404,
        )
    scope = measures.Scope(county=county) if county_label else measures.CITY
    selectors.snapshot(year, scope, dimension)  # the chosen year is kept (computed if missing)
    status_names = dict(FieldStatus.choices)
    kept = [
        {**row, "label": str(row["year"]), "status_display": str(status_names.get(row.get("status"), ""))}
        for row in selectors.trend(dimension, key, scope)
    ]
    current = next((row for row in kept if row["year"] == year), None)
    m = measure_columns()
    year_table = Table(
        name="years",
        title=_("历年数据"),
        columns=[
            Column("label", _("学年"), "text"),
            *m[:3],
            Column("positions", _("岗位数"), "count"),
            Column("enterprises", _("需求企业"), "count"),
            *m[3:5],
            Column("new", _("招生"), "count"),
            Column("plan", _("招生计划"), "count"),
            *m[5:],
        ],
        rows=list(reversed(kept)),
        link=lambda row: f"{request.path}?{_query(request, year=row['year'], export=None, table=None)}",
        empty=_("没有任何学年的数据：这一项既没有开设专业，也没有需求和毕业去向。"),
        hint=_("有院校开设或企业提出需求后，数据会在每天凌晨的计算后出现。"),
    )
    tables = [year_table]
    parts = None
    if scope == measures.CITY and dimension in {"major_class", "major_category"}:
        if dimension == "major_class":
            members = set(Major.objects.filter(major_class_id=key).values_list("pk", flat=True))
            part_dimension, part_title = "major", _("所含专业（%(year)s 学年）") % {"year": year}
        else:
            members = set(MajorClass.objects.filter(category_id=key).values_list("pk", flat=True))
            part_dimension, part_title = "major_class", _("所含专业类（%(year)s 学年）") % {"year": year}
        parts = field_table(
            "parts",
            part_title,
            part_dimension,
            [row for row in selectors.figures(year, part_dimension) if row["key"] in members],
            year,
            empty=_("本学年下属各项都没有数据。"),
            hint=_("可选择其他学年查看。"),
        )
        tables.append(parts)
    if request.GET.get("export"):
        return export(request, tables, f"{label['label']}-{year}")
    xlsx_url = _with_export_links(request, tables)
    county_code = county_label["code"] if county_label else None
    back = (
        f"{reverse('analytics:counties')}?year={year}&county={county}#county-detail"
        if county_label
        else {
            "chain": f"{reverse('analytics:chains')}?year={year}",
            "county": f"{reverse('analytics:counties')}?year={year}",
        }.get(dimension, f"{reverse('analytics:overview')}?year={year}")
    )
    return _page(
        request,
        "analytics/drilldown.html",
        {
            "year": year,
            "years": years,
            "dimension": dimension,
            "dimension_label": Dimension(dimension).label,
            "key": key,
            "county": county if county_label else None,
            "county_label": county_label["label"] if county_label else "",
            "label": label,
            "current": current,
            "current_groups": measure_groups(current) if current else [],
            "year_table": year_table,
            "chart": drill_chart(kept) if len(kept) >= 2 else None,
            "parts": parts,
            "records": _records(user, dimension, label["code"], year, county_code),
            "back_url": back,
            "xlsx_url": xlsx_url,
        },
    )


# --- 分析阈值 ---------------------------------------------------------------------------------------------
@login_required
def thresholds(request):
    """The thresholds in force (the defaults unless an officer set them), and the form to set one."""
    user = request.user
    selectors.require(selectors.sees_city(user))
    if request.method == "POST":
        form = forms.ThresholdForm(request.POST)
        if not form.is_valid():
            messages.error(request, forms.error_text(form))
            return redirect("analytics:thresholds")
        key = form.cleaned_data["key"]
        try:
            threshold = services.threshold_set(
                actor=user, key=key, value=form.cleaned_data["value"], note=form.cleaned_data["note"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return redirect("analytics:thresholds")
        when = (
            _("立即生效。")
            if key in LIVE_THRESHOLDS
            else _("紧缺、平衡、过剩的分类正在按新阈值重新计算，稍后刷新页面即可看到。")
        )
        messages.success(
            request,
            _("已将“%(label)s”设为 %(value)s。")
            % {"label": threshold.get_key_display(), "value": f"{threshold.value:g}"}
            + when,
        )
        return redirect("analytics:thresholds")
    current = services.thresholds()
    defaults = measures.Thresholds()
    kept = {row.key: row for row in Threshold.objects.restrict(user, "view")}
    rows = []
    for key, label in ThresholdKey.choices:
        row = kept.get(key)
        rows.append(
            {
                "key": key,
                "label": label,
                "value": f"{getattr(current, key):g}",
                "default": f"{getattr(defaults, key):g}",
                "changed": row is not None,
                "note": row.note if row else "",
                "updated_at": row.updated_at if row else None,
                "live": key in LIVE_THRESHOLDS,
            }
        )
    return _page(
        request,
        "analytics/thresholds.html",
        {
            "rows": rows,
            "may_set": services.may_set_thresholds(user),
            "rules": thresholds_sentence(current),
            "note_max": forms.NOTE_MAX,
        },
    )


def urlpatterns() -> list:
    return [
        path("", overview, name="overview"),
        path("chains/", chains, name="chains"),
        path("counties/", counties, name="counties"),
        path("majors/", drilldown, name="drilldown"),
        path("thresholds/", thresholds, name="thresholds"),
    ]
