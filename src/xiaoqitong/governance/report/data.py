"""The data step of the annual quality report: everything the report states, collected from the platform
into plain JSON (numbers, names, texts, tables and chart specifications), so that rendering reads nothing
else and a stored version renders again to the same bytes.

The shape (``SCHEMA`` 1)::

    {"schema": 1,
     "meta": {"title", "city", "year", "scope": "city"|"school", "school": {"id", "code", "name"}|None,
              "version", "generated_on", "as_of", "source"},
     "sections": [{"key", "number", "title", "paragraphs": [str], "figures": [{"label", "value"}],
                   "tables": [TABLE], "charts": [CHART], "empty": str}]}

A TABLE is ``{"key", "title", "headers": [str], "rows": [[cell]], "note": str}``; a cell is a string, a
number, ``None`` (written 暂无数据, never 0) or ``{"text": str, "state": "green"|"amber"|...}`` for a
coloured state. A CHART is what ``svg.chart`` draws. Where the platform holds no data for something the
section says so instead of printing a zero.

A school report has the same skeleton for one school (its own rows; city-only figures left out).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.orgs.choices import EnterpriseSize, Ownership, SchoolType
from xiaoqitong.orgs.models import Enterprise, School, SchoolEnrolment

from ..choices import AssessmentStatus, MilestoneStatus, State

SCHEMA = 1
FIRST_YEAR = 2021  # the policy's year (郴政发〔2021〕9号)
SOURCE = "校企通平台"
# The target drawn year by year in section 2: the first of these that has a figure this year.
HISTORY_CODES = ("T1", "T16", "T3", "T2", "T20", "T18")
STATE_ORDER = (State.GREEN, State.AMBER, State.RED, State.NO_DATA, State.MONITORED)

# A stand-in "user" that every scoping rule reads as a platform administrator: the report is built by the
# system, and readers are checked on the report itself.
SYSTEM = SimpleNamespace(
    is_authenticated=True, is_active=True, is_superuser=True, role="", school_id=None, pk=None
)


# --- small helpers ----------------------------------------------------------------------------------------
def no_data() -> str:
    return _("暂无数据")


def share(part, whole) -> float | None:
    """``part / whole`` as a float rounded to four places, ``None`` without a whole."""
    if not whole or part is None:
        return None
    return round(float(part) / float(whole), 4)


def percent(part, whole) -> str | None:
    """“45.3%”, or ``None`` (暂无数据) without a whole."""
    value = share(part, whole)
    return None if value is None else f"{value * 100:.1f}%"


def number(value) -> int | float | None:
    """A JSON number from a Decimal, int or None (integers stay integers)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(round(value, 4))
    return value


def money(value) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01')):,}"


def state_cell(state: str, text: str = "") -> dict:
    return {"text": text or str(State(state).label), "state": str(state)}


def met_cell(met: bool | None) -> dict:
    if met is None:
        return state_cell(State.NO_DATA)
    return state_cell(State.GREEN if met else State.RED)


def table(key: str, title: str, headers: list[str], rows: list[list], note: str = "") -> dict:
    return {"key": key, "title": title, "headers": [str(h) for h in headers], "rows": rows, "note": note}


def section(key: str, number: int, title: str, **parts) -> dict:
    return {
        "key": key,
        "number": number,
        "title": title,
        "paragraphs": parts.get("paragraphs", []),
        "figures": parts.get("figures", []),
        "tables": parts.get("tables", []),
        "charts": parts.get("charts", []),
        "empty": parts.get("empty", ""),
    }


def bar(title: str, items: list[dict], **extra) -> dict:
    return {"kind": "bar", "title": title, "items": items, **extra}


def city_name() -> str:
    from django.conf import settings

    from xiaoqitong.reference.models import Region

    name = Region.objects.filter(code=settings.XQT_CITY_CODE).values_list("name", flat=True).first()
    return name or _("本市")


def as_of(year: int, today: dt.date) -> dt.date:
    """The day the year's figures are taken: 31 December, or today while the year runs."""
    return min(dt.date(year, 12, 31), today)


class Context:
    """What every section reads: the year, the scope (the city, or one school), the schools in it."""

    def __init__(self, year: int, school: School | None, today: dt.date):
        self.year = year
        self.school = school
        self.today = today
        self.as_of = as_of(year, today)
        self.start = dt.date(year, 1, 1)
        self.end = dt.date(year, 12, 31)
        schools = School.objects.select_related("county").order_by("code")
        if school is not None:
            schools = schools.filter(pk=school.pk)
        self.schools = list(schools)
        self.school_ids = [s.pk for s in self.schools]
        self.names = {s.pk: s.name for s in self.schools}
        self._evaluator = None

    @property
    def is_city(self) -> bool:
        return self.school is None

    @property
    def whom(self) -> str:
        return _("全市") if self.is_city else self.school.name

    def evaluator(self):
        from ..selectors import targets as T

        if self._evaluator is None:
            self._evaluator = T.Evaluator()
        return self._evaluator

    def school_filter(self, path: str) -> Q:
        return Q() if self.is_city else Q(**{path: self.school.pk})


