"""API of practice bases and bookings, under /api/v1/cooperation/:

- ``practice-bases/``: CRUD (the same FilterSet as the pages: ``kind``, ``county``, ``major``, ``shared``,
  ``owner``, ``active``); owners by 学校代码 and 统一社会信用代码, the county by its code, the majors served
  as a list of catalog codes. ``GET practice-bases/<id>/bookings/?from=2026-05-11&to=2026-05-17``: the
  base's confirmed bookings overlapping those days (purpose and booker only for insiders).
- ``base-bookings/``: the bookings the user may see; ``POST`` books (``base``, ``start``, ``end``,
  ``headcount``, ``purpose``) through ``services.booking_create``; ``POST base-bookings/<id>/cancel/``
  (``reason``). Bookings are never edited or deleted.
- ``base-targets/``: T13 per school, T14 per county and the city-level shared base (as the page).
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # an id that is not a number: 404, not 500
from rest_framework.response import Response

from xiaoqitong.core.api import BaseSerializer, CodeRelatedField, ObjectViewSet
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.forms import resolve_majors

from ..filtersets.bases import BaseBookingFilterSet, PracticeBaseFilterSet
from ..models import BaseBooking, PracticeBase
from ..selectors import bases as selectors
from ..services import bases as services
from . import router

MAX_CALENDAR_DAYS = 93


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class MajorCodesField(serializers.Field):
    """The majors served, as catalog codes (``["660103", "660301"]``; a string separated by 、 works too)."""

    default_error_messages = {
        "unknown": gettext_lazy("找不到专业代码：{codes}"),
        "list": gettext_lazy("应为专业代码列表。"),
    }

    def to_representation(self, value):
        return sorted(m.code for m in value.all())

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = "、".join(str(code) for code in data)
        if not isinstance(data, str):
            self.fail("list")
        majors, unknown = resolve_majors(data)
        if unknown:
            self.fail("unknown", codes="、".join(unknown))
        return majors


class PracticeBaseSerializer(BaseSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    owner_school = CodeRelatedField(
        queryset=School.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("所属学校代码（学校管理员可省略：默认本校）"),
    )
    owner_school_name = serializers.CharField(source="owner_school.name", read_only=True, default="")
    owner_enterprise = CodeRelatedField(
        queryset=Enterprise.objects.all(),
        slug_field="credit_code",
        required=False,
        allow_null=True,
        help_text=gettext_lazy("共建企业统一社会信用代码（企业人事可省略：默认本企业）"),
    )
    owner_enterprise_name = serializers.CharField(source="owner_enterprise.name", read_only=True, default="")
    county = CodeRelatedField(queryset=selectors.city_areas(), help_text=gettext_lazy("所在县市区或园区代码"))
    county_name = serializers.CharField(source="county.name", read_only=True)
    majors = MajorCodesField(required=False, help_text=gettext_lazy("服务专业代码列表"))

    class Meta:
        model = PracticeBase
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "owner_school",
            "owner_school_name",
            "owner_enterprise",
            "owner_enterprise_name",
            "county",
            "county_name",
            "address",
            "capacity",
            "majors",
            "shared",
            "established",
            "active",
        ]


class CalendarBookingSerializer(serializers.ModelSerializer):
    """A booking as a base's calendar shows it: purpose only for insiders (see ``booking_insider``)."""

    booker = serializers.SerializerMethodField()
    purpose = serializers.SerializerMethodField()

    class Meta:
        model = BaseBooking
        fields = ["id", "start", "end", "headcount", "booker", "purpose"]

    def get_booker(self, booking) -> str:
        return selectors.booker_name(booking)

    def get_purpose(self, booking) -> str:
        return booking.purpose if getattr(booking, "insider", False) else ""


def _day(request, name: str, default: dt.date) -> dt.date:
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise exceptions.ValidationError({name: [gettext_lazy("日期格式应为 YYYY-MM-DD。")]}) from None


