"""API of event types, events and registrations, under /api/v1/events/:

- ``event-types/``: read by everybody, written by platform administrators (the seeded types keep their code
  and rule and are never deleted).
- ``events/``: CRUD (the pages' FilterSet: ``q``, ``type``, ``year``, ``status``, ``phase``, ``organizer``);
  ``type`` by its code, ``organizer`` by the department's code (platform administrators; an officer's event is
  their department's whatever is sent); read-only ``status``, ``phase`` and the places taken
  (``students_count`` against ``capacity``, ``booths_count`` = approved + pending against ``booths`` …).
  ``POST events/<id>/publish/``; ``POST events/<id>/cancel/`` with ``reason``.
- ``registrations/``: the registrations the caller may read (the organizer: its events'; each side its own);
  ``POST`` registers the caller's side: ``event``, and ``positions`` (enterprise HR: ids of its published
  positions), ``majors`` (school administrator: ids of its SchoolMajor rows) with ``delegation_size``, or
  ``student_no`` (school administrator: one of its students), ``note``. ``POST registrations/<id>/approve/``
  with ``booth_no``, ``…/decline/`` with ``reason`` (organizer, enterprise booths), ``…/cancel/`` with an
  optional ``reason`` (the registrant's side or the organizer); ``…/change/`` with ``positions``, ``majors``,
  ``delegation_size``, ``note`` (the registering side, while registration is open).
- ``my-registrations/``: the registrations of the caller's side (我的活动).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # an id that is not a number: 404, not 500
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet, ReadOnlyObjectViewSet
from xiaoqitong.orgs.models import Department
from xiaoqitong.schools.models import Student

from ..filtersets.registrations import EventFilterSet, EventTypeFilterSet, RegistrationFilterSet
from ..models import Event, EventType, Registration
from ..selectors import registrations as selectors
from ..services import registrations as services
from . import router


# --- event types -------------------------------------------------------------------------------------------
class EventTypeSerializer(BaseSerializer):
    rule_key_display = serializers.CharField(source="get_rule_key_display", read_only=True)

    class Meta:
        model = EventType
        fields = ["id", "code", "name", "rule_key", "rule_key_display", "has_minutes", "sort_order"]


class EventTypeViewSet(ObjectViewSet):
    model = EventType
    serializer_class = EventTypeSerializer
    filterset_class = EventTypeFilterSet
    create_service = staticmethod(lambda *, actor, **data: services.eventtype_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.eventtype_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.eventtype_delete)


# --- events ------------------------------------------------------------------------------------------------
class EventSerializer(BaseSerializer):
    type = CodeRelatedField(queryset=EventType.objects.all(), help_text=gettext_lazy("活动类型代码，如 fair"))
    type_name = serializers.CharField(source="type.name", read_only=True)
    organizer = CodeRelatedField(
        queryset=Department.objects.all(),
        required=False,
        help_text=gettext_lazy("主办部门代码（平台管理员填写；政府部门工作人员的活动固定为本部门）"),
    )
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    phase = serializers.SerializerMethodField(
        help_text=gettext_lazy("draft/cancelled/not_open/open/upcoming/ongoing/ended")
    )
    phase_display = serializers.SerializerMethodField(help_text=gettext_lazy("报名中、即将举行、已结束…"))
    students_count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("学生报名人数（待审核+已通过）")
    )
    booths_count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("占用展位（已通过+待审核）")
    )
    booths_approved = serializers.IntegerField(read_only=True)
    booths_pending = serializers.IntegerField(read_only=True)
    schools_count = serializers.IntegerField(read_only=True)
    delegates_count = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "type",
            "type_name",
            "title",
            "organizer",
            "organizer_name",
            "venue",
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "booths",
            "slot_minutes",
            "description",
            "status",
            "status_display",
            "phase",
            "phase_display",
            "students_count",
            "booths_count",
            "booths_approved",
            "booths_pending",
            "schools_count",
            "delegates_count",
        ]
        read_only_fields = ["status"]

    def get_phase(self, event) -> str:
        return selectors.phase(event)

    def get_phase_display(self, event) -> str:
        return selectors.phase_label(event)[0]


class EventReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _with_counts(viewset, instance):
    return viewset.get_queryset().get(pk=instance.pk)


class EventViewSet(ObjectViewSet):
    model = Event
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    select_related = ("type", "organizer")
    create_service = staticmethod(lambda *, actor, **data: services.event_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.event_update(actor=actor, instance=instance, data=data)
    )
    delete_service = staticmethod(services.event_delete)

    def get_queryset(self):
        return selectors.with_counts(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = _with_counts(self, serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = _with_counts(self, serializer.instance)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft (the organizer)."""
        event = get_object_or_404(self.get_queryset(), pk=pk)
        services.event_publish(actor=request.user, event=event)
        return Response(self.get_serializer(_with_counts(self, event)).data)

    @extend_schema(request=EventReasonSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a published event with a ``reason`` (the organizer); the registrants are told."""
        event = get_object_or_404(self.get_queryset(), pk=pk)
        form = EventReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.event_cancel(actor=request.user, event=event, reason=form.validated_data["reason"])
        return Response(self.get_serializer(_with_counts(self, event)).data)


# --- registrations -----------------------------------------------------------------------------------------
class RegistrationSerializer(serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.title", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    participant = serializers.CharField(source="participant_name", read_only=True)
    enterprise = serializers.CharField(source="enterprise.credit_code", read_only=True, default=None)
    school = serializers.CharField(source="school.code", read_only=True, default=None)
    student_no = serializers.CharField(source="student.student_no", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    positions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    position_titles = serializers.SerializerMethodField()
    majors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    major_names = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "event_title",
            "kind",
            "kind_display",
            "participant",
            "enterprise",
            "school",
            "student_no",
            "booth_no",
            "positions",
            "position_titles",
            "majors",
            "major_names",
            "delegation_size",
            "status",
            "status_display",
            "decline_reason",
            "note",
            "created_at",
            "decided_at",
            "checked_in_at",
        ]
        read_only_fields = fields

    def get_position_titles(self, registration) -> list[str]:
        return [p.title for p in registration.positions.all()]

    def get_major_names(self, registration) -> list[str]:
        return [m.major.name for m in registration.majors.all()]


class RegistrationCreateSerializer(serializers.Serializer):
    event = serializers.PrimaryKeyRelatedField(
        queryset=Event.objects.none(), help_text=gettext_lazy("活动 ID")
    )
    positions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=gettext_lazy("企业：携带岗位 ID"),
    )
    majors = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=gettext_lazy("学校：开设专业 ID"),
    )
    delegation_size = serializers.IntegerField(required=False, min_value=1, max_value=50, default=1)
    student_no = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("学校管理员为本校学生报名时填写学号"),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An event the caller may not read answers like one that does not exist.
            fields["event"].queryset = selectors.visible_events(request.user)
        return fields


class BoothApproveSerializer(serializers.Serializer):
    booth_no = serializers.CharField(max_length=20, help_text=gettext_lazy("展位号"))


class BoothDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=gettext_lazy("未通过原因"))


class RegistrationChangeSerializer(serializers.Serializer):
    positions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=gettext_lazy("企业：携带岗位 ID（整体替换）"),
    )
    majors = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=gettext_lazy("学校：开设专业 ID（整体替换）"),
    )
    delegation_size = serializers.IntegerField(required=False, min_value=1, max_value=50)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RegistrationViewSet(ObjectViewSet):
    """Registrations: list, read, register (POST) and the steps; no edit or delete (cancel instead)."""

    model = Registration
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet
    http_method_names = ["get", "post", "head", "options"]
    select_related = selectors.REGISTRATION_RELATED
    prefetch_related = ("positions", "majors__major")

    def get_permissions(self):
        if self.action in {"approve", "decline", "cancel", "change"}:
            # Anyone who may read the registration may ask; the service decides (organizer, registrant).
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_serializer_class(self):
        if self.action == "create":
            return RegistrationCreateSerializer
        return super().get_serializer_class()

    @extend_schema(request=RegistrationCreateSerializer, responses={201: RegistrationSerializer})
    def create(self, request, *args, **kwargs):
        form = RegistrationCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        student = None
        if data["student_no"]:
            student = Student.objects.filter(
                school_id=getattr(request.user, "school_id", None), student_no=data["student_no"].strip()
            ).first()
            if student is None:
                raise exceptions.ValidationError({"student_no": [gettext_lazy("本校没有这个学号的学生。")]})
        registration = services.registration_create(
            actor=request.user,
            event=data["event"],
            positions=data["positions"],
            majors=data["majors"],
            delegation_size=data["delegation_size"],
            note=data["note"],
            student=student,
        )
        registration = self.get_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(registration).data, status=201)

    def _registration(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _answer(self, registration):
        return Response(RegistrationSerializer(self.get_queryset().get(pk=registration.pk)).data)

    @extend_schema(request=BoothApproveSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a pending enterprise booth with its ``booth_no`` (the organizer)."""
        registration = self._registration(pk)
        form = BoothApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            services.registration_approve(
                actor=request.user, registration=registration, booth_no=form.validated_data["booth_no"]
            )
        )

    @extend_schema(request=BoothDeclineSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a pending enterprise booth with a ``reason`` (the organizer)."""
        registration = self._registration(pk)
        form = BoothDeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            services.registration_decline(
                actor=request.user, registration=registration, reason=form.validated_data["reason"]
            )
        )

    @extend_schema(request=RegistrationChangeSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Change a booth's ``positions``, a delegation's ``majors`` and ``delegation_size``, the ``note``
        (the registering side, while registration is open)."""
        registration = self._registration(pk)
        form = RegistrationChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            services.registration_update(actor=request.user, registration=registration, **form.validated_data)
        )

    @extend_schema(request=EventReasonSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a registration holding a place (the registrant's side or the organizer)."""
        registration = self._registration(pk)
        form = EventReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(
            services.registration_cancel(
                actor=request.user, registration=registration, reason=form.validated_data["reason"]
            )
        )


class MyRegistrationViewSet(ReadOnlyObjectViewSet):
    """The registrations of the caller's side (我的活动), newest events first."""

    model = Registration
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet

    def get_queryset(self):
        return selectors.my_registrations(self.request.user)


router.register("event-types", EventTypeViewSet, basename="eventtype")
router.register("events", EventViewSet, basename="event")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("my-registrations", MyRegistrationViewSet, basename="my-registration")
