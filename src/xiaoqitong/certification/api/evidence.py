"""API of the evidence of an application or an annual review, under /api/v1/certification/:

- ``applications/<id>/claims/`` and ``reviews/<id>/claims/``: GET the checklist, one line per active
  criterion (its code and name, the figure computed from platform records, the enterprise's claim, the
  threshold at the level, whether it is met, the number of documents); PUT or POST ``{"claims": [{"criterion":
  "investment", "value": "120", "note": "…"}]}`` saves the figures of the criteria named by their codes (the
  others stay as they are) and answers the checklist again. Only the enterprise's HR writes, while the
  application is a draft or returned, or the review awaits its report.
- ``applications/<id>/documents/`` and ``reviews/<id>/documents/``: GET the documents; POST (multipart)
  ``file``, ``title`` (optional), ``criterion`` (the code of the criterion it proves, optional) uploads one
  (checked like every upload of the platform).
- ``documents/``: the documents the caller may read (those of the applications and reviews they read;
  filters ``application``, ``review``); ``GET documents/<id>/download/`` the file; ``DELETE documents/<id>/``
  (the enterprise's HR, while it may still edit).
"""

from pathlib import Path

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import CodeRelatedField
from xiaoqitong.quality.views.resources import content_disposition

from ..models import Criterion, Document
from ..selectors import records
from ..services import applications as services
from . import router


def _decimal(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


class ClaimLineSerializer(serializers.Serializer):
    """One line of a checklist (``selectors.evidence.Line``)."""

    criterion = serializers.CharField(source="criterion.code", help_text=gettext_lazy("条件代码"))
    name = serializers.CharField(source="criterion.name")
    measure = serializers.CharField(source="criterion.measure")
    unit = serializers.CharField(source="criterion.unit")
    required = serializers.BooleanField(source="criterion.required", help_text=gettext_lazy("必备条件"))
    needs_document = serializers.BooleanField(source="criterion.needs_document")
    computed = serializers.SerializerMethodField(
        help_text=gettext_lazy("平台数据计算的数值（近 12 个月）；企业申报类条件为 null")
    )
    claimed = serializers.SerializerMethodField(help_text=gettext_lazy("企业申报值；未填为 null"))
    note = serializers.CharField(source="claim_note", help_text=gettext_lazy("申报说明"))
    threshold = serializers.SerializerMethodField(help_text=gettext_lazy("该级别的门槛；null：不设门槛"))
    met = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("是否满足；null：不设门槛"))
    differs = serializers.BooleanField(help_text=gettext_lazy("申报值与平台数据不一致"))
    documents = serializers.IntegerField(help_text=gettext_lazy("证明材料份数"))

    def get_computed(self, line) -> str | None:
        return _decimal(line.computed)

    def get_claimed(self, line) -> str | None:
        return _decimal(line.claimed)

    def get_threshold(self, line) -> str | None:
        return _decimal(line.threshold)