# --- 1 基本情况 ---------------------------------------------------------------------------------------------
def basics(ctx: Context) -> dict:
    from xiaoqitong.cooperation.models import Agreement
    from xiaoqitong.quality.selectors.teachers import teacher_counts
    from xiaoqitong.schools.models import SchoolMajor

    students = dict(
        SchoolEnrolment.objects.filter(year=ctx.year, school_id__in=ctx.school_ids).values_list(
            "school_id", "full_time_students"
        )
    )
    majors = dict(
        SchoolMajor.objects.filter(year=ctx.year, school_id__in=ctx.school_ids)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    teachers = teacher_counts()
    rows = []
    for s in ctx.schools:
        t = teachers.get(s.pk)
        rows.append(
            [
                s.name,
                s.get_school_type_display(),
                s.get_ownership_display(),
                s.county.name if s.county_id else "",
                students.get(s.pk),
                majors.get(s.pk),
                t["full_time"] if t else None,
                t["part_time"] if t else None,
            ]
        )
    by_type = defaultdict(
        lambda: {"schools": 0, "students": None, "majors": None, "full": None, "part": None}
    )

    def add(bucket, key, value):
        if value is not None:
            bucket[key] = (bucket[key] or 0) + value

    for s in ctx.schools:
        bucket = by_type[s.school_type]
        bucket["schools"] += 1
        add(bucket, "students", students.get(s.pk))
        add(bucket, "majors", majors.get(s.pk))
        t = teachers.get(s.pk)
        add(bucket, "full", t["full_time"] if t else None)
        add(bucket, "part", t["part_time"] if t else None)
    total = {"schools": 0, "students": None, "majors": None, "full": None, "part": None}
    type_rows = []
    for kind in SchoolType:
        if kind not in by_type:
            continue
        b = by_type[kind]
        type_rows.append([str(kind.label), b["schools"], b["students"], b["majors"], b["full"], b["part"]])
        total["schools"] += b["schools"]
        for key in ("students", "majors", "full", "part"):
            add(total, key, b[key])
    tables = []
    charts = []
    if ctx.is_city:
        type_rows.append(
            [_("合计"), total["schools"], total["students"], total["majors"], total["full"], total["part"]]
        )
        tables.append(
            table(
                "school_types",
                _("各类职业院校"),
                [_("办学层次"), _("学校数"), _("全日制在校生"), _("专业点"), _("专任教师"), _("兼职教师")],
                type_rows,
            )
        )
        charts.append(
            bar(
                _("全日制在校生（按办学层次）"),
                [
                    {"label": r[0], "value": r[2], "text": f"{r[2]:,}" if r[2] is not None else ""}
                    for r in type_rows[:-1]
                ],
            )
        )
    tables.append(
        table(
            "schools",
            _("学校基本情况") if ctx.is_city else _("本校基本情况"),
            [
                _("学校"),
                _("办学层次"),
                _("举办性质"),
                _("县市区"),
                _("全日制在校生"),
                _("专业点"),
                _("专任教师"),
                _("兼职教师"),
            ],
            rows,
            _("在校生按学校填报的当年全日制在校生数；专业点为当年开设的专业；教师为当前在册情况。"),
        )
    )
    if ctx.is_city:
        sizes = dict(
            Enterprise.objects.filter(registered_in_city=True)
            .order_by()
            .values("size")
            .annotate(n=Count("pk"))
            .values_list("size", "n")
        )
        enterprises = sum(sizes.values())
        large_medium = sizes.get(EnterpriseSize.LARGE, 0) + sizes.get(EnterpriseSize.MEDIUM, 0)
        tables.append(
            table(
                "enterprises",
                _("平台登记的本地企业"),
                [_("企业规模"), _("企业数")],
                [[str(size.label), sizes.get(size, 0)] for size in EnterpriseSize if size in sizes]
                + [[_("合计"), enterprises]],
            )
        )
    else:
        enterprises = (
            Agreement.objects.filter(school=ctx.school, start_date__lte=ctx.end, end_date__gte=ctx.start)
            .values("enterprise")
            .distinct()
            .count()
        )
        large_medium = None
    public = sum(1 for s in ctx.schools if s.ownership == Ownership.PUBLIC)

    def text(value, unit: str = "") -> str:
        return no_data() if value is None else f"{value:,}{unit}"

    if ctx.is_city:
        kinds = "、".join(f"{r[0]} {r[1]} 所" for r in type_rows[:-1]) or no_data()
        paragraph = _(
            "%(whom)s共有职业院校 %(n)s 所（%(kinds)s；"
            "其中公办 %(public)s 所），全日制在校生 %(students)s，开设专业点 "
            "%(majors)s；专任教师 %(full)s，兼职教师 %(part)s。"
            "平台登记本地企业 %(ent)s 家，其中大中型企业 %(lm)s 家。"
        ) % {
            "whom": ctx.whom,
            "n": total["schools"],
            "kinds": kinds,
            "public": public,
            "students": text(total["students"], " 人"),
            "majors": text(total["majors"], " 个"),
            "full": text(total["full"], " 人"),
            "part": text(total["part"], " 人"),
            "ent": f"{enterprises:,}",
            "lm": f"{large_medium:,}",
        }
    else:
        row = rows[0]
        paragraph = _(
            "%(whom)s为%(kind)s（%(own)s），全日制在校生 %(students)s，"
            "开设专业点 %(majors)s；专任教师 %(full)s，"
            "兼职教师 %(part)s；本年度与 %(ent)s 家企业开展订单培养、学徒制等合作。"
        ) % {
            "whom": ctx.whom,
            "kind": row[1],
            "own": row[2],
            "students": text(row[4], " 人"),
            "majors": text(row[5], " 个"),
            "full": text(row[6], " 人"),
            "part": text(row[7], " 人"),
            "ent": enterprises,
        }
    figures = [
        {"label": _("职业院校"), "value": f"{total['schools']} 所" if ctx.is_city else rows[0][1]},
        {"label": _("全日制在校生"), "value": text(total["students"], " 人")},
        {"label": _("专业点"), "value": text(total["majors"], " 个")},
        {"label": _("专任教师"), "value": text(total["full"], " 人")},
        {"label": _("本地企业") if ctx.is_city else _("合作企业"), "value": f"{enterprises:,} 家"},
    ]
    return section(
        "basics", 1, _("基本情况"), paragraphs=[paragraph], figures=figures, tables=tables, charts=charts
    )


# --- 2 目标达成 ---------------------------------------------------------------------------------------------
def _results(ctx: Context) -> list:
    from ..choices import State
    from ..selectors import targets as T

    if ctx.is_city:
        results = T.city_summary(ctx.year, evaluator=ctx.evaluator())
    else:
        results = T.school_results(ctx.year, ctx.school.pk, evaluator=ctx.evaluator())
    for r in results:
        if r.target.code == "R3":
            # R3 asks for this very report: while it is being built it is not "done" yet, but it will be.
            r.state, r.value_text = State.GREEN, _("本报告")
            r.note = _("本报告即为该年度的质量年度报告。")
    return results


def _history(ctx: Context, code: str) -> list:
    from ..choices import Scope
    from ..selectors import targets as T

    if ctx.is_city:
        return T.history(code, FIRST_YEAR, ctx.year, evaluator=ctx.evaluator())
    out = []
    for year in range(FIRST_YEAR, ctx.year + 1):
        out += T.evaluate(
            year, codes=[code], scopes=(Scope.SCHOOL,), school_ids=[ctx.school.pk], evaluator=ctx.evaluator()
        )
    return out


def target_rows(results: list) -> list[dict]:
    """The results as plain dicts (what sections 2 and 8 state of each target)."""
    return [
        {
            "code": r.target.code,
            "name": r.target.name,
            "value": number(r.value),
            "value_text": r.value_text,
            "target_text": r.target_text,
            "state": str(r.state),
            "unit": str(r.unit),
            "source": r.target.source,
            "note": str(r.note or ""),
        }
        for r in results
    ]


def targets_section(ctx: Context) -> tuple[dict, list[dict]]:
    rows = target_rows(_results(ctx))
    if not rows:
        return section("targets", 2, _("目标达成"), empty=_("平台尚未配置目标指标，暂无数据。")), rows
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in STATE_ORDER}
    paragraph = _(
        "对照郴政发〔2021〕9号确定的 %(n)s 项目标和制度要求，"
        "%(whom)s %(year)s 年度：达标 %(g)s 项，接近目标 %(a)s "
        "项，未达标 %(r)s 项，暂无数据 %(d)s 项，只监测 %(m)s 项。"
    ) % {
        "n": len(rows),
        "whom": ctx.whom,
        "year": ctx.year,
        "g": counts[State.GREEN],
        "a": counts[State.AMBER],
        "r": counts[State.RED],
        "d": counts[State.NO_DATA],
        "m": counts[State.MONITORED],
    }
    body = [
        [
            r["code"],
            r["name"],
            r["value_text"],
            r["target_text"],
            state_cell(r["state"]),
            r["source"],
            r["note"],
        ]
        for r in rows
    ]
    charts = [
        bar(
            _("各状态指标数"),
            [
                {"label": str(State(s).label), "value": counts[s], "text": f"{counts[s]} 项", "color": str(s)}
                for s in STATE_ORDER
            ],
        )
    ]
    chosen = next(
        (r for code in HISTORY_CODES for r in rows if r["code"] == code and r["value"] is not None), None
    )
    if chosen is None:
        chosen = next((r for code in HISTORY_CODES for r in rows if r["code"] == code), None)
    if chosen is not None:
        history = _history(ctx, chosen["code"])
        share_unit = chosen["unit"] == "share"
        goal = next((h.goal for h in history if h.goal is not None), None)
        charts.append(
            {
                "kind": "line",
                "title": _("%(code)s %(name)s（%(first)s—%(last)s 年）")
                % {"code": chosen["code"], "name": chosen["name"], "first": FIRST_YEAR, "last": ctx.year},
                "items": [
                    {
                        "label": str(h.year),
                        "value": number(h.value * 100 if share_unit and h.value is not None else h.value),
                        "text": h.value_text,
                    }
                    for h in history
                ],
                "target": number(goal * 100 if share_unit and goal is not None else goal),
                "target_text": _("目标 %(t)s") % {"t": chosen["target_text"]},
            }
        )
    return (
        section(
            "targets",
            2,
            _("目标达成"),
            paragraphs=[paragraph],
            tables=[
                table(
                    "targets",
                    _("目标指标达成情况"),
                    [_("编号"), _("指标"), _("本年度"), _("目标"), _("状态"), _("政策依据"), _("说明")],
                    body,
                    _("“接近目标”指与目标相差不超过该指标设定的区间，或尚未到完成期限。"),
                )
            ],
            charts=charts,
        ),
        rows,
    )


