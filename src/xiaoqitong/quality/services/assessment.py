"""Every write of dual-mentor assessment (DESIGN rule 2; R5, 三（五）:
理论教学由专业教师考核、实践操作由职业技师考核).

Plans: ``assessment_plan_create`` / ``_update`` / ``_delete`` by the school's administrator; its theory
graders must be teachers of the plan's school, its practice graders technicians (enterprise mentors) of
the plan's enterprise. ``plan_close`` / ``plan_reopen``: a closed plan takes no grade.

Grades: ``grade_set`` gives one part of one student's grade — theory only by a teacher named on the plan,
practice only by a technician named on it (nobody else, platform administrators included). Every change
writes a ``GradeRevision`` (the history the student sees) and an audit record; giving the same score (and
comment) again changes nothing. ``grades_import`` sets the importer's own part from a file (学号, 成绩,
评语), all rows or none. ``grades_from_internships`` copies the enterprise mentors' closing evaluations of
the linked internship plan into the practice part, never over a grade a technician gave by hand.
"""

import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.cooperation.choices import MentorSide
from xiaoqitong.cooperation.models import Evaluation
from xiaoqitong.core import audit, uploads
from xiaoqitong.core import services as core_services
from xiaoqitong.core.imports import ImportFileError, read_table, text
from xiaoqitong.core.models import AuditAction
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Enterprise, School

from ..choices import GradePart, GradeSource, PlanStatus
from ..models import AssessmentPlan, Grade, GradeRevision
from ..policies.assessment import grading_part, plan_may_manage
from ..selectors.assessment import plan_students

R5 = gettext_lazy("理论教学由专业教师考核、实践操作由职业技师考核（R5）")
GRADERS = {
    GradePart.THEORY: gettext_lazy("理论考核教师（本校专业教师）"),
    GradePart.PRACTICE: gettext_lazy("实践考核技师（合作企业的企业导师）"),
}
PLAN_FIELDS = (
    "school",
    "school_major",
    "cohort",
    "course",
    "term",
    "enterprise",
    "theory_weight",
    "practice_weight",
    "teachers",
    "mentors",
    "internship_plan",
    "pass_score",
)
# A class's grade file: far less than this (a spreadsheet of a few dozen rows).
MAX_GRADE_FILE = 2 * 1024 * 1024
STUDENT_NO, SCORE, COMMENT = "学号", "成绩", "评语"


def _denied(message: str = "") -> PermissionDenied:
    return PermissionDenied(message or _("您没有权限执行此操作。"))


def _id(value) -> int | None:
    return getattr(value, "pk", value)


# --- plans --------------------------------------------------------------------------------------------------
def _plan_writer(actor, school_id) -> None:
    if actor.is_superuser:
        return
    if getattr(actor, "role", "") != Role.SCHOOL_ADMIN or not actor.school_id:
        raise _denied(_("只有学校管理员可以编制本校的双导师考核计划。"))
    if school_id and school_id != actor.school_id:
        raise _denied(_("只能编制本校的双导师考核计划。"))


def plan_people_errors(*, school_id, enterprise_id, teachers, mentors) -> dict[str, list[str]]:
    """Why the graders do not fit the plan (R5): each theory grader must be a teacher account of the
    plan's school, each practice grader an enterprise-mentor (technician) account of its enterprise."""
    errors: dict[str, list[str]] = {}
    school = School.objects.filter(pk=school_id).first() if school_id else None
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first() if enterprise_id else None
    wrong = [u.username for u in teachers if u.role != Role.TEACHER or u.school_id != school_id]
    if wrong:
        errors["teachers"] = [
            _("%(users)s 不是%(school)s的教师账号：%(rule)s。")
            % {"rule": R5, "users": "、".join(wrong), "school": school or _("本校")}
        ]
    wrong = [
        u.username for u in mentors if u.role != Role.ENTERPRISE_MENTOR or u.enterprise_id != enterprise_id
    ]
    if wrong:
        errors["mentors"] = [
            _("%(users)s 不是合作企业%(enterprise)s的企业导师（技师）账号：%(rule)s。")
            % {"rule": R5, "users": "、".join(wrong), "enterprise": enterprise or ""}
        ]
    return errors


