"""Pages of the shared teaching-resource library (专业教育资源库, 三（六）):

- the library (``/quality/resources/``): the generic list of the resources the user may see (published
  ones, and their organization's drafts) with filters by major, skill, kind, owner school and free text,
  sorted by rating, uses or newest; each row with its average stars, rating count and uses; export (xlsx,
  csv) of the list as filtered; the import of link-type resources' metadata; add/edit pages with the file
  upload (checked by ``services.resources.check_upload``), delete and history for the owner organization;
- a resource's page: its details, “下载” (streams the file through the storage and counts a download for
  the user's school), “访问” (the link), “引用到课程”, the rating form and the ratings, and the publish /
  unpublish steps;
- “资源使用统计” (``/quality/resources/usage/``): a school's resources, the downloads and reuses of them by
  other schools and its own uses of others' resources; every school's line and the city's totals for
  officers, researchers and platform administrators (``?school=<id>`` for one school's detail); export.
"""

from pathlib import Path
from urllib.parse import quote

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.formats import when_text
from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.policy import can, policy_for
from xiaoqitong.core.views import PostStepView
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import ResourceUseKind
from ..filtersets.resources import TeachingResourceFilterSet
from ..forms.resources import RatingForm, TeachingResourceForm, UnpublishForm
from ..models import TeachingResource
from ..policies.resources import (
    may_unpublish,
    may_view_usage,
    owns_resource,
    publisher_org,
    sees_every_school,
)
from ..resources.resources import resource_export_queryset
from ..selectors import resources as selectors
from ..services import resources as services
from ..tables.resources import TeachingResourceTable, owner_text, stars_text

NAMESPACE = "quality"
RATINGS_SHOWN = 50


def download_name(resource: TeachingResource) -> str:
    """The file's name for the browser: the title with the stored file's extension."""
    suffix = Path(resource.file.name).suffix.lower()
    safe = "".join(c for c in resource.title if c not in '\\/:*?"<>|\r\n').strip() or "resource"
    return f"{safe}{suffix}"


