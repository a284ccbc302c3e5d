"""API: /api/v1/orgs/<plural>/ — the same FilterSets as the pages; writes through services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.reference.models import Industry, Region

from . import filtersets, services
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User

AREAS = Region.objects.filter(level__in=["county", "park"])


class SchoolSerializer(BaseSerializer):
    county = CodeRelatedField(queryset=AREAS, help_text=_("县市区代码"))
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "school_type",
            "ownership",
            "county",
            "county_name",
            "address",
            "website",
            "contact_phone",
        ]


class SchoolEnrolmentSerializer(BaseSerializer):
    school = CodeRelatedField(queryset=School.objects.all(), help_text=_("学校代码"))

    class Meta:
        model = SchoolEnrolment
        fields = ["id", "school", "year", "full_time_students"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only the schools whose details the user keeps (a school administrator: its own). Another
            # school's code is refused with the same message as a code that does not exist.
            fields["school"].queryset = School.objects.restrict(request.user, "change")
        return fields


class EnterpriseSerializer(BaseSerializer):
    industry = CodeRelatedField(
        queryset=Industry.objects.filter(level=4), help_text=_("行业小类代码，如 C3874")
    )
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    county = CodeRelatedField(queryset=AREAS)
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "credit_code",
            "name",
            "size",
            "industry",
            "industry_name",
            "county",
            "county_name",
            "registered_in_city",
            "employees",
            "address",
            "contact_phone",
        ]


class ResearchInstitutionSerializer(BaseSerializer):
    county = CodeRelatedField(queryset=AREAS, required=False, allow_null=True)

    class Meta:
        model = ResearchInstitution
        fields = ["id", "code", "name", "kind", "county"]


class DepartmentSerializer(BaseSerializer):
    region = CodeRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "kind", "region", "sort_order"]


class UserSerializer(BaseSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "role",
            "school",
            "enterprise",
            "institution",
            "department",
            "is_active",
            "is_demo",
            "password",
        ]
        read_only_fields = ["is_demo"]


class SchoolViewSet(ObjectViewSet):
    model = School
    serializer_class = SchoolSerializer
    filterset_class = filtersets.SchoolFilterSet
    select_related = ("county",)


class SchoolEnrolmentViewSet(ObjectViewSet):
    model = SchoolEnrolment
    serializer_class = SchoolEnrolmentSerializer
    filterset_class = filtersets.SchoolEnrolmentFilterSet
    select_related = ("school",)


class EnterpriseViewSet(ObjectViewSet):
    model = Enterprise
    serializer_class = EnterpriseSerializer
    filterset_class = filtersets.EnterpriseFilterSet
    select_related = ("industry", "county")


class ResearchInstitutionViewSet(ObjectViewSet):
    model = ResearchInstitution
    serializer_class = ResearchInstitutionSerializer
    filterset_class = filtersets.ResearchInstitutionFilterSet
    select_related = ("county",)


class DepartmentViewSet(ObjectViewSet):
    model = Department
    serializer_class = DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet
    select_related = ("region",)


class UserViewSet(ObjectViewSet):
    model = User
    serializer_class = UserSerializer
    filterset_class = filtersets.UserFilterSet

    def perform_create(self, serializer):
        serializer.instance = services.user_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.user_update(
            actor=self.request.user, instance=serializer.instance, data=serializer.validated_data
        )


router = DefaultRouter()
router.register("schools", SchoolViewSet, basename="school")
router.register("school-enrolments", SchoolEnrolmentViewSet, basename="schoolenrolment")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("research-institutions", ResearchInstitutionViewSet, basename="researchinstitution")
router.register("departments", DepartmentViewSet, basename="department")
router.register("users", UserViewSet, basename="user")