def _internship_errors(school_id, internship_plan) -> dict[str, list[str]]:
    if internship_plan is not None and internship_plan.school_id != school_id:
        return {"internship_plan": [_("关联实习计划须为本校的实习计划。")]}
    return {}


def _plan_data(actor, data: dict[str, Any], instance: AssessmentPlan | None) -> dict[str, Any]:
    """The plan's fields from ``data``; a new plan's school is the administrator's own (a platform
    administrator's: the major's school unless named)."""
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    if data.get("school") is None:
        data.pop("school", None)
    if instance is None and "school" not in data:
        if not actor.is_superuser and getattr(actor, "school_id", None):
            data["school"] = actor.school
        elif data.get("school_major") is not None:
            data["school"] = data["school_major"].school
    for name in ("teachers", "mentors"):
        if name in data:
            data[name] = list(data[name] or [])
    return data


def _check_plan(data: dict[str, Any], instance: AssessmentPlan | None) -> None:
    def current(name):
        if name in data:
            return data[name]
        if instance is None:
            return [] if name in ("teachers", "mentors") else None
        if name in ("teachers", "mentors"):
            return list(getattr(instance, name).all())
        return getattr(instance, name)

    school_id, enterprise_id = _id(current("school")), _id(current("enterprise"))
    errors = plan_people_errors(
        school_id=school_id,
        enterprise_id=enterprise_id,
        teachers=current("teachers"),
        mentors=current("mentors"),
    )
    errors |= _internship_errors(school_id, current("internship_plan"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_plan_create(*, actor, data: dict[str, Any]) -> AssessmentPlan:
    """A school administrator sets up the dual-mentor assessment of a course for one of the school's majors
    and cohorts: the partner enterprise, the weights of the two parts (adding up to 100), the pass mark,
    the theory graders (teachers of the school) and the practice graders (technicians of the enterprise),
    and optionally the internship plan whose closing evaluations feed the practice part."""
    data = _plan_data(actor, data, None)
    _plan_writer(actor, _id(data.get("school")))
    _check_plan(data, None)
    return core_services.object_create(
        actor=actor, model=AssessmentPlan, data=data, verb="assessment_plan_create"
    )


@transaction.atomic
def assessment_plan_update(*, actor, instance: AssessmentPlan, data: dict[str, Any]) -> AssessmentPlan:
    """Change a plan of the administrator's school. Once grades are given its class (专业, 年级) stays."""
    _plan_writer(actor, instance.school_id)
    plan = AssessmentPlan.objects.select_for_update().get(pk=instance.pk)
    data = _plan_data(actor, data, plan)
    moved = [
        name
        for name in ("school_major", "cohort")
        if name in data and _id(data[name]) != _id(getattr(plan, name))
    ]
    if moved and plan.grades.exists():
        raise ValidationError({moved[0]: _("计划已有成绩，不能再改专业或年级；可另建计划。")})
    _check_plan(data, plan)
    return core_services.object_update(actor=actor, instance=plan, data=data, verb="assessment_plan_update")


@transaction.atomic
def assessment_plan_delete(*, actor, instance: AssessmentPlan) -> None:
    """Delete a plan that has no grade yet (a plan with grades keeps them: close it instead)."""
    _plan_writer(actor, instance.school_id)
    graded = instance.grades.count()
    if graded:
        raise ValidationError(
            _("计划“%(plan)s”已有 %(n)s 条成绩，不能删除；考核结束后请“结束考核”。")
            % {"plan": instance, "n": graded}
        )
    core_services.object_delete(actor=actor, instance=instance, verb="assessment_plan_delete")


def _set_status(actor, plan: AssessmentPlan, status: str, verb: str) -> AssessmentPlan:
    plan = AssessmentPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan_may_manage(actor, plan):
        raise _denied(_("只有本校的学校管理员可以结束或重新开启考核。"))
    if plan.status == status:
        raise ValidationError(_("考核计划当前状态已是“%(status)s”。") % {"status": plan.get_status_display()})
    before = audit.snapshot(plan)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb=verb,
        instance=plan,
        changes=audit.diff(before, audit.snapshot(plan)),
    )
    return plan


@transaction.atomic
def plan_close(*, actor, plan: AssessmentPlan) -> AssessmentPlan:
    """The school administrator ends the assessment: no grade is given or changed any more."""
    return _set_status(actor, plan, PlanStatus.CLOSED, "plan_close")


@transaction.atomic
def plan_reopen(*, actor, plan: AssessmentPlan) -> AssessmentPlan:
    """The school administrator opens a closed assessment again (to correct a grade)."""
    return _set_status(actor, plan, PlanStatus.OPEN, "plan_reopen")


# --- grades -------------------------------------------------------------------------------------------------
def clean_score(value) -> Decimal:
    """A score from 0 to 100 with at most one decimal, or a Chinese refusal."""
    raw = text(value) if not isinstance(value, int | Decimal) else str(value)
    try:
        score = Decimal(raw)
    except InvalidOperation:
        raise ValidationError({"score": _("成绩“%(v)s”不是数字。") % {"v": raw}}) from None
    if not score.is_finite() or score < 0 or score > 100:
        raise ValidationError({"score": _("成绩应在 0 到 100 之间（填写的是 %(v)s）。") % {"v": raw}})
    if score != score.quantize(Decimal("0.1")):
        raise ValidationError({"score": _("成绩最多保留一位小数（填写的是 %(v)s）。") % {"v": raw}})
    return score.quantize(Decimal("0.1"))


def r5_refusal(part: str) -> str:
    """Why a user may not give this part: who gives it, and R5."""
    return _("“%(part)s”成绩只能由本计划的%(who)s评定：%(rule)s。") % {
        "part": GradePart(part).label,
        "who": GRADERS[part],
        "rule": R5,
    }


def _check_part(part: str) -> None:
    if part not in GradePart.values:
        raise ValidationError({"part": _("考核部分应为“理论教学”或“实践操作”。")})


def _check_open(plan: AssessmentPlan) -> None:
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("考核计划“%(plan)s”已结束，不能再评分或改分。") % {"plan": plan})


