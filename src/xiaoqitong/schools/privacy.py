"""A student's rights over their personal information (个人信息保护法, DESIGN rule 4):

- 个人信息查看记录: who opened a student's full profile, when, at which access level. The record is the core
  audit log (``services.student_profile_view`` writes one ``student_profile_view`` entry per view); this
  module reads it for the student, the student's school administrator and platform administrators.
- 我的数据: everything the platform holds about a student, in one xlsx or JSON file (第四十五条). The rows are
  found by walking the foreign keys to the student and to their login generically, so that a model added
  later is exported (and erased) without touching this module.
- 个人信息删除申请 (第四十七条): the student asks, the administrator of the student's school approves within
  :data:`DUE_WORKING_DAYS` working days (the record is then erased or anonymised where it must be kept for
  statistics) or refuses with a reason; the student is told either way.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

import tablib
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core import audit, search
from xiaoqitong.core.formats import day_text, when_text
from xiaoqitong.core.imports import escape_formulae
from xiaoqitong.core.models import AuditAction, AuditLog, Notification
from xiaoqitong.core.notifications import notify
from xiaoqitong.orgs.choices import Role

from .choices import Consent, DataRequestKind, DataRequestStatus
from .models import DataRequest, Student
from .selectors import Access

PROFILE_VIEW = "student_profile_view"

#: 15 working days to answer a request about one's personal information: GB/T 35273-2020
#: 《信息安全技术 个人信息安全规范》8.7 b) and《App违法违规收集使用个人信息行为认定方法》
#: (国信办秘字〔2019〕191号) 六.4. Weekends are skipped; statutory holidays are not known to the
#: platform, so the date shown is the earliest one.
DUE_WORKING_DAYS = 15

ACCESS_LABELS = {
    Access.OWNER: gettext_lazy("完整（含手机号）"),
    Access.SCHOOL: gettext_lazy("完整（手机号打码）"),
    Access.FULL: gettext_lazy("求职档案（含姓名）"),
    Access.DEIDENTIFIED: gettext_lazy("去标识化档案"),
    Access.NONE: gettext_lazy("无权查看"),
}


def access_label(value: str) -> str:
    try:
        return str(ACCESS_LABELS[Access(value)])
    except ValueError:
        return value or ""


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day ``days`` working days (Monday to Friday) after ``start``."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _student_ct() -> ContentType:
    return ContentType.objects.get_for_model(Student)


# --- 个人信息查看记录 -------------------------------------------------------------------------------------
def _as_text(qs: QuerySet) -> QuerySet:
    return qs.annotate(pk_text=Cast("pk", CharField())).values("pk_text")


def profile_views_for(user) -> QuerySet:
    """The profile views the user may read: a student their own profile's (not their own looks at it), a
    school administrator those of the school's students, a platform administrator all."""
    base = AuditLog.objects.filter(verb=PROFILE_VIEW, content_type=_student_ct()).select_related(
        "actor__school", "actor__enterprise", "actor__institution", "actor__department"
    )
    if user is None or not user.is_authenticated or not user.is_active:
        return base.none()
    if user.is_superuser:
        return base
    role = getattr(user, "role", None)
    if role == Role.SCHOOL_ADMIN and user.school_id:
        return base.filter(object_id__in=_as_text(Student.objects.filter(school_id=user.school_id)))
    if role == Role.STUDENT:
        own = Student.objects.filter(user_id=user.pk)
        return base.filter(object_id__in=_as_text(own)).exclude(actor_id=user.pk)
    return base.none()


def may_read_profile_views(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or getattr(user, "role", None) in {Role.SCHOOL_ADMIN, Role.STUDENT})
    )


def students_of(entries: Iterable[AuditLog]) -> dict[str, Student]:
    """The students the entries are about (one query), by ``object_id``."""
    ids = {int(e.object_id) for e in entries if e.object_id.isdigit()}
    return {str(s.pk): s for s in Student.objects.filter(pk__in=ids).select_related("school")}


