"""API: /api/v1/reference/<plural>/ — the same FilterSets as the pages. Relations are written and read by
code (``"parent": "431000"``), never by database id. The official catalogs (regions, majors and their
classes and categories, industries) are read-only here; skills, certificates and chains are read-write for
platform administrators (policies.py), through the core services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet, ReadOnlyObjectViewSet

from . import filtersets
from .models import (
    Certificate,
    Industry,
    IndustryChain,
    Major,
    MajorCategory,
    MajorClass,
    MajorFamily,
    Region,
    Skill,
)


def codes(model, *, slug_field="code", help_text=""):
    """A many-to-many written and read as a list of codes."""
    return CodeRelatedField(
        queryset=model.objects.all(), many=True, required=False, slug_field=slug_field, help_text=help_text
    )


class RegionSerializer(BaseSerializer):
    parent = CodeRelatedField(read_only=True, help_text=_("上级区划代码"))

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class MajorCategorySerializer(BaseSerializer):
    class Meta:
        model = MajorCategory
        fields = ["id", "code", "name", "education_level"]


class MajorClassSerializer(BaseSerializer):
    category = CodeRelatedField(read_only=True, help_text=_("专业大类代码"))

    class Meta:
        model = MajorClass
        fields = ["id", "code", "name", "education_level", "category"]


class MajorFamilySerializer(BaseSerializer):
    class Meta:
        model = MajorFamily
        fields = ["id", "key", "name"]


class MajorSerializer(BaseSerializer):
    major_class = CodeRelatedField(read_only=True, help_text=_("专业类代码"))
    major_class_name = serializers.CharField(source="major_class.name", read_only=True)
    category = serializers.CharField(
        source="major_class.category.code", read_only=True, help_text=_("专业大类代码")
    )
    family = CodeRelatedField(read_only=True, slug_field="key", help_text=_("专业族编号"))

    class Meta:
        model = Major
        fields = [
            "id",
            "code",
            "name",
            "education_level",
            "category",
            "major_class",
            "major_class_name",
            "is_controlled",
            "family",
            "source",
        ]


class IndustrySerializer(BaseSerializer):
    parent = CodeRelatedField(read_only=True, help_text=_("上级行业代码"))

    class Meta:
        model = Industry
        fields = ["id", "code", "numeric_code", "name", "level", "parent"]


class IndustryChainSerializer(BaseSerializer):
    industries = codes(Industry, help_text=_("行业代码，如 C34"))
    major_classes = codes(MajorClass, help_text=_("专业类代码，如 6601"))

    class Meta:
        model = IndustryChain
        fields = ["id", "code", "name", "sort_order", "description", "source", "industries", "major_classes"]


class SkillSerializer(BaseSerializer):
    synonyms = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    chains = codes(IndustryChain, help_text=_("产业链编号"))
    major_classes = codes(MajorClass, help_text=_("专业类代码"))

    class Meta:
        model = Skill
        fields = ["id", "name", "synonyms", "category", "chains", "major_classes", "is_curated"]


class CertificateSerializer(BaseSerializer):
    chains = codes(IndustryChain, help_text=_("产业链编号"))
    major_classes = codes(MajorClass, help_text=_("专业类代码"))

    class Meta:
        model = Certificate
        fields = ["id", "code", "name", "kind", "level", "issuer", "chains", "major_classes", "is_curated"]


class RegionViewSet(ReadOnlyObjectViewSet):
    model = Region
    serializer_class = RegionSerializer
    filterset_class = filtersets.RegionFilterSet
    select_related = ("parent",)


class MajorCategoryViewSet(ReadOnlyObjectViewSet):
    model = MajorCategory
    serializer_class = MajorCategorySerializer
    filterset_class = filtersets.MajorCategoryFilterSet


class MajorClassViewSet(ReadOnlyObjectViewSet):
    model = MajorClass
    serializer_class = MajorClassSerializer
    filterset_class = filtersets.MajorClassFilterSet
    select_related = ("category",)


class MajorFamilyViewSet(ReadOnlyObjectViewSet):
    model = MajorFamily
    serializer_class = MajorFamilySerializer
    filterset_class = filtersets.MajorFamilyFilterSet


class MajorViewSet(ReadOnlyObjectViewSet):
    model = Major
    serializer_class = MajorSerializer
    filterset_class = filtersets.MajorFilterSet
    select_related = ("major_class__category", "family")


class IndustryViewSet(ReadOnlyObjectViewSet):
    model = Industry
    serializer_class = IndustrySerializer
    filterset_class = filtersets.IndustryFilterSet
    select_related = ("parent",)


class IndustryChainViewSet(ObjectViewSet):
    model = IndustryChain
    serializer_class = IndustryChainSerializer
    filterset_class = filtersets.IndustryChainFilterSet
    prefetch_related = ("industries", "major_classes")


class SkillViewSet(ObjectViewSet):
    model = Skill
    serializer_class = SkillSerializer
    filterset_class = filtersets.SkillFilterSet
    prefetch_related = ("chains", "major_classes")


class CertificateViewSet(ObjectViewSet):
    model = Certificate
    serializer_class = CertificateSerializer
    filterset_class = filtersets.CertificateFilterSet
    prefetch_related = ("chains", "major_classes")


router = DefaultRouter()
router.register("regions", RegionViewSet, basename="reference-region")
router.register("major-categories", MajorCategoryViewSet, basename="reference-majorcategory")
router.register("major-classes", MajorClassViewSet, basename="reference-majorclass")
router.register("major-families", MajorFamilyViewSet, basename="reference-majorfamily")
router.register("majors", MajorViewSet, basename="reference-major")
router.register("industries", IndustryViewSet, basename="reference-industry")
router.register("industry-chains", IndustryChainViewSet, basename="reference-industrychain")
router.register("skills", SkillViewSet, basename="reference-skill")
router.register("certificates", CertificateViewSet, basename="reference-certificate")
