"""Writes on students that carry rules beyond plain CRUD: skills with levels and the ID card number (kept
only as a keyed hash). School majors, teachers and their practice use the core's generic services.

Student accounts: a school administrator opens a student's login (or gives it a new initial password).

Also the one read that is recorded: viewing a student's full profile (PIPL, DESIGN rule 4).
"""

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoqitong.core import audit, search
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.reference.models import Skill

from .models import Student, StudentSkill
from .validators import id_card_hash

SkillLevels = list[tuple[Skill, str]]


def set_student_skills(student: Student, skill_levels: SkillLevels) -> list | None:
    """Make the student's skills exactly ``skill_levels``; returns ``[before, after]`` if anything changed.
    Part of the services below and of the student import (never called on its own by a view)."""
    wanted = {skill.pk: level for skill, level in skill_levels}
    existing = {s.skill_id: s for s in student.skill_levels.all()}
    names = {skill.pk: skill.name for skill, _level in skill_levels}
    before = sorted([s.skill.name, s.level] for s in student.skill_levels.select_related("skill"))
    gone = [pk for pk in existing if pk not in wanted]
    if gone:
        StudentSkill.objects.filter(student=student, skill_id__in=gone).delete()
    new = [
        StudentSkill(student=student, skill_id=pk, level=lvl)
        for pk, lvl in wanted.items()
        if pk not in existing
    ]
    if new:
        StudentSkill.objects.bulk_create(new)
    changed = [s for pk, s in existing.items() if pk in wanted and s.level != wanted[pk]]
    for row in changed:
        row.level = wanted[row.skill_id]
    if changed:
        StudentSkill.objects.bulk_update(changed, ["level"])
    after = sorted([names[pk], lvl] for pk, lvl in wanted.items())
    return [before, after] if before != after else None


def _apply_id_card(student: Student, data: dict[str, Any]) -> None:
    number = data.pop("id_card", "") or ""
    if number.strip():
        try:
            student.id_card_hash = id_card_hash(number)
        except ValidationError as exc:
            raise ValidationError({"id_card": exc.messages}) from None


@transaction.atomic
def student_create(*, actor, data: dict[str, Any]) -> Student:
    """Create a student. ``data`` may hold ``skill_levels`` ([(Skill, level)]) and ``id_card`` (the clear
    number: validated, hashed, never stored)."""
    data = dict(data)
    skill_levels = data.pop("skill_levels", None)
    student = Student()
    _apply_id_card(student, data)
    _fields, m2m = core_services._assign(student, data)
    student.full_clean()
    search.refresh(student)
    student.save(force_insert=True)
    changes = audit.diff({}, audit.snapshot(student))
    for name, values in m2m.items():
        getattr(student, name).set(values)
        changes[name] = [None, sorted(getattr(v, "pk", v) for v in values)]
    if skill_levels:
        changes["skills"] = set_student_skills(student, skill_levels)
    if m2m or skill_levels:
        search.refresh(student, save=True)  # the indexed text names skills and chains
    audit.record(
        actor=actor, action=AuditAction.CREATE, verb="student_create", instance=student, changes=changes
    )
    return student


@transaction.atomic
def student_update(*, actor, instance: Student, data: dict[str, Any]) -> Student:
    """Change a student; the role's locked fields (``StudentPolicy.locked``) are refused. Saves only the
    changed fields and records before and after (skills as name and level)."""
    student = Student.objects.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(student)
    data = dict(data)
    skill_levels = data.pop("skill_levels", None)
    _apply_id_card(student, data)
    _fields, m2m = core_services._assign(student, data)
    student.full_clean()
    search.refresh(student)
    changes = audit.diff(before, audit.snapshot(student))
    core_services._refuse_locked(actor, Student, changes)
    changed_fields = [f.name for f in Student._meta.concrete_fields if f.attname in changes]
    if changed_fields:
        student.save(update_fields=[*changed_fields, "updated_at"])
    for name, values in m2m.items():
        manager = getattr(student, name)
        old = sorted(manager.values_list("pk", flat=True))
        new = sorted(getattr(v, "pk", v) for v in values)
        if old != new:
            manager.set(values)
            changes[name] = [old, new]
    if skill_levels is not None:
        skills_change = set_student_skills(student, skill_levels)
        if skills_change:
            changes["skills"] = skills_change
    if set(changes) & {*m2m, "skills"}:
        search.refresh(student, save=True)
        core_services.touch(student)
    audit.record(
        actor=actor, action=AuditAction.UPDATE, verb="student_update", instance=student, changes=changes
    )
    return student


def student_profile_view(*, actor, student: Student, access: str) -> None:
    """Record that ``actor`` viewed ``student``'s profile (detail page or API), and at which access level."""
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        verb="student_profile_view",
        instance=student,
        changes={"access": access},
    )


# --- student accounts -------------------------------------------------------------------------------------
# No 0/O, 1/l/I: an initial password is read off a screen or a printed list.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (characters)


def initial_password(length: int = 12) -> str:
    """A random password with letters and digits (passes the password validators)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def may_manage_account(actor, student: Student) -> bool:
    """Whether ``actor`` opens and resets ``student``'s login: who may change the student's record,
    including its account field (the school's administrator; not the student)."""
    from xiaoqitong.core.policy import policy_for

    if actor is None or not actor.is_authenticated:
        return False
    if "user" in policy_for(Student).locked_fields(actor):
        return False
    return Student.objects.restrict(actor, "change").filter(pk=student.pk).exists()


def _free_username(student: Student) -> str:
    from xiaoqitong.orgs.models import User

    for candidate in (student.student_no, f"{student.school.code}-{student.student_no}"):
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise ValidationError({"username": _("用户名“%(name)s”已被占用，请另填一个。") % {"name": candidate}})


@transaction.atomic
def student_account_open(*, actor, student: Student, username: str = "") -> tuple[Any, str, bool]:
    """Open ``student``'s login, or give the existing one a new initial password.

    Returns ``(user, initial password, created)``. The password is returned once, to be handed to the
    student, and never stored in the clear or audited. A new account's username is ``username``, else the
    学号, else 学校代码-学号 when the 学号 is taken."""
    from xiaoqitong.orgs import services as org_services
    from xiaoqitong.orgs.choices import Role
    from xiaoqitong.orgs.models import User

    student = (
        Student.objects.select_for_update(of=("self",)).select_related("school", "user").get(pk=student.pk)
    )
    if not may_manage_account(actor, student):
        raise PermissionDenied(_("只有本校管理员可以为学生开通账号或重置密码。"))
    password = initial_password()
    user = student.user
    if user is not None:
        if user.role != Role.STUDENT:
            raise ValidationError(
                {"user": _("该学生档案关联的账号“%(name)s”不是学生账号，不能在此重置密码。") % {"name": user}}
            )
        user = User.objects.select_for_update().get(pk=user.pk)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            verb="student_account_reset",
            instance=student,
            changes={"password": ["***", "***"]},
        )
        return user, password, False
    username = (username or "").strip()
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被占用，请另填一个。") % {"name": username}})
    user = org_services.user_create(
        actor=actor,
        data={
            "username": username or _free_username(student),
            "password": password,
            "role": Role.STUDENT,
            "display_name": student.name,
            "school": student.school,
        },
    )
    Student.objects.filter(pk=student.pk).update(user=user)
    student.user = user
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="student_account_open",
        instance=student,
        changes={"user": [None, user.pk]},
    )
    return user, password, True
