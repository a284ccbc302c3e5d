"""API of the resource library, under /api/v1/quality/:

- ``teaching-resources/``: CRUD (the library's FilterSet: ``q``, ``major``, ``skill``, ``kind``,
  ``owner_school``, ``owner``, ``mine``, ``published``, ``sort=rating|uses|newest``). Create and update take
  JSON or multipart (``file`` an upload, checked like the page's); ``majors`` are catalog codes, ``skills``
  skill names (a list, or one text separated by 、; in multipart the field may repeat). The owner is the
  caller's organization. Read-only: owner, ``published``, the average stars, rating count, downloads and
  reuses, ``download_url``. Actions: ``POST …/<id>/publish/``, ``POST …/<id>/unpublish/`` (``reason``,
  required of an officer), ``GET …/<id>/download/`` (the file, counted as a download).
- ``resource-ratings/``: the ratings of the resources the caller sees; ``POST`` (``resource``, ``stars``,
  ``comment``) rates, or changes the caller's rating.
- ``resource-uses/``: the uses in the caller's scope; ``POST`` (``resource``, ``kind=reuse``) records a
  “引用到课程” (downloads are counted by the download action).
- ``resource-usage/`` (``?school=<id>`` for officers): the rows of the “资源使用统计” page.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # an id that is not a number: 404, not 500
from rest_framework.response import Response

from xiaoqitong.cooperation.api.bases import MajorCodesField
from xiaoqitong.core.api import BaseSerializer, ObjectViewSet
from xiaoqitong.core.drf import _to_drf
from xiaoqitong.reference.forms import resolve_skills

from ..choices import ResourceUseKind
from ..filtersets.resources import ResourceRatingFilterSet, ResourceUseFilterSet, TeachingResourceFilterSet
from ..models import ResourceRating, ResourceUse, TeachingResource
from ..policies.resources import may_view_usage, sees_every_school
from ..selectors import resources as selectors
from ..services import resources as services
from ..tables.resources import owner_text
from ..views.resources import download_response
from . import router


def _listed(field, dictionary):
    """A list field's value from JSON, or from a form where it may repeat (``majors=…&majors=…``)."""
    if hasattr(dictionary, "getlist"):
        values = dictionary.getlist(field.field_name)
        if not values:
            return serializers.empty
        return values if len(values) > 1 else values[0]
    return dictionary.get(field.field_name, serializers.empty)


class FormMajorCodesField(MajorCodesField):
    def get_value(self, dictionary):
        return _listed(self, dictionary)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SkillNamesField(serializers.Field):
    """The skills, as names of the skill catalog (or their synonyms)."""

    default_error_messages = {
        "unknown": gettext_lazy("技能目录中没有：{names}"),
        "list": gettext_lazy("应为技能名称列表。"),
    }

    def get_value(self, dictionary):
        return _listed(self, dictionary)

    def to_representation(self, value):
        return [s.name for s in value.all()]

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = "、".join(str(name) for name in data)
        if not isinstance(data, str):
            self.fail("list")
        skills, unknown = resolve_skills(data)
        if unknown:
            self.fail("unknown", names="、".join(unknown))
        return skills