def viewer_organization(entry: AuditLog) -> str:
    actor = entry.actor
    if actor is None:
        return ""
    org = actor.organization
    return str(org) if org is not None else ""


def viewer_name(entry: AuditLog) -> str:
    actor = entry.actor
    if actor is None:
        return entry.actor_repr
    return actor.display_name or actor.username


def viewer_role(entry: AuditLog) -> str:
    return entry.actor.get_role_display() if entry.actor is not None else ""


def profile_view_rows(entries: Iterable[AuditLog], *, with_student: bool = True) -> list[dict[str, Any]]:
    """One dict per entry for the pages, the API and the exports (one query for the students)."""
    entries = list(entries)
    students = students_of(entries) if with_student else {}
    rows = []
    for entry in entries:
        student = students.get(entry.object_id)
        access = (entry.changes or {}).get("access", "")
        row = {
            "id": entry.pk,
            "time": entry.time,
            "viewer": viewer_name(entry),
            "viewer_role": viewer_role(entry),
            "organization": viewer_organization(entry),
            "access": access,
            "access_display": access_label(access),
        }
        if with_student:
            row |= {
                "student_id": int(entry.object_id) if entry.object_id.isdigit() else None,
                "student_name": student.name if student else entry.object_repr,
                "student_no": student.student_no if student else "",
                "school": student.school.name if student else "",
            }
        rows.append(row)
    return rows


def profile_views_dataset(entries: Iterable[AuditLog], *, with_student: bool = True) -> tablib.Dataset:
    """The rows as a table with Chinese headers (csv/xlsx export)."""
    columns = [
        ("time", _("查看时间")),
        *(
            [("student_name", _("学生")), ("student_no", _("学号")), ("school", _("学校"))]
            if with_student
            else []
        ),
        ("viewer", _("查看人")),
        ("viewer_role", _("角色")),
        ("organization", _("所属单位")),
        ("access_display", _("访问级别")),
    ]
    data = tablib.Dataset(headers=[str(label) for _key, label in columns])
    for row in profile_view_rows(entries, with_student=with_student):
        data.append([when_text(row[k]) if k == "time" else row[k] for k, _label in columns])
    return data


# --- 我的数据: everything about one student, found by walking the relations ------------------------------
#: Models never exported or touched: secrets (an API token is a password).
EXCLUDED_MODELS = {"authtoken.token", "authtoken.tokenproxy"}
#: Fields never exported: secrets and derived data.
SECRET_FIELDS = {"password", "search_text", "key"}
MAX_DEPTH = 4


@cache
def referencing_fields(model: type[models.Model]) -> tuple[tuple[type[models.Model], str], ...]:
    """``(model, field name)`` of every foreign key, one-to-one and many-to-many field of any installed model
    that points to ``model`` (``related_name="+"`` included: those have no reverse accessor)."""
    found = []
    for other in apps.get_models():
        if other._meta.label_lower in EXCLUDED_MODELS or other._meta.proxy:
            continue
        for field in [*other._meta.concrete_fields, *other._meta.many_to_many]:
            if not field.is_relation or field.related_model is None:
                continue
            target = field.related_model._meta.concrete_model
            if target is model._meta.concrete_model:
                found.append((other, field.name))
    return tuple(found)


def personal_models() -> set[str]:
    """The labels of the models that may hold rows about a student: those reached from Student and User."""
    user_model = get_user_model()
    seen = {Student._meta.label_lower, user_model._meta.label_lower}
    queue = [Student, user_model]
    depth = {Student: 0, user_model: 0}
    while queue:
        model = queue.pop(0)
        if depth[model] >= MAX_DEPTH:
            continue
        for other, _name in referencing_fields(model):
            if other._meta.label_lower not in seen:
                seen.add(other._meta.label_lower)
                depth[other] = depth[model] + 1
                queue.append(other)
    return seen