def _check_student(plan: AssessmentPlan, student) -> None:
    if student is None or not plan_students(plan).filter(pk=student.pk).exists():
        raise ValidationError(
            {
                "student": _("学生%(name)s不在本计划的考核范围内（%(major)s %(cohort)s 级）。")
                % {
                    "name": f"“{student.name}”" if student is not None else "",
                    "major": plan.school_major.major.name,
                    "cohort": plan.cohort,
                }
            }
        )


def _write_grade(
    *, actor, plan, student, part: str, score: Decimal, comment: str, grader, source: str
) -> tuple[Grade, bool]:
    """Create or change one part of a grade: a revision and an audit record when anything changed;
    nothing when the score and the comment are the ones already given."""
    comment = (comment or "").strip()
    grade = Grade.objects.select_for_update().filter(plan=plan, student=student, part=part).first()
    if grade is None:
        before = {}
        action = AuditAction.CREATE
        grade = Grade(plan=plan, student=student, part=part)
    else:
        if grade.score == score and grade.comment == comment:
            return grade, False
        before = audit.snapshot(grade)
        action = AuditAction.UPDATE
    grade.score, grade.comment, grade.grader, grade.source = score, comment, grader, source
    grade.full_clean(validate_constraints=False)  # the plan's row lock makes the grade unique
    if action == AuditAction.CREATE:
        grade.save(force_insert=True)
    else:
        grade.save(update_fields=["score", "comment", "grader", "source", "updated_at"])
    GradeRevision.objects.create(grade=grade, score=score, grader=grader, source=source, comment=comment)
    audit.record(
        actor=actor,
        action=action,
        verb="grade_set",
        instance=grade,
        changes=audit.diff(before, audit.snapshot(grade)),
    )
    return grade, True


