"""API of social training, under /api/v1/quality/:

- ``training-programmes/``: CRUD (the pages' FilterSet: ``q``, ``year``, ``kind``, ``provider``,
  ``provider_type``, ``funding_department``, ``fucheng_brand``); providers by 学校代码 and 统一社会信用代码,
  the funding department by its code, majors as catalog codes; ``person_times_total`` read-only.
- ``training-sessions/``: CRUD; ``programme`` by its 项目编号 (among the programmes the caller may write);
  ``roster_size`` and ``person_times`` read-only.
- ``training-participants/``: the rosters, read-only, phone numbers masked and no ID number. Rosters are
  imported through ``/api/v1/import-jobs/`` with ``target=quality.TrainingParticipant``.
- ``training-person-times/?year=``: the rows of the person-times page (T4 for the city, T6 per school, the
  breakdowns and the caller's own programmes).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from xiaoqitong.cooperation.api.bases import MajorCodesField
from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet, ReadOnlyObjectViewSet
from xiaoqitong.orgs.models import Department, Enterprise, School
from xiaoqitong.schools.selectors import mask_phone

from ..filtersets.training import (
    TrainingParticipantFilterSet,
    TrainingProgrammeFilterSet,
    TrainingSessionFilterSet,
)
from ..models import TrainingParticipant, TrainingProgramme, TrainingSession
from ..policies.training import may_view_person_times
from ..selectors import training as selectors
from ..services import training as services
from ..tables.training import provider_text
from ..views.targets import chosen_year
from . import router


class TrainingProgrammeSerializer(BaseSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    provider_school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("承办学校代码（学校管理员可省略：默认本校）"),
    )
    provider_enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("承办企业统一社会信用代码（企业人事可省略：默认本企业）"),
    )
    provider_name = serializers.SerializerMethodField()
    funding_department = CodeRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("经费来源部门代码"),
    )
    funding_department_name = serializers.CharField(
        source="funding_department.name", read_only=True, default=""
    )
    majors = MajorCodesField(required=False, help_text=gettext_lazy("相关专业代码列表"))
    person_times_total = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("全部班次的培训人次（花名册人数或填报人次）")
    )

    class Meta:
        model = TrainingProgramme
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "kind_display",
            "year",
            "provider_school",
            "provider_enterprise",
            "provider_centre",
            "provider_name",
            "funding_department",
            "funding_department_name",
            "fucheng_brand",
            "majors",
            "person_times_total",
        ]

    def get_provider_name(self, programme) -> str:
        return provider_text(programme)


def _with_totals(viewset, instance):
    return viewset.get_queryset().get(pk=instance.pk)


class TrainingProgrammeViewSet(ObjectViewSet):
    model = TrainingProgramme
    serializer_class = TrainingProgrammeSerializer
    filterset_class = TrainingProgrammeFilterSet
    select_related = ("provider_school", "provider_enterprise", "funding_department")
    prefetch_related = ("majors",)
    create_service = staticmethod(
        lambda *, actor, **data: services.training_programme_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.training_programme_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.training_programme_delete)

    def get_queryset(self):
        return super().get_queryset().annotate(person_times_total=selectors.programme_person_times())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = _with_totals(self, serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = _with_totals(self, serializer.instance)


class TrainingSessionSerializer(BaseSerializer):
    programme = CodeRelatedField(
        queryset=TrainingProgramme.objects.all(), help_text=gettext_lazy("培训项目编号")
    )
    programme_title = serializers.CharField(source="programme.title", read_only=True)
    roster_size = serializers.IntegerField(read_only=True, help_text=gettext_lazy("花名册人数"))
    person_times = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("计入人次：有花名册按花名册人数，否则按填报人次")
    )

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "programme",
            "programme_title",
            "number",
            "start_date",
            "end_date",
            "place",
            "hours",
            "reported_person_times",
            "roster_size",
            "person_times",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A programme the caller may not write reads like one that does not exist.
            fields["programme"].queryset = TrainingProgramme.objects.restrict(request.user, "change")
        return fields


class TrainingSessionViewSet(ObjectViewSet):
    model = TrainingSession
    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilterSet
    select_related = ("programme",)
    create_service = staticmethod(
        lambda *, actor, **data: services.training_session_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.training_session_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.training_session_delete)

    def get_queryset(self):
        return selectors.with_person_times(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = _with_totals(self, serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = _with_totals(self, serializer.instance)


class TrainingParticipantSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="session.programme.code", read_only=True)
    number = serializers.IntegerField(source="session.number", read_only=True)
    phone = serializers.SerializerMethodField(help_text=gettext_lazy("脱敏手机号"))

    class Meta:
        model = TrainingParticipant
        fields = ["id", "session", "programme", "number", "name", "phone", "completed"]

    def get_phone(self, participant) -> str:
        return mask_phone(participant.phone)


class TrainingParticipantViewSet(ReadOnlyObjectViewSet):
    model = TrainingParticipant
    serializer_class = TrainingParticipantSerializer
    filterset_class = TrainingParticipantFilterSet
    select_related = ("session__programme",)


# --- person-times ---------------------------------------------------------------------------------
class ShareSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    person_times = serializers.IntegerField()
    share = serializers.DecimalField(
        max_digits=6, decimal_places=1, allow_null=True, help_text=gettext_lazy("占全市培训人次的百分比")
    )


class CityPersonTimesSerializer(serializers.Serializer):
    person_times = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("null：暂无数据"))
    sessions = serializers.IntegerField()
    target = serializers.IntegerField()
    met = serializers.BooleanField(allow_null=True)
    target_id = serializers.CharField()
    source = serializers.CharField()


@extend_schema_serializer(component_name="TrainingSchoolLine")  # another app has a SchoolLine component
class SchoolLineSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code", help_text=gettext_lazy("学校代码"))
    school_name = serializers.CharField(source="school.name")
    person_times = serializers.IntegerField()
    enrolment = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("全日制在校生；null：暂无数据")
    )
    multiple = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    target = serializers.DecimalField(max_digits=8, decimal_places=2)
    required = serializers.IntegerField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)


class ProgrammeYearSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    funding_department = serializers.CharField(source="funding_department.code", default="")
    fucheng_brand = serializers.BooleanField()
    person_times = serializers.IntegerField(source="year_person_times")


@extend_schema_serializer(component_name="TrainingSchoolTarget")  # another app has a SchoolTarget component
class SchoolTargetSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=8, decimal_places=2)
    target_id = serializers.CharField()
    source = serializers.CharField()


class PersonTimesSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    city = CityPersonTimesSerializer(help_text=gettext_lazy("T4：全市"))
    school_target = SchoolTargetSerializer(help_text=gettext_lazy("T6 的目标与依据"))
    schools = SchoolLineSerializer(many=True, help_text=gettext_lazy("T6：学校人员只看到本校"))
    kinds = ShareSerializer(many=True)
    providers = ShareSerializer(many=True)
    departments = ShareSerializer(many=True)
    brand = ShareSerializer()
    programmes = ProgrammeYearSerializer(many=True, help_text=gettext_lazy("本单位的培训项目"))


class TrainingPersonTimesViewSet(viewsets.ViewSet):
    """T4 (city person-times) and T6 (each school's person-times against its full-time enrolment)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=gettext_lazy("年度，默认今年"))],
        responses=PersonTimesSerializer,
    )
    def list(self, request):
        if not may_view_person_times(request.user):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied(gettext_lazy("培训人次统计面向政府部门、学校、企业和研究人员。"))
        report = selectors.person_times_report(request.user, chosen_year(request))
        return Response(PersonTimesSerializer(report).data)


router.register("training-programmes", TrainingProgrammeViewSet, basename="trainingprogramme")
router.register("training-sessions", TrainingSessionViewSet, basename="trainingsession")
router.register("training-participants", TrainingParticipantViewSet, basename="trainingparticipant")
router.register("training-person-times", TrainingPersonTimesViewSet, basename="training-person-times")
