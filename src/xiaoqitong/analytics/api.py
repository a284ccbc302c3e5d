"""API: /api/v1/analytics/… — supply-demand figures, structure alignment, warnings, trends, a school's
一校一产业链 plan, researchers' de-identified aggregates and the thresholds.

JSON throughout; refusals and bad parameters in Chinese. ``year`` is a school year (named by the year it
starts in) from 2000 to the current one, default the current one; ``dimension`` one of ``major``,
``major_class``, ``major_category``, ``chain``, ``county``, ``school``; ``county`` the id of one of the
city's county-level units or parks; ``school`` a school's id. A bad parameter answers 400, an unknown school
404. Who may ask (``selectors``): government officers and platform administrators anything; a school
(administrator, teachers) its own school only (``school=<own id>``; anything else 403); researchers only the
aggregates; everyone else 403.

``GET figures/?year=&dimension=&county=&school=``
    Supply, demand, outcomes, the supply-demand index and its class (紧缺/平衡/过剩/无本地供给/无数据)
    of each row of the dimension in the city, a county or a school (a school's rows count its supply
    and outcomes against the city's demand). Shortages first, then by demand.
``GET alignment/?year=&county=&school=``
    Enrolment shares by industry chain against demand and employment shares, with the two dissimilarity
    indices (0: the same structure, 1: no overlap).
``GET counties/?year=``
    The alignment indices of the city and of each county-level unit and park, this year and last (government).
``GET warnings/?year=``
    淘汰预警 (majors whose enrolment falls while employment and demand are low) and 缺口 (专业类 with
    demand and no local supply), each with its numbers (government).
``GET trend/?dimension=&key=``
    The kept years of one row (government); ``key`` is the row's id in its dimension.
``GET schools/<id>/plan/?year=``
    The school's 一校一产业链: its majors, its chains, the majors it could open and the majors to review, each
    with the evidence (``plan.school_plan``); the school itself and the government.
``GET aggregates/?year=&dimension=``
    De-identified aggregates of the city by major, 专业类, 大类, chain or county (researchers and the
    government): any count of fewer than ``suppress_below`` people, and every rate computed from it, is null.
``GET thresholds/``, ``POST thresholds/ {key, value, note}``
    The thresholds in force (defaults and the values set) and setting one (government; audited).
``GET public/``, ``GET public/<year>/<dimension>/``
    公开数据, for anyone (no login): the tables officers published (``services.publication_create``), and one
    of them as the aggregates above; a table that is not published answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from xiaoqitong.orgs.models import School

from . import measures, plan, selectors, services
from .choices import Dimension, ThresholdKey
from .models import Publication, Threshold

FIRST_YEAR = 2000
AGGREGATE_DIMENSIONS = ("major", "major_class", "major_category", "chain", "county")


# --- parameters -----------------------------------------------------------------------------------------
def _int(request, name: str, message) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        number = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [message]}) from None
    if abs(number) > 2**63 - 1:  # no key is that large (and SQLite would overflow)
        raise exceptions.ValidationError({name: [message]})
    return number


def year_param(request) -> int:
    current = services.current_year()
    message = _("学年应为 %(first)s 到 %(last)s 之间的整数。") % {"first": FIRST_YEAR, "last": current}
    year = _int(request, "year", message)
    if year is None:
        return current
    if not FIRST_YEAR <= year <= current:
        raise exceptions.ValidationError({"year": [message]})
    return year


def dimension_param(request, allowed=measures.DIMENSIONS, default: str | None = "major_class") -> str:
    value = request.query_params.get("dimension") or default
    if value not in allowed:
        names = "、".join(f"{d}（{Dimension(d).label}）" for d in allowed)
        if value is None:
            raise exceptions.ValidationError({"dimension": [_("请指定维度：%(names)s。") % {"names": names}]})
        raise exceptions.ValidationError(
            {"dimension": [_("维度应为以下之一：%(names)s。") % {"names": names}]}
        )
    return value


def school_param(request, name: str = "school") -> School | None:
    pk = _int(request, name, _("学校编号应为整数。"))
    if pk is None:
        return None
    school = School.objects.filter(pk=pk).first()
    if school is None:
        raise exceptions.NotFound(_("找不到该学校。"))
    return school


def scope_param(request) -> measures.Scope:
    """``county`` or ``school`` (not both); the city when neither."""
    county = _int(request, "county", _("县市区编号应为整数。"))
    school = school_param(request)
    if county is not None and school is not None:
        raise exceptions.ValidationError({"county": [_("county 和 school 只能指定其中一个。")]})
    if county is not None:
        if county not in measures.counties():
            raise exceptions.ValidationError({"county": [_("找不到该县市区（应为本市的县市区或园区）。")]})
        return measures.Scope(county=county)
    if school is not None:
        return measures.Scope(school=school.pk)
    return measures.CITY


def require_city(user) -> None:
    if not selectors.sees_city(user):
        raise exceptions.PermissionDenied(_("只有政府部门工作人员和平台管理员可以查看全市分析。"))


def require_scope(request, scope: measures.Scope) -> None:
    """The government sees every scope; a school its own school only; everyone else nothing."""
    user = request.user
    if selectors.sees_city(user):
        return
    if getattr(user, "role", None) in selectors.SCHOOL_ROLES and user.school_id:
        if scope.school == user.school_id:
            return
        raise exceptions.PermissionDenied(
            _("学校账号只能查看本校的分析，请指定 school=%(pk)s。") % {"pk": user.school_id}
        )
    raise exceptions.PermissionDenied(_("您没有权限查看该分析。"))


def may_scope(request) -> None:
    """Refuse first whoever may see no scope at all (before the parameters are checked)."""
    user = request.user
    if not (selectors.sees_city(user) or getattr(user, "role", None) in selectors.SCHOOL_ROLES):
        raise exceptions.PermissionDenied(_("您没有权限查看该分析。"))


YEAR_PARAM = OpenApiParameter(
    "year", int, description=_("学年（以开始的年份命名，如 2025 表示 2025-2026 学年），默认当前学年")
)
DIMENSION_PARAM = OpenApiParameter(
    "dimension", str, enum=list(measures.DIMENSIONS), description=_("维度，默认 major_class（专业类）")
)
COUNTY_PARAM = OpenApiParameter("county", int, description=_("县市区或园区编号（与 school 二选一）"))
SCHOOL_PARAM = OpenApiParameter("school", int, description=_("学校编号；学校账号只能指定本校"))
ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("学校编号"))


# --- serializers (the answers' schema; they also drop internal fields) -----------------------------------
#: The classes of ``measures.classify`` (plain strings in the schema: one enum would collide by name).
STATUS_HELP = "shortage 紧缺、balanced 平衡、surplus 过剩、gap 无本地供给、none 无数据"


class MeasuresSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField(help_text=_("在校生数"))
    new = serializers.IntegerField(help_text=_("实际招生"))
    plan = serializers.IntegerField(help_text=_("招生计划"))
    graduates = serializers.IntegerField(help_text=_("预计毕业生"))
    graduates_3y = serializers.IntegerField(help_text=_("未来 1-3 年毕业生（在校生）"))
    positions = serializers.FloatField(help_text=_("岗位数"))
    headcount = serializers.IntegerField(help_text=_("招聘名额"))
    enterprises = serializers.FloatField(help_text=_("有需求的企业数"))
    filled = serializers.FloatField(help_text=_("已录用名额"))
    unfilled = serializers.IntegerField(help_text=_("未招满名额"))
    applicants = serializers.FloatField(help_text=_("投递数（不含撤回）"))
    days_to_fill = serializers.FloatField(allow_null=True, help_text=_("从发布到首个录用的平均天数"))
    applicants_per_place = serializers.FloatField(allow_null=True, help_text=_("每个名额的投递数"))
    outcomes = serializers.IntegerField(help_text=_("登记去向的毕业生"))
    employed = serializers.IntegerField(help_text=_("就业（含创业）"))
    related = serializers.IntegerField(help_text=_("专业对口就业"))
    local = serializers.IntegerField(help_text=_("留郴就业"))
    further = serializers.IntegerField(help_text=_("升学"))
    employment_rate = serializers.FloatField(allow_null=True, help_text=_("就业率"))
    related_rate = serializers.FloatField(allow_null=True, help_text=_("专业对口率（占就业）"))
    local_rate = serializers.FloatField(allow_null=True, help_text=_("本地就业率（留郴，占就业者比例）"))
    further_rate = serializers.FloatField(allow_null=True, help_text=_("升学率"))
    index = serializers.FloatField(allow_null=True, help_text=_("供需指数：招聘名额/预计毕业生"))
    status = serializers.CharField(help_text=STATUS_HELP)


class FigureSerializer(MeasuresSerializer):
    key = serializers.IntegerField(help_text=_("该维度中的编号"))
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    status_display = serializers.CharField(help_text=_("供需状态名称"))


class FiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    dimension = serializers.CharField()
    scope = serializers.CharField(help_text=_("city、county:<编号> 或 school:<编号>"))
    results = FigureSerializer(many=True)


class ChainShareSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text=_("产业链编号"))
    label = serializers.CharField()
    enrolment_share = serializers.FloatField(help_text=_("占在校生的比例"))
    demand_share = serializers.FloatField(help_text=_("占招聘名额的比例"))
    employment_share = serializers.FloatField(help_text=_("占企业从业人数的比例"))


class AlignmentSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    scope = serializers.CharField()
    demand_index = serializers.FloatField(
        allow_null=True, help_text=_("专业结构与需求结构的结构偏离指数（0-1）")
    )
    employment_index = serializers.FloatField(
        allow_null=True, help_text=_("专业结构与就业结构的结构偏离指数（0-1）")
    )
    chains = ChainShareSerializer(many=True)


class CountyAlignmentSerializer(serializers.Serializer):
    scope = serializers.CharField()
    county = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    demand_index = serializers.FloatField(allow_null=True)
    employment_index = serializers.FloatField(allow_null=True)
    demand_index_before = serializers.FloatField(allow_null=True, help_text=_("上一学年的需求结构偏离指数"))


class CountiesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    results = CountyAlignmentSerializer(many=True)


class RetireSerializer(FigureSerializer):
    new_before = serializers.IntegerField(help_text=_("上一学年实际招生"))
    enrolment_drop = serializers.FloatField(help_text=_("招生下降比例"))


class WarningsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    retire = RetireSerializer(many=True, help_text=_("淘汰预警（专业）"))
    gaps = FigureSerializer(many=True, help_text=_("有需求、无本地供给的专业类"))


class TrendRowSerializer(MeasuresSerializer):
    year = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    key = serializers.IntegerField()
    label = serializers.CharField()
    results = TrendRowSerializer(many=True)


class PlanChainSerializer(serializers.Serializer):
    key = serializers.IntegerField()
    label = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField()
    headcount = serializers.IntegerField(help_text=_("全市招聘名额"))
    graduates = serializers.IntegerField(help_text=_("全市预计毕业生"))
    index = serializers.FloatField(allow_null=True)


class ClassFiguresSerializer(serializers.Serializer):
    """The figures of a 专业类 where the row is judged (class_*)."""

    class_key = serializers.IntegerField(help_text=_("专业类编号"))
    class_label = serializers.CharField()
    class_status = serializers.CharField(help_text=STATUS_HELP)
    class_status_display = serializers.CharField()
    class_index = serializers.FloatField(allow_null=True, help_text=_("专业类供需指数"))
    class_headcount = serializers.IntegerField(help_text=_("专业类招聘名额"))
    class_graduates = serializers.IntegerField(help_text=_("专业类预计毕业生"))
    class_unmet = serializers.IntegerField(help_text=_("缺口：招聘名额 − 预计毕业生"))


class PlanMajorSerializer(ClassFiguresSerializer):
    """One of the school's majors (its own supply and outcomes), with the city-wide figures of its 专业类."""

    key = serializers.IntegerField(help_text=_("专业编号（目录）"))
    school_major = serializers.IntegerField(help_text=_("开设专业编号"))
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    enrolled = serializers.IntegerField()
    new = serializers.IntegerField()
    plan = serializers.IntegerField()
    graduates = serializers.IntegerField()
    outcomes = serializers.IntegerField()
    employment_rate = serializers.FloatField(allow_null=True)
    related_rate = serializers.FloatField(allow_null=True)
    local_rate = serializers.FloatField(allow_null=True)
    major_headcount = serializers.IntegerField(help_text=_("全市要求本专业的招聘名额"))
    chains = PlanChainSerializer(many=True)


