import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaoqitong.core.forms import BaseModelForm
from xiaoqitong.orgs.models import Enterprise, School
from xiaoqitong.reference.models import (
    Certificate,
    Major,
    MajorCategory,
    MajorClass,
    Skill,
    work_areas,
)
from xiaoqitong.schools.models import Student

from .choices import ApplicationStatus
from .models import Application, GraduateOutcome, Position
from .selectors import open_positions, own_student

CODE_SEPARATORS = re.compile(r"[\s,，;；、/]+")


def split_codes(value: str) -> list[str]:
    return [code for code in CODE_SEPARATORS.split(value or "") if code]


def resolve_major_codes(codes: list[str]) -> tuple[dict[str, list], list[str]]:
    """Catalog codes at any level → ``{"majors": [...], "major_classes": [...], "major_categories": [...]}``
    and the codes that name nothing (a 6-digit code is a major, 4 digits a 专业类, 2 digits a 大类)."""
    found = {"majors": [], "major_classes": [], "major_categories": []}
    unknown = []
    by_length = {
        6: (Major, "majors"),
        4: (MajorClass, "major_classes"),
        2: (MajorCategory, "major_categories"),
    }
    wanted: dict[str, list[str]] = {}
    for code in dict.fromkeys(c.strip().upper().rstrip("K") for c in codes):
        model_key = by_length.get(len(code))
        if model_key is None:
            unknown.append(code)
            continue
        wanted.setdefault(model_key[1], []).append(code)
    for model, key in by_length.values():
        if key not in wanted:
            continue
        rows = {obj.code: obj for obj in model.objects.filter(code__in=wanted[key])}
        for code in wanted[key]:
            if code in rows:
                found[key].append(rows[code])
            else:
                unknown.append(code)
    return found, unknown


def major_codes_of(position: Position) -> str:
    codes = [
        *(m.code for m in position.majors.all()),
        *(c.code for c in position.major_classes.all()),
        *(c.code for c in position.major_categories.all()),
    ]
    return "、".join(codes)


class ResolvedStudentField(forms.ModelChoiceField):
    """Carries the student that the form's ``clean()`` finds (by school and 学号, or the user's own record)
    to the view's data. Never taken from the request: any submitted value is refused."""

    def __init__(self):
        super().__init__(queryset=Student.objects.none(), required=False, widget=forms.HiddenInput)


def _areas():
    return work_areas()


