"""Pages of analytics for schools and researchers: a school's 一校一产业链 (``plan.school_plan``) and the
researchers' de-identified aggregates (``selectors.aggregates``). The city dashboards are in ``views``.

Who sees what (``selectors``): a school (administrator, teachers) its own school's page, and
``/analytics/school/`` sends them there; government officers and platform administrators any school's, with a
school select; researchers and the government the aggregates. Both pages export their tables: the plan as an
xlsx workbook with the sheets 本校专业, 建议开设 and 建议评估 (``?export=xlsx``) or one of them as csv
(``?export=csv&sheet=majors|open|review``); the aggregates as xlsx or csv.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlencode

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xiaoqitong.core.imports import escape_formulae
from xiaoqitong.orgs.models import School
from xiaoqitong.schools.models import SchoolMajor

from . import measures, plan, selectors, services
from . import views as city_views
from .choices import Dimension, FieldStatus
from .models import Publication, Snapshot

#: Suggestions the page shows before “show all” (the export has every one).
OPEN_SHOWN = 30
#: Dimensions of the researchers' aggregates (never by school).
AGGREGATE_DIMENSIONS = ("major_class", "major", "major_category", "chain", "county")
STATUS_BADGES = {
    "shortage": "text-bg-danger",
    "gap": "text-bg-warning",
    "balanced": "text-bg-success",
    "surplus": "text-bg-primary",
    "none": "text-bg-light border",
}


# --- tables: one description for the page and the export --------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Col:
    """A column: ``kind`` is ``text``, ``count``, ``ratio`` (two decimals), ``rate`` (a percentage, exported
    as a number of percent), ``status`` (a badge from ``<key>`` and ``<key>_display``) or ``flag``."""

    key: str
    label: object
    kind: str = "text"
    help: object = ""

    @property
    def numeric(self) -> bool:
        return self.kind in {"count", "ratio", "rate"}

    @property
    def header(self) -> str:
        return f"{self.label}（%）" if self.kind == "rate" else str(self.label)

    def value(self, row: dict):
        value = row.get(self.key)
        if self.kind == "status":
            return str(row.get(f"{self.key}_display") or "")
        if self.kind == "flag":
            return _("是") if value else ""
        if value is None or value == "":
            return ""
        if self.kind == "rate":
            return round(value * 100, 1)
        if self.kind == "ratio":
            return round(float(value), 4)
        if self.kind == "count":
            return int(value)
        return str(value)

    def text(self, row: dict) -> str:
        value = row.get(self.key)
        if self.kind == "status":
            return str(row.get(f"{self.key}_display") or "")
        if self.kind == "flag":
            return _("是") if value else ""
        if value is None or value == "":
            return "—"
        if self.kind == "rate":
            return f"{value * 100:.1f}%"
        if self.kind == "ratio":
            return f"{value:.2f}"
        if self.kind == "count":
            return f"{int(value):,}"
        return str(value)


@dataclasses.dataclass
class Sheet:
    """Rows under columns: an HTML table on the page, a sheet of the workbook, a csv."""

    name: str
    title: str
    columns: list[Col]
    rows: list[dict]
    empty: str = ""  # why there is no row
    hint: str = ""  # what to do about it
    cell: Callable[[Col, dict], dict] | None = None  # page cells that need more than ``Col.text``
    hidden: Callable[[Col, dict], str | None] | None = None  # what an export writes instead of a value
    csv_url: str = ""

    def html_rows(self) -> list[dict]:
        """``[{"key", "cells": [{"text", "numeric", "kind", "badge", …}]}]`` (``analytics/_table.html``)."""
        out = []
        for row in self.rows:
            cells = []
            for col in self.columns:
                cell = {"text": col.text(row), "numeric": col.numeric, "kind": col.kind, "title": ""}
                if col.kind == "status":
                    cell["badge"] = STATUS_BADGES.get(row.get(col.key) or "", "")
                if self.cell is not None:
                    cell.update(self.cell(col, row))
                cells.append(cell)
            out.append({"key": row.get("key"), "cells": cells})
        return out

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=[c.header for c in self.columns])
        for row in self.rows:
            values = []
            for col in self.columns:
                instead = self.hidden(col, row) if self.hidden is not None else None
                values.append(col.value(row) if instead is None else instead)
            data.append(values)
        data = escape_formulae(data)
        data.title = self.title[:31]
        return data


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def _export_links(request, sheets: list[Sheet]) -> str:
    """Each sheet's csv link; returns the workbook's."""
    for sheet in sheets:
        sheet.csv_url = f"{request.path}?{_query(request, export='csv', sheet=sheet.name)}"
    return f"{request.path}?{_query(request, export='xlsx', sheet=None)}"


def export(request, sheets: list[Sheet], filename: str) -> HttpResponse:
    """The sheets as one xlsx workbook, or one of them (``sheet=<name>``, default the first) as csv (UTF-8
    with a BOM; GBK with ``encoding=gbk``): the dashboards' export, by ``sheet``."""
    return city_views.export(request, sheets, filename, param="sheet")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- 一校一产业链 -----------------------------------------------------------------------------------------
