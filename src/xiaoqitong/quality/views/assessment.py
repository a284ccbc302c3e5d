"""Pages of dual-mentor assessment (R5, 三（五））:

- plans (``/quality/assessment/plans/``): the generic list/detail/add/edit/delete/import/export/history
  pages. A plan's page carries its grading grid, one row per student of its class: theory, practice and
  the combined grade. The signed-in teacher (theory) or technician (practice) named on the plan edits only
  their own part, in the row (htmx swaps the row; without JavaScript the form posts and comes back); the
  other part is read-only. Beside it: the grade import of the user's own part (学号, 成绩, 评语, all or
  nothing), the grid's export, and the school administrator's close/reopen and “导入实习鉴定成绩”.
- grades (``/quality/assessment/grades/``): list, export and each grade's audit history (read-only:
  grades are given on the plan's grid).
- “待评分” (``/quality/assessment/to-grade/``): the open plans where the teacher or technician still has
  students without their part's grade; “我的成绩” (``/quality/assessment/my-grades/``): a student's plans
  with both parts, the combined grade and each part's history.
"""

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from xiaoqitong.core.imports import dataset_response
from xiaoqitong.core.views import PostStepView, add_form_errors
from xiaoqitong.enterprises.views import AppModelViews

from ..choices import GradePart, PlanStatus
from ..filtersets.assessment import AssessmentPlanFilterSet, GradeFilterSet
from ..forms.assessment import AssessmentPlanForm, GradeForm, GradeImportForm
from ..models import AssessmentPlan, Grade
from ..policies.assessment import grading_part, is_grader, is_student, plan_may_manage
from ..selectors import assessment as selectors
from ..services import assessment as services
from ..tables.assessment import AssessmentPlanTable, GradeTable, weights_text

NAMESPACE = "quality"


def _names(users) -> str:
    return "、".join(f"{u.get_full_name() or u.display_name or u.username}（{u.username}）" for u in users)