class PositionForm(BaseModelForm):
    wanted_majors = forms.CharField(
        label=gettext_lazy("需求专业（代码）"),
        required=False,
        help_text=gettext_lazy(
            "专业（6 位）、专业类（4 位）或专业大类（2 位）代码，多个用顿号或逗号分隔，如 660103、6601"
        ),
    )
    required_skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("name"), required=False, label=gettext_lazy("必备技能")
    )
    bonus_skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("name"), required=False, label=gettext_lazy("加分技能")
    )
    required_certificates = forms.ModelMultipleChoiceField(
        queryset=Certificate.objects.all(), required=False, label=gettext_lazy("必备证书")
    )
    bonus_certificates = forms.ModelMultipleChoiceField(
        queryset=Certificate.objects.all(), required=False, label=gettext_lazy("加分证书")
    )

    class Meta:
        model = Position
        fields = [
            "enterprise",
            "title",
            "position_type",
            "description",
            "min_education",
            "headcount",
            "salary_min",
            "salary_max",
            "county",
            "start_date",
            "valid_until",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = _areas()
        # Only the enterprises the user may post for (HR: its own, filled in), by 统一社会信用代码: a city
        # has thousands of enterprises, too many for a drop-down.
        enterprises = Enterprise.objects.all()
        if self.user is not None and not self.user.is_superuser:
            enterprises = (
                enterprises.filter(pk=self.user.enterprise_id)
                if self.user.enterprise_id
                else enterprises.none()
            )
            if self.user.enterprise_id and not self.instance.pk:
                self.fields["enterprise"].initial = self.user.enterprise.credit_code
        self.fields["enterprise"] = forms.ModelChoiceField(
            queryset=enterprises,
            to_field_name="credit_code",
            label=gettext_lazy("企业（统一社会信用代码）"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            initial=self.fields["enterprise"].initial,
            error_messages={
                "invalid_choice": gettext_lazy("找不到这个统一社会信用代码的企业，或您不能为它发布岗位。")
            },
        )
        if self.instance.pk:
            self.initial["enterprise"] = self.instance.enterprise.credit_code
        if self.user is not None and not self.user.is_superuser and self.user.enterprise_id:
            # HR may not change the enterprise (``PositionPolicy.locked``): shown, never read from a request.
            self.fields["enterprise"].disabled = True
            self.fields["enterprise"].help_text = gettext_lazy("本企业的岗位；企业由您的账号确定，不能更改")
            if not self.instance.pk:
                self.initial["enterprise"] = self.user.enterprise.credit_code
        if self.instance.pk:
            self.fields["wanted_majors"].initial = major_codes_of(self.instance)
            rows = list(self.instance.skill_requirements.all())
            self.fields["required_skills"].initial = [r.skill_id for r in rows if r.required]
            self.fields["bonus_skills"].initial = [r.skill_id for r in rows if not r.required]
            rows = list(self.instance.certificate_requirements.all())
            self.fields["required_certificates"].initial = [r.certificate_id for r in rows if r.required]
            self.fields["bonus_certificates"].initial = [r.certificate_id for r in rows if not r.required]

    def clean_wanted_majors(self):
        found, unknown = resolve_major_codes(split_codes(self.cleaned_data.get("wanted_majors", "")))
        if unknown:
            raise forms.ValidationError(
                _("找不到这些专业代码：%(codes)s（应为 6 位专业代码、4 位专业类代码或 2 位专业大类代码）")
                % {"codes": "、".join(unknown)}
            )
        return found

    def _post_clean(self):
        # The service validates (with the discrimination check) and reports errors by field; the form's own
        # model validation would run before the service sees the whole posting.
        pass

    @staticmethod
    def service_data(data: dict) -> dict:
        """The form's cleaned data as the position services take it."""
        data = dict(data)
        data.update(data.pop("wanted_majors", None) or {})
        return data


class ReviewForm(forms.Form):
    """The reviewer's note (optional when publishing, required when returning)."""

    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=2000,
    )


class ApplicationForm(BaseModelForm):
    """A student applies: the posting and a note to the enterprise. Platform administrators also pick the
    student; everyone else applies as themself."""

    student_no = forms.CharField(label=gettext_lazy("学号"), required=False, max_length=30)
    school = forms.ModelChoiceField(
        queryset=School.objects.order_by("code"), required=False, label=gettext_lazy("学校")
    )
    student = ResolvedStudentField()

    class Meta:
        model = Application
        fields = ["position", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Editing: only the note (the pipeline moves the status).
            for name in ("position", "student_no", "school", "student"):
                del self.fields[name]
            return
        self.fields["position"].queryset = (
            open_positions().select_related("enterprise").order_by("-published_at")
        )
        if self.user is None or not self.user.is_superuser:
            del self.fields["student_no"]
            del self.fields["school"]
        else:
            self.fields["student_no"].required = self.fields["school"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        student = None
        if "student_no" in self.fields:
            if cleaned.get("school") and cleaned.get("student_no"):
                student = Student.objects.filter(
                    school=cleaned["school"], student_no=cleaned["student_no"].strip()
                ).first()
                if student is None:
                    self.add_error("student_no", _("该学校没有这个学号的学生。"))
        elif self.user is not None:
            student = own_student(self.user)
            if student is None:
                self.add_error(None, _("您的账号尚未关联学生档案，请联系学校管理员。"))
        cleaned["student"] = student
        return cleaned

    @staticmethod
    def service_data(data: dict) -> dict:
        data = dict(data)
        data.pop("school", None)
        data.pop("student_no", None)
        return data

    def _post_clean(self):
        pass


class AdvanceForm(forms.Form):
    """One step of the pipeline, with an optional note for the timeline."""

    to_status = forms.ChoiceField(choices=ApplicationStatus.choices, label=gettext_lazy("新状态"))
    note = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class GraduateOutcomeForm(BaseModelForm):
    """An outcome for one graduate, found by school and 学号 (a school administrator: its own school)."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("学校"))
    student_no = forms.CharField(label=gettext_lazy("学号"), max_length=30)
    student = ResolvedStudentField()

    class Meta:
        model = GraduateOutcome
        fields = [
            "year",
            "outcome",
            "enterprise",
            "employer_name",
            "in_city",
            "related_to_major",
            "further_level",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.order_by("code")
        if self.user is not None and not self.user.is_superuser and self.user.school_id:
            schools = schools.filter(pk=self.user.school_id)
        self.fields["school"].queryset = schools
        self.fields["enterprise"] = forms.ModelChoiceField(
            queryset=Enterprise.objects.all(),
            to_field_name="credit_code",
            required=False,
            label=gettext_lazy("就业单位统一社会信用代码（平台内企业）"),
            help_text=gettext_lazy("平台外的单位只填名称"),
            widget=forms.TextInput(attrs={"class": "form-control"}),
            error_messages={
                "invalid_choice": gettext_lazy("平台内没有这个统一社会信用代码的企业；平台外的单位只填名称。")
            },
        )
        if self.instance.pk and self.instance.enterprise_id:
            self.initial["enterprise"] = self.instance.enterprise.credit_code
        self.order_fields(["school", "student_no", "student", *self.Meta.fields])
        if self.instance.pk:
            self.fields["school"].initial = self.instance.student.school_id
            self.fields["student_no"].initial = self.instance.student.student_no
        elif self.user is not None and self.user.school_id:
            self.fields["school"].initial = self.user.school_id

    def clean(self):
        cleaned = super().clean()
        school, student_no = cleaned.get("school"), (cleaned.get("student_no") or "").strip()
        student = None
        if school and student_no:
            student = Student.objects.filter(school=school, student_no=student_no).first()
            if student is None:
                self.add_error("student_no", _("该学校没有这个学号的学生。"))
        cleaned["student"] = student
        return cleaned

    def _post_clean(self):
        pass

    @staticmethod
    def service_data(data: dict) -> dict:
        data = dict(data)
        data.pop("school", None)
        data.pop("student_no", None)
        return data
