"""API of check-in, under /api/v1/events/:

- ``checkin/`` POST ``{"code": "…"}``: the organizer checks a registration in (the scanned code, or the
  check-in URL the QR code carries); answers the registration with ``first`` (``false``: it was already
  checked in, ``checked_in_at`` says when). A code the caller may not see answers 404; the registrant's own
  side 403; a refusal (not approved, outside the check-in time) 400 with the reason.
- ``registrations/<id>/pass/`` GET: a registration's pass: the check-in URL, the QR code as an SVG string,
  the code, the event, time, venue and booth (for the registrant's side and the organizer; 404 otherwise).
- ``booths/<id>/candidates/`` GET: for each position the enterprise booth brings, its best registered
  students by the matching score (the booth's enterprise and the organizer; 404 otherwise).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from ..selectors import checkin as selectors
from ..services import checkin as services
from ..views.checkin import CODE_IN_TEXT
from . import router


class CheckinEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField(source="type.name")
    organizer = serializers.CharField(source="organizer.name")
    venue = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()


class CheckinRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = CheckinEventSerializer()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    participant = serializers.CharField(source="participant_name")
    booth_no = serializers.CharField()
    delegation_size = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    checked_in_at = serializers.DateTimeField(allow_null=True)


class CheckinRequestSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=200, help_text=gettext_lazy("签到码，或二维码中的签到网址（/events/checkin/<签到码>/）")
    )


class CheckinResultSerializer(serializers.Serializer):
    registration = CheckinRegistrationSerializer()
    first = serializers.BooleanField(help_text=gettext_lazy("本次是否为首次签到；false 表示此前已签到"))
    message = serializers.CharField()


class CheckinViewSet(viewsets.ViewSet):
    """Check a registration in by its code (the event's organizer)."""

    @extend_schema(request=CheckinRequestSerializer, responses=CheckinResultSerializer)
    def create(self, request):
        data = CheckinRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = CODE_IN_TEXT.search(data.validated_data["code"].strip())
        if not match:
            raise serializers.ValidationError({"code": [gettext_lazy("签到码格式不正确。")]})
        registration = selectors.registration_by_code(request.user, match.group(1))
        registration, first = services.registration_check_in(actor=request.user, registration=registration)
        message = gettext_lazy("签到成功") if first else services.already_text(registration)
        body = CheckinResultSerializer(
            {"registration": registration, "first": first, "message": str(message)}
        ).data
        return Response(body, status=status.HTTP_200_OK)


class RegistrationPassSerializer(CheckinRegistrationSerializer):
    checkin_code = serializers.CharField()
    checkin_url = serializers.CharField(help_text=gettext_lazy("二维码内容：签到网址"))
    qr_svg = serializers.CharField(help_text=gettext_lazy("二维码（SVG，可直接嵌入网页）"))


class PassViewSet(viewsets.ViewSet):
    """A registration's pass (its QR code)."""

    @extend_schema(responses=RegistrationPassSerializer)
    def list(self, request, registration_pk=None):
        registration = selectors.pass_for(request.user, int(registration_pk))
        context = selectors.pass_context(request, registration)
        registration.checkin_url = context["checkin_url"]
        registration.qr_svg = context["qr_svg"]
        return Response(RegistrationPassSerializer(registration).data)


class BoothCandidateSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    student = serializers.IntegerField(source="student.pk")
    access = serializers.CharField(help_text=gettext_lazy("full：可见姓名学号；deidentified：匿名"))
    label = serializers.CharField(help_text=gettext_lazy("显示名：可见身份时为姓名和学号，否则为匿名编号"))
    school = serializers.CharField(source="student.school.name")
    major = serializers.CharField()
    percent = serializers.IntegerField(help_text=gettext_lazy("匹配度（满分的百分比）"))
    score = serializers.FloatField()
    required_skills = serializers.ListField(child=serializers.CharField())
    bonus_skills = serializers.ListField(child=serializers.CharField())
    available_from = serializers.DateField(
        allow_null=True, help_text=gettext_lazy("毕业后方可到岗的学生：可到岗日期；null：可按期到岗")
    )
    checked_in = serializers.BooleanField()


class BoothPositionCandidatesSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="position.pk")
    title = serializers.CharField(source="position.title")
    open = serializers.BooleanField(help_text=gettext_lazy("岗位在招聘中（否则无法计算匹配度）"))
    fitting = serializers.IntegerField(help_text=gettext_lazy("达到岗位学历要求的已报名学生数"))
    candidates = BoothCandidateSerializer(many=True)


class BoothCandidatesSerializer(serializers.Serializer):
    booth = serializers.IntegerField()
    registered_students = serializers.IntegerField()
    visible_students = serializers.IntegerField()
    k = serializers.IntegerField()
    positions = BoothPositionCandidatesSerializer(many=True)


class BoothCandidatesViewSet(viewsets.ViewSet):
    """The registered students ranked for each position of an enterprise booth."""

    @extend_schema(responses=BoothCandidatesSerializer)
    def list(self, request, booth_pk=None):
        booth = selectors.booth_for(request.user, None, int(booth_pk))
        report = selectors.booth_candidates(request.user, booth)
        for line in report["positions"]:
            for rank, candidate in enumerate(line.candidates, 1):
                candidate.rank = rank
        return Response(BoothCandidatesSerializer(report | {"booth": booth.pk}).data)


router.register("checkin", CheckinViewSet, basename="checkin")
router.register(r"registrations/(?P<registration_pk>[0-9]+)/pass", PassViewSet, basename="registration-pass")
router.register(
    r"booths/(?P<booth_pk>[0-9]+)/candidates", BoothCandidatesViewSet, basename="booth-candidates"
)
