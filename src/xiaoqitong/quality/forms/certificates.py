"""Forms of certificates, exam centres and competitions (the generic add/edit pages).

Students and teachers are named by 学号 / 工号 within a school (a city has too many for a drop-down); a
school administrator's school is fixed to their own. Certificates approved at a centre and majors of a
competition are catalog codes separated by 、 (as in the imports)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.forms import certificate_codes_field, major_codes_field
from xiaoqitong.reference.models import Certificate
from xiaoqitong.schools.models import Student, Teacher

from ..models import CertificateAward, Competition, CompetitionAward, ExamCentre, ExamSession

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _certificates() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Certificate.objects.order_by("kind", "code"), label=gettext_lazy("证书")
    )


def resolve_person(form, data: dict, name: str, model, field: str, what: str) -> None:
    """Replace the 学号/工号 typed in ``data[name]`` with the student or teacher of the form's school (None
    when left blank); a number the school does not have is the field's error."""
    number = (data.get(name) or "").strip() if name in data else ""
    if name not in data:
        return
    data[name] = None
    school = data.get("school")
    if not number or school is None:
        return
    found = model.objects.filter(school=school, **{field: number}).first()
    if found is None:
        form.add_error(
            name,
            _("%(school)s没有%(what)s为“%(no)s”的人员。") % {"school": school, "what": what, "no": number},
        )
    else:
        data[name] = found


class _SchoolFixedForm(BaseModelForm):
    """A form with a ``school`` select fixed to a school administrator's own school."""

    def fix_school(self, initial_school_id=None):
        self.fields["school"].queryset = School.objects.order_by("code")
        if initial_school_id:
            self.initial["school"] = initial_school_id
        user = self.user
        if user is not None and not user.is_superuser and user.role == Role.SCHOOL_ADMIN and user.school_id:
            self.fields["school"].initial = user.school_id
            self.initial["school"] = initial_school_id or user.school_id
            self.fields["school"].disabled = True


class CertificateAwardForm(_SchoolFixedForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("学校"))
    # The student by 学号 within the school (resolved in ``clean``).
    student = forms.CharField(label=gettext_lazy("学号"), max_length=30)

    class Meta:
        model = CertificateAward
        fields = ["student", "certificate", "number", "awarded_on", "issuer", "session"]
        widgets = {"awarded_on": DATE_INPUT}

    field_order = ["school", "student", "certificate", "number", "awarded_on", "issuer", "session"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"] = _certificates()
        sessions = ExamSession.objects.select_related("centre", "certificate").order_by("-date")
        if self.user is not None:
            sessions = sessions.restrict(self.user, "view")
        self.fields["session"].queryset = sessions
        self.fields["session"].help_text = _("在本平台登记的考试场次，可不填。")
        student = self.instance.student if self.instance.pk else None
        self.fix_school(student.school_id if student else None)
        if student:
            self.initial["student"] = student.student_no

    def clean(self):
        data = super().clean()
        resolve_person(self, data, "student", Student, "student_no", _("学号"))
        return data

    @staticmethod
    def service_data(data: dict) -> dict:
        """The form's data as the services take it (the school only serves to find the student)."""
        data = dict(data)
        data.pop("school", None)
        return data


class ExamCentreForm(_SchoolFixedForm):
    certificate_codes = certificate_codes_field(
        label=gettext_lazy("可考证书（代码）"),
        help_text=gettext_lazy("证书目录代码，多个用顿号分隔，如 1X-001-J、1X-001-Z"),
    )

    class Meta:
        model = ExamCentre
        fields = ["code", "name", "school", "approved_by", "approved_on", "capacity", "active"]
        widgets = {"approved_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fix_school(self.instance.school_id if self.instance.pk else None)


class ExamSessionForm(BaseModelForm):
    class Meta:
        model = ExamSession
        fields = ["centre", "certificate", "date", "candidates", "passed"]
        widgets = {"date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centres = ExamCentre.objects.order_by("code")
        if self.user is not None:
            centres = centres.restrict(self.user, "change")
        self.fields["centre"].queryset = centres
        self.fields["certificate"] = _certificates()


class CompetitionForm(BaseModelForm):
    major_codes = major_codes_field(
        label=gettext_lazy("相关专业（代码）"),
        help_text=gettext_lazy("专业目录代码，多个用顿号分隔，如 660103、660301"),
    )

    class Meta:
        model = Competition
        fields = ["name", "level", "year", "organizer", "held_on"]
        widgets = {"held_on": DATE_INPUT}


class CompetitionAwardForm(_SchoolFixedForm):
    # The student by 学号 and the teacher by 工号 within the school (resolved in ``clean``).
    student = forms.CharField(
        label=gettext_lazy("获奖学生学号"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("个人赛填写"),
    )
    teacher = forms.CharField(label=gettext_lazy("指导教师工号"), max_length=30, required=False)

    class Meta:
        model = CompetitionAward
        fields = ["competition", "school", "event", "prize", "student", "team", "teacher"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competition"].queryset = Competition.objects.order_by("-year", "level", "name")
        self.fix_school(self.instance.school_id if self.instance.pk else None)
        if self.instance.pk:
            self.initial["student"] = self.instance.student.student_no if self.instance.student_id else ""
            self.initial["teacher"] = self.instance.teacher.staff_no if self.instance.teacher_id else ""

    def clean(self):
        data = super().clean()
        resolve_person(self, data, "student", Student, "student_no", _("学号"))
        resolve_person(self, data, "teacher", Teacher, "staff_no", _("工号"))
        return data
