"""API of the teachers' figures, under /api/v1/quality/:

- ``teacher-training-bases/``, ``special-post-fundings/``, ``tech-service-incomes/``: CRUD through the
  services (schools by 学校代码, enterprises by 统一社会信用代码; the same FilterSets as the pages);
- ``teachers-overview/?year=``: the “师资队伍” page's rows: the city's figures against the targets and one
  line per school (aggregates only).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Enterprise, School

from ..filtersets.teachers import (
    SpecialPostFundingFilterSet,
    TeacherTrainingBaseFilterSet,
    TechServiceIncomeFilterSet,
)
from ..models import SpecialPostFunding, TeacherTrainingBase, TechServiceIncome
from ..policies.teachers import may_view_overview
from ..selectors.teachers import NO_HISTORY_NOTE
from ..services import teachers as services
from ..views.targets import chosen_year
from ..views.teachers import REFUSED, overview_for
from . import router


def _create(function):
    """A create service as ``ObjectViewSet`` calls it (the validated data as keyword arguments)."""
    return staticmethod(lambda *, actor, **data: function(actor=actor, data=data))


def _update(function):
    return staticmethod(
        lambda *, actor, instance, **data: function(actor=actor, instance=instance, data=data)
    )


class TeacherTrainingBaseSerializer(BaseSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    host_school = CodeRelatedField(
        queryset=School.objects.all(), required=False, allow_null=True, help_text=gettext_lazy("依托学校代码")
    )
    host_school_name = serializers.CharField(source="host_school.name", read_only=True, default="")
    host_enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("依托企业统一社会信用代码"),
    )
    host_enterprise_name = serializers.CharField(source="host_enterprise.name", read_only=True, default="")

    class Meta:
        model = TeacherTrainingBase
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "host_school",
            "host_school_name",
            "host_enterprise",
            "host_enterprise_name",
            "recognized_by",
            "recognized_year",
        ]


class SchoolYearSerializer(BaseSerializer):
    school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        help_text=gettext_lazy("学校代码（学校管理员可省略：默认本校）"),
    )
    school_name = serializers.CharField(source="school.name", read_only=True)


class SpecialPostFundingSerializer(SchoolYearSerializer):
    class Meta:
        model = SpecialPostFunding
        fields = ["id", "school", "school_name", "year", "posts", "amount", "source"]


class TechServiceIncomeSerializer(SchoolYearSerializer):
    class Meta:
        model = TechServiceIncome
        fields = ["id", "school", "school_name", "year", "income", "surplus", "paid_to_teachers"]


class TeacherTrainingBaseViewSet(ObjectViewSet):
    model = TeacherTrainingBase
    serializer_class = TeacherTrainingBaseSerializer
    filterset_class = TeacherTrainingBaseFilterSet
    select_related = ("host_school", "host_enterprise")
    create_service = _create(services.teacher_training_base_create)
    update_service = _update(services.teacher_training_base_update)
    delete_service = staticmethod(services.teacher_training_base_delete)


class SpecialPostFundingViewSet(ObjectViewSet):
    model = SpecialPostFunding
    serializer_class = SpecialPostFundingSerializer
    filterset_class = SpecialPostFundingFilterSet
    select_related = ("school",)
    create_service = _create(services.special_post_funding_create)
    update_service = _update(services.special_post_funding_update)
    delete_service = staticmethod(services.special_post_funding_delete)


class TechServiceIncomeViewSet(ObjectViewSet):
    model = TechServiceIncome
    serializer_class = TechServiceIncomeSerializer
    filterset_class = TechServiceIncomeFilterSet
    select_related = ("school",)
    create_service = _create(services.tech_service_income_create)
    update_service = _update(services.tech_service_income_update)
    delete_service = staticmethod(services.tech_service_income_delete)


# --- “师资队伍” ----------------------------------------------------------------------------------------
DECIMAL = {"max_digits": 20, "decimal_places": 4, "allow_null": True}


@extend_schema_serializer(component_name="TeacherFigure")  # another app has a Figure component
class FigureSerializer(serializers.Serializer):
    """A measure's figure against its target (as ``quality.targets`` rows)."""

    target_id = serializers.CharField(help_text="POLICY.md 中的编号，如 T20")
    rule = serializers.CharField(source="measure.rule")
    label = serializers.CharField(source="measure.label")
    numerator = serializers.DecimalField(source="figure.numerator", **DECIMAL)
    denominator = serializers.DecimalField(source="figure.denominator", **DECIMAL)
    value = serializers.DecimalField(**DECIMAL, help_text="null：暂无数据")
    text = serializers.CharField()
    target = serializers.DecimalField(max_digits=20, decimal_places=4)
    met = serializers.BooleanField(allow_null=True)
    source = serializers.CharField()


class SchoolLineSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code", help_text=gettext_lazy("学校代码"))
    school_name = serializers.CharField(source="school.name")
    own = serializers.BooleanField(help_text=gettext_lazy("是否本校（学校用户）"))
    teachers = serializers.IntegerField(source="counts.total", default=0)
    full_time = serializers.IntegerField(source="counts.full_time", default=0)
    part_time = serializers.IntegerField(source="counts.part_time", default=0)
    dual_qualified = serializers.IntegerField(source="counts.dual", default=0)
    provincial_masters = serializers.IntegerField(source="counts.provincial_masters", default=0)
    city_masters = serializers.IntegerField(source="counts.city_masters", default=0)
    part_time_share = FigureSerializer(source="cells.part_time", help_text="T18")
    dual_qualified_share = FigureSerializer(source="cells.dual", help_text="T20")
    special_post_funding = FigureSerializer(source="cells.funding", help_text="T19")
    tech_service_share = FigureSerializer(source="cells.tech", help_text="T23")
    practice_days = serializers.IntegerField(source="days", allow_null=True)
    practice_days_per_teacher = serializers.DecimalField(
        source="days_per_teacher", max_digits=8, decimal_places=1, allow_null=True
    )


class TeachersOverviewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    note = serializers.CharField()
    city = FigureSerializer(many=True)
    schools = SchoolLineSerializer(source="lines", many=True)


class TeachersOverviewViewSet(viewsets.ViewSet):
    """T18-T23 of a year (``year``, default this year): the city's figures and every school's line."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度（2021 至今年）")],
        responses=TeachersOverviewSerializer,
    )
    def list(self, request):
        if not may_view_overview(request.user):
            raise exceptions.PermissionDenied(_(REFUSED))
        data = overview_for(request.user, chosen_year(request._request))
        return Response(TeachersOverviewSerializer(data | {"note": str(NO_HISTORY_NOTE)}).data)


router.register("teacher-training-bases", TeacherTrainingBaseViewSet, basename="teachertrainingbase")
router.register("special-post-fundings", SpecialPostFundingViewSet, basename="specialpostfunding")
router.register("tech-service-incomes", TechServiceIncomeViewSet, basename="techserviceincome")
router.register("teachers-overview", TeachersOverviewViewSet, basename="teachers-overview")
