"""API of the booths' 1:1 time slots, under /api/v1/events/:

- ``slots/``: the slots of the events the caller may read (filters ``event``, ``booth``, ``day``,
  ``free=true|false``, ``q``); who booked a slot (``booked_by``, ``booker``, ``booked_at``) only for the
  organizer, the booth's enterprise and the booker's own side (``null`` for everyone else).
  ``DELETE slots/<id>/`` deletes a free slot (the booth's HR, the organizer).
- ``slots/<id>/book/`` POST: book the slot (a student for themself, school staff for their delegation);
  ``slots/<id>/cancel/`` POST ``{"reason": "…"}`` (optional): cancel its booking (the booker's side, the
  booth's enterprise, the organizer). Refusals answer 400 (or 403) with the reason in Chinese, e.g.
  ``{"non_field_errors": ["该时段已被预约，请选择其他时段。"]}``.
- ``booths/``: the enterprise booths the caller may read (approved booths of readable events; all of an
  organizer's or of one's own enterprise), with their slot counts (filter ``event``).
  ``booths/<id>/generate/`` POST ``{"start": …, "end": …}`` (both optional: the event's start and end):
  generate the booth's slots (idempotent; the booth's HR, the organizer).
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiaoqitong.core.api import ObjectViewSet

from ..choices import ParticipantKind, RegistrationStatus
from ..filtersets.slots import SlotFilterSet
from ..models import Registration, Slot
from ..policies.registrations import organized_events_q, visible_events_q
from ..policies.slots import ENTERPRISE_STAFF, may_see_booker
from ..selectors.slots import SLOT_RELATED
from ..services import slots as services
from . import router


class SlotSerializer(serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.title", read_only=True)
    booth_no = serializers.CharField(source="booth.booth_no", read_only=True)
    enterprise = serializers.CharField(source="booth.participant_name", read_only=True)
    free = serializers.SerializerMethodField(help_text=gettext_lazy("未被预约且尚未开始"))
    booked = serializers.SerializerMethodField()
    booked_by = serializers.SerializerMethodField(
        help_text=gettext_lazy("预约方的报名 ID；无权查看预约方时为 null")
    )
    booker = serializers.SerializerMethodField(help_text=gettext_lazy("预约方名称；无权查看时为 null"))
    booked_at = serializers.SerializerMethodField()

    class Meta:
        model = Slot
        fields = [
            "id",
            "event",
            "event_title",
            "booth",
            "booth_no",
            "enterprise",
            "starts_at",
            "ends_at",
            "free",
            "booked",
            "booked_by",
            "booker",
            "booked_at",
        ]
        read_only_fields = fields

    def _sees(self, slot) -> bool:
        request = self.context.get("request")
        return request is not None and may_see_booker(request.user, slot)

    def get_free(self, slot) -> bool:
        return slot.booked_by_id is None and slot.starts_at > timezone.now()

    def get_booked(self, slot) -> bool:
        return slot.booked_by_id is not None

    def get_booked_by(self, slot) -> int | None:
        return slot.booked_by_id if self._sees(slot) else None

    def get_booker(self, slot) -> str | None:
        return services.booker_label(slot.booked_by) if self._sees(slot) else None

    def get_booked_at(self, slot) -> str | None:
        return (
            serializers.DateTimeField().to_representation(slot.booked_at)
            if self._sees(slot) and slot.booked_at
            else None
        )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=gettext_lazy("取消原因（可不填，会告知对方）"),
    )


class SlotViewSet(ObjectViewSet):
    """Slots: list and read (scoped), delete a free one, book and cancel."""

    model = Slot
    serializer_class = SlotSerializer
    filterset_class = SlotFilterSet
    select_related = SLOT_RELATED
    http_method_names = ["get", "post", "delete", "head", "options"]
    delete_service = staticmethod(lambda *, actor, instance: services.slot_delete(actor=actor, slot=instance))

    def get_queryset(self):
        return super().get_queryset().order_by("starts_at", "booth_id", "pk")

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(
            "POST", detail=gettext_lazy("洽谈时段不能单独新建：请用 booths/<id>/generate/ 生成。")
        )

    @extend_schema(request=None, responses=SlotSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def book(self, request, pk=None):
        """Book the slot for the caller's side (a student's own registration, a school's delegation)."""
        slot = services.slot_book(actor=request.user, slot=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=slot.pk)).data)

    @extend_schema(request=CancelSerializer, responses=SlotSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def cancel(self, request, pk=None):
        """Cancel the slot's booking (the booker's side, the booth's enterprise, the organizer)."""
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slot = services.slot_cancel(
            actor=request.user, slot=self.get_object(), reason=data.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=slot.pk)).data)