# --- 3 人才培养 ---------------------------------------------------------------------------------------------
def talent(ctx: Context, targets: list[dict]) -> dict:
    from xiaoqitong.analytics.measures import outcomes

    per_school = outcomes(ctx.year, "school")
    rows, total = [], defaultdict(int)
    for s in ctx.schools:
        o = per_school.get(s.pk)
        if not o or not o["outcomes"]:
            rows.append([s.name, None, None, None, None, None, None, None])
            continue
        for key in ("outcomes", "employed", "further", "local"):
            total[key] += o[key]
        rows.append(
            [
                s.name,
                o["outcomes"],
                o["employed"],
                percent(o["employed"], o["outcomes"]),
                o["further"],
                percent(o["further"], o["outcomes"]),
                o["local"],
                percent(o["local"], o["employed"]),
            ]
        )
    if not total["outcomes"]:
        return section(
            "talent",
            3,
            _("人才培养"),
            empty=_("平台尚无 %(year)s 年毕业生去向记录，暂无数据。") % {"year": ctx.year},
        )
    if ctx.is_city:
        rows.append(
            [
                _("全市合计"),
                total["outcomes"],
                total["employed"],
                percent(total["employed"], total["outcomes"]),
                total["further"],
                percent(total["further"], total["outcomes"]),
                total["local"],
                percent(total["local"], total["employed"]),
            ]
        )
    t1 = next((t for t in targets if t["code"] == "T1"), None)
    paragraph = _(
        "%(year)s 年%(whom)s登记去向的毕业生 %(n)s 人，"
        "其中就业（含自主创业）%(e)s 人，就业率 %(er)s；升学 %(f)s 人，"
        "升学率 %(fr)s；留郴就业 %(l)s 人，占就业毕业生的 %(lr)s。"
    ) % {
        "year": ctx.year,
        "whom": ctx.whom,
        "n": f"{total['outcomes']:,}",
        "e": f"{total['employed']:,}",
        "er": percent(total["employed"], total["outcomes"]),
        "f": f"{total['further']:,}",
        "fr": percent(total["further"], total["outcomes"]),
        "l": f"{total['local']:,}",
        "lr": percent(total["local"], total["employed"]) or no_data(),
    }
    paragraphs = [paragraph]
    if t1 is not None:
        paragraphs.append(
            _("中职毕业生直接升入高职、本科层次院校的比例（T1）为 %(v)s，目标 %(t)s，%(s)s。")
            % {"v": t1["value_text"], "t": t1["target_text"], "s": State(t1["state"]).label}
        )
    charts = []
    if ctx.is_city:
        charts.append(
            bar(
                _("各校留郴就业率（占就业毕业生）"),
                [
                    {
                        "label": r[0],
                        "value": None if r[7] is None else round(share(r[6], r[2]) * 100, 1),
                        "text": r[7],
                    }
                    for r in rows[:-1]
                ],
                maximum=100,
            )
        )
    return section(
        "talent",
        3,
        _("人才培养"),
        paragraphs=paragraphs,
        tables=[
            table(
                "outcomes",
                _("毕业生去向"),
                [
                    _("学校"),
                    _("登记去向的毕业生"),
                    _("就业（含自主创业）"),
                    _("就业率"),
                    _("升学"),
                    _("升学率"),
                    _("留郴就业"),
                    _("留郴就业率"),
                ],
                rows,
                _(
                    "按毕业年度统计学校上报和平台录用记录的毕业去向；留郴就业率为在本市就业人数占就业人数的比例。"
                ),
            )
        ],
        charts=charts,
    )


