"""Every write of certificates, exam centres and competitions (DESIGN rule 2).

- Awards (``certificate_award_create`` / ``_update`` / ``_delete``): a school administrator records the
  certificates of its own school's students only; government officers any student's. An award may name the
  exam session it was won at: the session must be of the same certificate, at a centre the actor may see.
  A certificate dated in the future is refused. Bulk awards come in through the import
  (``resources.certificates.CertificateAwardResource``, natural key 证书代码 + 证书编号).
- Exam centres (``exam_centre_*``): a school administrator's centres are hosted by its school (filled in
  when not given); a centre with sessions is not deleted (their pass rates are the centre's record).
- Exam sessions (``exam_session_*``) at a centre the actor may write; when the centre lists the
  certificates it is approved for, the session's certificate must be one of them; the candidates may not
  exceed the centre's capacity per sitting (when it has one).
- Competitions (``competition_*``): government officers only (the policy); one with awards is not deleted.
- Competition awards (``competition_award_*``): a school administrator's are its own school's (filled in when
  not given); the student and the instructing teacher must be of that school (the model's ``clean``).
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaoqitong.core import services as core_services
from xiaoqitong.core.formats import day_text
from xiaoqitong.core.policy import policy_for
from xiaoqitong.orgs.choices import Role

from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _pk(value) -> int | None:
    return value.pk if hasattr(value, "pk") else value


def _is_school_admin(actor) -> bool:
    return not actor.is_superuser and getattr(actor, "role", "") == Role.SCHOOL_ADMIN


def _may(actor, model, action: str, instance=None) -> None:
    if instance is None:
        if not policy_for(model).allows(actor, action):
            raise _denied()
    elif not model.objects.restrict(actor, action).filter(pk=instance.pk).exists():
        raise _denied()


def _current(data: dict, instance, name: str):
    return data[name] if name in data else (getattr(instance, name) if instance is not None else None)


# --- certificate awards ---------------------------------------------------------------------------
def _check_award(actor, data: dict[str, Any], instance: CertificateAward | None) -> None:
    student = _current(data, instance, "student")
    if student is not None and _is_school_admin(actor) and student.school_id != actor.school_id:
        raise _denied(_("学校管理员只能登记本校学生的证书。"))
    awarded_on = _current(data, instance, "awarded_on")
    if awarded_on and awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("发证日期不能晚于今天。")})
    session = _current(data, instance, "session")
    certificate = _current(data, instance, "certificate")
    if session is not None:
        if not ExamSession.objects.restrict(actor, "view").filter(pk=session.pk).exists():
            raise ValidationError({"session": _("找不到这个考试场次。")})
        if certificate is not None and session.certificate_id != _pk(certificate):
            raise ValidationError(
                {
                    "session": _("考试场次考的是“%(session)s”，与获证证书“%(certificate)s”不一致。")
                    % {"session": session.certificate, "certificate": certificate}
                }
            )
        if awarded_on and awarded_on < session.date:
            raise ValidationError(
                {"awarded_on": _("发证日期不能早于考试日期（%(date)s）。") % {"date": day_text(session.date)}}
            )


@transaction.atomic
def certificate_award_create(*, actor, data: dict[str, Any]) -> CertificateAward:
    """Record a certificate a student obtained: certificate, 证书编号, 发证日期, 发证机构, session."""
    _may(actor, CertificateAward, "add")
    _check_award(actor, data, None)
    return core_services.object_create(
        actor=actor, model=CertificateAward, data=data, verb="certificate_award_create"
    )


@transaction.atomic
def certificate_award_update(*, actor, instance: CertificateAward, data: dict[str, Any]) -> CertificateAward:
    """Change an award the actor may change; it stays with a student of the actor's school."""
    _may(actor, CertificateAward, "change", instance)
    _check_award(actor, data, instance)
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="certificate_award_update"
    )


@transaction.atomic
def certificate_award_delete(*, actor, instance: CertificateAward) -> None:
    """Delete an award recorded by mistake."""
    _may(actor, CertificateAward, "delete", instance)
    core_services.object_delete(actor=actor, instance=instance, verb="certificate_award_delete")


# --- exam centres ---------------------------------------------------------------------------------
def _own_school_data(actor, data: dict[str, Any], instance, what: str) -> dict[str, Any]:
    """The data with the school administrator's school filled in on creation; refuses another school."""
    data = dict(data)
    if not _is_school_admin(actor):
        return data
    if instance is None and not data.get("school"):
        data["school"] = actor.school
    if _pk(_current(data, instance, "school")) != actor.school_id:
        raise _denied(_("学校管理员只能登记和维护本校的%(what)s。") % {"what": what})
    return data


@transaction.atomic
def exam_centre_create(*, actor, data: dict[str, Any]) -> ExamCentre:
    """Register an exam centre (考点编号, name, hosting school, approved certificates as ``certificates``)."""
    _may(actor, ExamCentre, "add")
    data = _own_school_data(actor, data, None, _("考点"))
    return core_services.object_create(actor=actor, model=ExamCentre, data=data, verb="exam_centre_create")