class PlanReviewSerializer(PlanMajorSerializer):
    """A major to review, with its reasons."""

    surplus = serializers.BooleanField(help_text=_("所属专业类全市过剩"))
    retire = serializers.BooleanField(help_text=_("淘汰预警"))
    new_before = serializers.IntegerField(allow_null=True, help_text=_("上一学年实际招生"))
    enrolment_drop = serializers.FloatField(allow_null=True, help_text=_("招生下降比例"))
    reasons = serializers.ListField(child=serializers.CharField())


class PlanOpenSerializer(ClassFiguresSerializer):
    """A catalog major the school could open; class_* are the figures where its 专业类 qualifies."""

    key = serializers.IntegerField(help_text=_("专业编号（目录）"))
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    level = serializers.CharField()
    level_display = serializers.CharField()
    controlled = serializers.BooleanField(help_text=_("国控专业"))
    scope = serializers.ChoiceField(choices=["city", "county"], help_text=_("在全市还是本县市区紧缺"))
    scope_label = serializers.CharField()
    county_status = serializers.CharField(help_text=STATUS_HELP)
    county_status_display = serializers.CharField()
    county_index = serializers.FloatField(allow_null=True)
    county_headcount = serializers.IntegerField()
    county_graduates = serializers.IntegerField()
    county_unmet = serializers.IntegerField()
    major_headcount = serializers.IntegerField(help_text=_("全市要求本专业的招聘名额"))
    chains = PlanChainSerializer(many=True)


