"""Import/export format of the resource library (Chinese column headers).

The import takes the metadata of **link-type** resources only (virtual-simulation resources, online
courses, videos on a platform): 标题, 资源类型, 简介, 适用专业代码, 相关技能, 访问地址. Files are uploaded one
by one on the resource's page (each goes through the upload check). The natural key is the owner
organization and the 标题: a school's (or enterprise's) staff import for their own organization, and the
same file imported twice changes nothing. New rows come in as drafts (published with ``resource_publish``);
an existing row keeps its published state.

The export (the library list, as filtered) adds the owner, the file's name and size, the published state,
the average stars, the rating count and the downloads and reuses.
"""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiaoqitong.cooperation.resources.bases import MajorCodesWidget
from xiaoqitong.core.imports import BaseResource, ChoiceWidget, NamesWidget, register_resource, text
from xiaoqitong.enterprises.resources import ExportOnlyMixin
from xiaoqitong.reference.models import Skill

from ..choices import ResourceKind
from ..models import TeachingResource
from ..policies.resources import publisher_org
from ..selectors.resources import with_stats
from ..services import resources as services  # noqa: F401  (registers the search text the import writes)
from ..tables.resources import owner_text

col = BaseResource.column
TITLE = "标题"


def resource_export_queryset(qs: QuerySet) -> QuerySet:
    return with_stats(
        qs.select_related("owner_school", "owner_enterprise").prefetch_related("majors", "skills")
    )


@register_resource
class TeachingResourceResource(ExportOnlyMixin, BaseResource):
    title = col("title", TITLE)
    kind = col("kind", "资源类型", ChoiceWidget(ResourceKind.choices))
    summary = col("summary", "简介")
    majors = col("majors", "适用专业代码", MajorCodesWidget())
    skills = col("skills", "相关技能", NamesWidget(Skill, label=_("技能")))
    link = col("link", "访问地址")
    owner = col(None, "发布单位", readonly=True)
    file_name = col(None, "文件", readonly=True)
    file_size = col("file_size", "文件大小（字节）", readonly=True)
    published = col(None, "已发布", readonly=True)
    rating_avg = col(None, "平均评分", readonly=True)
    rating_count = col(None, "评价数", readonly=True)
    download_count = col(None, "下载次数", readonly=True)
    reuse_count = col(None, "引用次数", readonly=True)

    export_only = (
        "owner",
        "file_name",
        "file_size",
        "published",
        "rating_avg",
        "rating_count",
        "download_count",
        "reuse_count",
    )

    class Meta(BaseResource.Meta):
        model = TeachingResource
        import_id_fields = ("title",)
        fields = (
            "title",
            "kind",
            "summary",
            "majors",
            "skills",
            "link",
            "owner",
            "file_name",
            "file_size",
            "published",
            "rating_avg",
            "rating_count",
            "download_count",
            "reuse_count",
        )

    def _owner(self) -> dict:
        school_id, enterprise_id = publisher_org(self.actor)
        return {"owner_school_id": school_id, "owner_enterprise_id": enterprise_id}

    def get_instance(self, instance_loader, row):
        """The importer's organization's resource of that title (the natural key)."""
        title = text(row.get(TITLE))
        owner = self._owner()
        if not title or not any(owner.values()):
            return None
        return TeachingResource.objects.filter(title=title, **owner).first()

    def clean_row(self, instance, row) -> dict[str, list]:
        errors: dict[str, list] = {}
        owner = self._owner()
        if not any(owner.values()):
            return {"title": [ValidationError(_("只有学校或企业的用户可以为本单位导入资源。"))]}
        if instance.pk is None:
            instance.owner_school_id = owner["owner_school_id"]
            instance.owner_enterprise_id = owner["owner_enterprise_id"]
            instance.author = self.actor
            instance.published = False
        if not instance.link:
            errors["link"] = [
                ValidationError(_("请填写访问地址：导入只接受链接类资源，文件请在页面上逐个上传。"))
            ]
        # The many-to-many columns are saved after the row; checked here so that a bad name is named by its
        # column.
        for name in ("majors", "skills"):
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[name] = [ValidationError(str(exc), code="invalid")]
        return errors

    def dehydrate_owner(self, resource):
        return owner_text(resource)

    def dehydrate_file_name(self, resource):
        return resource.file.name.rsplit("/", 1)[-1] if resource.file else ""

    def dehydrate_published(self, resource):
        return _("是") if resource.published else _("否")

    def dehydrate_rating_avg(self, resource):
        value = getattr(resource, "rating_avg", None)
        return "" if value is None else round(float(value), 1)

    def dehydrate_rating_count(self, resource):
        return getattr(resource, "rating_count", "")

    def dehydrate_download_count(self, resource):
        return getattr(resource, "download_count", "")

    def dehydrate_reuse_count(self, resource):
        return getattr(resource, "reuse_count", "")