PLAN_HELP = gettext_lazy(
    "供需指数 = 全市需求名额 ÷ 全市预计毕业生（按专业类）。需求名额是学年内（近 12 个月）发布的岗位招聘名额，"
    "要求某专业的岗位计入该专业及其专业类，要求整个专业类的岗位计入该专业类。"
)


def _majors_sheet(rows: list[dict]) -> Sheet:
    return Sheet(
        "majors",
        _("本校专业"),
        [
            Col("code", _("专业代码")),
            Col("name", _("专业名称")),
            Col("class_label", _("专业类")),
            Col("enrolled", _("在校生"), "count"),
            Col("new", _("实际招生"), "count"),
            Col("graduates", _("预计毕业生"), "count"),
            Col("employment_rate", _("就业率"), "rate"),
            Col("related_rate", _("对口率"), "rate"),
            Col("local_rate", _("本地就业率"), "rate"),
            Col("major_headcount", _("本专业需求名额"), "count", _("全市岗位中明确要求本专业的名额")),
            Col("class_status", _("专业类供需（全市）"), "status"),
            Col("class_index", _("专业类供需指数"), "ratio"),
            Col("class_headcount", _("专业类需求名额"), "count"),
            Col("class_graduates", _("专业类预计毕业生"), "count"),
            Col("chains_text", _("对接产业链")),
        ],
        rows,
    )


def _open_sheet(rows: list[dict]) -> Sheet:
    return Sheet(
        "open",
        _("建议开设"),
        [
            Col("code", _("专业代码")),
            Col("name", _("专业名称")),
            Col("level_display", _("层次")),
            Col("controlled", _("国控专业"), "flag"),
            Col("class_label", _("专业类")),
            Col("scope_label", _("紧缺范围")),
            Col("class_status", _("供需状态"), "status"),
            Col("class_index", _("供需指数"), "ratio"),
            Col("class_headcount", _("需求名额"), "count"),
            Col("class_graduates", _("预计毕业生"), "count"),
            Col("class_unmet", _("缺口"), "count", _("需求名额 − 预计毕业生")),
            Col("county_status", _("本县市区供需"), "status"),
            Col("major_headcount", _("本专业需求名额"), "count", _("全市岗位中明确要求本专业的名额")),
            Col("chains_text", _("对接产业链")),
        ],
        rows,
    )


def _review_sheet(rows: list[dict]) -> Sheet:
    return Sheet(
        "review",
        _("建议评估"),
        [
            Col("code", _("专业代码")),
            Col("name", _("专业名称")),
            Col("class_label", _("专业类")),
            Col("enrolled", _("在校生"), "count"),
            Col("new", _("实际招生"), "count"),
            Col("new_before", _("上年招生"), "count"),
            Col("enrolment_drop", _("招生降幅"), "rate"),
            Col("employment_rate", _("就业率"), "rate"),
            Col("class_status", _("专业类供需（全市）"), "status"),
            Col("class_index", _("专业类供需指数"), "ratio"),
            Col("class_headcount", _("专业类需求名额"), "count"),
            Col("class_graduates", _("专业类预计毕业生"), "count"),
            Col("reasons_text", _("评估原因")),
        ],
        rows,
    )


