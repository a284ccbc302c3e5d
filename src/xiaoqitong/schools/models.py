"""Talent supply: the majors a school runs each year, its students and its teachers.

Personal information (PIPL, DESIGN rule 4): birth year and gender for statistics only, no ID card number in
the clear (only a keyed hash, to find duplicates), phone numbers masked for roles that do not own the record.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.orgs.choices import Role, SchoolType
from xiaoqitong.orgs.models import Enterprise, School, phone_validator
from xiaoqitong.reference.choices import EducationLevel
from xiaoqitong.reference.models import IndustryChain, Major, Region, Skill

from .choices import (
    Consent,
    DataRequestKind,
    DataRequestStatus,
    Duration,
    Employment,
    Gender,
    MasterLevel,
    SkillLevel,
    StudentStatus,
    Title,
)

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]

# The catalog levels each kind of school may run (教育部 2021 专业目录: 中职、高职专科、职业本科).
LEVELS_BY_SCHOOL_TYPE = {
    SchoolType.SECONDARY: {EducationLevel.SECONDARY},
    SchoolType.ASSOCIATE: {EducationLevel.ASSOCIATE},
    SchoolType.BACHELOR: {EducationLevel.BACHELOR, EducationLevel.ASSOCIATE},
    SchoolType.TECHNICIAN: {EducationLevel.SECONDARY, EducationLevel.ASSOCIATE},
    SchoolType.OPEN: {EducationLevel.SECONDARY, EducationLevel.ASSOCIATE},
}
# 五年一贯制, 3+2 and 5+0 lead to a 高职专科 diploma: only associate majors run them.
ASSOCIATE_ONLY_DURATIONS = {Duration.FIVE_YEAR, Duration.THREE_PLUS_TWO, Duration.FIVE_PLUS_ZERO}


def final_school_year(expected_graduation) -> int | None:
    """The school year (named by the year it starts in) a student finishes: graduating in June 2026 → 2025.

    A student's ``school_major`` is the 开设专业 row of their last school year so far: the current year's row
    for a student in school, the final year's for a graduate (what the demo and the student import use)."""
    if expected_graduation is None:
        return None
    return expected_graduation.year - 1 if expected_graduation.month < 9 else expected_graduation.year


def _levels(levels) -> str:
    return "、".join(str(EducationLevel(level).label) for level in EducationLevel.values if level in levels)