class ClaimInputSerializer(serializers.Serializer):
    criterion = serializers.CharField(max_length=30, help_text=gettext_lazy("条件代码，如 investment"))
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("申报值；null 清空"),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ClaimsSerializer(serializers.Serializer):
    claims = ClaimInputSerializer(many=True, allow_empty=False)

    def validate_claims(self, rows):
        codes = [row["criterion"].strip() for row in rows]
        criteria = {c.code: c for c in Criterion.objects.filter(code__in=codes, active=True)}
        errors, seen = [], set()
        for code in codes:
            if code not in criteria:
                errors.append(_("找不到代码为“%(code)s”的认定条件，或该条件已停用。") % {"code": code})
            elif code in seen:
                errors.append(_("条件“%(code)s”重复。") % {"code": code})
            seen.add(code)
        if errors:
            raise serializers.ValidationError(errors)
        return [
            (criteria[code], row.get("value"), row.get("note", ""))
            for code, row in zip(codes, rows, strict=True)
        ]

    def values(self) -> dict:
        """``{criterion id: (figure, note)}`` as ``services.claims_save`` takes them."""
        return {criterion.pk: (value, note) for criterion, value, note in self.validated_data["claims"]}


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    criterion = serializers.CharField(source="criterion.code", read_only=True, default=None)
    criterion_name = serializers.CharField(source="criterion.name", read_only=True, default="")
    file_name = serializers.SerializerMethodField()
    uploaded_by = serializers.SerializerMethodField(help_text=gettext_lazy("上传人"))
    download = serializers.SerializerMethodField(help_text=gettext_lazy("下载地址"))

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "kind_display",
            "application",
            "review",
            "criterion",
            "criterion_name",
            "title",
            "file_name",
            "file_size",
            "uploaded_by",
            "created_at",
            "download",
        ]
        read_only_fields = fields

    def get_file_name(self, document) -> str:
        return Path(document.file.name).name if document.file else ""

    def get_uploaded_by(self, document) -> str:
        user = document.uploaded_by
        return (user.display_name or user.username) if user else ""

    def get_download(self, document) -> str:
        return f"/api/v1/certification/documents/{document.pk}/download/"


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("PDF、Word、Excel、PowerPoint 或图片；不含宏"))
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=gettext_lazy("材料名称；留空按条件或文件名"),
    )
    criterion = CodeRelatedField(
        queryset=Criterion.objects.filter(active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("证明的条件代码；留空为综合材料"),
    )


class EvidenceActions:
    """The ``claims`` and ``documents`` actions of a viewset of applications or reviews; ``lines(parent)``
    is the parent's checklist."""

    def lines(self, parent):  # pragma: no cover - each viewset says
        raise NotImplementedError

    @extend_schema(methods=["GET"], request=None, responses=ClaimLineSerializer(many=True))
    @extend_schema(
        methods=["PUT", "POST"], request=ClaimsSerializer, responses=ClaimLineSerializer(many=True)
    )
    @action(
        detail=True,
        methods=["get", "put", "post"],
        permission_classes=[permissions.IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def claims(self, request, pk=None):
        """The checklist; PUT or POST saves the figures of the criteria named by their codes."""
        parent = self.get_object()
        if request.method != "GET":
            data = ClaimsSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.claims_save(actor=request.user, parent=parent, values=data.values())
        return Response(ClaimLineSerializer(self.lines(parent), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=DocumentSerializer(many=True))
    @extend_schema(methods=["POST"], request=DocumentUploadSerializer, responses={201: DocumentSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[permissions.IsAuthenticated],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
        filter_backends=[],
        pagination_class=None,
    )
    def documents(self, request, pk=None):
        """The documents; POST (multipart) uploads one."""
        parent = self.get_object()
        if request.method == "GET":
            return Response(DocumentSerializer(records.documents_of(parent), many=True).data)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_add(
            actor=request.user,
            parent=parent,
            title=data.validated_data["title"],
            upload=data.validated_data["file"],
            criterion=data.validated_data["criterion"],
        )
        document = records.documents_of(parent).get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Documents of the applications and reviews the caller reads: list, read, download, delete."""

    model = Document
    serializer_class = DocumentSerializer
    # Deleting is the enterprise's while it may edit (the service decides, with its reason); reading is
    # scoped by the queryset.
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        qs = (
            Document.objects.restrict(self.request.user, "view")
            .select_related("criterion", "uploaded_by")
            .order_by("-id")
        )
        for name in ("application", "review"):
            value = self.request.query_params.get(name, "")
            if value:
                if not value.isdigit():
                    raise exceptions.ValidationError({name: [_("应为整数 ID。")]})
                qs = qs.filter(**{f"{name}_id": int(value)})
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("application", int, description=gettext_lazy("申请 ID")),
            OpenApiParameter("review", int, description=gettext_lazy("考核 ID")),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.document_delete(actor=self.request.user, document=instance)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request, pk=None):
        """The file (for those who read its application or review)."""
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except (OSError, ValueError):
            raise exceptions.NotFound(_("文件不存在或已被移除。")) from None
        response = FileResponse(handle, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(
            f"{document.title}{Path(document.file.name).suffix}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


router.register("documents", DocumentViewSet, basename="certification-document")