def _plan_years(school: School) -> list[int]:
    """The school years with the school's majors on record, and the current one; newest first."""
    years = set(
        SchoolMajor.objects.filter(school=school).order_by().values_list("year", flat=True).distinct()
    )
    current = services.current_year()
    return sorted({y for y in years if y <= current} | {current}, reverse=True)


def _plan_year(request, school: School) -> tuple[int, list[int]]:
    """``?year=`` when offered; else the newest year with majors on record (the current one if none)."""
    years = _plan_years(school)
    wanted = _int(request.GET.get("year"))
    if wanted in years:
        return wanted, years
    with_majors = set(SchoolMajor.objects.filter(school=school).values_list("year", flat=True).distinct())
    return next((y for y in years if y in with_majors), years[0]), years


def _own_school(user) -> int | None:
    """The school of a school account (administrator, teachers), else None."""
    if user.is_superuser or getattr(user, "role", None) not in selectors.SCHOOL_ROLES:
        return None
    return getattr(user, "school_id", None)


@login_required
def school_plan_home(request):
    """A school's account goes to its own page; the government chooses a school; anyone else is refused."""
    user = request.user
    own = _own_school(user)
    query = f"?{urlencode({'year': request.GET['year']})}" if request.GET.get("year") else ""
    if own:
        return redirect(reverse("analytics:school", kwargs={"pk": own}) + query)
    selectors.require(selectors.sees_city(user))
    wanted = _int(request.GET.get("school"))
    if wanted is not None and School.objects.filter(pk=wanted).exists():
        return redirect(reverse("analytics:school", kwargs={"pk": wanted}) + query)
    return render(
        request,
        "analytics/school_plan.html",
        {"schools": School.objects.order_by("code").only("pk", "code", "name"), "choose": True},
    )


@login_required
def school_plan(request, pk: int):
    """The school's majors against its chains' demand, the majors it could open and those to review."""
    user = request.user
    school = get_object_or_404(School.objects.select_related("county"), pk=pk)
    if not selectors.sees_school(user, school):
        raise PermissionDenied(_("只能查看本校的一校一产业链。"))
    year, years = _plan_year(request, school)
    p = plan.school_plan(school, year)
    sheets = [_majors_sheet(p["majors"]), _open_sheet(p["open"]), _review_sheet(p["review"])]
    if request.GET.get("export"):
        return export(
            request, sheets, _("%(school)s一校一产业链-%(year)s") % {"school": school.name, "year": year}
        )
    xlsx_url = _export_links(request, sheets)
    majors_sheet, open_sheet, review_sheet = sheets
    majors_sheet.empty = _("%(year)s 学年没有登记本校开设的专业。") % {"year": year}
    majors_sheet.hint = _("请学校管理员在“开设专业”中登记本校开设的专业和招生情况。")
    open_sheet.empty = _(
        "没有可建议开设的专业：全市和本县市区都没有适合本校层次的紧缺专业类，或本校都已开设。"
    )
    open_sheet.hint = _("企业发布更多岗位、或其他学校的毕业生减少后，这里会随之更新。")
    review_sheet.empty = _("没有需要评估的专业：本校专业所属的专业类都不过剩，也没有淘汰预警。")
    review_sheet.hint = ""
    # the page: the suggestions with the largest gaps first (all of them on request; the export has all),
    # without the columns that say nothing for this school
    total_open = len(open_sheet.rows)
    open_all = request.GET.get("open") == "all" or total_open <= OPEN_SHOWN
    hide = set()
    if len(p["levels"]) == 1:
        hide.add("level_display")
    if not any(row["controlled"] for row in open_sheet.rows):
        hide.add("controlled")
    open_page = dataclasses.replace(
        open_sheet,
        columns=[c for c in open_sheet.columns if c.key not in hide],
        rows=open_sheet.rows if open_all else open_sheet.rows[:OPEN_SHOWN],
        title=open_sheet.title
        if open_all
        else _("建议开设 · 缺口最大的 %(n)s 个（共 %(total)s 个）") % {"n": OPEN_SHOWN, "total": total_open},
    )
    review_page = dataclasses.replace(
        review_sheet,
        columns=[c for c in review_sheet.columns if c.key not in {"class_headcount", "class_graduates"}],
    )  # the reasons say them
    t = services.thresholds()
    return render(
        request,
        "analytics/school_plan.html",
        {
            "school": school,
            "plan": p,
            "year": year,
            "years": years,
            "keep": [],
            "schools": (
                School.objects.order_by("code").only("pk", "code", "name")
                if selectors.sees_city(user)
                else []
            ),
            "majors_sheet": majors_sheet,
            "open_sheet": open_page,
            "open_total": total_open,
            "open_all_url": "" if open_all else f"{request.path}?{_query(request, open='all')}#open",
            "open_fewer_url": (
                f"{request.path}?{_query(request, open=None)}#open"
                if request.GET.get("open") == "all" and total_open > OPEN_SHOWN
                else ""
            ),
            "review_sheet": review_page,
            "chains": [
                {
                    **chain,
                    **{
                        f"{name}_text": f"{chain[name]:,}"
                        for name in ("enrolled", "city_headcount", "city_graduates")
                    },
                }
                for chain in p["chains"]
            ],
            "open_classes": len({row["class_key"] for row in p["open"]}),
            "xlsx_url": xlsx_url,
            "help": PLAN_HELP,
            "rules": _(
                "紧缺：供需指数 ≥ %(shortage)s 且需求名额 ≥ %(headcount)s；"
                "过剩：供需指数 ≤ %(surplus)s 且预计毕业生 ≥ %(graduates)s；"
                "无本地供给：有需求名额 ≥ %(headcount)s 而没有预计毕业生。"
            )
            % {
                "shortage": f"{t.shortage_index:g}",
                "surplus": f"{t.surplus_index:g}",
                "headcount": f"{t.min_headcount:g}",
                "graduates": f"{t.min_graduates:g}",
            },
        },
    )