def _lock(plan: AssessmentPlan) -> AssessmentPlan:
    """The plan's row, locked: grades of a plan are given one after the other, never while it closes."""
    return AssessmentPlan.objects.select_for_update().select_related("school_major__major").get(pk=plan.pk)


@transaction.atomic
def grade_set(*, actor, plan: AssessmentPlan, student, part: str, score, comment: str = "") -> Grade:
    """Give (or change) one part of a student's grade in a plan (R5): theory only by a teacher named on the
    plan, practice only by a technician named on it. Refused when the plan is closed, when the student is
    not of the plan's class, and for a score outside 0-100. The same score and comment again change
    nothing (no revision, no audit record)."""
    _check_part(part)
    plan = _lock(plan)
    if grading_part(actor, plan) != part:
        raise _denied(r5_refusal(part))
    _check_open(plan)
    _check_student(plan, student)
    value = clean_score(score)
    grade, _changed = _write_grade(
        actor=actor,
        plan=plan,
        student=student,
        part=part,
        score=value,
        comment=comment,
        grader=actor,
        source=GradeSource.MANUAL,
    )
    return grade


def _read_upload(upload):
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    uploads.check_upload(upload, uploads.IMPORT)
    if upload.size > MAX_GRADE_FILE:
        raise ValidationError({"file": _("成绩文件不能超过 2 MB。")})
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            return read_table(tmp.name, name)
        except ImportFileError as exc:
            raise ValidationError({"file": str(exc)}) from None


def _row_error(row: int | str, column: str, message: str) -> str:
    if column:
        return _("第 %(row)s 行“%(column)s”：%(message)s") % {
            "row": row,
            "column": column,
            "message": message,
        }
    return _("第 %(row)s 行：%(message)s") % {"row": row, "message": message}


def grade_rows_errors(plan: AssessmentPlan, data) -> tuple[list[str], list[tuple]]:
    """Check a grade file as a whole: ``(errors, rows)``, rows as ``(student, score, comment)``."""
    errors = []
    missing = [h for h in (STUDENT_NO, SCORE) if h not in data.headers]
    unknown = [h for h in data.headers if h and h not in (STUDENT_NO, SCORE, COMMENT)]
    if missing:
        errors.append(_row_error(1, "、".join(missing), _("缺少列")))
    if unknown:
        errors.append(_row_error(1, "、".join(unknown), _("无法识别的列（应为：学号、成绩、评语）")))
    if errors:
        return errors, []
    students = {s.student_no: s for s in plan_students(plan)}
    seen: dict[str, int] = {}
    rows = []
    for number, record in enumerate(data.dict, start=2):
        student_no = text(record.get(STUDENT_NO))
        student = students.get(student_no)
        if not student_no:
            errors.append(_row_error(number, STUDENT_NO, _("请填写学号")))
        elif student is None:
            errors.append(
                _row_error(
                    number,
                    STUDENT_NO,
                    _("学号“%(no)s”不是本计划（%(major)s %(cohort)s 级）的学生")
                    % {"no": student_no, "major": plan.school_major.major.name, "cohort": plan.cohort},
                )
            )
        elif student_no in seen:
            errors.append(
                _row_error(number, STUDENT_NO, _("与第 %(other)s 行重复") % {"other": seen[student_no]})
            )
        else:
            seen[student_no] = number
        raw = text(record.get(SCORE))
        score = None
        if not raw:
            errors.append(_row_error(number, SCORE, _("请填写成绩")))
        else:
            try:
                score = clean_score(raw)
            except ValidationError as exc:
                errors.append(_row_error(number, SCORE, "；".join(exc.messages)))
        if student is not None and score is not None:
            rows.append((student, score, text(record.get(COMMENT))))
    if not errors and not rows:
        errors.append(_("文件中没有成绩：第一行为列名（学号、成绩、评语），从第二行起每行一名学生。"))
    return errors, rows