# --- plans --------------------------------------------------------------------------------------------------
class AssessmentPlanViews(AppModelViews):
    model = AssessmentPlan
    filterset = AssessmentPlanFilterSet
    table = AssessmentPlanTable
    form = AssessmentPlanForm
    select_related = ("school", "school_major__major", "enterprise")
    detail_template = "quality/assessment/assessmentplan_detail.html"

    @classmethod
    def base_queryset(cls):
        return super().base_queryset().select_related("internship_plan")

    @classmethod
    def export_queryset(cls, qs):
        return (
            super()
            .export_queryset(qs)
            .select_related("internship_plan")
            .prefetch_related("teachers", "mentors")
        )

    @classmethod
    def create(cls, *, actor, data):
        return services.assessment_plan_create(actor=actor, data=AssessmentPlanForm.service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.assessment_plan_update(
            actor=actor, instance=instance, data=AssessmentPlanForm.service_data(data)
        )

    delete_service = staticmethod(services.assessment_plan_delete)

    @classmethod
    def detail_rows(cls, obj, user):
        return [
            (_("学校"), obj.school),
            (_("专业"), f"{obj.school_major.major.name}（{obj.school_major.major.code}）"),
            (_("年级"), obj.cohort),
            (_("课程或模块"), obj.course),
            (_("学期"), obj.term),
            (_("合作企业"), obj.enterprise),
            (_("权重"), weights_text(obj)),
            (_("及格分"), obj.pass_score),
            (_("理论考核教师"), _names(obj.teachers.all())),
            (_("实践考核技师"), _names(obj.mentors.all())),
            (_("关联实习计划"), obj.internship_plan or ""),
            (_("状态"), obj.get_status_display()),
        ]

    @classmethod
    def detail_context(cls, obj, request):
        user = request.user
        rows = selectors.grid(obj)
        student_view = is_student(user)
        if student_view:  # a student sees their own line, never their classmates'
            rows = [row for row in rows if row.student.user_id == user.pk]
        part = grading_part(user, obj)
        is_open = obj.status == PlanStatus.OPEN
        return {
            "plan": obj,
            "rows": rows,
            "summary": selectors.grid_summary(rows),
            "my_part": part if is_open else None,
            "my_part_label": GradePart(part).label if part else "",
            "can_manage": plan_may_manage(user, obj),
            "can_copy_internships": bool(obj.internship_plan_id)
            and is_open
            and (part == GradePart.PRACTICE or plan_may_manage(user, obj)),
            "import_form": GradeImportForm(),
            "r5": services.R5,
            "is_open": is_open,
            "student_view": student_view,
        }

    @classmethod
    def extra_urls(cls, prefix):
        return [
            path(f"{prefix}/<int:pk>/grade/", GradeSetView.as_view(), name="assessmentplan_grade"),
            path(f"{prefix}/<int:pk>/grid/", GridExportView.as_view(), name="assessmentplan_grid"),
            path(
                f"{prefix}/<int:pk>/grades/import/",
                GradeImportView.as_view(),
                name="assessmentplan_import_grades",
            ),
            path(
                f"{prefix}/<int:pk>/close/", PlanStepView.as_view(step="close"), name="assessmentplan_close"
            ),
            path(
                f"{prefix}/<int:pk>/reopen/",
                PlanStepView.as_view(step="reopen"),
                name="assessmentplan_reopen",
            ),
            path(
                f"{prefix}/<int:pk>/from-internships/",
                PlanStepView.as_view(step="from_internships"),
                name="assessmentplan_from_internships",
            ),
        ]


def visible_plan(request, pk) -> AssessmentPlan:
    """A plan the user may see (404 otherwise: another school's plan reads as one that does not exist)."""
    qs = AssessmentPlanViews.base_queryset().restrict(request.user, "view")
    return get_object_or_404(qs, pk=pk)


def _row_context(plan, row, part, error="") -> dict:
    return {
        "plan": plan,
        "row": row,
        "my_part": part,
        "error": error,
        "is_open": plan.status == PlanStatus.OPEN,
    }


class GradeSetView(LoginRequiredMixin, View):
    """POST …/plans/<pk>/grade/ with ``student``, ``score``, ``comment``: the user's own part (R5). From htmx
    the row comes back (with the refusal in it); otherwise the plan's page with a message."""

    http_method_names = ["post"]

    def post(self, request, pk):
        plan = visible_plan(request, pk)
        form = GradeForm(request.POST)
        error = ""
        student = None
        part = request.POST.get("part", "")
        if form.is_valid():
            student = selectors.plan_students(plan).filter(pk=form.cleaned_data["student"]).first()
            try:
                services.grade_set(
                    actor=request.user,
                    plan=plan,
                    student=student,
                    part=part,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                error = "；".join(exc.messages)
            except PermissionDenied as exc:
                error = str(exc)
        else:
            error = "；".join(message for errors in form.errors.values() for message in errors)
        if request.htmx and student is not None:
            plan.refresh_from_db(fields=["status"])
            row = next(r for r in selectors.grid(plan) if r.student.pk == student.pk)
            context = _row_context(plan, row, grading_part(request.user, plan), error)
            return render(request, "quality/assessment/_grade_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("已保存%(name)s的成绩。") % {"name": student.name})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = plan.get_absolute_url()
            return response
        return redirect(plan.get_absolute_url())


def grid_dataset(plan: AssessmentPlan, rows) -> tablib.Dataset:
    """The grid as a table: both parts with their graders and comments, the combined grade and the result."""
    out = tablib.Dataset(
        headers=[
            "学号",
            "姓名",
            "理论成绩",
            "理论评分人",
            "理论评语",
            "实践成绩",
            "实践评分人",
            "实践评语",
            "实践来源",
            "综合成绩",
            "是否及格",
        ]
    )

    def score(grade):
        return f"{grade.score.normalize():f}" if grade else ""

    def who(grade):
        return grade.grader.username if grade and grade.grader_id else ""

    for row in rows:
        combined = row.combined
        out.append(
            [
                row.student.student_no,
                row.student.name,
                score(row.theory),
                who(row.theory),
                row.theory.comment if row.theory else "",
                score(row.practice),
                who(row.practice),
                row.practice.comment if row.practice else "",
                row.practice.get_source_display() if row.practice else "",
                f"{combined}" if combined is not None else "",
                "" if row.passed is None else (_("及格") if row.passed else _("不及格")),
            ]
        )
    return out


class GridExportView(LoginRequiredMixin, View):
    """GET …/plans/<pk>/grid/?export=csv|xlsx: the plan's grid as the page shows it."""

    def get(self, request, pk):
        plan = visible_plan(request, pk)
        if is_student(request.user):
            raise PermissionDenied(_("学生只能在“我的成绩”中查看本人成绩。"))
        fmt = request.GET.get("export", "xlsx")
        name = _("考核成绩-%(course)s-%(term)s") % {"course": plan.course, "term": plan.term}
        return dataset_response(
            grid_dataset(plan, selectors.grid(plan)), fmt, name, request.GET.get("encoding", "utf-8")
        )


class GradeImportView(LoginRequiredMixin, View):
    """GET/POST …/plans/<pk>/grades/import/: the teacher's theory or the technician's practice part from a
    file (学号, 成绩, 评语). Every bad row is listed and nothing is saved unless all rows are right."""

    def _context(self, plan, part, form, errors=()):
        return {
            "plan": plan,
            "object": plan,
            "opts": AssessmentPlan._meta,
            "config": AssessmentPlanViews,
            "part_label": GradePart(part).label,
            "form": form,
            "errors": list(errors),
            "r5": services.R5,
        }

    def _plan_and_part(self, request, pk):
        plan = visible_plan(request, pk)
        part = grading_part(request.user, plan)
        if part is None:
            raise PermissionDenied(
                _("只有本计划的理论考核教师或实践考核技师可以导入成绩（%(rule)s）。") % {"rule": services.R5}
            )
        return plan, part

    def get(self, request, pk):
        plan, part = self._plan_and_part(request, pk)
        if request.GET.get("template"):
            data = tablib.Dataset(headers=[services.STUDENT_NO, services.SCORE, services.COMMENT])
            for student in selectors.plan_students(plan):
                data.append([student.student_no, "", ""])
            fmt = "csv" if request.GET["template"] == "csv" else "xlsx"
            return dataset_response(data, fmt, _("成绩导入模板-%(course)s") % {"course": plan.course})
        return render(
            request, "quality/assessment/grade_import.html", self._context(plan, part, GradeImportForm())
        )

    def post(self, request, pk):
        plan, part = self._plan_and_part(request, pk)
        form = GradeImportForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            try:
                counts = services.grades_import(
                    actor=request.user, plan=plan, upload=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_form_errors(form, exc)
                else:
                    errors = exc.messages
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已导入%(part)s成绩：更新 %(set)s 人，未变化 %(same)s 人。")
                    % {"part": GradePart(part).label, "set": counts["set"], "same": counts["unchanged"]},
                )
                return redirect(plan.get_absolute_url())
        return render(
            request,
            "quality/assessment/grade_import.html",
            self._context(plan, part, form, errors),
            status=400,
        )


class PlanStepView(PostStepView):
    """POST …/plans/<pk>/close/, …/reopen/ (the school administrator), …/from-internships/ (the plan's
    technicians or the school administrator)."""

    step = ""

    def post(self, request, pk):
        plan = visible_plan(request, pk)
        if self.step == "close":
            return self.run(
                request,
                plan,
                lambda: services.plan_close(actor=request.user, plan=plan),
                _("考核已结束，成绩不再修改。"),
            )
        if self.step == "reopen":
            return self.run(
                request,
                plan,
                lambda: services.plan_reopen(actor=request.user, plan=plan),
                _("考核已重新开启。"),
            )

        def copy():
            counts = services.grades_from_internships(actor=request.user, plan=plan)
            return _(
                "已导入实习鉴定成绩：新写入或更新 %(set)s 人，未变化 %(unchanged)s 人，"
                "已有导师评分未覆盖 %(skipped)s 人，尚无企业导师鉴定 %(without)s 人。"
            ) % {
                "set": counts["set"],
                "unchanged": counts["unchanged"],
                "skipped": counts["skipped"],
                "without": counts["without_evaluation"],
            }

        return self.run(request, plan, copy)


# --- grades -------------------------------------------------------------------------------------------------
class GradeViews(AppModelViews):
    model = Grade
    filterset = GradeFilterSet
    table = GradeTable
    importable = False
    select_related = ("plan", "student", "grader")

    @classmethod
    def export_queryset(cls, qs):
        return qs.select_related("plan__school", "plan__school_major__major", "student", "grader")

    @classmethod
    def detail_rows(cls, obj, user):
        revisions = obj.revisions.select_related("grader")
        history = "\n".join(
            f"{r.created_at:%Y-%m-%d %H:%M} {r.score.normalize():f}（{r.get_source_display()}，"
            f"{r.grader.username if r.grader_id else '—'}）"
            for r in revisions
        )
        return [
            (_("考核计划"), obj.plan),
            (_("学生"), f"{obj.student.name}（{obj.student.student_no}）"),
            (_("考核部分"), obj.get_part_display()),
            (_("成绩"), f"{obj.score.normalize():f}"),
            (_("来源"), obj.get_source_display()),
            (_("评分人"), obj.grader.username if obj.grader_id else ""),
            (_("评语"), obj.comment),
            (_("修改记录"), history),
        ]


class ToGradeView(LoginRequiredMixin, View):
    """“待评分”: the open plans where the teacher (theory) or technician (practice) still has students
    without their part's grade."""

    def get(self, request):
        if not is_grader(request.user):
            raise PermissionDenied(_("“待评分”只对教师和企业导师开放。"))
        plans = selectors.plans_to_grade(request.user)
        part = selectors.user_part(request.user)
        return render(
            request,
            "quality/assessment/to_grade.html",
            {"plans": plans, "part_label": GradePart(part).label, "r5": services.R5},
        )


class MyGradesView(LoginRequiredMixin, View):
    """“我的成绩”: the student's plans, both parts, the combined grade and each part's revisions."""

    def get(self, request):
        if not is_student(request.user):
            raise PermissionDenied(_("“我的成绩”只对学生开放。"))
        return render(
            request,
            "quality/assessment/my_grades.html",
            {"rows": selectors.my_grades(request.user), "r5": services.R5},
        )


urlpatterns = [
    *AssessmentPlanViews.urls("assessment/plans", NAMESPACE),
    *GradeViews.urls("assessment/grades", NAMESPACE),
    path("assessment/to-grade/", ToGradeView.as_view(), name="assessment_to_grade"),
    path("assessment/my-grades/", MyGradesView.as_view(), name="assessment_my_grades"),
]