class PlanSchoolChainSerializer(ChainShareSerializer):
    enrolled = serializers.IntegerField(help_text=_("本校该链在校生"))
    own_graduates = serializers.IntegerField(help_text=_("本校该链预计毕业生"))
    city_status = serializers.CharField()
    city_status_display = serializers.CharField()
    city_index = serializers.FloatField(allow_null=True)
    city_headcount = serializers.IntegerField(help_text=_("全市该链招聘名额"))
    city_graduates = serializers.IntegerField(help_text=_("全市该链预计毕业生"))
    city_unmet = serializers.IntegerField()
    majors = serializers.ListField(child=serializers.CharField(), help_text=_("本校对接该链的专业"))


class PlanSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    school_type = serializers.CharField()
    school_type_display = serializers.CharField()
    county = serializers.IntegerField()
    county_label = serializers.CharField()


class PlanAlignmentSerializer(serializers.Serializer):
    demand_index = serializers.FloatField(allow_null=True)
    employment_index = serializers.FloatField(allow_null=True)


class PlanSerializer(serializers.Serializer):
    school = PlanSchoolSerializer()
    year = serializers.IntegerField()
    levels = serializers.ListField(child=serializers.CharField(), help_text=_("可开设的专业层次"))
    majors = PlanMajorSerializer(many=True)
    alignment = PlanAlignmentSerializer()
    chains = PlanSchoolChainSerializer(many=True)
    open = PlanOpenSerializer(many=True, help_text=_("建议开设"))
    review = PlanReviewSerializer(many=True, help_text=_("建议评估"))


class AggregateSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    year = serializers.IntegerField()
    enrolled = serializers.IntegerField(allow_null=True)
    new = serializers.IntegerField(allow_null=True)
    graduates = serializers.IntegerField(allow_null=True)
    headcount = serializers.IntegerField(allow_null=True)
    positions = serializers.FloatField(allow_null=True)
    enterprises = serializers.FloatField(allow_null=True)
    filled = serializers.FloatField(allow_null=True)
    unfilled = serializers.IntegerField(allow_null=True)
    outcomes = serializers.IntegerField(allow_null=True)
    employed = serializers.IntegerField(allow_null=True)
    related = serializers.IntegerField(allow_null=True)
    local = serializers.IntegerField(allow_null=True)
    further = serializers.IntegerField(allow_null=True)
    employment_rate = serializers.FloatField(allow_null=True)
    related_rate = serializers.FloatField(allow_null=True)
    local_rate = serializers.FloatField(allow_null=True)
    further_rate = serializers.FloatField(allow_null=True)
    index = serializers.FloatField(allow_null=True)
    status = serializers.CharField(help_text=STATUS_HELP)


class AggregatesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    dimension = serializers.CharField()
    suppress_below = serializers.IntegerField(help_text=_("人数少于此值的单元格为 null"))
    results = AggregateSerializer(many=True)


class ThresholdSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=ThresholdKey.choices)
    label = serializers.CharField()
    value = serializers.FloatField(help_text=_("现行取值"))
    default = serializers.FloatField(help_text=_("默认值"))
    is_set = serializers.BooleanField(help_text=_("是否已由政府部门设定（否则为默认值）"))
    note = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ThresholdsSerializer(serializers.Serializer):
    results = ThresholdSerializer(many=True)


class ThresholdSetSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=ThresholdKey.choices, help_text=_("阈值"))
    value = serializers.FloatField(min_value=0, help_text=_("取值"))
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("依据"))


def thresholds_data() -> list[dict]:
    defaults = measures.Thresholds()
    current = services.thresholds()
    rows = {t.key: t for t in Threshold.objects.all()}
    out = []
    for key, label in ThresholdKey.choices:
        row = rows.get(key)
        out.append(
            {
                "key": key,
                "label": str(label),
                "value": float(getattr(current, key)),
                "default": float(getattr(defaults, key)),
                "is_set": row is not None,
                "note": row.note if row else "",
                "updated_at": row.updated_at if row else None,
            }
        )
    return out


# --- views ----------------------------------------------------------------------------------------------
class FigureViewSet(viewsets.ViewSet):
    """Supply-demand figures of a dimension in a scope."""

    @extend_schema(
        parameters=[YEAR_PARAM, DIMENSION_PARAM, COUNTY_PARAM, SCHOOL_PARAM], responses=FiguresSerializer
    )
    def list(self, request):
        """Supply, demand, outcomes, index and class of each row of the dimension (shortages first)."""
        may_scope(request)
        year, dimension, scope = year_param(request), dimension_param(request), scope_param(request)
        require_scope(request, scope)
        rows = selectors.figures(year, dimension, scope)
        data = {"year": year, "dimension": dimension, "scope": scope.key, "results": rows}
        return Response(FiguresSerializer(data).data)


class AlignmentViewSet(viewsets.ViewSet):
    """Structure alignment of a scope."""

    @extend_schema(parameters=[YEAR_PARAM, COUNTY_PARAM, SCHOOL_PARAM], responses=AlignmentSerializer)
    def list(self, request):
        """Enrolment against demand and employment by industry chain, with the dissimilarity indices."""
        may_scope(request)
        year, scope = year_param(request), scope_param(request)
        require_scope(request, scope)
        data = {"year": year, "scope": scope.key, **selectors.alignment(year, scope)}
        return Response(AlignmentSerializer(data).data)