@transaction.atomic
def grades_import(*, actor, plan: AssessmentPlan, upload) -> dict[str, int]:
    """Set the importer's own part (theory for a plan's teacher, practice for its technician) from a file
    with the columns 学号, 成绩 and 评语 (optional). The whole file is checked first and every bad row
    reported; nothing is saved unless every row is right. Rows that repeat the grade already given change
    nothing (importing the same file twice is a no-op). Returns ``{"set": n, "unchanged": m}``."""
    plan = _lock(plan)
    part = grading_part(actor, plan)
    if part is None:
        raise _denied(_("只有本计划的理论考核教师或实践考核技师可以导入成绩（%(rule)s）。") % {"rule": R5})
    _check_open(plan)
    errors, rows = grade_rows_errors(plan, _read_upload(upload))
    if errors:
        raise ValidationError(errors)
    counts = {"set": 0, "unchanged": 0}
    for student, score, comment in rows:
        _grade, changed = _write_grade(
            actor=actor,
            plan=plan,
            student=student,
            part=part,
            score=score,
            comment=comment,
            grader=actor,
            source=GradeSource.IMPORT,
        )
        counts["set" if changed else "unchanged"] += 1
    audit.record(
        actor=actor,
        action=AuditAction.IMPORT,
        verb="grades_import",
        instance=plan,
        changes={"part": [None, part], "file": [None, Path(upload.name or "").name], **_counts(counts)},
    )
    return counts


def _counts(counts: dict[str, int]) -> dict[str, list]:
    return {name: [None, n] for name, n in counts.items()}


@transaction.atomic
def grades_from_internships(*, actor, plan: AssessmentPlan) -> dict[str, int]:
    """Copy each enterprise mentor's closing evaluation (实习鉴定, enterprise side) of the plan's linked
    internship plan into the practice part of the plan's students (source: internship; grader: the
    evaluating mentor). A practice grade a technician gave or imported is never overwritten. Run by the
    plan's technicians or its school administrator. Returns ``{"set", "unchanged", "skipped",
    "without_evaluation"}``: copied, already as evaluated, kept (graded by hand), no evaluation yet."""
    plan = _lock(plan)
    if grading_part(actor, plan) != GradePart.PRACTICE and not plan_may_manage(actor, plan):
        raise _denied(_("只有本计划的实践考核技师或本校的学校管理员可以导入实习鉴定成绩。"))
    if plan.internship_plan_id is None:
        raise ValidationError(_("考核计划“%(plan)s”没有关联实习计划。") % {"plan": plan})
    _check_open(plan)
    students = {s.pk: s for s in plan_students(plan)}
    latest: dict[int, Evaluation] = {}
    evaluations = (
        Evaluation.objects.filter(
            placement__plan_id=plan.internship_plan_id,
            side=MentorSide.ENTERPRISE,
            placement__student_id__in=list(students),
        )
        .select_related("placement", "evaluator")
        .order_by("placement__end_date", "pk")
    )
    for evaluation in evaluations:  # a student placed twice: the last placement's evaluation counts
        latest[evaluation.placement.student_id] = evaluation
    kept = {
        g.student_id
        for g in Grade.objects.filter(plan=plan, part=GradePart.PRACTICE).exclude(
            source=GradeSource.INTERNSHIP
        )
    }
    counts = {"set": 0, "unchanged": 0, "skipped": 0, "without_evaluation": len(students) - len(latest)}
    for student_id, evaluation in latest.items():
        if student_id in kept:
            counts["skipped"] += 1
            continue
        _grade, changed = _write_grade(
            actor=actor,
            plan=plan,
            student=students[student_id],
            part=GradePart.PRACTICE,
            score=Decimal(evaluation.score),
            comment=evaluation.comment,
            grader=evaluation.evaluator,
            source=GradeSource.INTERNSHIP,
        )
        counts["set" if changed else "unchanged"] += 1
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        verb="grades_from_internships",
        instance=plan,
        changes=_counts(counts),
    )
    return counts