# --- 研究数据 -----------------------------------------------------------------------------------------------
def _aggregate_columns(dimension: str) -> list[Col]:
    return [
        Col("code", _("代码")),
        Col("name", Dimension(dimension).label),
        Col("enrolled", _("在校生"), "count"),
        Col("new", _("实际招生"), "count"),
        Col("graduates", _("预计毕业生"), "count"),
        Col("headcount", _("需求名额"), "count"),
        Col("positions", _("岗位数"), "count"),
        Col("enterprises", _("需求企业"), "count"),
        Col("filled", _("已录用"), "count"),
        Col("unfilled", _("未招满"), "count"),
        Col("outcomes", _("登记去向"), "count"),
        Col("employed", _("就业"), "count"),
        Col("related", _("对口就业"), "count"),
        Col("local", _("本地就业"), "count"),
        Col("further", _("升学"), "count"),
        Col("employment_rate", _("就业率"), "rate"),
        Col("related_rate", _("对口率"), "rate"),
        Col("local_rate", _("本地就业率"), "rate"),
        Col("further_rate", _("升学率"), "rate"),
        Col("index", _("供需指数"), "ratio"),
        Col("status", _("供需状态"), "status"),
    ]


def _suppressed(row: dict) -> set[str]:
    """The cells of an aggregate row that ``selectors.aggregates`` suppressed: the people counts it blanked
    and the rates computed from them (a rate without data is not suppressed)."""
    out = {name for name in selectors.PEOPLE if row.get(name) is None}
    for name in list(out):
        out.update(selectors.PEOPLE[name])
    return out


def _aggregate_sheet(dimension: str, year: int, rows: list[dict], limit: int) -> Sheet:
    mark = f"<{limit}"
    status_names = dict(FieldStatus.choices)
    prepared = []
    for row in rows:
        hidden = _suppressed(row)
        prepared.append(
            {
                **row,
                "name": str(row.get("label") or "").removesuffix(f"（{row.get('code')}）"),
                "status_display": str(status_names.get(row.get("status"), "")),
                "_hidden": hidden,
            }
        )
    columns = _aggregate_columns(dimension)

    def cell(col: Col, row: dict) -> dict:
        if col.key in row["_hidden"]:
            return {"text": mark, "suppressed": True, "title": _("少于 %(n)s 人，不予显示") % {"n": limit}}
        return {}

    return Sheet(
        "aggregates",
        _("研究数据-%(dimension)s-%(year)s") % {"dimension": Dimension(dimension).label, "year": year},
        columns,
        prepared,
        cell=cell,
        hidden=lambda col, row: mark if col.key in row["_hidden"] else None,
    )