def collect(student: Student) -> dict[type[models.Model], dict[Any, models.Model]]:
    """Every row about ``student``: the student, their login, and every row that points to one of them
    (directly or through another such row, up to :data:`MAX_DEPTH` steps), by model then primary key."""
    user_model = get_user_model()
    rows: dict[type[models.Model], dict[Any, models.Model]] = defaultdict(dict)
    rows[Student][student.pk] = student
    queue: list[tuple[type[models.Model], set, int]] = [(Student, {student.pk}, 0)]
    if student.user_id:
        user = user_model.objects.get(pk=student.user_id)
        rows[user_model][user.pk] = user
        queue.append((user_model, {user.pk}, 0))
    while queue:
        model, pks, depth = queue.pop(0)
        if depth >= MAX_DEPTH:
            continue
        for other, name in referencing_fields(model):
            found = {}
            for obj in other._default_manager.filter(**{f"{name}__in": pks}).distinct():
                if obj.pk not in rows[other]:
                    found[obj.pk] = obj
            if found:
                rows[other].update(found)
                queue.append((other, set(found), depth + 1))
    return rows


def _cell(obj: models.Model, field) -> Any:
    if field.many_to_many:
        return "、".join(str(v) for v in getattr(obj, field.name).all())
    if field.is_relation:
        value = getattr(obj, field.name)
        return "" if value is None else str(value)
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    value = getattr(obj, field.attname)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, dt.datetime):
        return when_text(value)
    if isinstance(value, dt.date):
        return day_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _fields(model: type[models.Model]) -> list:
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.name not in SECRET_FIELDS and f.name != "id_card_hash"
    ]


def _section(title: str, headers: list[str], rows: list[list[Any]], label: str = "") -> dict[str, Any]:
    return {"model": label, "title": title, "headers": headers, "rows": rows}


def student_data(student: Student) -> list[dict[str, Any]]:
    """The student's data as sections (a title, headers, rows), one per model, then the audit records about
    the profile (who viewed it, what changed, consent included) and those the student made."""
    sections = []
    collected = collect(student)
    first = [Student, get_user_model()]
    order = [*first, *sorted((m for m in collected if m not in first), key=lambda m: m._meta.label)]
    for model in order:
        objs = collected.get(model)
        if not objs:
            continue
        fields = _fields(model)
        headers = [str(f.verbose_name) for f in fields]
        if model is Student:
            headers.append(_("身份证号"))
        rows = []
        for obj in objs.values():
            row = [_cell(obj, f) for f in fields]
            if model is Student:
                row.append(_("已登记（只保存摘要）") if obj.id_card_hash else "")
            rows.append(row)
        sections.append(_section(str(model._meta.verbose_name_plural), headers, rows, model._meta.label))
    about = AuditLog.objects.filter(content_type=_student_ct(), object_id=str(student.pk)).select_related(
        "actor__school", "actor__enterprise", "actor__institution", "actor__department"
    )
    views = [e for e in about if e.verb == PROFILE_VIEW]
    view_data = profile_views_dataset(views, with_student=False)
    sections.append(_section(_("个人信息查看记录"), list(view_data.headers), [list(r) for r in view_data]))
    headers = [_("时间"), _("操作人"), _("操作"), _("服务"), _("变更内容")]
    changes = [
        [
            when_text(e.time),
            e.actor_repr,
            e.get_action_display(),
            e.verb,
            json.dumps(e.changes, ensure_ascii=False),
        ]
        for e in about
        if e.verb != PROFILE_VIEW
    ]
    sections.append(_section(_("档案变更记录（含授权变更）"), headers, changes))
    return sections


