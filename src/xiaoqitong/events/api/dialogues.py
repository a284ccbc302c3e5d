"""API of minutes and commitments, under /api/v1/events/:

- ``commitments/``: the commitments the caller may read (the organizer its dialogues'; an owner organization
  its own), with ``is_overdue`` and their follow-ups; the board's filters (``status``, ``state``, ``overdue``,
  ``owner``, ``owner_type``, ``event``, ``year``, ``due_before``, ``q``); the organizer creates, changes and
  deletes them (owners by 学校代码, 统一社会信用代码 or 部门代码; the status is read-only). ``POST
  …/<id>/follow-up/`` ``{"status", "note"}`` posts a follow-up (the owner's users and the organizer);
  ``GET …/counts/`` the counts by status and overdue of the filtered list. Imports go through
  ``/api/v1/core/import-jobs/`` with ``target=events.Commitment``.
- ``minutes/<event id>/``: GET the minutes of a dialogue (those who may read them), PATCH ``{"minutes"}`` (its
  organizer).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Department, Enterprise, School

from ..choices import CommitmentStatus
from ..filtersets.dialogues import CommitmentFilterSet
from ..models import Commitment, CommitmentUpdate, Event
from ..policies.dialogues import may_read_minutes
from ..policies.registrations import organized_events_q, visible_events_q
from ..selectors import dialogues as selectors
from ..services import dialogues as services
from . import router


class CommitmentUpdateSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True, default="")

    class Meta:
        model = CommitmentUpdate
        fields = ["id", "status", "status_display", "note", "by", "at"]
        read_only_fields = fields


class CommitmentSerializer(BaseSerializer):
    event_title = serializers.CharField(source="event.title", read_only=True)
    owner_school = CodeRelatedField(
        queryset=School.objects.all(), required=False, allow_null=True, help_text=gettext_lazy("责任学校代码")
    )
    owner_enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("责任企业统一社会信用代码"),
    )
    owner_department = CodeRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("责任部门代码"),
    )
    owner_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text=gettext_lazy("已过完成时限且未办结"))
    updates = CommitmentUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "event",
            "event_title",
            "content",
            "owner_school",
            "owner_enterprise",
            "owner_department",
            "owner_name",
            "owner_person",
            "due_date",
            "status",
            "status_display",
            "done_at",
            "is_overdue",
            "updates",
        ]
        read_only_fields = ["status", "done_at"]

    def get_owner_name(self, commitment) -> str:
        return str(commitment.owner or "")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only the dialogues the caller organizes; another reads like one that does not exist.
            fields["event"].queryset = Event.objects.filter(organized_events_q(request.user))
        return fields


class FollowUpSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    note = serializers.CharField(max_length=2000)


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()
    unfinished = serializers.IntegerField(help_text=gettext_lazy("未开始与推进中"))
    open = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()
    dropped = serializers.IntegerField()


class CommitmentViewSet(ObjectViewSet):
    model = Commitment
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    select_related = selectors.COMMITMENT_RELATED
    create_service = staticmethod(lambda *, actor, **data: services.commitment_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.commitment_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.commitment_delete)

    def get_queryset(self):
        return selectors.with_overdue(super().get_queryset()).prefetch_related("updates__by")

    def _reload(self, serializer):
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reload(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reload(serializer)

    @extend_schema(request=FollowUpSerializer, responses=CommitmentSerializer)
    @action(
        detail=True, methods=["post"], url_path="follow-up", permission_classes=[permissions.IsAuthenticated]
    )
    def follow_up(self, request, pk=None):
        commitment = self.get_object()
        data = FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.commitment_follow_up(actor=request.user, commitment=commitment, **data.validated_data)
        return Response(CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data)

    @extend_schema(responses=CountsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request):
        """The counts by status and overdue of the (filtered) commitments."""
        qs = self.filter_queryset(self.get_queryset())
        return Response(CountsSerializer(selectors.commitment_counts(qs)).data)


class MinutesSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)
    minutes = serializers.CharField(allow_blank=True, max_length=20000)


EVENT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=gettext_lazy("活动 ID"))


@extend_schema_view(
    retrieve=extend_schema(parameters=[EVENT_ID]), partial_update=extend_schema(parameters=[EVENT_ID])
)
class MinutesViewSet(viewsets.ViewSet):
    """A dialogue's minutes: GET (the organizer, the approved participants, the commitments' owners), PATCH
    (the organizer)."""

    permission_classes = [permissions.IsAuthenticated]

    def _event(self, request, pk) -> Event:
        if not str(pk).isdigit():  # the route takes any text: an id that is not a number is not found
            raise exceptions.NotFound()
        event = Event.objects.filter(visible_events_q(request.user), pk=pk).select_related("type").first()
        if event is None or not event.type.has_minutes:
            raise exceptions.NotFound()
        return event

    @extend_schema(responses=MinutesSerializer)
    def retrieve(self, request, pk=None):
        event = self._event(request, pk)
        if not may_read_minutes(request.user, event):
            raise exceptions.PermissionDenied(
                gettext_lazy("会议纪要由主办部门、参会各方和承诺事项的责任单位查看。")
            )
        return Response(MinutesSerializer(event).data)

    @extend_schema(request=MinutesSerializer, responses=MinutesSerializer)
    def partial_update(self, request, pk=None):
        event = self._event(request, pk)
        data = MinutesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            event = services.event_minutes_update(
                actor=request.user, event=event, minutes=data.validated_data["minutes"]
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(MinutesSerializer(event).data)


router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("minutes", MinutesViewSet, basename="minutes")
