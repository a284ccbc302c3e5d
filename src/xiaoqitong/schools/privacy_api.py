"""API of a student's personal-information rights (``privacy``), registered on the schools router:

- ``GET /api/v1/schools/profile-views/``: the profile-view log the caller may read (filters as the page:
  ``student``, ``viewer``, ``organization``, ``access``, ``date_after``, ``date_before``);
- ``GET /api/v1/schools/my-data/``: the calling student's data as JSON (``?as=xlsx`` for the workbook);
- ``/api/v1/schools/data-requests/``: list and read (the student's own, the school's), ``POST`` to ask for
  deletion (the student), ``POST …/{id}/approve/`` and ``…/{id}/refuse/`` (the school administrator).
"""

import json
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.drf import _to_drf

from . import privacy
from .models import DataRequest
from .privacy_views import DataRequestFilterSet, ProfileViewFilterSet, own_student


class ProfileViewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    time = serializers.DateTimeField()
    student_id = serializers.IntegerField(allow_null=True)
    student_name = serializers.CharField()
    student_no = serializers.CharField()
    school = serializers.CharField()
    viewer = serializers.CharField(help_text=_("查看人"))
    viewer_role = serializers.CharField()
    organization = serializers.CharField(help_text=_("查看人所属单位"))
    access = serializers.CharField(help_text=_("访问级别：owner、school、full、deidentified"))
    access_display = serializers.CharField()


class ProfileViewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who opened which student's full profile, when, at which access level (个人信息查看记录)."""

    serializer_class = ProfileViewSerializer
    filterset_class = ProfileViewFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["time"]

    def get_queryset(self):
        if not privacy.may_read_profile_views(self.request.user):
            raise exceptions.PermissionDenied(
                _("只有学生本人、学校管理员和平台管理员可以查看个人信息查看记录。")
            )
        return privacy.profile_views_for(self.request.user)

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = privacy.profile_view_rows(page if page is not None else qs)
        data = ProfileViewSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class MyDataViewSet(viewsets.ViewSet):
    """我的数据: everything the platform holds about the calling student (JSON, or ``?as=xlsx``)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["json", "xlsx"], required=False)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        student = own_student(request.user)
        if student is None:
            raise exceptions.PermissionDenied(_("只有学生本人可以下载自己的个人信息。"))
        fmt = request.query_params.get("as", "json")
        try:
            body, content_type, name = privacy.student_data_export(
                actor=request.user, student=student, fmt=fmt
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        if fmt == "json":
            return Response(json.loads(body))
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class DataRequestSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.name", read_only=True)
    handled_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = DataRequest
        fields = [
            "id",
            "student",
            "student_name",
            "kind",
            "status",
            "reason",
            "created_at",
            "due_date",
            "handled_by",
            "handled_at",
            "reply",
        ]
        read_only_fields = [f for f in fields if f not in {"kind", "reason"}]


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class DataRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """个人信息删除申请: the student asks, the administrator of the student's school approves or refuses."""

    serializer_class = DataRequestSerializer
    filterset_class = DataRequestFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["created_at", "due_date"]

    def get_queryset(self):
        return privacy.data_requests_for(self.request.user)

    def perform_create(self, serializer):
        student = own_student(self.request.user)
        if student is None:
            raise exceptions.PermissionDenied(_("只有学生本人可以提出个人信息删除申请。"))
        try:
            serializer.instance = privacy.data_request_create(
                actor=self.request.user,
                student=student,
                kind=serializer.validated_data.get("kind", DataRequest._meta.get_field("kind").default),
                reason=serializer.validated_data.get("reason", ""),
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc

    def _handle(self, request, service):
        data_request = self.get_object()
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            data_request = service(
                actor=request.user, data_request=data_request, reply=payload.validated_data.get("reply", "")
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(DataRequestSerializer(data_request).data, status=status.HTTP_200_OK)

    @extend_schema(request=ReplySerializer, responses=DataRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the student's personal information is erased and the login closed."""
        return self._handle(request, privacy.data_request_approve)

    @extend_schema(request=ReplySerializer, responses=DataRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """Refuse with a reason (``reply`` required)."""
        return self._handle(request, privacy.data_request_refuse)


def register(router) -> None:
    router.register("profile-views", ProfileViewViewSet, basename="profileview")
    router.register("my-data", MyDataViewSet, basename="mydata")
    router.register("data-requests", DataRequestViewSet, basename="datarequest")