def student_data_export(*, actor, student: Student, fmt: str = "json") -> tuple[bytes, str, str]:
    """The student's data as ``(body, content type, file name)``, ``fmt`` ``json`` or ``xlsx``. Only the
    student themself downloads it (the right is theirs); each download is recorded."""
    if fmt not in {"json", "xlsx"}:
        raise ValidationError({"format": _("格式应为 json 或 xlsx。")})
    if actor is None or not actor.is_authenticated or student.user_id != actor.pk:
        raise PermissionDenied(_("只有学生本人可以下载自己的个人信息。"))
    with translation.override("zh-hans"):
        sections = student_data(student)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"我的数据-{stamp}.{fmt}"
    if fmt == "json":
        payload = {
            "generated_at": timezone.localtime().isoformat(),
            "student": str(student),
            "sections": [
                {
                    "model": s["model"],
                    "title": s["title"],
                    "rows": [dict(zip(s["headers"], row, strict=False)) for row in s["rows"]],
                }
                for s in sections
            ],
        }
        body = json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    else:
        book = tablib.Databook()
        titles: set[str] = set()
        for s in sections:
            data = tablib.Dataset(headers=s["headers"])
            for row in s["rows"]:
                data.append(row)
            data = escape_formulae(data)
            title = s["title"][:28]
            while title in titles:
                title = title[:26] + f"{len(titles):02d}"
            titles.add(title)
            data.title = title
            book.add_sheet(data)
        body = book.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(
        actor=actor,
        action=AuditAction.OTHER,
        verb="student_data_export",
        instance=student,
        changes={"format": fmt, "sections": len(sections)},
    )
    return body, content_type, name


# --- 个人信息删除申请 -------------------------------------------------------------------------------------
def data_requests_for(user) -> QuerySet:
    return DataRequest.objects.restrict(user).select_related("student__school", "handled_by", "requested_by")