# --- 4 校企合作与产教融合 -----------------------------------------------------------------------------------
def cooperation(ctx: Context, targets: list[dict]) -> dict:
    from xiaoqitong.cooperation.choices import AgreementKind, AgreementStatus, ClaimStatus
    from xiaoqitong.cooperation.models import Agreement, SubsidyClaim
    from xiaoqitong.cooperation.selectors import bases, internships

    paragraphs, tables, charts = [], [], []
    # Agreements of the four forms in force during the year.
    agreements = Agreement.objects.filter(
        ctx.school_filter("school_id"),
        status__in=[AgreementStatus.ACTIVE, AgreementStatus.ENDED],
        start_date__lte=ctx.end,
        end_date__gte=ctx.start,
    )
    kinds = {
        row["kind"]: row
        for row in agreements.order_by()
        .values("kind")
        .annotate(
            n=Count("pk"), enterprises=Count("enterprise", distinct=True), planned=Sum("planned_headcount")
        )
    }
    if kinds:
        tables.append(
            table(
                "agreements",
                _("校企合作育人协议（本年度执行）"),
                [_("合作形式"), _("协议数"), _("合作企业"), _("计划培养人数")],
                [
                    [str(k.label), kinds[k]["n"], kinds[k]["enterprises"], kinds[k]["planned"]]
                    for k in AgreementKind
                    if k in kinds
                ],
            )
        )
        charts.append(
            bar(
                _("合作协议数（按合作形式）"),
                [
                    {
                        "label": str(k.label),
                        "value": kinds.get(k, {}).get("n", 0),
                        "text": str(kinds.get(k, {}).get("n", 0)),
                    }
                    for k in AgreementKind
                ],
            )
        )
        paragraphs.append(
            _(
                "本年度执行的订单班、学徒制、预备员工制等校企合作育人协议 %(n)s 份，"
                "涉及企业 %(e)s 家（按形式分别计），计划培养 %(p)s 人。"
            )
            % {
                "n": sum(r["n"] for r in kinds.values()),
                "e": sum(r["enterprises"] for r in kinds.values()),
                "p": f"{sum(r['planned'] or 0 for r in kinds.values()):,}",
            }
        )
    else:
        paragraphs.append(_("平台尚无本年度执行的校企合作育人协议，暂无数据。"))

    # T13 per school, T14 per county (current bases).
    school_rows = [r for r in bases.school_rows(None) if r["school"].pk in ctx.school_ids]
    if school_rows:
        tables.append(
            table(
                "bases_t13",
                _("产教融合实习基地（T13）"),
                [_("学校"), _("在用产教融合实习基地"), _("目标"), _("状态")],
                [[r["school"].name, r["count"], f"≥ {r['target']}", met_cell(r["met"])] for r in school_rows],
                _("按当前在用的基地统计；依据：%(cite)s。") % {"cite": school_rows[0]["cite"]},
            )
        )
    if ctx.is_city:
        county_rows = bases.county_rows()
        if county_rows:
            tables.append(
                table(
                    "bases_t14",
                    _("县域共享性实训基地（T14）"),
                    [_("县市区"), _("在用县域共享性实训基地"), _("目标"), _("状态")],
                    [
                        [r["county"].name, r["count"], f"≥ {r['target']}", met_cell(r["met"])]
                        for r in county_rows
                    ],
                    _("依据：%(cite)s。") % {"cite": county_rows[0]["cite"]},
                )
            )
            paragraphs.append(
                _(
                    "%(m)s/%(n)s 所学校的产教融合实习基地达到目标，"
                    "%(cm)s/%(cn)s 个县市区建有县域共享性实训基地。"
                )
                % {
                    "m": sum(1 for r in school_rows if r["met"]),
                    "n": len(school_rows),
                    "cm": sum(1 for r in county_rows if r["met"]),
                    "cn": len(county_rows),
                }
            )

    # T15 / T16: internships that started in the year.
    report = internships.compliance(SYSTEM, ctx.year, today=ctx.as_of)
    lines = [r for r in report.rows if r.school_id in ctx.school_ids]
    if lines:
        body = [[r.school, r.interns, r.in_city, r.share_text, r.short, met_cell(not r.under)] for r in lines]
        interns = sum(r.interns for r in lines)
        local = sum(r.in_city for r in lines)
        if ctx.is_city:
            body.append(
                [
                    _("全市合计"),
                    interns,
                    local,
                    percent(local, interns),
                    sum(r.short for r in lines),
                    met_cell(Decimal(local) >= report.rule_share * interns),
                ]
            )
        tables.append(
            table(
                "internships",
                _("学生实习（T15、T16）"),
                [
                    _("学校"),
                    _("实习人数"),
                    _("市域内企业实习"),
                    _("市域内占比"),
                    _("短于最短实习期"),
                    _("T16 状态"),
                ],
                body,
                _(
                    "本年度开始的实习；T16 目标 ≥ %(share)s（%(cite)s）；"
                    "T15 单次实习不少于 %(months)s 个月（%(mcite)s）。"
                )
                % {
                    "share": report.rule_percent,
                    "cite": report.share_cite,
                    "months": report.rule_months_text,
                    "mcite": report.months_cite,
                },
            )
        )
        paragraphs.append(
            _("本年度开始的学生实习 %(n)s 人次，其中在市域内企业实习 %(l)s 人次，占 %(p)s。")
            % {"n": f"{interns:,}", "l": f"{local:,}", "p": percent(local, interns)}
        )
    else:
        paragraphs.append(_("平台尚无本年度开始的学生实习记录，暂无数据。"))

    # T17: apprenticeship subsidy claims of the year (drafts are not claims yet).
    claims = SubsidyClaim.objects.filter(ctx.school_filter("agreement__school_id"), year=ctx.year).exclude(
        status=ClaimStatus.DRAFT
    )
    by_status = {
        row["status"]: row
        for row in claims.order_by()
        .values("status")
        .annotate(
            n=Count("pk"),
            apprentices=Sum("apprentices"),
            amount=Sum("amount"),
            approved=Sum("approved_amount"),
        )
    }
    if by_status:
        tables.append(
            table(
                "subsidies",
                _("学徒培训补贴（T17）"),
                [_("状态"), _("申请数"), _("学徒人数"), _("申请金额（元）"), _("核定金额（元）")],
                [
                    [
                        str(s.label),
                        by_status[s]["n"],
                        by_status[s]["apprentices"] or 0,
                        money(by_status[s]["amount"]),
                        money(by_status[s]["approved"]),
                    ]
                    for s in ClaimStatus
                    if s in by_status
                ],
            )
        )
        granted = [by_status[s] for s in (ClaimStatus.APPROVED, ClaimStatus.PAID) if s in by_status]
        apprentices = sum(r["apprentices"] or 0 for r in granted)
        approved = sum((r["approved"] or Decimal(0) for r in granted), Decimal(0))
        per_head = (approved / apprentices).quantize(Decimal("1")) if apprentices else None
        paragraphs.append(
            _("学徒培训补贴：核定 %(a)s 名学徒，核定金额 %(m)s 元，人均 %(p)s。")
            % {
                "a": apprentices,
                "m": money(approved),
                "p": f"{per_head:,} 元" if per_head is not None else no_data(),
            }
        )
    else:
        paragraphs.append(_("平台尚无本年度学徒培训补贴申请，暂无数据。"))

    if ctx.is_city:
        paragraphs += certification_paragraphs(ctx, tables)
        paragraphs += events_paragraphs(ctx, tables)
    else:
        paragraphs.append(school_events_paragraph(ctx))
    return section(
        "cooperation", 4, _("校企合作与产教融合"), paragraphs=paragraphs, tables=tables, charts=charts
    )