class CountyViewSet(viewsets.ViewSet):
    """The alignment indices of the city and each county."""

    @extend_schema(parameters=[YEAR_PARAM], responses=CountiesSerializer)
    def list(self, request):
        """The city's and each county-level unit's (and park's) alignment, this year and last."""
        require_city(request.user)
        year = year_param(request)
        return Response(
            CountiesSerializer({"year": year, "results": selectors.alignment_by_county(year)}).data
        )


class WarningViewSet(viewsets.ViewSet):
    """淘汰预警 and 缺口."""

    @extend_schema(parameters=[YEAR_PARAM], responses=WarningsSerializer)
    def list(self, request):
        """Majors to retire and fields without local supply, with the numbers behind each."""
        require_city(request.user)
        year = year_param(request)
        return Response(WarningsSerializer({"year": year, **selectors.warnings(year)}).data)


class TrendViewSet(viewsets.ViewSet):
    """The kept years of one row."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dimension", str, required=True, enum=list(measures.DIMENSIONS), description=_("维度")
            ),
            OpenApiParameter("key", int, required=True, description=_("该维度中的编号")),
        ],
        responses=TrendSerializer,
    )
    def list(self, request):
        """The city's figures of one row for every kept school year, oldest first."""
        require_city(request.user)
        dimension = dimension_param(request, default=None)
        key = _int(request, "key", _("编号应为整数。"))
        if key is None:
            raise exceptions.ValidationError({"key": [_("请指定编号 key。")]})
        label = selectors.labels(dimension, [key]).get(key)
        if label is None:
            raise exceptions.NotFound(_("找不到该维度中编号为 %(key)s 的项。") % {"key": key})
        data = {
            "dimension": dimension,
            "key": key,
            "label": label["label"],
            "results": selectors.trend(dimension, key),
        }
        return Response(TrendSerializer(data).data)


class SchoolPlanViewSet(viewsets.ViewSet):
    """一校一产业链."""

    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[ID_PARAM, YEAR_PARAM], responses=PlanSerializer)
    @action(detail=True, methods=["get"])
    def plan(self, request, pk=None):
        """The school's majors against its chains' demand, the majors it could open and those to review."""
        school = School.objects.filter(pk=pk).first()
        if school is None:
            raise exceptions.NotFound(_("找不到该学校。"))
        if not selectors.sees_school(request.user, school):
            raise exceptions.PermissionDenied(_("只能查看本校的一校一产业链。"))
        year = year_param(request)
        return Response(PlanSerializer(plan.school_plan(school, year)).data)


class AggregateViewSet(viewsets.ViewSet):
    """De-identified aggregates for researchers."""

    @extend_schema(
        parameters=[
            YEAR_PARAM,
            OpenApiParameter(
                "dimension", str, enum=list(AGGREGATE_DIMENSIONS), description=_("维度，默认 major_class")
            ),
        ],
        responses=AggregatesSerializer,
    )
    def list(self, request):
        """The city's figures by major, 专业类, 大类, chain or county; small counts suppressed (null)."""
        if not selectors.sees_aggregates(request.user):
            raise exceptions.PermissionDenied(_("只有研究人员和政府部门可以查看研究数据。"))
        year = year_param(request)
        dimension = dimension_param(request, allowed=AGGREGATE_DIMENSIONS)
        data = {
            "year": year,
            "dimension": dimension,
            "suppress_below": int(services.thresholds().suppress_below),
            "results": selectors.aggregates(year, dimension),
        }
        return Response(AggregatesSerializer(data).data)


