"""API of the annual quality report, under /api/v1/governance/reports/: the versions the caller reads (city
reports: every officer and researcher; a school's: its staff and officers), filters ``year``, ``scope``
(city|school), ``school`` (code), ``status``. ``POST`` ``{"year": 2025, "school": "<code>"|null}`` requests a
new version (the build runs in the background: poll ``progress``/``step``/``status``); ``POST
…/<id>/rebuild/`` renders a version again from its stored data; ``GET …/<id>/download/<html|pdf|xlsx>/``
downloads its files (the links are in ``downloads``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.drf import _to_drf
from xiaoqitong.core.import_templates import content_disposition
from xiaoqitong.orgs.models import School

from ..filtersets.reports import QualityReportFilterSet
from ..models import QualityReport
from ..services import reports as services
from ..views.reports import CONTENT_TYPES
from . import router


class QualityReportSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    title = serializers.CharField(source="__str__", read_only=True)
    pdf_available = serializers.SerializerMethodField(
        help_text=gettext_lazy("是否有 PDF（无中文字体时没有）")
    )
    downloads = serializers.SerializerMethodField(help_text=gettext_lazy("各文件的下载地址"))
    url = serializers.SerializerMethodField(help_text=gettext_lazy("报告页面"))

    class Meta:
        model = QualityReport
        fields = [
            "id",
            "title",
            "year",
            "school",
            "school_name",
            "version",
            "status",
            "status_display",
            "progress",
            "step",
            "error",
            "pdf_available",
            "downloads",
            "url",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_pdf_available(self, obj) -> bool:
        return bool(obj.pdf)

    def get_downloads(self, obj) -> dict[str, str]:
        request = self.context.get("request")
        out = {}
        for kind in ("html", "pdf", "xlsx"):
            if obj.status == "done" and getattr(obj, kind):
                path = reverse("governance-qualityreport-download", kwargs={"pk": obj.pk, "kind": kind})
                out[kind] = request.build_absolute_uri(path) if request else path
        return out

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class ReportRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=gettext_lazy("报告年度"))
    school = serializers.SlugRelatedField(
        slug_field="code",
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("学校代码；留空为全市报告"),
    )


class QualityReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The quality report versions the caller reads; ``create`` requests a new version."""

    model = QualityReport
    serializer_class = QualityReportSerializer
    filterset_class = QualityReportFilterSet

    def get_queryset(self):
        return (
            QualityReport.objects.restrict(self.request.user, "view")
            .select_related("school")
            .order_by("-year", "school__code", "-version")
        )

    @extend_schema(request=ReportRequestSerializer, responses={201: QualityReportSerializer})
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.report_request(
                actor=request.user, year=data.validated_data["year"], school=data.validated_data.get("school")
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=QualityReportSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def rebuild(self, request, pk=None):
        report = self.get_object()
        try:
            report = services.report_rebuild(actor=request.user, report=report)
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        return Response(self.get_serializer(QualityReport.objects.get(pk=report.pk)).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"download/(?P<kind>html|pdf|xlsx)")
    def download(self, request, pk=None, kind="html"):
        report = self.get_object()
        field = getattr(report, kind)
        if report.status != "done" or not field:
            raise Http404(gettext_lazy("该文件不存在。"))
        try:
            handle = field.open("rb")
        except (OSError, ValueError):
            raise Http404(gettext_lazy("文件不存在或已被移除。")) from None
        response = FileResponse(handle, content_type=CONTENT_TYPES[kind])
        response["Content-Disposition"] = content_disposition(services.file_name(report, kind))
        response["X-Content-Type-Options"] = "nosniff"
        return response


router.register("reports", QualityReportViewSet, basename="governance-qualityreport")
