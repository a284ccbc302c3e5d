"""API of the public list of 产教融合型企业, under /api/v1/certification/public/ (anonymous, no login): the
enterprises that hold the title now, with the same fields as the public page ``/public/certified/`` (name,
统一社会信用代码, level, county, industry, number, dates, status) and its filters (``level``, ``county`` by
code). Only public facts of the title: nothing of the application, the reviews or the incentives."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets

from ..choices import Level
from ..models import Certification
from ..views.public import filtered
from . import router


class PublicCertificationSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    credit_code = serializers.CharField(source="enterprise.credit_code")
    level_display = serializers.CharField(source="get_level_display")
    county = serializers.CharField(source="enterprise.county.code")
    county_name = serializers.CharField(source="enterprise.county.name")
    industry = serializers.CharField(source="enterprise.industry.name")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Certification
        fields = [
            "enterprise_name",
            "credit_code",
            "level",
            "level_display",
            "county",
            "county_name",
            "industry",
            "number",
            "certified_on",
            "valid_until",
            "status",
            "status_display",
        ]
        read_only_fields = fields


class PublicCertificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """产教融合型企业名单: the titles held now; anyone may read it, without logging in."""

    serializer_class = PublicCertificationSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = []

    def get_queryset(self):
        # The public page's rows and filters (``views.public``), so that both always show the same list.
        return filtered(self.request)[0]

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=Level.values, description=gettext_lazy("级别")),
            OpenApiParameter("county", str, description=gettext_lazy("县市区或园区代码")),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


router.register("public", PublicCertificationViewSet, basename="certification-public")
