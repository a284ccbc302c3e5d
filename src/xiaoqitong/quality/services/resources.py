"""Every write of the shared teaching-resource library (专业教育资源库, 三（六）; DESIGN rule 2).

Resources: ``resource_create`` / ``resource_update`` / ``resource_delete``. A school's administrators and
teachers publish for their school, an enterprise's HR and mentors for their enterprise; the owner is set
here, never taken from the form. A resource is a file (stored through Django's storage API, the model's
``FileField``) or a link (a virtual-simulation resource, an online course), or both. Every upload is checked
by :func:`check_upload` (the platform's one check, ``core.uploads``): a size cap, an allowed list of
extensions, and the content itself (PDF, zip-based Office files without macros and not zip bombs, MP4,
PNG/JPEG), so that an executable renamed ``.pdf`` or a macro-enabled Office file never reaches the storage.
A resource is created as a draft; ``resource_publish`` shows it in the library (it needs at least one major:
others find resources by major), ``resource_unpublish`` takes it back (its organization's users, or a
government officer with a reason).

Ratings: ``resource_rate`` (1-5 stars and a comment), one per user, rating again changes it; never on a
resource of one's own organization. Uses: ``resource_use_record`` counts a download or a reuse (“引用到课程”)
for the user's school; a use of one's own organization's resource is not counted.

``search_text`` (the tokens of title, summary, majors and skills, ``core.search``) is written by the
create and update services through the registration in ``quality.search``.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from xiaoqitong.core import audit, uploads
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.policy import policy_for
from xiaoqitong.core.uploads import size_text  # noqa: F401  (the pages write sizes with it)
from xiaoqitong.orgs.choices import Role

from ..choices import ResourceKind, ResourceUseKind
from ..models import ResourceRating, ResourceUse, TeachingResource
from ..policies.resources import may_unpublish, owns_resource, publisher_org


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def allowed_text() -> str:
    return "、".join(ext.lstrip(".") for ext in uploads.KINDS[uploads.ATTACHMENT].extensions)


def check_upload(upload) -> None:
    """Refuse (ValidationError on ``file``, in Chinese) an upload that the platform's one upload check
    (``core.uploads``, kind attachment) refuses: empty, too big, of a type not on the list, content that is
    not what its extension says, a zip bomb, macros."""
    uploads.check_upload(upload, uploads.ATTACHMENT)


# --- resources ------------------------------------------------------------------------------------
def _owner_data(actor, data: dict[str, Any]) -> dict[str, Any]:
    """The owner from the actor: their school for school staff, their enterprise for enterprise staff.
    A platform administrator names the owner in ``data``; every other role is refused."""
    if actor.is_superuser:
        return {}
    school_id, enterprise_id = publisher_org(actor)
    if not (school_id or enterprise_id):
        raise _denied(_("只有学校管理员、教师或企业人事、导师可以为本单位发布教学资源。"))
    return {
        "owner_school": actor.school if school_id else None,
        "owner_enterprise": actor.enterprise if enterprise_id else None,
    }


def _file_data(data: dict[str, Any], instance: TeachingResource | None) -> tuple[dict[str, Any], str]:
    """``data`` with a new upload checked and its size taken, a cleared file emptied and an untouched one
    left out; also the name of a stored file the change replaces (deleted once the change commits)."""
    data = dict(data)
    old = instance.file.name if instance is not None and instance.file else ""
    value = data.pop("file", None)
    if isinstance(value, UploadedFile):
        check_upload(value)
        data["file"] = value
        data["file_size"] = value.size
        return data, old
    if value is False:  # the form's “clear” box
        data["file"] = ""
        data["file_size"] = 0
        return data, old
    if value is not None and not isinstance(value, FieldFile) and value != "":
        raise ValidationError({"file": _("请上传文件。")})
    return data, ""


def _delete_stored(name: str) -> None:
    if not name:
        return
    storage = TeachingResource._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


def _publish_problems(resource: TeachingResource) -> list[str]:
    problems = []
    if not resource.majors.exists():
        problems.append(_("请至少标注一个适用专业：其他学校按专业查找资源。"))
    if not resource.file and not resource.link:
        problems.append(_("请上传文件或填写访问地址。"))
    return problems


def _check_kind(data: dict[str, Any], instance: TeachingResource | None) -> None:
    """A video is an MP4 file or a link; a virtual-simulation resource needs its link."""
    kind = data.get("kind", instance.kind if instance else None)
    link = data.get("link", instance.link if instance else "")
    if kind == ResourceKind.VIRTUAL and not link:
        raise ValidationError({"link": _("虚拟仿真资源须填写访问地址。")})
    upload = data.get("file")
    if (
        kind == ResourceKind.VIDEO
        and isinstance(upload, UploadedFile)
        and Path(upload.name or "").suffix.lower() != ".mp4"
    ):
        raise ValidationError({"file": _("教学视频请上传 MP4 文件，或填写在线播放地址。")})


@transaction.atomic
def resource_create(*, actor, data: dict[str, Any]) -> TeachingResource:
    """Publish a draft for the actor's organization. ``data``: ``title``, ``kind``, ``summary``, ``majors``
    and ``skills`` (lists), ``file`` (an upload) and/or ``link``. The resource is a draft until
    ``resource_publish``."""
    if not policy_for(TeachingResource).allows(actor, "add"):
        raise _denied(_("只有学校管理员、教师或企业人事、导师可以为本单位发布教学资源。"))
    data = {k: v for k, v in data.items() if k not in {"published", "author", "search_text"}}
    data |= _owner_data(actor, data)
    data, _old = _file_data(data, None)
    _check_kind(data, None)
    data["author"] = actor
    data["published"] = False
    return core_services.object_create(actor=actor, model=TeachingResource, data=data, verb="resource_create")


@transaction.atomic
def resource_update(*, actor, instance: TeachingResource, data: dict[str, Any]) -> TeachingResource:
    """Change a resource of the actor's organization; a new file replaces the stored one (deleted once the
    change commits). A published resource must stay findable (a major, a file or a link)."""
    if not TeachingResource.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied(_("只有发布单位的用户可以修改该资源。"))
    data = {k: v for k, v in data.items() if k not in {"published", "author", "search_text"}}
    data, old = _file_data(data, instance)
    _check_kind(data, instance)
    if instance.author_id is None:
        # The model requires an author (``blank=False``), and a deleted user's resources lose theirs
        # (SET_NULL): the editor becomes the one to ask about it.
        data["author"] = actor
    if instance.published and "majors" in data and not list(data["majors"]):
        raise ValidationError(
            {"majors": _("已发布的资源须至少标注一个适用专业；如需取消专业标注，请先撤回发布。")}
        )
    resource = core_services.object_update(actor=actor, instance=instance, data=data, verb="resource_update")
    if "file" in data and old and old != resource.file.name:
        _delete_stored(old)
    return resource


@transaction.atomic
def resource_delete(*, actor, instance: TeachingResource) -> None:
    """Delete a resource of the actor's organization, with its ratings and uses; its file is removed from the
    storage once the deletion commits."""
    if not TeachingResource.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied(_("只有发布单位的用户可以删除该资源。"))
    name = instance.file.name if instance.file else ""
    core_services.object_delete(actor=actor, instance=instance, verb="resource_delete")
    _delete_stored(name)


@transaction.atomic
def resource_publish(*, actor, resource: TeachingResource) -> TeachingResource:
    """Show a draft in the library. Refused: another organization's resource, one already published, one
    without a major or without a file or link."""
    if not TeachingResource.objects.restrict(actor, "change").filter(pk=resource.pk).exists():
        raise _denied(_("只有发布单位的用户可以发布该资源。"))
    resource = TeachingResource.objects.select_for_update().get(pk=resource.pk)
    if resource.published:
        raise ValidationError(_("资源“%(title)s”已经发布。") % {"title": resource})
    problems = _publish_problems(resource)
    if problems:
        raise ValidationError(problems)
    resource.published = True
    resource.full_clean()
    resource.save(update_fields=["published", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="resource_publish",
        instance=resource,
        changes={"published": [False, True]},
    )
    return resource


@transaction.atomic
def resource_unpublish(*, actor, resource: TeachingResource, reason: str = "") -> TeachingResource:
    """Take a resource out of the library (back to draft): by its organization's users, or by a government
    officer, who must give a reason (kept in the audit record)."""
    if not may_unpublish(actor, resource):
        raise _denied(_("只有发布单位的用户或政府部门可以撤回该资源。"))
    resource = TeachingResource.objects.select_for_update().get(pk=resource.pk)
    if not resource.published:
        raise ValidationError(_("资源“%(title)s”尚未发布，无需撤回。") % {"title": resource})
    reason = (reason or "").strip()
    if not owns_resource(actor, resource) and not reason:
        raise ValidationError({"reason": _("撤回其他单位的资源须填写原因。")})
    resource.published = False
    resource.save(update_fields=["published", "updated_at"])
    changes = {"published": [True, False]}
    if reason:
        changes["reason"] = [None, reason[:500]]
    audit.record(
        actor=actor, action=AuditAction.UPDATE, verb="resource_unpublish", instance=resource, changes=changes
    )
    return resource


# --- ratings --------------------------------------------------------------------------------------
def _visible_published(actor, resource: TeachingResource) -> TeachingResource:
    visible = TeachingResource.objects.restrict(actor, "view").filter(pk=resource.pk, published=True)
    found = visible.first()
    if found is None:
        raise _denied(_("该资源未发布或您无权查看。"))
    return found


@transaction.atomic
def resource_rate(*, actor, resource: TeachingResource, stars: int, comment: str = "") -> ResourceRating:
    """Rate a published resource 1-5 stars with an optional comment; rating again changes the user's
    rating. Refused: a role that does not rate (only school and enterprise staff do), a resource of the
    rater's own organization, stars outside 1-5."""
    school_id, enterprise_id = publisher_org(actor)
    if not (school_id or enterprise_id):
        raise _denied(_("只有学校和企业的教师、管理员、人事和导师可以评价资源。"))
    resource = _visible_published(actor, resource)
    if owns_resource(actor, resource):
        raise ValidationError(_("不能评价本单位发布的资源：评价留给使用它的其他学校和企业。"))
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": _("评分应为 1 到 5 星。")})
    comment = (comment or "").strip()
    rating = ResourceRating.objects.select_for_update().filter(resource=resource, user=actor).first()
    if rating is None:
        rating = ResourceRating(
            resource=resource, user=actor, school_id=school_id, stars=stars, comment=comment
        )
        rating.full_clean()
        rating.save(force_insert=True)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            verb="resource_rate",
            instance=rating,
            changes=audit.diff({}, audit.snapshot(rating)),
        )
        return rating
    before = audit.snapshot(rating)
    rating.stars, rating.comment, rating.school_id = stars, comment, school_id
    rating.full_clean()
    rating.save(update_fields=["stars", "comment", "school", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="resource_rate",
        instance=rating,
        changes=audit.diff(before, audit.snapshot(rating)),
    )
    return rating


# --- uses -----------------------------------------------------------------------------------------
@transaction.atomic
def resource_use_record(*, actor, resource: TeachingResource, kind: str) -> ResourceUse | None:
    """Count a use of a published resource for the actor's school: a download, or a reuse in a course
    (“引用到课程”, once per user). A use of one's own organization's resource is not counted (returns
    ``None`` for a download, refuses a reuse); an unpublished resource is refused to everyone else."""
    if kind not in ResourceUseKind.values:
        raise ValidationError({"kind": _("使用方式应为下载或引用到课程。")})
    visible = TeachingResource.objects.restrict(actor, "view").filter(pk=resource.pk).first()
    if visible is None:
        raise _denied(_("该资源未发布或您无权查看。"))
    resource = visible
    own = owns_resource(actor, resource)
    if kind == ResourceUseKind.REUSE:
        school_id, enterprise_id = publisher_org(actor)
        if not (school_id or enterprise_id):
            raise _denied(_("只有学校和企业的用户可以把资源引用到课程。"))
        if own:
            raise ValidationError(_("这是本单位的资源，无需引用。"))
        if ResourceUse.objects.filter(resource=resource, user=actor, kind=ResourceUseKind.REUSE).exists():
            raise ValidationError(_("您已把该资源引用到课程。"))
    if own:
        return None
    if not resource.published:
        raise _denied(_("该资源未发布或您无权查看。"))
    use = ResourceUse(resource=resource, user=actor, school_id=getattr(actor, "school_id", None), kind=kind)
    if getattr(actor, "role", "") not in {Role.SCHOOL_ADMIN, Role.TEACHER}:
        use.school_id = None  # counted for a school only when a school's staff used it
    use.full_clean()
    use.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="resource_use_record",
        instance=use,
        changes={"resource_id": [None, resource.pk], "kind": [None, kind]},
    )
    return use