# --- booths -----------------------------------------------------------------------------------------------
class BoothSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    slots_total = serializers.IntegerField(read_only=True)
    slots_free = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("未被预约且尚未开始的时段数")
    )
    slots_booked = serializers.IntegerField(read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "booth_no",
            "enterprise",
            "enterprise_name",
            "status",
            "status_display",
            "slots_total",
            "slots_free",
            "slots_booked",
        ]
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False, allow_null=True, help_text=gettext_lazy("留空：活动开始时间")
    )
    end = serializers.DateTimeField(
        required=False, allow_null=True, help_text=gettext_lazy("留空：活动结束时间")
    )


class GeneratedSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=gettext_lazy("本次新生成的时段数"))
    total = serializers.IntegerField(help_text=gettext_lazy("展位现有时段数"))
    slots = SlotSerializer(many=True, help_text=gettext_lazy("本次新生成的时段"))


def booths_q(user) -> Q:
    """The booths the caller may read: approved booths of the events they may read; every booth of the events
    they organize; their own enterprise's booths."""
    q = Q(status=RegistrationStatus.APPROVED) & visible_events_q(user, "event__")
    q |= organized_events_q(user, "event__")
    if getattr(user, "role", "") in ENTERPRISE_STAFF and user.enterprise_id:
        q |= Q(enterprise_id=user.enterprise_id)
    return q


class BoothViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Enterprise booths with their slot counts; ``generate`` makes a booth's slots."""

    serializer_class = BoothSerializer
    # Booths are registrations, whose generic policy is about registering; the service decides who generates.
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        now = timezone.now()
        qs = (
            Registration.objects.filter(kind=ParticipantKind.ENTERPRISE)
            .filter(booths_q(self.request.user))
            .select_related("enterprise")
            .annotate(
                slots_total=Count("slots"),
                slots_free=Count("slots", filter=Q(slots__booked_by__isnull=True, slots__starts_at__gt=now)),
                slots_booked=Count("slots", filter=Q(slots__booked_by__isnull=False)),
            )
            .order_by("event_id", "booth_no", "pk")
        )
        event = self.request.query_params.get("event", "")
        if event:
            if not event.isdigit():
                raise exceptions.ValidationError({"event": [gettext_lazy("活动 ID 应为整数。")]})
            qs = qs.filter(event_id=int(event))
        return qs

    @extend_schema(parameters=[OpenApiParameter("event", int, description=gettext_lazy("活动 ID"))])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=GenerateSerializer, responses={201: GeneratedSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Generate the booth's slots between ``start`` and ``end`` (inside the event); idempotent."""
        booth = self.get_object()
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.slots_generate(
            actor=request.user,
            booth=booth,
            start=data.validated_data.get("start"),
            end=data.validated_data.get("end"),
        )
        slots = list(
            Slot.objects.filter(pk__in=[s.pk for s in made])
            .select_related(*SLOT_RELATED)
            .order_by("starts_at")
        )
        body = GeneratedSerializer(
            {"created": len(made), "total": Slot.objects.filter(booth=booth).count(), "slots": slots},
            context={"request": request},
        ).data
        return Response(body, status=status.HTTP_201_CREATED if made else status.HTTP_200_OK)


router.register("slots", SlotViewSet, basename="slot")
router.register("booths", BoothViewSet, basename="booth")