class TeachingResourceSerializer(BaseSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    owner_school = serializers.CharField(source="owner_school.code", read_only=True, default="")
    owner_enterprise = serializers.CharField(
        source="owner_enterprise.credit_code", read_only=True, default=""
    )
    owner_name = serializers.SerializerMethodField()
    majors = FormMajorCodesField(required=False, help_text=gettext_lazy("适用专业代码列表"))
    skills = SkillNamesField(required=False, help_text=gettext_lazy("相关技能名称列表"))
    file = serializers.FileField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text=gettext_lazy("资源文件（pdf、docx、xlsx、pptx、png、jpg、mp4），multipart 上传"),
    )
    file_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    rating_avg = serializers.FloatField(read_only=True, allow_null=True)
    rating_count = serializers.IntegerField(read_only=True)
    download_count = serializers.IntegerField(read_only=True)
    reuse_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TeachingResource
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "summary",
            "owner_school",
            "owner_enterprise",
            "owner_name",
            "majors",
            "skills",
            "file",
            "file_name",
            "file_size",
            "download_url",
            "link",
            "published",
            "rating_avg",
            "rating_count",
            "download_count",
            "reuse_count",
            "created_at",
        ]
        read_only_fields = ["file_size", "published", "created_at"]

    def get_owner_name(self, resource) -> str:
        return owner_text(resource)

    def get_file_name(self, resource) -> str:
        return resource.file.name.rsplit("/", 1)[-1] if resource.file else ""

    def get_download_url(self, resource) -> str:
        if not resource.file:
            return ""
        url = reverse("teachingresource-download", kwargs={"pk": resource.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class UnpublishSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _with_stats(viewset, instance):
    return viewset.get_queryset().get(pk=instance.pk)


class TeachingResourceViewSet(ObjectViewSet):
    model = TeachingResource
    serializer_class = TeachingResourceSerializer
    filterset_class = TeachingResourceFilterSet
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    select_related = ("owner_school", "owner_enterprise")
    prefetch_related = ("majors", "skills")
    create_service = staticmethod(lambda *, actor, **data: services.resource_create(actor=actor, data=data))
    update_service = staticmethod(
        lambda *, actor, instance, **data: services.resource_update(actor=actor, instance=instance, data=data)
    )
    delete_service = staticmethod(services.resource_delete)

    def get_queryset(self):
        return selectors.with_stats(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = _with_stats(self, serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = _with_stats(self, serializer.instance)

    def _visible(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _stats(self, pk):
        qs = TeachingResource.objects.select_related(*self.select_related).prefetch_related(
            *self.prefetch_related
        )
        return selectors.with_stats(qs).get(pk=pk)

    def _run(self, call):
        try:
            return call()
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    @extend_schema(request=None, responses=TeachingResourceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def publish(self, request, pk=None):
        """Show a draft in the library (its organization's users; it needs a major and a file or link)."""
        resource = self._visible(pk)
        self._run(lambda: services.resource_publish(actor=request.user, resource=resource))
        return Response(self.get_serializer(self._stats(pk)).data)

    @extend_schema(request=UnpublishSerializer, responses=TeachingResourceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def unpublish(self, request, pk=None):
        """Take a resource back to draft: its organization's users, or an officer with a ``reason``."""
        resource = self._visible(pk)
        form = UnpublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        reason = form.validated_data.get("reason", "")
        self._run(lambda: services.resource_unpublish(actor=request.user, resource=resource, reason=reason))
        return Response(self.get_serializer(self._stats(pk)).data)  # an officer no longer sees the draft

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The resource's file as an attachment, counted as a download for the caller's school."""
        resource = self._visible(pk)
        return self._run(lambda: download_response(request.user, resource))


# --- ratings --------------------------------------------------------------------------------------
class ResourceRatingSerializer(serializers.ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=TeachingResource.objects.all())
    school = serializers.CharField(source="school.code", read_only=True, default="")
    school_name = serializers.CharField(source="school.name", read_only=True, default="")

    class Meta:
        model = ResourceRating
        fields = ["id", "resource", "stars", "comment", "school", "school_name", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A resource the caller cannot see reads like one that does not exist.
            fields["resource"].queryset = TeachingResource.objects.restrict(request.user, "view")
        return fields


class ResourceRatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ratings of the resources the caller sees; POST rates (or re-rates) a resource."""

    model = ResourceRating
    serializer_class = ResourceRatingSerializer
    filterset_class = ResourceRatingFilterSet

    def get_queryset(self):
        return (
            ResourceRating.objects.restrict(self.request.user, "view")
            .select_related("school")
            .order_by("-updated_at", "-pk")
        )

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]  # the service says why a rater is refused
        return super().get_permissions()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            rating = services.resource_rate(
                actor=request.user,
                resource=data["resource"],
                stars=data["stars"],
                comment=data.get("comment", ""),
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(rating).data, status=status.HTTP_201_CREATED)


# --- uses -----------------------------------------------------------------------------------------
class ResourceUseSerializer(serializers.ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=TeachingResource.objects.all())
    resource_title = serializers.CharField(source="resource.title", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True, default="")
    school_name = serializers.CharField(source="school.name", read_only=True, default="")
    kind = serializers.ChoiceField(choices=[(ResourceUseKind.REUSE, ResourceUseKind.REUSE.label)])

    class Meta:
        model = ResourceUse
        fields = ["id", "resource", "resource_title", "school", "school_name", "kind", "used_at"]
        read_only_fields = ["used_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["resource"].queryset = TeachingResource.objects.restrict(request.user, "view")
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["kind"] = instance.kind
        return data


class ResourceUseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Downloads and reuses in the caller's scope; POST ``kind=reuse`` records a “引用到课程”."""

    model = ResourceUse
    serializer_class = ResourceUseSerializer
    filterset_class = ResourceUseFilterSet

    def get_queryset(self):
        return (
            ResourceUse.objects.restrict(self.request.user, "view")
            .select_related("resource", "school")
            .order_by("-used_at", "-pk")
        )

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            use = services.resource_use_record(
                actor=request.user, resource=serializer.validated_data["resource"], kind=ResourceUseKind.REUSE
            )
        except DjangoValidationError as exc:
            raise _to_drf(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(use).data, status=status.HTTP_201_CREATED)


# --- usage ----------------------------------------------------------------------------------------
class SchoolUsageSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code", help_text=gettext_lazy("学校代码"))
    school_name = serializers.CharField(source="school.name")
    resources = serializers.IntegerField()
    published = serializers.IntegerField()
    downloads_by_others = serializers.IntegerField()
    reuses_by_others = serializers.IntegerField()
    own_downloads = serializers.IntegerField()
    own_reuses = serializers.IntegerField()


class UsageUserSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("使用学校代码（企业用户为空）"))
    name = serializers.CharField()
    downloads = serializers.IntegerField()
    reuses = serializers.IntegerField()


class CityUsageSerializer(serializers.Serializer):
    resources = serializers.IntegerField()
    published = serializers.IntegerField()
    downloads = serializers.IntegerField()
    reuses = serializers.IntegerField()
    school_resources = serializers.IntegerField()
    enterprise_resources = serializers.IntegerField()


class UsageSerializer(serializers.Serializer):
    city = CityUsageSerializer(allow_null=True)
    schools = SchoolUsageSerializer(many=True, source="lines", help_text=gettext_lazy("各学校（政府部门）"))
    school = SchoolUsageSerializer(allow_null=True, help_text=gettext_lazy("本校或所选学校"))
    users = UsageUserSerializer(many=True, required=False, help_text=gettext_lazy("使用这些资源的学校"))


class ResourceUsageViewSet(viewsets.ViewSet):
    """The “资源使用统计” figures: a school's own, or every school's and the city's for officers."""

    @extend_schema(
        parameters=[OpenApiParameter("school", int, description=gettext_lazy("学校 ID（政府部门查看某校）"))],
        responses=UsageSerializer,
    )
    def list(self, request):
        if not may_view_usage(request.user):
            raise PermissionDenied(gettext_lazy("资源使用统计面向学校、企业、政府部门和研究人员。"))
        school_id = None
        if sees_every_school(request.user) and request.query_params.get("school", "").isdigit():
            school_id = int(request.query_params["school"])
        report = selectors.usage_report(request.user, school_id)
        report.setdefault("users", [])
        return Response(UsageSerializer(report).data)


router.register("teaching-resources", TeachingResourceViewSet, basename="teachingresource")
router.register("resource-ratings", ResourceRatingViewSet, basename="resourcerating")
router.register("resource-uses", ResourceUseViewSet, basename="resourceuse")
router.register("resource-usage", ResourceUsageViewSet, basename="resource-usage")