def _aggregate_years() -> list[int]:
    """The years with majors on record or kept city figures, up to the current one; newest first."""
    current = services.current_year()
    years = set(SchoolMajor.objects.order_by().values_list("year", flat=True).distinct())
    years |= set(
        Snapshot.objects.filter(scope=measures.CITY.key).order_by().values_list("year", flat=True).distinct()
    )
    return sorted({y for y in years if y <= current} | {current}, reverse=True)


@login_required
def aggregates(request):
    """De-identified aggregates of the city by major, 专业类, 大类, chain or county; small counts hidden."""
    selectors.require(selectors.sees_aggregates(request.user))
    years = _aggregate_years()
    year = _int(request.GET.get("year"))
    if year not in years:
        year = services.current_year()
    dimension = request.GET.get("dimension") or AGGREGATE_DIMENSIONS[0]
    if dimension not in AGGREGATE_DIMENSIONS:
        dimension = AGGREGATE_DIMENSIONS[0]
    limit = int(services.thresholds().suppress_below)
    sheet = _aggregate_sheet(dimension, year, selectors.aggregates(year, dimension), limit)
    if request.GET.get("export"):
        return export(request, [sheet], _("研究数据"))
    xlsx_url = _export_links(request, [sheet])
    hidden = sum(len(row["_hidden"] & {c.key for c in sheet.columns}) for row in sheet.rows)
    may_publish = services.may_publish(request.user)
    return render(
        request,
        "analytics/aggregates.html",
        {
            "sheet": sheet,
            "rows": sheet.html_rows(),
            "year": year,
            "years": years,
            "dimension": dimension,
            "dimensions": [(d, Dimension(d).label) for d in AGGREGATE_DIMENSIONS],
            "limit": limit,
            "hidden": hidden,
            "xlsx_url": xlsx_url,
            "api_url": f"/api/v1/analytics/aggregates/?{urlencode({'year': year, 'dimension': dimension})}",
            # 公开数据: officers publish the table shown (or withdraw it)
            "may_publish": may_publish,
            "publication": (
                Publication.objects.filter(year=year, dimension=dimension).first() if may_publish else None
            ),
        },
    )


@login_required
@require_POST
def aggregates_publish(request):
    """Publish (``action=publish``) or withdraw (``action=withdraw``) the table of ``year`` and ``dimension``
    on the public pages; back to the aggregates page with a message."""
    if not services.may_publish(request.user):
        raise PermissionDenied(_("只有政府部门工作人员可以发布公开数据。"))
    year = _int(request.POST.get("year"))
    dimension = request.POST.get("dimension") or ""
    back = f"{reverse('analytics:aggregates')}?{urlencode({'year': year or '', 'dimension': dimension})}"
    label = Dimension(dimension).label if dimension in Dimension.values else dimension
    names = {"year": year, "dimension": label}
    if request.POST.get("action") == "withdraw":
        publication = Publication.objects.filter(year=year, dimension=dimension).first()
        if publication is None:
            messages.info(request, _("%(year)s 学年按%(dimension)s的汇总表没有公开。") % names)
            return redirect(back)
        services.publication_delete(actor=request.user, publication=publication)
        messages.success(request, _("已撤回 %(year)s 学年按%(dimension)s的公开数据。") % names)
        return redirect(back)
    try:
        services.publication_create(
            actor=request.user, year=year, dimension=dimension, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    messages.success(
        request, _("已公开 %(year)s 学年按%(dimension)s的汇总表，公众可在“公开数据”页面查看。") % names
    )
    return redirect(back)


def urlpatterns() -> list:
    return [
        path("school/", school_plan_home, name="school_home"),
        path("school/<int:pk>/", school_plan, name="school"),
        path("aggregates/", aggregates, name="aggregates"),
        path("aggregates/publish/", aggregates_publish, name="aggregates_publish"),
    ]
