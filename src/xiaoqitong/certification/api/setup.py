"""API of the certification setup, under /api/v1/certification/setup/: ``GET`` for government officers
(who leads, who is asked for opinions by default, the working periods), ``PATCH …/setup/change/`` for the
lead department (``services.incentives.setup_update``); departments by code."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.orgs.models import Department

from ..models import Setup
from ..policies.common import is_lead, is_officer
from ..selectors.setup import setup
from ..services import incentives as services
from . import router


class SetupSerializer(serializers.ModelSerializer):
    lead_department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), allow_null=True, required=False
    )
    opinion_departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )

    class Meta:
        model = Setup
        fields = [
            "lead_department",
            "opinion_departments",
            "opinion_days",
            "review_open_days",
            "rectification_days",
        ]


class SetupViewSet(viewsets.ViewSet):
    """The one setup row: ``GET setup/`` reads it, ``PATCH setup/change/`` changes it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=SetupSerializer)
    def list(self, request):
        if not (request.user.is_superuser or is_officer(request.user)):
            raise exceptions.PermissionDenied(_("认定工作设置由政府部门查看。"))
        return Response(SetupSerializer(setup()).data)

    @extend_schema(request=SetupSerializer, responses=SetupSerializer)
    @action(detail=False, methods=["patch"], url_path="change")
    def change(self, request):
        if not is_lead(request.user):
            raise exceptions.PermissionDenied(_("认定工作设置由牵头部门修改。"))
        row = setup()
        serializer = SetupSerializer(row, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.setup_update(actor=request.user, instance=row, data=serializer.validated_data)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise exceptions.ValidationError(detail) from None
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(SetupSerializer(row).data)


router.register("setup", SetupViewSet, basename="certification-setup")