def certification_paragraphs(ctx: Context, tables: list) -> list[str]:
    from xiaoqitong.certification.selectors.targets import targets_report

    report = targets_report(ctx.year)
    out = [
        _(
            "产教融合型企业（T12）：年末持有称号的企业 %(n)s 家（市级 %(m)s 家，"
            "省级 %(p)s 家），目标 %(t)s 家（到 %(y)s 年）。"
        )
        % {
            "n": report.certified["total"],
            "m": report.certified.get("municipal", 0),
            "p": report.certified.get("provincial", 0),
            "t": report.certified_target,
            "y": report.target_year,
        }
    ]
    share_target = f"{report.share_target * 100:.0f}%"
    if report.city.total:
        out.append(
            _("深度参与职业教育人才培养的本地大中型企业（T2）%(d)s/%(t)s 家，占 %(v)s，目标 ≥ %(g)s。")
            % {"d": report.city.deep, "t": report.city.total, "v": report.city.text, "g": share_target}
        )
        tables.append(
            table(
                "deep_participation",
                _("深度参与的本地大中型企业（T2，分县市区）"),
                [_("县市区或园区"), _("本地大中型企业"), _("深度参与"), _("比例"), _("持有称号"), _("状态")],
                [
                    [
                        line.region.name,
                        line.total,
                        line.deep,
                        percent(line.deep, line.total),
                        line.certified,
                        met_cell(report.county_met(line)),
                    ]
                    for line in report.counties
                ],
                _("目标 ≥ %(g)s；依据：%(s)s。") % {"g": share_target, "s": report.t2_source},
            )
        )
    else:
        out.append(_("深度参与的本地大中型企业（T2）：平台尚无本地大中型企业记录，暂无数据。"))
    return out


