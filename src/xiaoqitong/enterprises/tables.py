import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Application, GraduateOutcome, Position
from .policies import outcomes_deidentified_for

ATTRS = {"class": "table table-sm table-hover align-middle"}
# One date format on every table of the app (the locale's would read 2027年3月31日 beside 2027-03-31).
DATE = "Y-m-d"
DATETIME = "Y-m-d H:i"


class PositionTable(tables.Table):
    title = tables.Column(linkify=True)
    enterprise = tables.Column(verbose_name=_("企业"))
    county = tables.Column(verbose_name=_("工作地点"))
    salary = tables.Column(
        verbose_name=_("月薪（元）"), empty_values=(), order_by=("salary_min", "salary_max")
    )
    taken = tables.Column(verbose_name=_("已录用"), orderable=False)
    valid_until = tables.DateColumn(verbose_name=_("有效期至"), format=DATE)

    class Meta:
        model = Position
        fields = (
            "title",
            "enterprise",
            "position_type",
            "min_education",
            "headcount",
            "taken",
            "salary",
            "county",
            "valid_until",
            "status",
        )
        attrs = ATTRS

    def render_taken(self, record, value):
        if value is not None and value >= record.headcount:
            return format_html(
                '{} <span class="badge text-bg-warning" data-full>{}</span>', value, _("名额已满")
            )
        return value

    def render_salary(self, record):
        if record.salary_min and record.salary_max:
            return f"{record.salary_min}–{record.salary_max}"
        return record.salary_min or record.salary_max or "—"


class ApplicationTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("学生"), order_by=("student__name",))
    school = tables.Column(
        verbose_name=_("学校"), accessor="student__school", order_by=("student__school__code",)
    )
    position = tables.Column(verbose_name=_("岗位"), accessor="position__title")
    enterprise = tables.Column(
        verbose_name=_("企业"), accessor="position__enterprise", order_by=("position__enterprise__name",)
    )
    created_at = tables.DateTimeColumn(verbose_name=_("投递时间"), format=DATETIME)
    updated_at = tables.DateTimeColumn(verbose_name=_("更新时间"), format=DATETIME)

    class Meta:
        model = Application
        fields = ("id", "student", "school", "position", "enterprise", "status", "created_at", "updated_at")
        attrs = ATTRS

    def render_student(self, record):
        return f"{record.student.name}（{record.student.student_no}）"


class GraduateOutcomeTable(tables.Table):
    id = tables.Column(verbose_name=_("编号"), linkify=True)
    student = tables.Column(verbose_name=_("毕业生"), order_by=("student__name",))
    student_no = tables.Column(verbose_name=_("学号"), accessor="student__student_no")
    school = tables.Column(
        verbose_name=_("学校"), accessor="student__school", order_by=("student__school__code",)
    )
    major = tables.Column(verbose_name=_("专业"), accessor="student__school_major__major__name")

    class Meta:
        model = GraduateOutcome
        fields = (
            "id",
            "year",
            "student",
            "student_no",
            "school",
            "major",
            "outcome",
            "employer_name",
            "in_city",
            "related_to_major",
            "further_level",
            "source",
        )
        attrs = ATTRS

    def __init__(self, *args, request=None, **kwargs):
        # Researchers read outcomes de-identified: no name, no 学号.
        if request is not None and outcomes_deidentified_for(request.user):
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "student", "student_no")
        super().__init__(*args, request=request, **kwargs)

    def render_student(self, record):
        return record.student.name
