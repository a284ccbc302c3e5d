"""Training quality (POLICY.md T3, T4, T6, T18-T23, R5; 三（五）-（七）, 二（三）, 五（十二）-（十四）):
dual-mentor assessment plans and grades; certificates awarded, exam centres and their sessions; skills
competitions and awards; skill sampling tests; the shared teaching-resource library; social training
programmes, sessions and rosters; teachers' training bases, 特岗 funding and technical-service income.

The sections below are owned by one area each (assessment, certificates, skilltests, resources, training,
teachers); their services, pages and API live in the modules of the same name under ``services/``,
``views/`` and ``api/``. The policy's numbers live in ``cooperation.models.Rule`` (``quality.rules``)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.cooperation.models import InternshipPlan
from xiaoqitong.core.models import BaseModel, URLField
from xiaoqitong.core.policy import RestrictedQuerySet
from xiaoqitong.orgs.models import Department, Enterprise, School
from xiaoqitong.reference.models import Certificate, Major, MajorCategory, Skill
from xiaoqitong.schools.models import SchoolMajor, Student, Teacher

from .choices import (
    CompetitionLevel,
    GradePart,
    GradeSource,
    PlanStatus,
    Prize,
    ResourceKind,
    ResourceUseKind,
    SkillTestKind,
    TrainingBaseLevel,
    TrainingKind,
)

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
SCORE = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(0), MaxValueValidator(100)]}
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
USER = settings.AUTH_USER_MODEL


def _url(obj) -> str:
    return reverse(f"quality:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})


def _check_period(start, end, start_field: str = "start_date", end_field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({end_field: _("结束日期不能早于开始日期。")})


# --- dual-mentor assessment (R5, 三（五）) ------------------------------------------------------------
class AssessmentPlan(BaseModel):
    """A course or module of one school major and cohort assessed by two mentors (R5): the theory part by
    the school's teachers, the practice part by the enterprise's technicians; the combined grade weighs them.
    A plan tied to an internship plan takes the practice part from the internships' closing evaluations."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    school_major = models.ForeignKey(
        SchoolMajor, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="assessment_plans"
    )
    cohort = models.PositiveSmallIntegerField(_("年级"), validators=YEAR, help_text=_("学生入学年份"))
    course = models.CharField(_("课程或模块"), max_length=100)
    term = models.CharField(_("学期"), max_length=20, help_text=_("如 2026-2027 学年第一学期"))
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("合作企业"), on_delete=models.PROTECT, related_name="assessment_plans"
    )
    theory_weight = models.PositiveSmallIntegerField(_("理论权重（%）"), validators=PERCENT, default=50)
    practice_weight = models.PositiveSmallIntegerField(_("实践权重（%）"), validators=PERCENT, default=50)
    teachers = models.ManyToManyField(
        USER, verbose_name=_("理论考核教师"), related_name="theory_assessment_plans", blank=True
    )
    mentors = models.ManyToManyField(
        USER, verbose_name=_("实践考核技师"), related_name="practice_assessment_plans", blank=True
    )
    internship_plan = models.ForeignKey(
        InternshipPlan,
        verbose_name=_("关联实习计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("实习鉴定成绩计入实践部分"),
    )
    pass_score = models.PositiveSmallIntegerField(_("及格分"), validators=PERCENT, default=60)
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.OPEN)

    class Meta:
        verbose_name = _("双导师考核计划")
        verbose_name_plural = _("双导师考核计划")
        ordering = ["-cohort", "school", "course"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_major", "cohort", "course", "term"], name="assessment_plan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course}（{self.term}）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        weights = (self.theory_weight, self.practice_weight)
        if None not in weights and sum(weights) != 100:
            raise ValidationError({"practice_weight": _("理论权重与实践权重之和须为 100%。")})
        if self.school_major_id and self.school_id and self.school_major.school_id != self.school_id:
            raise ValidationError({"school_major": _("专业须为本校专业。")})


class Grade(BaseModel):
    """One part (theory or practice) of a student's grade in an assessment plan; its revisions are kept."""

    plan = models.ForeignKey(
        AssessmentPlan, verbose_name=_("考核计划"), on_delete=models.CASCADE, related_name="grades"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="assessment_grades"
    )
    part = models.CharField(_("考核部分"), max_length=20, choices=GradePart.choices)
    score = models.DecimalField(_("成绩"), **SCORE)
    grader = models.ForeignKey(
        USER, verbose_name=_("评分人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=GradeSource.choices, default=GradeSource.MANUAL
    )
    comment = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("考核成绩")
        verbose_name_plural = _("考核成绩")
        ordering = ["plan", "student", "part"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "student", "part"], name="grade_plan_student_part")
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.get_part_display()} {self.score.normalize():f}"

    def get_absolute_url(self) -> str:
        return self.plan.get_absolute_url()