@transaction.atomic
def exam_centre_update(*, actor, instance: ExamCentre, data: dict[str, Any]) -> ExamCentre:
    """Change a centre the actor may change; a school administrator's stays at its school."""
    _may(actor, ExamCentre, "change", instance)
    data = _own_school_data(actor, data, instance, _("考点"))
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="exam_centre_update")


@transaction.atomic
def exam_centre_delete(*, actor, instance: ExamCentre) -> None:
    """Delete a centre without sessions (its sessions are its record: delete them first, or mark it 停用)."""
    _may(actor, ExamCentre, "delete", instance)
    sessions = instance.sessions.count()
    if sessions:
        raise ValidationError(
            _("考点“%(centre)s”已有 %(n)s 个考试场次，不能删除；请先删除场次，或把考点改为停用。")
            % {"centre": instance, "n": sessions}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="exam_centre_delete")


# --- exam sessions --------------------------------------------------------------------------------
def _check_session(actor, data: dict[str, Any], instance: ExamSession | None) -> None:
    centre = _current(data, instance, "centre")
    if centre is None:
        return  # the model's validation names the missing centre
    if (instance is None or _pk(centre) != instance.centre_id) and not ExamCentre.objects.restrict(
        actor, "change"
    ).filter(pk=_pk(centre)).exists():
        raise _denied(_("您只能为本校的考点登记考试场次。"))
    certificate = _current(data, instance, "certificate")
    approved = set(centre.certificates.values_list("pk", flat=True))
    if certificate is not None and approved and _pk(certificate) not in approved:
        raise ValidationError(
            {
                "certificate": _("考点“%(centre)s”未获批考试“%(certificate)s”。")
                % {"centre": centre, "certificate": certificate}
            }
        )
    candidates = _current(data, instance, "candidates")
    if centre.capacity and candidates and candidates > centre.capacity:
        raise ValidationError(
            {
                "candidates": _("报考人数（%(n)s）超过考点单场容量（%(capacity)s）。")
                % {"n": candidates, "capacity": centre.capacity}
            }
        )


@transaction.atomic
def exam_session_create(*, actor, data: dict[str, Any]) -> ExamSession:
    """Register a sitting of a certificate at a centre: date, candidates, passed."""
    _may(actor, ExamSession, "add")
    _check_session(actor, data, None)
    return core_services.object_create(actor=actor, model=ExamSession, data=data, verb="exam_session_create")


@transaction.atomic
def exam_session_update(*, actor, instance: ExamSession, data: dict[str, Any]) -> ExamSession:
    """Change a session (e.g. record how many passed once the results are out)."""
    _may(actor, ExamSession, "change", instance)
    _check_session(actor, data, instance)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="exam_session_update")


@transaction.atomic
def exam_session_delete(*, actor, instance: ExamSession) -> None:
    """Delete a session; the awards that named it keep their certificate and lose the link."""
    _may(actor, ExamSession, "delete", instance)
    core_services.object_delete(actor=actor, instance=instance, verb="exam_session_delete")


# --- competitions ---------------------------------------------------------------------------------
@transaction.atomic
def competition_create(*, actor, data: dict[str, Any]) -> Competition:
    """Register a competition's edition (name, level, year; related majors as ``majors``): officers only."""
    _may(actor, Competition, "add")
    return core_services.object_create(actor=actor, model=Competition, data=data, verb="competition_create")


@transaction.atomic
def competition_update(*, actor, instance: Competition, data: dict[str, Any]) -> Competition:
    """Change a competition (officers only)."""
    _may(actor, Competition, "change", instance)
    return core_services.object_update(actor=actor, instance=instance, data=data, verb="competition_update")


@transaction.atomic
def competition_delete(*, actor, instance: Competition) -> None:
    """Delete a competition without awards (the schools' awards would go with it)."""
    _may(actor, Competition, "delete", instance)
    awards = instance.awards.count()
    if awards:
        raise ValidationError(
            _("赛事“%(competition)s”已有 %(n)s 条获奖记录，不能删除。")
            % {"competition": instance, "n": awards}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="competition_delete")


# --- competition awards ---------------------------------------------------------------------------
@transaction.atomic
def competition_award_create(*, actor, data: dict[str, Any]) -> CompetitionAward:
    """Record a prize won by a school's student (or team) with the instructing teacher."""
    _may(actor, CompetitionAward, "add")
    data = _own_school_data(actor, data, None, _("竞赛获奖"))
    return core_services.object_create(
        actor=actor, model=CompetitionAward, data=data, verb="competition_award_create"
    )


@transaction.atomic
def competition_award_update(*, actor, instance: CompetitionAward, data: dict[str, Any]) -> CompetitionAward:
    """Change an award the actor may change; a school administrator's stays at its school."""
    _may(actor, CompetitionAward, "change", instance)
    data = _own_school_data(actor, data, instance, _("竞赛获奖"))
    return core_services.object_update(
        actor=actor, instance=instance, data=data, verb="competition_award_update"
    )


@transaction.atomic
def competition_award_delete(*, actor, instance: CompetitionAward) -> None:
    """Delete an award recorded by mistake."""
    _may(actor, CompetitionAward, "delete", instance)
    core_services.object_delete(actor=actor, instance=instance, verb="competition_award_delete")