def events_paragraphs(ctx: Context, tables: list) -> list[str]:
    from xiaoqitong.events.selectors.targets import targets_report

    report = targets_report(ctx.year)
    lines = report.lines + report.others
    if not lines:
        return [_("平台尚未配置对接活动类型，暂无数据。")]
    tables.append(
        table(
            "events",
            _("校企对接活动（T7—T9）"),
            [_("活动"), _("已举办"), _("已安排"), _("目标"), _("状态"), _("依据")],
            [
                [
                    line.label,
                    line.held,
                    line.scheduled,
                    f"≥ {line.target_int}" if line.target is not None else _("只统计"),
                    met_cell(line.met) if line.target is not None else state_cell(State.MONITORED),
                    line.cite,
                ]
                for line in lines
            ],
        )
    )
    p = report.participants
    return [
        _(
            "举办供需见面会、大湾区推介会、产教对话等活动 %(h)s 场，"
            "参与企业 %(e)s 家、学校 %(s)s 所、学生 %(st)s 人。"
        )
        % {"h": p.held_events, "e": p.enterprises, "s": p.schools, "st": p.students}
    ]


def school_events_paragraph(ctx: Context) -> str:
    from xiaoqitong.events.choices import EventStatus, ParticipantKind, RegistrationStatus
    from xiaoqitong.events.models import Registration

    n = Registration.objects.filter(
        kind=ParticipantKind.SCHOOL,
        school=ctx.school,
        status=RegistrationStatus.APPROVED,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__year=ctx.year,
    ).count()
    return _("本年度组团参加供需见面会、推介会、产教对话等对接活动 %(n)s 场。") % {"n": n}


# --- 5 师资队伍 ---------------------------------------------------------------------------------------------
def teachers(ctx: Context) -> dict:
    from xiaoqitong.quality.selectors.teachers import NO_HISTORY_NOTE, overview

    data = overview(ctx.year, school_ids=ctx.school_ids)
    tables = []
    if ctx.is_city:
        tables.append(
            table(
                "teacher_targets",
                _("师资队伍目标（T18—T23）"),
                [_("编号"), _("指标"), _("全市"), _("目标"), _("状态")],
                [
                    [row.target_id, str(row.measure.label), row.text, row.target_text, met_cell(row.met)]
                    for row in data["city"]
                ],
            )
        )
    lines = data["lines"]
    body = []
    for line in lines:
        c = line.counts
        body.append(
            [
                line.school.name,
                c.get("full_time") if c else None,
                c.get("part_time") if c else None,
                line.cells["part_time"].text,
                line.cells["dual"].text,
                line.cells["funding"].text,
                line.cells["tech"].text,
                number(line.days_per_teacher),
            ]
        )
    tables.append(
        table(
            "teachers",
            _("各校师资队伍") if ctx.is_city else _("本校师资队伍"),
            [
                _("学校"),
                _("专任教师"),
                _("兼职教师"),
                _("兼职教师比例（T18）"),
                _("“双师型”比例（T20）"),
                _("特岗人均经费（T19）"),
                _("技术服务收入用于报酬（T23）"),
                _("企业实践人均天数"),
            ],
            body,
            str(NO_HISTORY_NOTE),
        )
    )
    dual_rows = [line.cells["dual"] for line in lines]
    goal = dual_rows[0].target if dual_rows else None
    charts = [
        bar(
            _("“双师型”教师比例（T20）"),
            [
                {
                    "label": line.school.name,
                    "value": None
                    if line.cells["dual"].value is None
                    else float(round(line.cells["dual"].value * 100, 1)),
                    "text": line.cells["dual"].text,
                }
                for line in lines
            ],
            maximum=100,
            target=number(goal * 100) if goal is not None else None,
            target_text=_("目标 %(t)s") % {"t": dual_rows[0].target_text} if dual_rows else "",
        )
    ]
    if ctx.is_city:
        dual = next((r for r in data["city"] if r.target_id == "T20"), None)
        part = next((r for r in data["city"] if r.target_id == "T18"), None)
    else:
        dual = lines[0].cells["dual"] if lines else None
        part = lines[0].cells["part_time"] if lines else None
    paragraph = _("%(whom)s“双师型”教师比例 %(d)s（目标 %(dt)s），兼职教师比例 %(p)s（目标 %(pt)s）。") % {
        "whom": ctx.whom,
        "d": dual.text if dual else no_data(),
        "dt": dual.target_text if dual else "—",
        "p": part.text if part else no_data(),
        "pt": part.target_text if part else "—",
    }
    return section("teachers", 5, _("师资队伍"), paragraphs=[paragraph], tables=tables, charts=charts)