class ThresholdViewSet(viewsets.ViewSet):
    """The thresholds of the classification and the warnings."""

    @extend_schema(responses=ThresholdsSerializer)
    def list(self, request):
        """Every threshold: the value in force, its default, whether it was set and why."""
        require_city(request.user)
        return Response(ThresholdsSerializer({"results": thresholds_data()}).data)

    @extend_schema(request=ThresholdSetSerializer, responses=ThresholdSerializer)
    def create(self, request):
        """Set one threshold (government; audited). The snapshots use it from their next refresh."""
        require_city(request.user)
        body = ThresholdSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.threshold_set(actor=request.user, **body.validated_data)
        row = next(r for r in thresholds_data() if r["key"] == body.validated_data["key"])
        return Response(ThresholdSerializer(row).data)


# --- 公开数据 (public, no login) ----------------------------------------------------------------------------
class PublicationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    dimension = serializers.CharField()
    dimension_display = serializers.CharField(help_text=_("维度名称"))
    published_at = serializers.DateTimeField(help_text=_("公开时间"))
    note = serializers.CharField(allow_blank=True, help_text=_("说明"))
    url = serializers.CharField(help_text=_("该表的接口地址"))


class PublicationsSerializer(serializers.Serializer):
    results = PublicationSerializer(many=True)


class PublicAggregatesSerializer(AggregatesSerializer):
    published_at = serializers.DateTimeField(help_text=_("公开时间"))
    note = serializers.CharField(allow_blank=True, help_text=_("说明"))


def _publication_data(publication: Publication) -> dict:
    return {
        "year": publication.year,
        "dimension": publication.dimension,
        "dimension_display": publication.get_dimension_display(),
        "published_at": publication.published_at,
        "note": publication.note,
        "url": f"/api/v1/analytics/public/{publication.year}/{publication.dimension}/",
    }


class PublicDataViewSet(viewsets.ViewSet):
    """公开数据: the de-identified tables officers published; anyone may read them, without logging in."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PublicationsSerializer)
    def list(self, request):
        """The published tables, newest year first."""
        rows = Publication.objects.order_by("-year", "dimension")
        return Response(PublicationsSerializer({"results": [_publication_data(p) for p in rows]}).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, OpenApiParameter.PATH, description=_("学年")),
            OpenApiParameter(
                "dimension",
                str,
                OpenApiParameter.PATH,
                enum=[*AGGREGATE_DIMENSIONS],  # not list(): the method shadows it here
                description=_("维度"),
            ),
        ],
        responses=PublicAggregatesSerializer,
    )
    @action(detail=False, methods=["get"], url_path=r"(?P<year>\d{4})/(?P<dimension>[a-z_]+)")
    def table(self, request, year=None, dimension=None):
        """One published table: the city's figures by the dimension, small counts suppressed (null)."""
        publication = Publication.objects.filter(year=int(year), dimension=dimension).first()
        if publication is None:
            raise exceptions.NotFound(_("该表没有公开。"))
        data = {
            "year": publication.year,
            "dimension": publication.dimension,
            "suppress_below": int(services.thresholds().suppress_below),
            "results": selectors.aggregates(publication.year, publication.dimension),
            "published_at": publication.published_at,
            "note": publication.note,
        }
        return Response(PublicAggregatesSerializer(data).data)


router = DefaultRouter()
router.register("figures", FigureViewSet, basename="analytics-figures")
router.register("alignment", AlignmentViewSet, basename="analytics-alignment")
router.register("counties", CountyViewSet, basename="analytics-counties")
router.register("warnings", WarningViewSet, basename="analytics-warnings")
router.register("trend", TrendViewSet, basename="analytics-trend")
router.register("schools", SchoolPlanViewSet, basename="analytics-school")
router.register("aggregates", AggregateViewSet, basename="analytics-aggregates")
router.register("thresholds", ThresholdViewSet, basename="analytics-thresholds")
router.register("public", PublicDataViewSet, basename="analytics-public")