def may_handle(actor, data_request: DataRequest) -> bool:
    """The administrator of the student's school (platform administrators too) handles a request."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return (
        getattr(actor, "role", None) == Role.SCHOOL_ADMIN
        and actor.school_id == data_request.student.school_id
    )


def _school_admins(student: Student):
    return get_user_model().objects.filter(
        role=Role.SCHOOL_ADMIN, school_id=student.school_id, is_active=True
    )


def is_erased(student: Student) -> bool:
    return DataRequest.objects.filter(
        student=student, kind=DataRequestKind.DELETE, status=DataRequestStatus.DONE
    ).exists()


@transaction.atomic
def data_request_create(
    *, actor, student: Student, kind: str = DataRequestKind.DELETE, reason: str = ""
) -> DataRequest:
    """The student asks the platform to delete their personal information. Refused for anyone but the
    student themself, while a request of the same kind is pending, and once the data is erased."""
    student = Student.objects.select_for_update(of=("self",)).get(pk=student.pk)
    if actor is None or not actor.is_authenticated or student.user_id != actor.pk:
        raise PermissionDenied(_("只有学生本人可以提出个人信息删除申请。"))
    if DataRequest.objects.filter(student=student, kind=kind, status=DataRequestStatus.PENDING).exists():
        raise ValidationError(_("您已有一份待处理的同类申请，请等待学校办理。"))
    if kind == DataRequestKind.DELETE and is_erased(student):
        raise ValidationError(_("您的个人信息已经删除。"))
    request = DataRequest(
        student=student,
        kind=kind,
        reason=(reason or "").strip(),
        requested_by=actor,
        due_date=add_working_days(timezone.localdate(), DUE_WORKING_DAYS),
    )
    request.full_clean()
    request.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        verb="data_request_create",
        instance=request,
        changes={"kind": kind, "due_date": request.due_date.isoformat()},
    )
    text = _("%(student)s提交了个人信息删除申请，请在 %(due)s 前办理。") % {
        "student": str(student),
        "due": day_text(request.due_date),
    }
    notify(list(_school_admins(student)), text, request.get_absolute_url())
    return request


def _lock_pending(actor, data_request: DataRequest) -> DataRequest:
    data_request = (
        DataRequest.objects.select_for_update(of=("self",)).select_related("student").get(pk=data_request.pk)
    )
    if not may_handle(actor, data_request):
        raise PermissionDenied(_("只有该学生所在学校的管理员可以办理此申请。"))
    if data_request.status != DataRequestStatus.PENDING:
        raise ValidationError(
            _("该申请已办理（%(status)s），不能再次办理。") % {"status": data_request.get_status_display()}
        )
    return data_request


def _close(data_request: DataRequest, *, actor, status: str, reply: str) -> None:
    data_request.status = status
    data_request.reply = reply
    data_request.handled_by = actor
    data_request.handled_at = timezone.now()
    data_request.full_clean()
    data_request.save(update_fields=["status", "reply", "handled_by", "handled_at", "updated_at"])


@transaction.atomic
def data_request_refuse(*, actor, data_request: DataRequest, reply: str) -> DataRequest:
    """Refuse the request with a reason the student reads (a reason is required)."""
    data_request = _lock_pending(actor, data_request)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("拒绝申请须说明理由。")})
    _close(data_request, actor=actor, status=DataRequestStatus.REFUSED, reply=reply)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="data_request_refuse",
        instance=data_request,
        changes={"status": [DataRequestStatus.PENDING, DataRequestStatus.REFUSED]},
    )
    student = data_request.student
    if student.user_id:
        notify(
            get_user_model().objects.filter(pk=student.user_id),
            _("您的个人信息删除申请未获同意：%(reply)s") % {"reply": reply},
            reverse("schools:my_data"),
        )
    return data_request


@transaction.atomic
def data_request_approve(*, actor, data_request: DataRequest, reply: str = "") -> DataRequest:
    """Approve: erase the student's personal information (:func:`student_erase`), close the request and tell
    the student (by the in-platform notice, written before the login is closed, and by e-mail when on)."""
    data_request = _lock_pending(actor, data_request)
    student = data_request.student
    user = get_user_model().objects.filter(pk=student.user_id).first() if student.user_id else None
    reply = (reply or "").strip() or _("您的个人信息已删除，账号已注销；学籍统计数据已匿名化保留。")
    if user is not None:
        notify(user, _("您的个人信息删除申请已办结：%(reply)s") % {"reply": reply})
    summary = student_erase(actor=actor, student=student)
    _close(data_request, actor=actor, status=DataRequestStatus.DONE, reply=reply)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="data_request_approve",
        instance=data_request,
        changes={"status": [DataRequestStatus.PENDING, DataRequestStatus.DONE], "erased": summary},
    )
    return data_request


# --- erasure ----------------------------------------------------------------------------------------------
REDACTED = "（已删除）"
#: Text fields of related rows that hold personal information or free text written by or about the student.
PERSONAL_TEXT_HINTS = (
    "name",
    "phone",
    "email",
    "mobile",
    "address",
    "number",
    "note",
    "comment",
    "reason",
    "message",
    "content",
    "location",
    "remark",
    "description",
    "text",
)
#: Models left as they are by the generic pass (handled on their own below).
ERASE_SKIP = {"schools.student", "core.auditlog", "core.notification"}


def _is_personal_text(field) -> bool:
    if not isinstance(field, models.CharField | models.TextField) or field.choices or field.primary_key:
        return False
    if field.name in SECRET_FIELDS or getattr(field, "unique", False):
        return False
    return isinstance(field, models.TextField) or any(hint in field.name for hint in PERSONAL_TEXT_HINTS)


def _blank_value(field):
    if field.blank:
        return ""
    return REDACTED[: field.max_length] if field.max_length else REDACTED


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    return value


def student_erase(*, actor, student: Student) -> dict[str, int]:
    """Erase ``student``'s personal information, keeping the enrolment for statistics (school, major, grade,
    status, gender, birth year, 生源地, skills) under an anonymous name:

    - the student: name, 学号, phone, ID card digest, consent and job preferences;
    - the login: closed (inactive, no password, API tokens deleted), username, name, phone and e-mail cleared;
    - every related row (applications, internships, logs, grades, certificates, events…): free-text and
      contact fields blanked (or marked 已删除 where required), uploaded files deleted;
    - the audit log and other people's notifications: the name, 学号, phone and e-mail replaced by ``***``;
      the student's own notifications deleted.

    Called by :func:`data_request_approve` only. Returns counts by model label."""
    from xiaoqitong.core.policy import can

    if not can(actor, "change", student):
        raise PermissionDenied(_("只有本校管理员可以删除学生的个人信息。"))
    user_model = get_user_model()
    collected = collect(student)
    user = next(iter(collected.get(user_model, {}).values()), None)
    old_label = str(student)
    secrets = [s for s in (old_label, student.name, student.student_no, student.phone) if s]
    if user is not None:
        secrets += [s for s in (user.username, user.display_name, user.email, user.phone) if s]
    secrets = sorted(set(secrets), key=len, reverse=True)  # "name（no）" before "name"
    summary: dict[str, int] = {}
    files_deleted = 0
    for model, objs in collected.items():
        label = model._meta.label_lower
        if label in ERASE_SKIP or model is user_model:
            continue
        pks = list(objs)
        changes = {f.attname: _blank_value(f) for f in model._meta.concrete_fields if _is_personal_text(f)}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                for obj in objs.values():
                    stored = getattr(obj, field.attname)
                    if stored:
                        stored.storage.delete(stored.name)
                        files_deleted += 1
                changes[field.attname] = ""
        if changes:
            model._default_manager.filter(pk__in=pks).update(**changes)
        summary[model._meta.label] = len(pks)
    # The student: an anonymous enrolment record.
    student.name = f"已注销学生{student.pk}"
    student.student_no = f"ERASED-{student.pk}"
    student.phone = ""
    student.id_card_hash = ""
    student.consent = Consent.NONE
    student.preferred_position_types = []
    student.salary_expectation = None
    student.save(
        update_fields=[
            "name",
            "student_no",
            "phone",
            "id_card_hash",
            "consent",
            "preferred_position_types",
            "salary_expectation",
            "updated_at",
        ]
    )
    student.preferred_chains.clear()
    student.preferred_counties.clear()
    search.refresh(student, save=True)
    # The login.
    if user is not None:
        user.username = f"erased-{user.pk}"
        user.display_name = user.first_name = user.last_name = user.email = user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(
            update_fields=[
                "username",
                "display_name",
                "first_name",
                "last_name",
                "email",
                "phone",
                "is_active",
                "password",
            ]
        )
        for label in EXCLUDED_MODELS:
            try:
                token_model = apps.get_model(label)
            except LookupError:
                continue
            if not token_model._meta.proxy:
                token_model._default_manager.filter(user_id=user.pk).delete()
        Notification.objects.filter(user_id=user.pk).delete()
    # What others keep about the student: the audit trail, their notifications.
    audit_filter = Q(actor_id=user.pk) if user is not None else Q(pk__in=[])
    for model, objs in collected.items():
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        audit_filter |= Q(content_type=ct, object_id__in=[str(pk) for pk in objs])
    scrubbed = 0
    for entry in AuditLog.objects.filter(audit_filter).iterator():
        repr_, changes_, actor_repr = (
            _scrub(entry.object_repr, secrets),
            _scrub(entry.changes, secrets),
            _scrub(entry.actor_repr, secrets),
        )
        if (repr_, changes_, actor_repr) != (entry.object_repr, entry.changes, entry.actor_repr):
            AuditLog.objects.filter(pk=entry.pk).update(
                object_repr=repr_, changes=changes_, actor_repr=actor_repr
            )
            scrubbed += 1
    # Other people's notices name the student as "name（学号）"; a bare name could be a namesake's.
    for notification in Notification.objects.filter(text__contains=old_label):
        Notification.objects.filter(pk=notification.pk).update(text=_scrub(notification.text, secrets))
    summary["files"] = files_deleted
    summary["audit_records"] = scrubbed
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="student_erase",
        instance=student,
        changes={"erased": summary},
    )
    return summary
