import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import SchoolMajor, Student, Teacher, TeacherPractice

ATTRS = {"class": "table table-sm table-hover align-middle"}


class SchoolMajorTable(tables.Table):
    major = tables.Column(linkify=True, verbose_name=_("专业"), order_by=("major__code",))
    chains = tables.ManyToManyColumn(verbose_name=_("对接产业链"), separator="、", orderable=False)

    class Meta:
        model = SchoolMajor
        fields = (
            "school",
            "major",
            "year",
            "duration",
            "new_enrolment",
            "students_enrolled",
            "expected_graduates",
            "actual_graduates",
            "is_provincial_high_level",
            "is_quality",
            "chains",
        )
        attrs = ATTRS

    def render_major(self, record):
        return str(record.major)


class StudentTable(tables.Table):
    """Students as the school sees them; enterprises get :class:`EnterpriseStudentTable`."""

    student_no = tables.Column()
    name = tables.Column(linkify=True)
    school_major = tables.Column(verbose_name=_("专业"), order_by=("school_major__major__code",))

    class Meta:
        model = Student
        fields = ("student_no", "name", "school", "school_major", "grade", "status", "consent")
        attrs = ATTRS

    @cached_property
    def user(self):
        request = getattr(self, "request", None)
        return getattr(request, "user", None)

    @cached_property
    def applicants(self) -> set[int]:
        # At most one query per page (none unless the enterprises app registered rules).
        if getattr(self.user, "role", None) not in selectors.ENTERPRISE_ROLES:
            return set()
        page = getattr(self, "page", None)
        records = [row.record for row in page.object_list] if page is not None else list(self.data)
        return selectors.applicant_ids(self.user, [s.pk for s in records])

    def access(self, record) -> selectors.Access:
        return selectors.student_access(self.user, record, applicants=self.applicants)

    def render_name(self, record):
        access = self.access(record)
        return record.name if selectors.shows_identity(access) else selectors.student_label(access, record)

    def render_student_no(self, record):
        return record.student_no if selectors.shows_identity(self.access(record)) else "—"

    def render_school_major(self, record):
        return f"{record.school_major.major.name}（{record.school_major.year}）"


class EnterpriseStudentTable(StudentTable):
    """What an enterprise sees in a list: no sorting by name or 学号 (the order would hint at the hidden
    names of de-identified profiles), no consent column."""

    student_no = tables.Column(orderable=False)
    name = tables.Column(linkify=True, orderable=False)
    consent = None

    class Meta(StudentTable.Meta):
        fields = ("student_no", "name", "school", "school_major", "grade", "status")


def student_table(queryset, request=None, **kwargs):
    """The student table for this person (ModelViews calls ``table(qs, request=request)``)."""
    user = getattr(request, "user", None)
    enterprise = (
        user is not None
        and not user.is_superuser
        and getattr(user, "role", None) in selectors.ENTERPRISE_ROLES
    )
    cls = EnterpriseStudentTable if enterprise else StudentTable
    return cls(queryset, request=request, **kwargs)


class TeacherTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = Teacher
        fields = (
            "staff_no",
            "name",
            "school",
            "employment",
            "is_dual_qualified",
            "title",
            "master_level",
            "is_special_post",
        )
        attrs = ATTRS


class TeacherPracticeTable(tables.Table):
    teacher = tables.Column(linkify=lambda record: record.get_absolute_url(), verbose_name=_("教师"))
    school = tables.Column(accessor="teacher__school", verbose_name=_("学校"), order_by=("teacher__school",))

    class Meta:
        model = TeacherPractice
        fields = ("teacher", "school", "enterprise", "year", "days")
        attrs = ATTRS
