"""API of the criteria (the checklist applications and annual reviews are held against), under
/api/v1/certification/criteria/: read by every signed-in user (the published conditions; filters ``q``,
``measure``, ``active``, ``required``); created, changed and deleted by the lead department (市发改委) only. A
criterion that claims refer to is deactivated (``"active": false``), not deleted."""

from rest_framework import serializers

from xiaoqitong.core.api import BaseSerializer, ObjectViewSet

from ..filtersets.certification import CriterionFilterSet
from ..models import Criterion
from ..services import incentives as services
from . import router


class CriterionSerializer(BaseSerializer):
    measure_display = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = Criterion
        fields = [
            "id",
            "code",
            "name",
            "description",
            "measure",
            "measure_display",
            "min_municipal",
            "min_provincial",
            "unit",
            "required",
            "needs_document",
            "source",
            "active",
            "sort_order",
        ]


class CriterionViewSet(ObjectViewSet):
    model = Criterion
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilterSet
    create_service = staticmethod(lambda *, actor, **data: services.criterion_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.criterion_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.criterion_delete)


router.register("criteria", CriterionViewSet, basename="certification-criterion")