class PracticeBaseViewSet(ObjectViewSet):
    model = PracticeBase
    serializer_class = PracticeBaseSerializer
    filterset_class = PracticeBaseFilterSet
    select_related = ("owner_school", "owner_enterprise", "county")
    prefetch_related = ("majors",)
    create_service = staticmethod(
        lambda *, actor, **data: services.practice_base_create(actor=actor, data=data)
    )
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.practice_base_update(
            actor=actor, instance=instance, data=data
        )
    )
    delete_service = staticmethod(services.practice_base_delete)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description=gettext_lazy("起始日期 YYYY-MM-DD，默认今天")),
            OpenApiParameter(
                "to", str, description=gettext_lazy("截止日期 YYYY-MM-DD（含），默认起始日期后 6 天")
            ),
        ],
        responses=CalendarBookingSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def bookings(self, request, pk=None):
        """The base's confirmed bookings overlapping the days ``from``–``to`` (at most 93 days)."""
        base = self.get_object()
        start = _day(request, "from", timezone.localdate())
        end = _day(request, "to", start + dt.timedelta(days=6))
        if end < start:
            raise exceptions.ValidationError({"to": [gettext_lazy("截止日期不能早于起始日期。")]})
        if (end - start).days >= MAX_CALENDAR_DAYS:
            raise exceptions.ValidationError(
                {"to": [_("一次最多查询 %(days)s 天。") % {"days": MAX_CALENDAR_DAYS}]}
            )
        rows = selectors.calendar_bookings(
            request.user, base, selectors.day_start(start), selectors.day_start(end, 1)
        )
        return Response(CalendarBookingSerializer(rows, many=True).data)


# --- bookings ----------------------------------------------------------------------------------------------
class BaseBookingSerializer(BaseSerializer):
    base = serializers.PrimaryKeyRelatedField(queryset=PracticeBase.objects.all())
    base_name = serializers.CharField(source="base.name", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True, default="")
    enterprise = serializers.CharField(source="enterprise.credit_code", read_only=True, default="")
    booker = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = BaseBooking
        fields = [
            "id",
            "base",
            "base_name",
            "school",
            "enterprise",
            "booker",
            "start",
            "end",
            "headcount",
            "purpose",
            "status",
            "status_display",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A base the user cannot see reads like one that does not exist.
            fields["base"].queryset = PracticeBase.objects.restrict(request.user, "view")
        return fields

    def get_booker(self, booking) -> str:
        return selectors.booker_name(booking)


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class BaseBookingViewSet(ObjectViewSet):
    model = BaseBooking
    serializer_class = BaseBookingSerializer
    filterset_class = BaseBookingFilterSet
    select_related = ("base", "school", "enterprise")
    http_method_names = ["get", "post", "head", "options"]
    create_service = staticmethod(services.booking_create)

    @extend_schema(request=BookingCancelSerializer, responses=BaseBookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the booking (the booker's organization or the base's owner), with a ``reason``."""
        # Not ``get_object``: its object check is the "add" scope, and a base's owner cancels bookings
        # other organizations made; the service decides who may.
        booking = get_object_or_404(self.get_queryset(), pk=pk)
        form = BookingCancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        booking = services.booking_cancel(
            actor=request.user, booking=booking, reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(booking).data)


# --- T13 / T14 ---------------------------------------------------------------------------------------------
class SchoolTargetSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code", help_text=gettext_lazy("学校代码"))
    school_name = serializers.CharField(source="school.name")
    county = serializers.CharField(source="county.code")
    count = serializers.IntegerField(help_text=gettext_lazy("在用的产教融合实习基地数"))
    target = serializers.IntegerField()
    met = serializers.BooleanField()
    cite = serializers.CharField()


class CountyTargetSerializer(serializers.Serializer):
    county = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    count = serializers.IntegerField(help_text=gettext_lazy("在用的县域共享性实训基地数"))
    target = serializers.IntegerField()
    met = serializers.BooleanField()
    cite = serializers.CharField()


class CityTargetSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("在用的市级共享性智能实训基地数"))
    met = serializers.BooleanField()
    cite = serializers.CharField()
    bases = serializers.SerializerMethodField(help_text=gettext_lazy("基地编号"))

    def get_bases(self, row) -> list[str]:
        return [base.code for base in row["bases"]]


class BaseTargetsSerializer(serializers.Serializer):
    schools = SchoolTargetSerializer(many=True, help_text=gettext_lazy("T13：学校管理员只看到本校"))
    counties = CountyTargetSerializer(many=True, help_text=gettext_lazy("T14：本市各县市区"))
    city = CityTargetSerializer()


class BaseTargetsViewSet(viewsets.ViewSet):
    """T13 (产教融合实习基地 per school) and T14 (县域共享性实训基地 per county), each met or not."""

    @extend_schema(responses=BaseTargetsSerializer)
    def list(self, request):
        data = selectors.base_targets(request.user)
        return Response(BaseTargetsSerializer(data).data)


router.register("practice-bases", PracticeBaseViewSet, basename="practicebase")
router.register("base-bookings", BaseBookingViewSet, basename="basebooking")
router.register("base-targets", BaseTargetsViewSet, basename="base-targets")