class GradeRevision(models.Model):
    """A grade as it was given (the first score and every later change), for the history."""

    grade = models.ForeignKey(
        Grade, verbose_name=_("成绩"), on_delete=models.CASCADE, related_name="revisions"
    )
    score = models.DecimalField(_("成绩"), **SCORE)
    grader = models.ForeignKey(
        USER, verbose_name=_("评分人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=20, choices=GradeSource.choices)
    comment = models.TextField(_("评语"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成绩修改记录")
        verbose_name_plural = _("成绩修改记录")
        ordering = ["grade", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.grade.student.name} {self.score.normalize():f}"


# --- certificates and exam centres (T3) -----------------------------------------------------------
class ExamCentre(BaseModel):
    """A 职业院校技能证书考试中心 (examination centre) hosted by a school, approved for some certificates."""

    code = models.CharField(_("考点编号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    school = models.ForeignKey(
        School, verbose_name=_("承办学校"), on_delete=models.PROTECT, related_name="exam_centres"
    )
    certificates = models.ManyToManyField(
        Certificate, verbose_name=_("可考证书"), related_name="exam_centres", blank=True
    )
    approved_by = models.CharField(_("批准机构"), max_length=100, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("单场容量"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("技能证书考点")
        verbose_name_plural = _("技能证书考点")
        ordering = ["school", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _url(self)


class ExamSession(BaseModel):
    """One examination sitting of a certificate at a centre: how many sat and how many passed."""

    centre = models.ForeignKey(
        ExamCentre, verbose_name=_("考点"), on_delete=models.CASCADE, related_name="sessions"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="exam_sessions"
    )
    date = models.DateField(_("考试日期"))
    candidates = models.PositiveIntegerField(_("报考人数"), default=0)
    passed = models.PositiveIntegerField(_("通过人数"), default=0)

    class Meta:
        verbose_name = _("证书考试场次")
        verbose_name_plural = _("证书考试场次")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "certificate", "date"], name="exam_session_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.certificate} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.passed is not None and self.candidates is not None and self.passed > self.candidates:
            raise ValidationError({"passed": _("通过人数不能多于报考人数。")})


class CertificateAward(BaseModel):
    """A certificate a student obtained (1+X 职业技能等级证书, 职业技能等级证书 or 职业资格证书)."""

    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.CASCADE, related_name="certificate_awards"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("证书"), on_delete=models.PROTECT, related_name="awards"
    )
    number = models.CharField(_("证书编号"), max_length=60)
    awarded_on = models.DateField(_("发证日期"))
    issuer = models.CharField(_("发证机构"), max_length=100, blank=True)
    session = models.ForeignKey(
        ExamSession,
        verbose_name=_("考试场次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("获证记录")
        verbose_name_plural = _("获证记录")
        ordering = ["-awarded_on"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "number"], name="certificate_award_number"),
        ]

    def __str__(self) -> str:
        return f"{self.student.name} {self.certificate}"

    def get_absolute_url(self) -> str:
        return _url(self)


# --- competitions ---------------------------------------------------------------------------------
class Competition(BaseModel):
    """A skills competition (职业技能大赛) at city, provincial or national level, one year's edition."""

    name = models.CharField(_("赛事名称"), max_length=150)
    level = models.CharField(_("级别"), max_length=20, choices=CompetitionLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    organizer = models.CharField(_("主办单位"), max_length=150, blank=True)
    held_on = models.DateField(_("比赛日期"), null=True, blank=True)
    majors = models.ManyToManyField(Major, verbose_name=_("相关专业"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("技能竞赛")
        verbose_name_plural = _("技能竞赛")
        ordering = ["-year", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "level", "year"], name="competition_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}（{self.get_level_display()}）"

    def get_absolute_url(self) -> str:
        return _url(self)


class CompetitionAward(BaseModel):
    """A prize won at a competition by a school's student (or team, named) and the instructing teacher."""

    competition = models.ForeignKey(
        Competition, verbose_name=_("赛事"), on_delete=models.CASCADE, related_name="awards"
    )
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    event = models.CharField(_("赛项"), max_length=150)
    prize = models.CharField(_("奖项"), max_length=20, choices=Prize.choices)
    student = models.ForeignKey(
        Student, verbose_name=_("获奖学生"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.CharField(_("获奖团队"), max_length=200, blank=True, help_text=_("团体赛时填写成员姓名"))
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("指导教师"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("竞赛获奖")
        verbose_name_plural = _("竞赛获奖")
        ordering = ["competition", "prize"]

    def __str__(self) -> str:
        return f"{self.competition} {self.event} {self.get_prize_display()}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if not self.student_id and not self.team:
            raise ValidationError({"student": _("请填写获奖学生或获奖团队。")})
        if self.student_id and self.school_id and self.student.school_id != self.school_id:
            raise ValidationError({"student": _("获奖学生须为该校学生。")})
        if self.teacher_id and self.school_id and self.teacher.school_id != self.school_id:
            raise ValidationError({"teacher": _("指导教师须为该校教师。")})


# --- skill sampling tests (三（七）) ------------------------------------------------------------------
class SkillTestResult(BaseModel):
    """One school's result in a 专业技能抽测 (per major) or a 专业大类基础理论知识普测 (per major category),
    as the organizing department publishes it."""

    kind = models.CharField(_("测试类型"), max_length=20, choices=SkillTestKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="skill_test_results"
    )
    major = models.ForeignKey(
        Major, verbose_name=_("专业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        MajorCategory,
        verbose_name=_("专业大类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tested = models.PositiveIntegerField(_("参测人数"))
    passed = models.PositiveIntegerField(_("合格人数"))
    average_score = models.DecimalField(_("平均分"), null=True, blank=True, **SCORE)
    organizer = models.CharField(_("组织部门"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("技能抽测结果")
        verbose_name_plural = _("技能抽测结果")
        ordering = ["-year", "kind", "school"]
        constraints = [
            # major and category are nullable and NULLs never clash in a unique index: one constraint a kind
            models.UniqueConstraint(
                fields=["kind", "year", "school", "major"],
                condition=models.Q(kind="skill_sampling"),
                name="skill_sampling_result_unique",
                violation_error_message=_("该校该专业当年的技能抽测结果已录入。"),
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "school", "category"],
                condition=models.Q(kind="theory_survey"),
                name="theory_survey_result_unique",
                violation_error_message=_("该校该专业大类当年的普测结果已录入。"),
            ),
        ]

    def __str__(self) -> str:
        subject = self.major or self.category
        return f"{self.year} {self.get_kind_display()} {self.school} {subject}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.kind == SkillTestKind.SKILL_SAMPLING and not self.major_id:
            raise ValidationError({"major": _("专业技能抽测须填写专业。")})
        if self.kind == SkillTestKind.THEORY_SURVEY and not self.category_id:
            raise ValidationError({"category": _("专业大类普测须填写专业大类。")})
        if self.passed is not None and self.tested is not None and self.passed > self.tested:
            raise ValidationError({"passed": _("合格人数不能多于参测人数。")})


# --- shared teaching resources (三（六）) -------------------------------------------------------------
class TeachingResource(BaseModel):
    """A resource in the city's 专业教育资源库: a course, 活页式 or 工作手册式 material, a video or a
    virtual-simulation resource, published by a school or an enterprise, tagged by major and skill."""

    title = models.CharField(_("标题"), max_length=150)
    kind = models.CharField(_("资源类型"), max_length=20, choices=ResourceKind.choices)
    summary = models.TextField(_("简介"), blank=True)
    owner_school = models.ForeignKey(
        School, verbose_name=_("发布学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("发布企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        USER, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    majors = models.ManyToManyField(Major, verbose_name=_("适用专业"), related_name="+", blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("相关技能"), related_name="+", blank=True)
    file = models.FileField(_("文件"), upload_to="resources/%Y/%m/", blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0, editable=False)
    link = URLField(_("访问地址"), blank=True, help_text=_("虚拟仿真等在线资源的地址"))
    published = models.BooleanField(_("已发布"), default=False)
    search_text = models.TextField(_("检索词"), blank=True, editable=False)

    class Meta:
        verbose_name = _("教学资源")
        verbose_name_plural = _("教学资源")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if bool(self.owner_school_id) == bool(self.owner_enterprise_id):
            raise ValidationError(_("资源须由一所学校或一家企业发布。"))
        if not self.file and not self.link:
            raise ValidationError({"file": _("请上传文件或填写访问地址。")})


class ResourceRating(BaseModel):
    """A user's rating (1-5 stars) of a resource; one per user, changed by rating again."""

    resource = models.ForeignKey(
        TeachingResource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="ratings"
    )
    user = models.ForeignKey(USER, verbose_name=_("评价人"), on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("资源评价")
        verbose_name_plural = _("资源评价")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="resource_rating_user")]

    def __str__(self) -> str:
        return f"{self.resource} {self.stars}★"


class ResourceUse(models.Model):
    """One use of a resource (a download, or a reuse in a course) by a user on behalf of their school."""

    resource = models.ForeignKey(
        TeachingResource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="uses"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("使用人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("使用方式"), max_length=20, choices=ResourceUseKind.choices)
    used_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源使用")
        verbose_name_plural = _("资源使用")
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.resource} {self.get_kind_display()}"


# --- social training (T4, T6, 二（三）) ---------------------------------------------------------------
class TrainingProgramme(BaseModel):
    """A social training programme run by a school, an enterprise or a training centre, in one year."""

    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    title = models.CharField(_("项目名称"), max_length=150)
    kind = models.CharField(_("培训类型"), max_length=20, choices=TrainingKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    provider_school = models.ForeignKey(
        School,
        verbose_name=_("承办学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_programmes",
    )
    provider_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("承办企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_programmes",
    )
    provider_centre = models.CharField(_("承办培训机构"), max_length=150, blank=True)
    funding_department = models.ForeignKey(
        Department,
        verbose_name=_("经费来源部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fucheng_brand = models.BooleanField(_("“福城培训”品牌"), default=False)
    majors = models.ManyToManyField(Major, verbose_name=_("相关专业"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("社会培训项目")
        verbose_name_plural = _("社会培训项目")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.title}（{self.year}）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        providers = [
            bool(self.provider_school_id),
            bool(self.provider_enterprise_id),
            bool(self.provider_centre),
        ]
        if sum(providers) != 1:
            raise ValidationError(_("承办方须为一所学校、一家企业或一个培训机构（三者选一）。"))


class TrainingSession(BaseModel):
    """One class (期次) of a programme. Its person-times are its roster's rows, or, for a class reported
    without a roster (community and seniors' education often are), the number reported."""

    programme = models.ForeignKey(
        TrainingProgramme, verbose_name=_("培训项目"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("期次"), validators=[MinValueValidator(1)])
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    place = models.CharField(_("培训地点"), max_length=150, blank=True)
    hours = models.PositiveSmallIntegerField(_("学时"), default=0)
    reported_person_times = models.PositiveIntegerField(
        _("填报人次"), default=0, help_text=_("无花名册时按填报人次计")
    )

    class Meta:
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="training_session_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme.title} 第 {self.number} 期"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        _check_period(self.start_date, self.end_date)


class TrainingParticipant(BaseModel):
    """One trainee on a session's roster (one person-time). The ID number is kept only as a salted hash
    (DESIGN rule 4), enough to tell the same person twice on a roster."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训班次"), on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_card_hash = models.CharField(_("身份证号（摘要）"), max_length=64, editable=False)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    completed = models.BooleanField(_("结业"), default=True)

    class Meta:
        verbose_name = _("培训学员")
        verbose_name_plural = _("培训学员")
        ordering = ["session", "name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "id_card_hash"], name="training_participant_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.session.get_absolute_url()


# --- teachers (T18-T23, 五（十二）-（十四）) ---------------------------------------------------------------
class TeacherTrainingBase(BaseModel):
    """A 国家级 or 省级职业教育“双师型”教师培训基地 recognized in the city (T22)."""

    name = models.CharField(_("基地名称"), max_length=150)
    level = models.CharField(_("级别"), max_length=20, choices=TrainingBaseLevel.choices)
    host_school = models.ForeignKey(
        School, verbose_name=_("依托学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("依托企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recognized_by = models.CharField(_("认定部门"), max_length=100, blank=True)
    recognized_year = models.PositiveSmallIntegerField(_("认定年度"), validators=YEAR)

    class Meta:
        verbose_name = _("“双师型”教师培训基地")
        verbose_name_plural = _("“双师型”教师培训基地")
        ordering = ["level", "-recognized_year", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "level"], name="teacher_training_base_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if not self.host_school_id and not self.host_enterprise_id:
            raise ValidationError({"host_school": _("请填写依托学校或依托企业。")})


class SpecialPostFunding(BaseModel):
    """A school's 特岗教师 funding in one year: posts and the amount secured (T19, per post per year)."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="special_post_fundings"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    posts = models.PositiveIntegerField(_("特岗数"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("保障经费（元）"), **MONEY)
    source = models.CharField(_("经费来源"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("特岗教师经费")
        verbose_name_plural = _("特岗教师经费")
        ordering = ["-year", "school"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="special_post_funding_unique")]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"

    def get_absolute_url(self) -> str:
        return _url(self)


class TechServiceIncome(BaseModel):
    """A school's income from technical services, training and the like in one year, its surplus and the
    part of the surplus paid to teachers as remuneration (T23, 五（十四）)."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="tech_service_incomes"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    income = models.DecimalField(_("技术服务等收入（元）"), **MONEY)
    surplus = models.DecimalField(_("收入结余（元）"), **MONEY)
    paid_to_teachers = models.DecimalField(_("用于教师劳动报酬（元）"), **MONEY)

    class Meta:
        verbose_name = _("技术服务收入")
        verbose_name_plural = _("技术服务收入")
        ordering = ["-year", "school"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="tech_service_income_unique")]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.surplus is not None and self.income is not None and self.surplus > self.income:
            raise ValidationError({"surplus": _("结余不能多于收入。")})
        if (
            self.paid_to_teachers is not None
            and self.surplus is not None
            and self.paid_to_teachers > self.surplus
        ):
            raise ValidationError({"paid_to_teachers": _("用于教师报酬的金额不能多于结余。")})