# --- 6 学校考核 ---------------------------------------------------------------------------------------------
def assessment(ctx: Context) -> dict:
    from ..models import Assessment, IndicatorScore, SchoolScore

    published = Assessment.objects.filter(year=ctx.year, status=AssessmentStatus.PUBLISHED).first()
    if published is None:
        return section("assessment", 6, _("学校考核"), empty=_("本年度考核尚未发布。"))
    scores = list(
        SchoolScore.objects.filter(assessment=published)
        .select_related("school")
        .order_by("rank", "school__code")
    )
    if not ctx.is_city:
        scores = [s for s in scores if s.school_id == ctx.school.pk]
    if not scores:
        return section("assessment", 6, _("学校考核"), empty=_("本年度考核结果中没有本校的得分，暂无数据。"))
    tables = [
        table(
            "assessment",
            _("%(year)s 年度职业院校考核结果") % {"year": ctx.year},
            [_("名次"), _("学校"), _("总分")],
            [[s.rank, s.school.name, number(s.total)] for s in scores],
        )
    ]
    charts = []
    if ctx.is_city:
        charts.append(
            bar(
                _("考核总分"),
                [{"label": s.school.name, "value": number(s.total), "text": f"{s.total}"} for s in scores],
            )
        )
        top = scores[0]
        paragraph = _(
            "%(year)s 年度职业院校考核已于 %(d)s 发布，共 %(n)s 所学校参加，%(top)s 以 %(t)s 分排名第一。"
        ) % {
            "year": ctx.year,
            "d": timezone.localtime(published.published_at).date().isoformat()
            if published.published_at
            else "—",
            "n": len(scores),
            "top": top.school.name,
            "t": top.total,
        }
    else:
        score = scores[0]
        total = SchoolScore.objects.filter(assessment=published).count()
        lines = (
            IndicatorScore.objects.filter(score=score)
            .select_related("indicator")
            .order_by("indicator__sort_order")
        )
        tables.append(
            table(
                "assessment_lines",
                _("本校各项指标得分"),
                [_("指标"), _("类别"), _("指标值"), _("得分"), _("分值"), _("说明")],
                [
                    [
                        line.indicator.name,
                        line.indicator.group,
                        number(line.value),
                        number(line.points),
                        number(line.indicator.weight),
                        line.note,
                    ]
                    for line in lines
                ],
            )
        )
        paragraph = _("%(year)s 年度职业院校考核中，本校总分 %(t)s，在 %(n)s 所学校中排名第 %(r)s。") % {
            "year": ctx.year,
            "t": score.total,
            "n": total,
            "r": score.rank or "—",
        }
    return section("assessment", 6, _("学校考核"), paragraphs=[paragraph], tables=tables, charts=charts)


