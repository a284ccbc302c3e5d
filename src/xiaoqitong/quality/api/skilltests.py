"""API of skill sampling tests, under /api/v1/quality/:

- ``skill-test-results/``: CRUD through the services (officers write; school staff read their school's);
  the school by 学校代码, the major and the major category by their catalog codes; the same FilterSet as
  the page (``kind``, ``year``, ``school``, ``subject``, ``organizer``);
- ``skill-test-summary/?year=``: the “技能抽测” page's rows: the city's averages per kind and each school's
  pass rates beside its 双师型 and part-time shares (aggregates).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.models import Major, MajorCategory
from xiaoqitong.reference.resources import major_code

from ..filtersets.skilltests import SkillTestResultFilterSet
from ..models import SkillTestResult
from ..policies.skilltests import may_view_summary
from ..selectors.skilltests import KINDS
from ..services import skilltests as services
from ..views.skilltests import REFUSED, summary_for
from ..views.targets import chosen_year
from . import router
from .teachers import FigureSerializer, _create, _update


class MajorCodeRelatedField(CodeRelatedField):
    def to_internal_value(self, data):
        return super().to_internal_value(major_code(str(data).strip().upper()))


class SkillTestResultSerializer(BaseSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    school = CodeRelatedField(queryset=School.objects.all(), help_text=gettext_lazy("学校代码"))
    school_name = serializers.CharField(source="school.name", read_only=True)
    major = MajorCodeRelatedField(
        queryset=Major.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("专业代码（抽测）"),
    )
    category = CodeRelatedField(
        queryset=MajorCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("专业大类代码（普测）"),
    )
    pass_rate = serializers.SerializerMethodField(help_text=gettext_lazy("合格率（%）"))

    class Meta:
        model = SkillTestResult
        fields = [
            "id",
            "kind",
            "kind_display",
            "year",
            "school",
            "school_name",
            "major",
            "category",
            "tested",
            "passed",
            "pass_rate",
            "average_score",
            "organizer",
        ]

    def get_pass_rate(self, result) -> float | None:
        from ..selectors.skilltests import Result

        rate = Result(tested=result.tested, passed=result.passed).pass_rate
        return None if rate is None else float(rate)


class SkillTestResultViewSet(ObjectViewSet):
    model = SkillTestResult
    serializer_class = SkillTestResultSerializer
    filterset_class = SkillTestResultFilterSet
    select_related = ("school", "major", "category")
    create_service = _create(services.skill_test_result_create)
    update_service = _update(services.skill_test_result_update)
    delete_service = staticmethod(services.skill_test_result_delete)


# --- the summary ----------------------------------------------------------------------------------
RATE = {"max_digits": 5, "decimal_places": 1, "allow_null": True}


@extend_schema_serializer(component_name="SkillTestPooledResult")  # another app has a Result component
class ResultSerializer(serializers.Serializer):
    tested = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.DecimalField(**RATE, help_text="合格率（%）；null：暂无数据")
    average_score = serializers.DecimalField(**RATE)
    subjects = serializers.IntegerField(help_text=gettext_lazy("参测的专业或专业大类数"))


class CityKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    schools = serializers.IntegerField(help_text=gettext_lazy("参测学校数"))
    pooled = ResultSerializer(help_text=gettext_lazy("全市合计"))
    mean = serializers.DecimalField(**RATE, help_text=gettext_lazy("各校合格率的平均值（%）"))


class SchoolKindsField(serializers.Field):
    def to_representation(self, kinds):
        return {kind.value: ResultSerializer(kinds[kind]).data if kinds.get(kind) else None for kind in KINDS}


class SchoolResultsSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")
    own = serializers.BooleanField()
    kinds = SchoolKindsField(help_text=gettext_lazy("按测试类型；null：当年未参测"))
    dual_qualified_share = FigureSerializer(source="dual", allow_null=True, help_text="T20")
    part_time_share = FigureSerializer(source="part_time", allow_null=True, help_text="T18")


class SkillTestSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    city = CityKindSerializer(many=True)
    schools = SchoolResultsSerializer(source="lines", many=True)


class SkillTestSummaryViewSet(viewsets.ViewSet):
    """The skill tests of a year (``year``, default this year): city averages and every visible school."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度（2021 至今年）")],
        responses=SkillTestSummarySerializer,
    )
    def list(self, request):
        if not may_view_summary(request.user):
            raise exceptions.PermissionDenied(_(REFUSED))
        data = summary_for(request.user, chosen_year(request._request))
        return Response(SkillTestSummarySerializer(data).data)


router.register("skill-test-results", SkillTestResultViewSet, basename="skilltestresult")
router.register("skill-test-summary", SkillTestSummaryViewSet, basename="skill-test-summary")
