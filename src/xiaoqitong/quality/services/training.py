"""Every write of social training (DESIGN rule 2).

Programmes: ``training_programme_create`` / ``_update`` / ``_delete``. A school administrator's programme is
provided by their school, an enterprise HR's by their enterprise (filled in when not given); a programme of
another provider, or of a training centre, is refused to them. Government officers write every programme.
A programme with sessions is not deleted (delete its sessions first: their person-times count for T4/T6).

Sessions: ``training_session_create`` / ``_update`` / ``_delete`` within a programme the actor may write. A
session with a roster counts its roster (``selectors.training``), so a reported number is refused on it; a
session with a roster is not deleted until its roster is cleared (``session_roster_clear``).

Rosters come in through the import (``resources.training.TrainingParticipantResource``, all or nothing,
idempotent); ``session_roster_clear`` removes a session's whole roster so that a wrong file can be imported
again.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaoqitong.core import audit
from xiaoqitong.core import services as core_services
from xiaoqitong.core.models import AuditAction
from xiaoqitong.core.policy import policy_for
from xiaoqitong.orgs.choices import Role

from ..models import TrainingProgramme, TrainingSession


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else value


# --- programmes -----------------------------------------------------------------------------------
def _programme_data(actor, data: dict[str, Any], instance: TrainingProgramme | None) -> dict[str, Any]:
    """The data with the actor's own organization filled in as provider on creation; refuses
    (PermissionDenied) a programme a school administrator or an HR would not provide themselves."""
    data = dict(data)
    role = getattr(actor, "role", "")
    if actor.is_superuser or role not in {Role.SCHOOL_ADMIN, Role.ENTERPRISE_HR}:
        return data
    if instance is None:
        if role == Role.SCHOOL_ADMIN and not data.get("provider_school"):
            data["provider_school"] = actor.school
        if role == Role.ENTERPRISE_HR and not data.get("provider_enterprise"):
            data["provider_enterprise"] = actor.enterprise

    def current(name):
        return data.get(name, getattr(instance, name) if instance is not None else None)

    school_id = _pk(current("provider_school"))
    enterprise_id = _pk(current("provider_enterprise"))
    centre = current("provider_centre") or ""
    if role == Role.SCHOOL_ADMIN:
        if school_id != actor.school_id or enterprise_id or centre:
            raise _denied(_("学校管理员只能登记和维护本校承办的培训项目。"))
    elif enterprise_id != actor.enterprise_id or school_id or centre:
        raise _denied(_("企业人事只能登记和维护本企业承办的培训项目。"))
    return data


@transaction.atomic
def training_programme_create(*, actor, data: dict[str, Any]) -> TrainingProgramme:
    """Register a programme. ``data``: its fields and ``majors`` (a list). Exactly one provider (a school,
    an enterprise or a training centre: the model's ``clean``)."""
    if not policy_for(TrainingProgramme).allows(actor, "add"):
        raise _denied()
    data = _programme_data(actor, data, None)
    return core_services.object_create(
        actor=actor, model=TrainingProgramme, data=data, verb="training_programme_create"
    )


@transaction.atomic
def training_programme_update(
    *, actor, instance: TrainingProgramme, data: dict[str, Any]
) -> TrainingProgramme:
    """Change a programme the actor may change; its provider stays (for school administrators and HR)."""
    if not TrainingProgramme.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied()
    data = _programme_data(actor, data, instance)
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="training_programme_update"
    )


@transaction.atomic
def training_programme_delete(*, actor, instance: TrainingProgramme) -> None:
    """Delete a programme without sessions (their person-times count: delete them one by one first)."""
    if not TrainingProgramme.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied()
    sessions = instance.sessions.count()
    if sessions:
        raise ValidationError(
            _("培训项目“%(programme)s”下还有 %(n)s 个培训班次，请先删除班次。")
            % {"programme": instance, "n": sessions}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="training_programme_delete")


# --- sessions -------------------------------------------------------------------------------------
def _check_programme(actor, programme) -> None:
    programme_id = _pk(programme)
    if programme_id is None:
        return  # the model's validation names the missing programme
    if not TrainingProgramme.objects.restrict(actor, "change").filter(pk=programme_id).exists():
        raise _denied(_("您只能为本单位承办的培训项目登记班次。"))


def _check_reported(session: TrainingSession | None, data: dict[str, Any]) -> None:
    reported = data.get("reported_person_times")
    if session is None or not reported:
        return
    roster = session.participants.count()
    if roster and reported != session.reported_person_times:
        raise ValidationError(
            {
                "reported_person_times": _(
                    "该班次已有花名册（%(n)s 人），按花名册计人次，不能再填报人次；"
                    "如需改为填报，请先清空花名册。"
                )
                % {"n": roster}
            }
        )


@transaction.atomic
def training_session_create(*, actor, data: dict[str, Any]) -> TrainingSession:
    """Register a session (期次) of a programme the actor may write. Its person-times are its roster's rows
    once one is imported, else ``reported_person_times``."""
    if not policy_for(TrainingSession).allows(actor, "add"):
        raise _denied()
    _check_programme(actor, data.get("programme"))
    return core_services.object_create(
        actor=actor, model=TrainingSession, data=data, verb="training_session_create"
    )


@transaction.atomic
def training_session_update(*, actor, instance: TrainingSession, data: dict[str, Any]) -> TrainingSession:
    """Change a session; it may move only to another programme the actor may write, and a session with a
    roster takes no reported number."""
    if not TrainingSession.objects.restrict(actor, "change").filter(pk=instance.pk).exists():
        raise _denied()
    if "programme" in data and _pk(data["programme"]) != instance.programme_id:
        _check_programme(actor, data["programme"])
    _check_reported(instance, data)
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="training_session_update"
    )


@transaction.atomic
def training_session_delete(*, actor, instance: TrainingSession) -> None:
    """Delete a session without a roster (clear the roster first: each row is a person-time)."""
    if not TrainingSession.objects.restrict(actor, "delete").filter(pk=instance.pk).exists():
        raise _denied()
    roster = instance.participants.count()
    if roster:
        raise ValidationError(
            _("培训班次“%(session)s”有花名册（%(n)s 人），请先清空花名册再删除。")
            % {"session": instance, "n": roster}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="training_session_delete")


@transaction.atomic
def session_roster_clear(*, actor, session: TrainingSession) -> int:
    """Remove the whole roster of a session (to import a corrected file); returns the rows removed. One audit
    record on the session names how many rows went (the rows hold personal data: not copied to the log)."""
    if not TrainingSession.objects.restrict(actor, "change").filter(pk=session.pk).exists():
        raise _denied()
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    count = session.participants.count()
    if not count:
        raise ValidationError(_("该班次没有花名册，无需清空。"))
    session.participants.all().delete()
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        verb="session_roster_clear",
        instance=session,
        changes={"participants": [count, 0]},
    )
    return count
