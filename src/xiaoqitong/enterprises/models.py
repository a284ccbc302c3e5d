"""Talent demand and its results: positions, applications (the hiring pipeline) and graduate outcomes."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.orgs.models import Enterprise
from xiaoqitong.reference.models import Certificate, Major, MajorCategory, MajorClass, Region, Skill
from xiaoqitong.schools.choices import PositionType, StudentStatus
from xiaoqitong.schools.models import Student

from .choices import ApplicationStatus, Education, FurtherLevel, Outcome, OutcomeSource, PositionStatus


class Position(BaseModel):
    """A posting of talent demand by an enterprise; published only after a government review."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("岗位名称"), max_length=100)
    description = models.TextField(_("岗位描述"))
    position_type = models.CharField(
        _("岗位类型"), max_length=20, choices=PositionType.choices, default=PositionType.FULL_TIME
    )
    majors = models.ManyToManyField(Major, verbose_name=_("需求专业"), blank=True, related_name="positions")
    major_classes = models.ManyToManyField(
        MajorClass, verbose_name=_("需求专业类"), blank=True, related_name="positions"
    )
    major_categories = models.ManyToManyField(
        MajorCategory, verbose_name=_("需求专业大类"), blank=True, related_name="positions"
    )
    skills = models.ManyToManyField(
        Skill, verbose_name=_("技能要求"), through="PositionSkill", blank=True, related_name="positions"
    )
    certificates = models.ManyToManyField(
        Certificate,
        verbose_name=_("证书要求"),
        through="PositionCertificate",
        blank=True,
        related_name="positions",
    )
    min_education = models.CharField(
        _("最低学历"), max_length=30, choices=Education.choices, default=Education.SECONDARY
    )
    headcount = models.PositiveIntegerField(_("招聘人数"), validators=[MinValueValidator(1)])
    salary_min = models.PositiveIntegerField(_("月薪下限（元）"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("月薪上限（元）"), null=True, blank=True)
    county = models.ForeignKey(Region, verbose_name=_("工作地点"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("到岗日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=20, choices=PositionStatus.choices, default=PositionStatus.DRAFT, db_index=True
    )
    review_note = models.TextField(
        _("审核意见"), blank=True, help_text=_("审核人员退回时填写的理由，企业可见")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    search_text = models.TextField(_("检索词"), blank=True, editable=False)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "valid_until"])]
        # The natural key of imports: the same enterprise does not post the same title twice with the same
        # end date; a new round of hiring has a new valid-until.
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "title", "valid_until"], name="position_enterprise_title_until_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.enterprise}）"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:position_detail", kwargs={"pk": self.pk})

    def unique_error_message(self, model_class, unique_check):
        # Django's default only names the three fields ("包含 企业，岗位名称 和 有效期至 的 岗位 已经存在");
        # say what to do instead. A returned posting is a draft again, and counts.
        if tuple(unique_check) == ("enterprise", "title", "valid_until"):
            return ValidationError(
                _("本企业已有同名且有效期相同的岗位（含退回的草稿）：请修改原岗位，或更改岗位名称或有效期。"),
                code="unique",
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self) -> None:
        if self.salary_min and self.salary_max and self.salary_min > self.salary_max:
            raise ValidationError({"salary_max": _("月薪上限不能低于下限。")})
        if self.start_date and self.valid_until and self.valid_until < self.start_date:
            raise ValidationError({"valid_until": _("有效期不能早于到岗日期。")})


