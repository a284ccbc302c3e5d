"""Pages of school majors, students, teachers and their enterprise practice (core ModelViews).

A student's detail page shows only the fields the viewer may see (``selectors.student_fields_for``), names
the student only where the viewer may know the name, and records each view (PIPL)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xiaoqitong.core.policy import can
from xiaoqitong.core.views import ModelViews, ObjectDetailView

from . import filtersets, forms, selectors, services, tables
from .models import SchoolMajor, Student, Teacher, TeacherPractice


def _with_view(patterns: list, name: str, view) -> list:
    """``patterns`` with the view of the pattern called ``name`` replaced."""
    return [path(str(p.pattern), view, name=p.name) if p.name == name else p for p in patterns]


class SchoolMajorViews(ModelViews):
    model = SchoolMajor
    filterset = filtersets.SchoolMajorFilterSet
    table = tables.SchoolMajorTable
    form = forms.SchoolMajorForm
    select_related = ("school", "major")
    prefetch_related = ("chains",)
    detail_template = "schools/schoolmajor_detail.html"


class StudentDetailView(ObjectDetailView):
    def get(self, request, pk):
        student = self.get_object()
        access = selectors.student_access(request.user, student)
        services.student_profile_view(actor=request.user, student=student, access=access)
        can_change = can(request.user, "change", student)
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=student,
                title=selectors.student_label(access, student),
                fields=selectors.student_detail_rows(request.user, student, access),
                can_change=can_change,
                can_delete=can(request.user, "delete", student),
                can_history=can_change,
                can_account=services.may_manage_account(request.user, student),
            ),
        )


@never_cache
@require_POST
@login_required
def student_account(request, pk):
    """“开通账号” / “重置密码”: the new initial password is shown once, on this page only (never in a
    message, a log or the audit trail)."""
    student = get_object_or_404(Student.objects.restrict(request.user), pk=pk)
    try:
        user, password, created = services.student_account_open(
            actor=request.user, student=student, username=request.POST.get("username", "")
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return redirect(student.get_absolute_url())
    return render(
        request,
        "schools/student_account.html",
        {"student": student, "account": user, "password": password, "created": created},
    )


class StudentViews(ModelViews):
    model = Student
    filterset = filtersets.StudentFilterSet
    table = staticmethod(tables.student_table)
    form = forms.StudentForm
    select_related = ("school", "school_major__major", "hometown")
    prefetch_related = ("skill_levels__skill", "preferred_chains", "preferred_counties")
    detail_template = "schools/student_detail.html"

    @staticmethod
    def _service_data(data: dict) -> dict:
        data = dict(data)
        data["skill_levels"] = data.pop("skills_text", [])
        return data

    @classmethod
    def create(cls, *, actor, data):
        return services.student_create(actor=actor, data=cls._service_data(data))

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.student_update(actor=actor, instance=instance, data=cls._service_data(data))

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        detail = type("StudentViewsDetail", (StudentDetailView,), {"config": cls}).as_view()
        return [
            path(f"{prefix}/me/", my_profile, name="student_me"),
            path(f"{prefix}/<int:pk>/account/", student_account, name="student_account"),
            *_with_view(super().urls(prefix, namespace), "student_detail", detail),
        ]


@login_required
def my_profile(request):
    """“我的档案”: a student's own record."""
    student = Student.objects.restrict(request.user).filter(user_id=request.user.pk).first()
    if student is None:
        messages.info(request, _("您的账号还没有关联学生档案，请联系学校管理员。"))
        return redirect("home")
    return redirect(student.get_absolute_url())


class TeacherDetailView(ObjectDetailView):
    """The generic detail page, with the phone masked for anyone outside the teacher's school."""

    def get(self, request, pk):
        teacher = self.get_object()
        label = Teacher._meta.get_field("phone").verbose_name
        rows = [
            (name, selectors.teacher_phone(request.user, teacher) if name == label else value)
            for name, value in self.config.detail_fields(teacher)
        ]
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=teacher,
                fields=rows,
                can_change=can(request.user, "change", teacher),
                can_delete=can(request.user, "delete", teacher),
            ),
        )


class TeacherViews(ModelViews):
    model = Teacher
    filterset = filtersets.TeacherFilterSet
    table = tables.TeacherTable
    form = forms.TeacherForm
    select_related = ("school", "employer")

    @classmethod
    def urls(cls, prefix: str, namespace: str) -> list:
        detail = type("TeacherViewsDetail", (TeacherDetailView,), {"config": cls}).as_view()
        return _with_view(super().urls(prefix, namespace), "teacher_detail", detail)


class TeacherPracticeViews(ModelViews):
    model = TeacherPractice
    filterset = filtersets.TeacherPracticeFilterSet
    table = tables.TeacherPracticeTable
    form = forms.TeacherPracticeForm
    select_related = ("teacher__school", "enterprise")
