"""API of the events targets, under /api/v1/events/: ``targets/?year=`` — for each rule an event type names
the events held in the year against the rule (T7-T9, with the source), those still ahead (``scheduled``)
apart; the other types without a target; the year's participants, intentions and commitments. Aggregates
only; for officers, researchers, platform administrators and school and enterprise staff."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from ..policies.targets import may_view_event_targets
from ..selectors.targets import targets_report
from ..views.targets import chosen_year
from . import router
from .outcomes import KindLineSerializer


class TargetLineSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("规则键；不考核的类型为空"))
    label = serializers.CharField(help_text=gettext_lazy("活动类型（多个类型对应同一规则时以顿号分隔）"))
    types = serializers.SerializerMethodField(help_text=gettext_lazy("活动类型代码"))
    held = serializers.IntegerField(help_text=gettext_lazy("已举办（已开始）场次"))
    scheduled = serializers.IntegerField(help_text=gettext_lazy("本年度尚未举行的已安排场次"))
    target = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    target_id = serializers.CharField()
    source = serializers.CharField()
    met = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("null：不考核"))
    short = serializers.IntegerField(allow_null=True)
    in_reach = serializers.BooleanField(allow_null=True, help_text=gettext_lazy("已举办加已安排能否达标"))

    def get_types(self, line) -> list[str]:
        return [t.code for t in line.types]


class ParticipantsSerializer(serializers.Serializer):
    held_events = serializers.IntegerField()
    enterprises = serializers.IntegerField()
    booths = serializers.IntegerField()
    schools = serializers.IntegerField()
    delegations = serializers.IntegerField()
    students = serializers.IntegerField()
    student_registrations = serializers.IntegerField()


class CommitmentCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    overdue = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    open = serializers.IntegerField()
    dropped = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    lines = TargetLineSerializer(many=True, help_text=gettext_lazy("T7-T9"))
    others = TargetLineSerializer(many=True)
    participants = ParticipantsSerializer()
    intentions = KindLineSerializer(many=True)
    commitments = CommitmentCountsSerializer()


class TargetsViewSet(viewsets.ViewSet):
    """T7-T9: events held per year against the rules; participants, intentions, commitments."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description=gettext_lazy("年度，默认今年"))],
        responses=ReportSerializer,
    )
    def list(self, request):
        if not may_view_event_targets(request.user):
            raise exceptions.PermissionDenied(
                gettext_lazy("产教活动指标面向政府部门、学校、企业和研究人员。")
            )
        return Response(ReportSerializer(targets_report(chosen_year(request))).data)


router.register("targets", TargetsViewSet, basename="targets")
