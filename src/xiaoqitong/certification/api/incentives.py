"""API of the incentives ledger, under /api/v1/certification/incentives/: read by government officers and
researchers (all), an enterprise's staff (their own); filters ``q``, ``kind``, ``year``, ``department``. A
government officer records, changes and deletes the incentives their own department granted (the
``department`` is theirs whatever is sent); the lead department's officers any department's (``department``
by its code, default their own). The enterprise by its 统一社会信用代码, the title it rests on (optional) by
its 认定编号. Imports go through ``/api/v1/core/import-jobs/`` with ``target=certification.Incentive``."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Department, Enterprise

from ..filtersets.certification import IncentiveFilterSet
from ..models import Certification, Incentive
from ..services import incentives as services
from . import router


class IncentiveSerializer(BaseSerializer):
    enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        help_text=gettext_lazy("企业统一社会信用代码"),
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    certification = CodeRelatedField(
        queryset=Certification.objects.all(),
        slug_field="number",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("依据的认定编号（可不填）"),
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department = CodeRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("落实部门代码（留空即本部门；牵头部门可代其他部门登记）"),
    )
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Incentive
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "certification",
            "year",
            "kind",
            "kind_display",
            "title",
            "amount",
            "department",
            "department_name",
            "granted_on",
            "document_ref",
            "note",
        ]
        extra_kwargs = {"amount": {"help_text": gettext_lazy("金额（万元）")}}


class IncentiveViewSet(ObjectViewSet):
    model = Incentive
    serializer_class = IncentiveSerializer
    filterset_class = IncentiveFilterSet
    select_related = ("enterprise", "department", "certification")
    create_service = staticmethod(lambda *, actor, **data: services.incentive_create(actor=actor, data=data))
    # A change that does not name the department keeps it (the service reads a missing one as "my own").
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.incentive_update(
            actor=actor, instance=instance, data={"department": instance.department, **data}
        )
    )
    delete_service = staticmethod(services.incentive_delete)


router.register("incentives", IncentiveViewSet, basename="certification-incentive")