class SchoolMajor(BaseModel):
    """A catalog major that a school runs in one year, with its enrolment and graduates."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="majors"
    )
    major = models.ForeignKey(
        Major, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="school_majors"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    duration = models.CharField(
        _("学制"), max_length=5, choices=Duration.choices, default=Duration.THREE_YEAR
    )
    enrolment_plan = models.PositiveIntegerField(_("招生计划"), default=0)
    new_enrolment = models.PositiveIntegerField(_("实际招生"), default=0)
    students_enrolled = models.PositiveIntegerField(_("在校生数"), default=0)
    expected_graduates = models.PositiveIntegerField(_("预计毕业生数"), default=0)
    actual_graduates = models.PositiveIntegerField(_("实际毕业生数"), null=True, blank=True)
    is_provincial_high_level = models.BooleanField(_("省级高水平专业（群）"), default=False)
    is_quality = models.BooleanField(_("优质专业（群）"), default=False)
    chains = models.ManyToManyField(
        IndustryChain, verbose_name=_("对接产业链"), blank=True, related_name="school_majors"
    )

    class Meta:
        verbose_name = _("开设专业")
        verbose_name_plural = _("开设专业")
        ordering = ["school", "-year", "major"]
        constraints = [
            models.UniqueConstraint(fields=["school", "major", "year"], name="school_major_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.major.name}（{self.year}）"

    def get_absolute_url(self) -> str:
        return reverse("schools:schoolmajor_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        major = self.major if self.major_id else None
        school = self.school if self.school_id else None
        if major is not None and school is not None:
            allowed = LEVELS_BY_SCHOOL_TYPE.get(school.school_type, set())
            if major.education_level not in allowed:
                errors["major"] = gettext(
                    "专业：%(school)s是%(type)s学校，只能开设%(levels)s专业，“%(major)s”是%(level)s专业。"
                ) % {
                    "school": school.name,
                    "type": school.get_school_type_display(),
                    "levels": _levels(allowed),
                    "major": major.name,
                    "level": major.get_education_level_display(),
                }
        if (
            major is not None
            and self.duration in ASSOCIATE_ONLY_DURATIONS
            and major.education_level != EducationLevel.ASSOCIATE
        ):
            errors["duration"] = gettext(
                "学制：%(duration)s只适用于高职专科专业，“%(major)s”是%(level)s专业。"
            ) % {
                "duration": Duration(self.duration).label,
                "major": major.name,
                "level": major.get_education_level_display(),
            }
        enrolled = self.students_enrolled or 0
        for name in ("new_enrolment", "expected_graduates", "actual_graduates"):
            value = getattr(self, name)
            if value is not None and value > enrolled and name not in errors:
                errors[name] = gettext("%(field)s（%(value)s）不能多于在校生数（%(enrolled)s）。") % {
                    "field": self._meta.get_field(name).verbose_name,
                    "value": value,
                    "enrolled": enrolled,
                }
        if errors:
            raise ValidationError(errors)


class Student(BaseModel):
    """A student or graduate of a school, with skills, job preferences and consent to be seen."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="students"
    )
    school_major = models.ForeignKey(
        SchoolMajor, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="students"
    )
    student_no = models.CharField(_("学号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    hometown = models.ForeignKey(
        Region, verbose_name=_("生源地"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(_("年级"), validators=YEAR, help_text=_("入学年份"))
    entry_date = models.DateField(_("入学日期"), null=True, blank=True)
    expected_graduation = models.DateField(_("预计毕业日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    id_card_hash = models.CharField(
        _("身份证号摘要"),
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("身份证号的密钥散列，只用于查重，不能还原"),
    )
    consent = models.CharField(
        _("对企业公开简历"), max_length=20, choices=Consent.choices, default=Consent.NONE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=StudentStatus.choices, default=StudentStatus.STUDYING, db_index=True
    )
    skills = models.ManyToManyField(
        Skill, verbose_name=_("技能"), through="StudentSkill", blank=True, related_name="students"
    )
    preferred_chains = models.ManyToManyField(
        IndustryChain, verbose_name=_("意向产业链"), blank=True, related_name="+"
    )
    preferred_counties = models.ManyToManyField(
        Region, verbose_name=_("意向工作地"), blank=True, related_name="+"
    )
    preferred_position_types = models.JSONField(_("意向岗位类型"), default=list, blank=True)
    salary_expectation = models.PositiveIntegerField(_("期望月薪（元）"), null=True, blank=True)
    search_text = models.TextField(_("检索词"), blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学生账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student_profile",
        help_text=_("学生本人登录平台所用的账号"),
    )

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["school", "student_no"]
        constraints = [
            models.UniqueConstraint(fields=["school", "student_no"], name="student_school_no_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.student_no}）"

    def get_absolute_url(self) -> str:
        return reverse("schools:student_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.school_major_id and self.school_id and self.school_major.school_id != self.school_id:
            errors["school_major"] = gettext("专业：所选专业不是本校开设的专业。")
        elif self.school_major_id and self.grade:
            year, final = self.school_major.year, final_school_year(self.expected_graduation)
            if year < self.grade or (final is not None and year > final):
                errors["school_major"] = gettext(
                    "专业：应选学生在读期间（%(grade)s 年度起）最后一个学年的开设专业，"
                    "所选的是 %(year)s 年度的。"
                ) % {"grade": self.grade, "year": year}
        if self.entry_date and self.grade and self.entry_date.year != self.grade:
            errors["entry_date"] = gettext("入学日期：应在年级（入学年份）%(grade)s 年内。") % {
                "grade": self.grade
            }
        if self.entry_date and self.expected_graduation and self.expected_graduation <= self.entry_date:
            errors["expected_graduation"] = gettext("预计毕业日期：应晚于入学日期。")
        if self.birth_year and self.grade and self.birth_year >= self.grade:
            errors["birth_year"] = gettext("出生年份：应早于年级（入学年份）。")
        if self.user_id:
            user = self.user
            if user.role != Role.STUDENT or (self.school_id and user.school_id != self.school_id):
                errors["user"] = gettext("学生账号：应为本校的学生角色账号。")
        if errors:
            raise ValidationError(errors)


class StudentSkill(models.Model):
    """A skill a student has, at a level."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, verbose_name=_("技能"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(
        _("水平"), max_length=20, choices=SkillLevel.choices, default=SkillLevel.PROFICIENT
    )

    class Meta:
        verbose_name = _("学生技能")
        verbose_name_plural = _("学生技能")
        constraints = [models.UniqueConstraint(fields=["student", "skill"], name="student_skill_unique")]

    def __str__(self) -> str:
        return f"{self.skill}（{self.get_level_display()}）"


class Teacher(BaseModel):
    """A full-time or part-time (兼职) teacher of a school."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="teachers"
    )
    staff_no = models.CharField(_("工号"), max_length=30)
    name = models.CharField(_("姓名"), max_length=50)
    employment = models.CharField(
        _("聘任方式"), max_length=20, choices=Employment.choices, default=Employment.FULL_TIME
    )
    is_dual_qualified = models.BooleanField(_("“双师型”教师"), default=False)
    dual_qualified_date = models.DateField(_("“双师型”认定日期"), null=True, blank=True)
    dual_qualified_evidence = models.CharField(_("“双师型”认定依据"), max_length=200, blank=True)
    title = models.CharField(_("职称"), max_length=20, choices=Title.choices, default=Title.NONE)
    master_level = models.CharField(_("教学名师"), max_length=20, choices=MasterLevel.choices, blank=True)
    is_special_post = models.BooleanField(_("特岗教师"), default=False)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("本职单位（企业）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_time_teachers",
        help_text=_("兼职教师来自企业时填写（企业专家兼职任教，R4）"),
    )

    class Meta:
        verbose_name = _("教师")
        verbose_name_plural = _("教师")
        ordering = ["school", "staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["school", "staff_no"], name="teacher_school_no_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    def get_absolute_url(self) -> str:
        return reverse("schools:teacher_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.is_dual_qualified and not self.dual_qualified_date:
            raise ValidationError({"dual_qualified_date": _("“双师型”教师须填写认定日期。")})
        if self.employer_id and self.employment != Employment.PART_TIME:
            raise ValidationError({"employer": _("只有兼职教师填写本职单位（企业）。")})


class TeacherPractice(BaseModel):
    """A teacher's practice in an enterprise (企业实践): days in a year."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("教师"), on_delete=models.CASCADE, related_name="practices"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    days = models.PositiveSmallIntegerField(
        _("天数"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )

    class Meta:
        verbose_name = _("教师企业实践")
        verbose_name_plural = _("教师企业实践")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "enterprise", "year"], name="teacher_practice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} {self.enterprise} {self.year}（{self.days} 天）"

    def get_absolute_url(self) -> str:
        return reverse("schools:teacherpractice_detail", kwargs={"pk": self.pk})


class DataRequest(BaseModel):
    """A student's request about their personal information (个人信息删除申请), handled by the administrator
    of the student's school before ``due_date`` (``privacy.DUE_WORKING_DAYS`` working days after it was
    made)."""

    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(
        _("申请类型"), max_length=20, choices=DataRequestKind.choices, default=DataRequestKind.DELETE
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("申请理由"), blank=True, max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("办理期限"), help_text=_("收到申请后 15 个工作日内办结"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("个人信息申请")
        verbose_name_plural = _("个人信息申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one open request of a kind per student (a second one would be handled twice).
            models.UniqueConstraint(
                fields=["student", "kind"],
                condition=models.Q(status=DataRequestStatus.PENDING),
                name="data_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("schools:datarequest_detail", kwargs={"pk": self.pk})