def content_disposition(name: str) -> str:
    """``attachment`` with the UTF-8 name (RFC 6266) and an ASCII fallback for old clients."""
    ascii_name = name.encode("ascii", "ignore").decode() or f"resource{Path(name).suffix}"
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class TeachingResourceViews(AppModelViews):
    model = TeachingResource
    filterset = TeachingResourceFilterSet
    table = TeachingResourceTable
    form = TeachingResourceForm
    select_related = ("owner_school", "owner_enterprise")
    detail_template = "quality/resources/teachingresource_detail.html"

    @classmethod
    def base_queryset(cls):
        return selectors.with_stats(super().base_queryset())

    @classmethod
    def export_queryset(cls, qs):
        return resource_export_queryset(qs)

    @classmethod
    def create(cls, *, actor, data):
        return services.resource_create(actor=actor, data=TeachingResourceForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.resource_update(
            actor=actor, instance=instance, data=TeachingResourceForm.service_data(data)
        )

    delete_service = staticmethod(services.resource_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        file_text = ""
        if obj.file:
            file_text = f"{Path(obj.file.name).name}（{services.size_text(obj.file_size)}）"
        return [
            (_("资源类型"), obj.get_kind_display()),
            (_("发布单位"), owner_text(obj)),
            (_("发布人"), obj.author or ""),
            (_("简介"), obj.summary),
            (_("适用专业"), "、".join(f"{m.name}（{m.code}）" for m in obj.majors.all())),
            (_("相关技能"), "、".join(s.name for s in obj.skills.all())),
            (_("文件"), file_text),
            (_("访问地址"), obj.link),
            (_("状态"), _("已发布") if obj.published else _("草稿（仅本单位可见）")),
            (_("评分"), stars_text(obj.rating_avg, obj.rating_count)),
            (
                _("使用次数"),
                _("下载 %(d)s 次，引用到课程 %(r)s 次") % {"d": obj.download_count, "r": obj.reuse_count},
            ),
            (_("创建时间"), when_text(obj.created_at)),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        own = owns_resource(user, obj)
        rater = any(publisher_org(user))
        mine = selectors.user_rating(user, obj) if rater else None
        form = getattr(request, "_rating_form", None)
        if form is None:
            initial = {"stars": mine.stars, "comment": mine.comment} if mine else {}
            form = RatingForm(initial=initial)
        rate_notice = ""
        if not obj.published:
            rate_notice = _("资源发布后，其他学校和企业才能看到并评价它。")
        elif own:
            rate_notice = _("这是本单位发布的资源，不能评价：评价留给使用它的其他学校和企业。")
        elif not rater:
            rate_notice = _("学校和企业的教师、管理员、人事和导师可以评价资源。")
        return {
            "own": own,
            "can_publish": not obj.published and can(user, "change", obj),
            "can_unpublish": obj.published and may_unpublish(user, obj),
            "unpublish_needs_reason": obj.published and not own,
            "unpublish_form": UnpublishForm(),
            "can_rate": obj.published and rater and not own,
            "rate_notice": rate_notice,
            "rating_form": form,
            "my_rating": mine,
            "ratings": list(selectors.resource_ratings(obj)[:RATINGS_SHOWN]),
            "can_reuse": obj.published and rater and not own,
            "reused": rater and not own and selectors.has_reused(user, obj),
            "list_url": reverse(f"{NAMESPACE}:teachingresource_list"),
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/usage/", UsageView.as_view(), name="resource_usage"),
            path(f"{prefix}/<int:pk>/download/", DownloadView.as_view(), name="teachingresource_download"),
            path(f"{prefix}/<int:pk>/reuse/", ReuseView.as_view(), name="teachingresource_reuse"),
            path(f"{prefix}/<int:pk>/rate/", RateView.as_view(), name="teachingresource_rate"),
            path(f"{prefix}/<int:pk>/publish/", PublishView.as_view(), name="teachingresource_publish"),
            path(f"{prefix}/<int:pk>/unpublish/", UnpublishView.as_view(), name="teachingresource_unpublish"),
        ]


def visible_resource(request, pk) -> TeachingResource:
    """A resource the user may see (published, or their organization's draft); 404 otherwise."""
    qs = TeachingResource.objects.restrict(request.user, "view").select_related(
        "owner_school", "owner_enterprise"
    )
    return get_object_or_404(qs, pk=pk)


def download_response(user, resource: TeachingResource) -> FileResponse:
    """The resource's file streamed from the storage as an attachment; a download by another
    organization's user is counted for their school (``services.resource_use_record``)."""
    if not resource.file:
        raise Http404(_("该资源没有文件。"))
    try:
        handle = resource.file.open("rb")
    except OSError:
        raise Http404(_("文件不存在或已被移除。")) from None
    try:
        services.resource_use_record(actor=user, resource=resource, kind=ResourceUseKind.DOWNLOAD)
    except (ValidationError, PermissionDenied):
        handle.close()
        raise
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(download_name(resource))
    if resource.file_size:
        response["Content-Length"] = str(resource.file_size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DownloadView(LoginRequiredMixin, View):
    """GET …/resources/<pk>/download/."""

    def get(self, request, pk):
        return download_response(request.user, visible_resource(request, pk))


class ReuseView(PostStepView):
    """POST …/resources/<pk>/reuse/: “引用到课程”, counted for the user's school."""

    def post(self, request, pk):
        resource = visible_resource(request, pk)
        return self.run(
            request,
            resource,
            lambda: services.resource_use_record(
                actor=request.user, resource=resource, kind=ResourceUseKind.REUSE
            ),
            _("已引用到课程，计入本校的资源使用。"),
        )


class RateView(LoginRequiredMixin, View):
    """POST …/resources/<pk>/rate/ (``stars``, ``comment``). A refusal shows the page again with the form
    and the reason."""

    http_method_names = ["post"]

    def post(self, request, pk):
        from django.contrib import messages

        from xiaoqitong.core.views import add_form_errors
        from xiaoqitong.enterprises.views import DetailView

        resource = visible_resource(request, pk)
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                services.resource_rate(actor=request.user, resource=resource, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存您的评价。"))
                return redirect(resource.get_absolute_url())
        request._rating_form = form
        view = type("ResourceDetail", (DetailView,), {"config": TeachingResourceViews})()
        view.setup(request, pk=pk)
        response = view.get(request, pk)
        response.status_code = 400
        return response


class PublishView(PostStepView):
    """POST …/resources/<pk>/publish/."""

    def post(self, request, pk):
        resource = visible_resource(request, pk)
        return self.run(
            request,
            resource,
            lambda: services.resource_publish(actor=request.user, resource=resource),
            _("已发布：其他学校和企业现在可以在资源库中找到它。"),
        )


class UnpublishView(PostStepView):
    """POST …/resources/<pk>/unpublish/ (``reason``, required of a government officer)."""

    def post(self, request, pk):
        resource = visible_resource(request, pk)
        form = UnpublishForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return self.run(
            request,
            resource,
            lambda: services.resource_unpublish(actor=request.user, resource=resource, reason=reason),
            _("已撤回发布，资源回到草稿状态。"),
        )


# --- usage ----------------------------------------------------------------------------------------
def usage_dataset(report: dict) -> tablib.Dataset:
    """Every school's line (officers) or the one school's: resources, uses by others, own uses."""
    out = tablib.Dataset(
        headers=[
            "学校代码",
            "学校名称",
            "资源数",
            "已发布",
            "被他校下载",
            "被他校引用",
            "本校下载他校资源",
            "本校引用他校资源",
        ]
    )
    lines = report["lines"] or ([report["school"]] if report["school"] else [])
    for line in lines:
        out.append(
            [
                line.school.code,
                line.school.name,
                line.resources,
                line.published,
                line.downloads_by_others,
                line.reuses_by_others,
                line.own_downloads,
                line.own_reuses,
            ]
        )
    return out


def users_dataset(report: dict) -> tablib.Dataset:
    out = tablib.Dataset(headers=["使用学校代码", "使用学校", "下载", "引用到课程"])
    for row in report.get("users", []):
        out.append([row["code"], row["name"] or _("企业用户"), row["downloads"], row["reuses"]])
    return out


class UsageView(LoginRequiredMixin, View):
    """GET /quality/resources/usage/ (``?school=<id>`` for officers;
    ``&export=xlsx|csv&table=schools|users``)."""

    def get(self, request):
        user = request.user
        if not may_view_usage(user):
            raise PermissionDenied(_("资源使用统计面向学校、企业、政府部门和研究人员。"))
        school_id = None
        if sees_every_school(user) and request.GET.get("school"):
            try:
                school_id = int(request.GET["school"])
            except ValueError:
                school_id = None
        report = selectors.usage_report(user, school_id)
        fmt = request.GET.get("export")
        if fmt:
            if request.GET.get("table") == "users":
                data, name = users_dataset(report), _("资源使用学校")
            else:
                data, name = usage_dataset(report), _("资源使用统计")
            return dataset_response(data, fmt, name, request.GET.get("encoding", "utf-8"))
        return render(
            request,
            "quality/resources/usage.html",
            report
            | {
                "list_url": reverse(f"{NAMESPACE}:teachingresource_list"),
                "usage_url": reverse(f"{NAMESPACE}:resource_usage"),
                "selected_school": school_id,
                "can_list": policy_for(TeachingResource).allows(user, "view"),
            },
        )


urlpatterns = [*TeachingResourceViews.urls("resources", NAMESPACE)]