# --- 7 责任清单落实 -----------------------------------------------------------------------------------------
def tasks(ctx: Context) -> tuple[dict, list[dict]]:
    from ..models import Milestone, Task

    task_list = list(Task.objects.order_by("number"))
    if not task_list:
        return section("tasks", 7, _("责任清单落实"), empty=_("平台尚未录入责任清单任务，暂无数据。")), []
    milestones = Milestone.objects.exclude(status=MilestoneStatus.CANCELLED).filter(due_date__lte=ctx.end)
    if not ctx.is_city:
        milestones = milestones.filter(school=ctx.school)
    counts = {
        row["task_id"]: row
        for row in milestones.order_by()
        .values("task_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=MilestoneStatus.DONE)),
            overdue=Count("pk", filter=Q(status=MilestoneStatus.OPEN, due_date__lt=ctx.as_of)),
        )
    }
    rows, summary = [], []
    for task in task_list:
        c = counts.get(task.pk)
        if not ctx.is_city and not c:
            continue
        text = task.text if len(task.text) <= 80 else task.text[:78] + "……"
        if c:
            state = State.RED if c["overdue"] else (State.GREEN if c["done"] == c["total"] else State.AMBER)
            label = {State.RED: _("有逾期"), State.GREEN: _("已完成"), State.AMBER: _("推进中")}[state]
            rows.append(
                [
                    task.number,
                    text,
                    task.lead_text,
                    c["total"],
                    c["done"],
                    c["overdue"],
                    state_cell(state, label),
                ]
            )
        else:
            rows.append(
                [
                    task.number,
                    text,
                    task.lead_text,
                    None,
                    None,
                    None,
                    state_cell(State.NO_DATA, _("未设节点")),
                ]
            )
        summary.append(
            {
                "number": task.number,
                "lead": task.lead_text,
                "total": c["total"] if c else 0,
                "done": c["done"] if c else 0,
                "overdue": c["overdue"] if c else 0,
            }
        )
    if not rows:
        return section(
            "tasks", 7, _("责任清单落实"), empty=_("本校在责任清单中暂无负责的节点，暂无数据。")
        ), []
    total = sum(s["total"] for s in summary)
    done = sum(s["done"] for s in summary)
    overdue = sum(s["overdue"] for s in summary)
    paragraph = _(
        "《主要任务责任清单》%(n)s 项任务截至 %(d)s 共设节点 %(t)s 个，"
        "已完成 %(done)s 个（%(p)s），逾期未完成 %(o)s 个。"
    ) % {
        "n": len(rows),
        "d": ctx.as_of.isoformat(),
        "t": total,
        "done": done,
        "p": percent(done, total) or no_data(),
        "o": overdue,
    }
    charts = [
        bar(
            _("各任务节点完成情况（已完成/应完成）"),
            [
                {
                    "label": _("任务 %(n)s") % {"n": s["number"]},
                    "value": round(100 * s["done"] / s["total"], 1) if s["total"] else None,
                    "text": f"{s['done']}/{s['total']}",
                    "color": "red"
                    if s["overdue"]
                    else "green"
                    if s["total"] and s["done"] == s["total"]
                    else "amber",
                }
                for s in summary
            ],
            maximum=100,
        )
    ]
    return (
        section(
            "tasks",
            7,
            _("责任清单落实"),
            paragraphs=[paragraph],
            tables=[
                table(
                    "tasks",
                    _("责任清单任务节点"),
                    [_("序号"), _("主要任务"), _("牵头部门"), _("节点"), _("已完成"), _("逾期"), _("状态")],
                    rows,
                    _("节点为完成时限在本年底以前的节点（已取消的除外）；逾期指截至统计日仍未完成。"),
                )
            ],
            charts=charts,
        ),
        summary,
    )


# --- 8 存在问题与下一步 -------------------------------------------------------------------------------------
def problems(ctx: Context, targets: list[dict], task_summary: list[dict]) -> dict:
    """Generated from the red targets and the overdue milestones of sections 2 and 7."""
    found, steps = [], []
    red = [t for t in targets if t["state"] == State.RED]
    for t in red:
        found.append(
            _("%(code)s %(name)s未达标：%(v)s，目标 %(g)s（%(s)s）。")
            % {
                "code": t["code"],
                "name": t["name"],
                "v": t["value_text"],
                "g": t["target_text"],
                "s": t["source"],
            }
        )
    if red:
        steps.append(
            _(
                "对未达标的 %(codes)s，由各指标的牵头部门分析差距，"
                "制定改进措施，明确完成时限，在下一年度报告中说明进展。"
            )
            % {"codes": "、".join(t["code"] for t in red)}
        )
    amber = [t["code"] for t in targets if t["state"] == State.AMBER]
    if amber:
        steps.append(_("接近目标的 %(codes)s，保持工作力度，确保按期达标。") % {"codes": "、".join(amber)})
    for s in task_summary:
        if s["overdue"]:
            found.append(
                _("责任清单任务 %(n)s（牵头：%(lead)s）有 %(o)s 个节点逾期未完成。")
                % {"n": s["number"], "lead": s["lead"], "o": s["overdue"]}
            )
            steps.append(
                _("任务 %(n)s：%(lead)s督促责任单位报送进展，尽快完成逾期节点。")
                % {"n": s["number"], "lead": s["lead"]}
            )
    missing = [t["code"] for t in targets if t["state"] == State.NO_DATA]
    if missing:
        steps.append(
            _("以下指标平台暂无数据，请相关单位补充报送：%(codes)s。") % {"codes": "、".join(missing)}
        )
    return section("problems", 8, _("存在问题与下一步")) | {"problems": found, "steps": steps}


# --- the whole report ---------------------------------------------------------------------------------------
def collect(
    *, year: int, school: School | None = None, version: int = 1, today: dt.date | None = None, progress=None
) -> dict:
    """Every figure of the report of ``year`` for the city (``school`` None) or one school, as plain JSON.
    ``progress(fraction)`` is called between sections (0 to 1)."""
    today = today or timezone.localdate()
    ctx = Context(year, school, today)
    city = city_name()
    whom = city if school is None else school.name
    meta = {
        "title": _("%(whom)s职业教育质量年度报告（%(year)s年度）") % {"whom": whom, "year": year},
        "city": city,
        "year": year,
        "scope": "city" if school is None else "school",
        "school": None if school is None else {"id": school.pk, "code": school.code, "name": school.name},
        "version": version,
        "generated_on": today.isoformat(),
        "as_of": ctx.as_of.isoformat(),
        "source": _("数据来源：%(s)s") % {"s": SOURCE},
    }
    report = progress or (lambda fraction: None)
    sections = [basics(ctx)]
    report(0.15)
    targets_part, target_list = targets_section(ctx)
    sections.append(targets_part)
    report(0.35)
    sections.append(talent(ctx, target_list))
    report(0.45)
    sections.append(cooperation(ctx, target_list))
    report(0.65)
    sections.append(teachers(ctx))
    report(0.75)
    sections.append(assessment(ctx))
    task_part, task_summary = tasks(ctx)
    sections.append(task_part)
    report(0.9)
    sections.append(problems(ctx, target_list, task_summary))
    report(1.0)
    return {"schema": SCHEMA, "meta": meta, "sections": sections}