class PositionSkill(models.Model):
    """A skill a position requires (or counts as a bonus)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="skill_requirements")
    skill = models.ForeignKey(Skill, verbose_name=_("技能"), on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("必备"), default=True, help_text=_("否则为加分项"))

    class Meta:
        verbose_name = _("岗位技能要求")
        verbose_name_plural = _("岗位技能要求")
        constraints = [models.UniqueConstraint(fields=["position", "skill"], name="position_skill_unique")]

    def __str__(self) -> str:
        return f"{self.skill}（{'必备' if self.required else '加分'}）"


class PositionCertificate(models.Model):
    """A certificate a position requires (or counts as a bonus)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="certificate_requirements")
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="+"
    )
    required = models.BooleanField(_("必备"), default=True, help_text=_("否则为加分项"))

    class Meta:
        verbose_name = _("岗位证书要求")
        verbose_name_plural = _("岗位证书要求")
        constraints = [
            models.UniqueConstraint(fields=["position", "certificate"], name="position_certificate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.certificate}（{'必备' if self.required else '加分'}）"


class Application(BaseModel):
    """A student's application to a position, moving through the hiring pipeline."""

    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="applications"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    note = models.TextField(_("求职留言"), blank=True, help_text=_("学生投递时写给企业的话"))

    class Meta:
        verbose_name = _("求职申请")
        verbose_name_plural = _("求职申请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["student", "position"], name="application_unique")]

    def __str__(self) -> str:
        return f"{self.student.name} → {self.position.title}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:application_detail", kwargs={"pk": self.pk})


class ApplicationEvent(models.Model):
    """One step of an application's timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        "orgs.User",
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("申请进展")
        verbose_name_plural = _("申请进展")
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class GraduateOutcome(BaseModel):
    """What a graduate did after graduating in a year (毕业去向)."""

    student = models.ForeignKey(
        Student, verbose_name=_("毕业生"), on_delete=models.PROTECT, related_name="outcomes"
    )
    year = models.PositiveSmallIntegerField(
        _("毕业年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    outcome = models.CharField(_("去向"), max_length=20, choices=Outcome.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("就业单位（平台内）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("就业单位名称"), max_length=100, blank=True)
    in_city = models.BooleanField(_("在本市就业"), null=True, blank=True)
    related_to_major = models.BooleanField(_("专业对口"), null=True, blank=True)
    further_level = models.CharField(_("升学层次"), max_length=30, choices=FurtherLevel.choices, blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=OutcomeSource.choices, default=OutcomeSource.SCHOOL_REPORT
    )

    class Meta:
        verbose_name = _("毕业去向")
        verbose_name_plural = _("毕业去向")
        ordering = ["-year", "student"]
        constraints = [models.UniqueConstraint(fields=["student", "year"], name="graduate_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.student.name} {self.year} {self.get_outcome_display()}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:graduateoutcome_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors = {}
        if self.enterprise_id and not self.employer_name:
            self.employer_name = self.enterprise.name
        if self.outcome not in (Outcome.EMPLOYED, Outcome.ENTREPRENEURSHIP) and (
            self.enterprise_id or self.employer_name
        ):
            errors["employer_name"] = _("只有就业或自主创业才填写就业单位。")
        if self.outcome == Outcome.EMPLOYED and not (self.enterprise_id or self.employer_name):
            errors["employer_name"] = _("就业须填写就业单位。")
        if self.outcome == Outcome.FURTHER_STUDY and not self.further_level:
            errors["further_level"] = _("升学须填写升学层次。")
        if self.outcome != Outcome.FURTHER_STUDY and self.further_level:
            errors["further_level"] = _("只有升学才填写升学层次。")
        if self.student_id and self.year and (message := self._not_yet_graduated()):
            errors["year"] = message
        if errors:
            raise ValidationError(errors)

    def _not_yet_graduated(self) -> str:
        """Why the student cannot have an outcome of ``self.year`` yet ('' when they can): the year is
        before their expected graduation; or, with no expected graduation recorded, they are still in school
        (在读/实习) in a school year that ends after it (their ``school_major`` is the current year's row)."""
        student = self.student
        expected = student.expected_graduation
        if expected is not None:
            if self.year >= expected.year:
                return ""
            message = gettext("该学生预计 %(expected)s 年毕业，不能登记 %(year)s 年的毕业去向。") % {
                "expected": expected.year,
                "year": self.year,
            }
            if student.status not in (StudentStatus.STUDYING, StudentStatus.INTERNING):
                message += gettext("如已提前毕业，请先更正学生档案中的预计毕业日期。")
            return message
        if student.status in (StudentStatus.STUDYING, StudentStatus.INTERNING) and student.school_major_id:
            school_year = student.school_major.year
            if self.year <= school_year:
                return gettext(
                    "该学生状态为“%(status)s”，%(school_year)s 学年仍在校，最早 %(earliest)s 年毕业，"
                    "不能登记 %(year)s 年的毕业去向。"
                ) % {
                    "status": student.get_status_display(),
                    "school_year": school_year,
                    "earliest": school_year + 1,
                    "year": self.year,
                }
        return ""
