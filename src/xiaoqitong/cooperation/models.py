"""School-enterprise cooperation (POLICY.md T13-T17, 四（九）-（十一）): agreements (订单班, 现代学徒制,
企业新型学徒制, 预备员工制) with their students and change requests; apprenticeship subsidy rates and
claims; practice bases and their bookings; internship plans, placements, weekly logs, check-ins, leave,
subsidies and closing evaluations; and the policy's numbers that these rules use, held as data (``Rule``).

The sections below are owned by one area each (agreements, subsidies, bases, internships); their services,
pages and API live in the modules of the same name under ``services/``, ``views/`` and ``api/``."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.enterprises.models import Position
from xiaoqitong.orgs.models import Department, Enterprise, School
from xiaoqitong.reference.models import Major, Region
from xiaoqitong.schools.models import SchoolMajor, Student

from .choices import (
    AgreementKind,
    AgreementStatus,
    BaseKind,
    BookingStatus,
    ChangeStatus,
    ClaimStatus,
    LeaveStatus,
    LogStatus,
    MemberStatus,
    MentorSide,
    PlacementStatus,
    RuleKey,
)

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
USER = settings.AUTH_USER_MODEL


def _url(obj) -> str:
    return reverse(f"cooperation:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})


def _check_period(start, end, start_field: str = "start_date", end_field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({end_field: _("结束日期不能早于开始日期。")})


# --- the policy's numbers ---------------------------------------------------------------------------------
class Rule(BaseModel):
    """One number of the policy that cooperation (T13-T17) or quality (T3, T4, T6, T18-T23) enforces or
    reports, with its source. Officers may change a value when the city's rules change; the seeded values
    and sources come from POLICY.md."""

    key = models.CharField(_("规则"), max_length=40, choices=RuleKey.choices, unique=True)
    value = models.DecimalField(_("取值"), max_digits=12, decimal_places=4, validators=MONEY["validators"])
    target = models.CharField(_("指标编号"), max_length=10, help_text=_("POLICY.md 中的编号，如 T16"))
    source = models.CharField(
        _("政策依据"), max_length=200, help_text=_("文件与条款，如“郴政发〔2021〕…四（十一）”")
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("政策规则")
        verbose_name_plural = _("政策规则")
        ordering = ["target", "key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}：{self.value.normalize():f}（{self.target}）"

    def get_absolute_url(self) -> str:
        return _url(self)


# --- agreements -------------------------------------------------------------------------------------------
class Agreement(BaseModel):
    """A school-enterprise training agreement for one school major and cohort: an order class, a modern or an
    enterprise apprenticeship, or a preparatory-employee scheme. Both sides approve it before it runs; its
    students then confirm their places by a deadline."""

    kind = models.CharField(_("合作形式"), max_length=30, choices=AgreementKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="agreements"
    )
    school_major = models.ForeignKey(
        SchoolMajor, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="agreements"
    )
    cohort = models.PositiveSmallIntegerField(_("年级"), validators=YEAR, help_text=_("学生入学年份"))
    planned_headcount = models.PositiveIntegerField(_("计划人数"), validators=[MinValueValidator(1)])
    positions = models.ManyToManyField(
        Position, verbose_name=_("对应岗位"), blank=True, related_name="agreements"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    training_plan = models.TextField(_("培养方案"), blank=True)
    cost_sharing = models.TextField(_("成本分担"), blank=True, help_text=_("校企双方如何分担培养成本"))
    confirm_deadline = models.DateField(_("学生确认截止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.DRAFT,
        db_index=True,
    )
    school_approved_by = models.ForeignKey(
        USER, verbose_name=_("学校确认人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_approved_at = models.DateTimeField(_("学校确认时间"), null=True, blank=True)
    enterprise_approved_by = models.ForeignKey(
        USER, verbose_name=_("企业确认人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise_approved_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("校企合作协议")
        verbose_name_plural = _("校企合作协议")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()}）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        _check_period(self.start_date, self.end_date)
        if self.school_major_id and self.school_id and self.school_major.school_id != self.school_id:
            raise ValidationError({"school_major": _("所选专业不属于该学校。")})
        if self.confirm_deadline and self.end_date and self.confirm_deadline > self.end_date:
            raise ValidationError({"confirm_deadline": _("学生确认截止日期不能晚于协议结束日期。")})


class AgreementMember(BaseModel):
    """A student's place in an agreement: offered by the school, confirmed or declined by the student by the
    agreement's deadline; moved to another agreement only through an approved ``AgreementChange``."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="members"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="agreement_places"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.INVITED, db_index=True
    )
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("协议学生")
        verbose_name_plural = _("协议学生")
        ordering = ["agreement", "student"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "student"], name="agreement_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student.name} · {self.agreement.title}"

    def get_absolute_url(self) -> str:
        return _url(self)


class AgreementChange(BaseModel):
    """A request to move a student from one agreement to another (another enterprise or another school).
    Every organization on either side approves; on the last approval the student moves."""

    member = models.ForeignKey(
        AgreementMember, verbose_name=_("学生名额"), on_delete=models.CASCADE, related_name="changes"
    )
    to_agreement = models.ForeignKey(
        Agreement, verbose_name=_("转入协议"), on_delete=models.PROTECT, related_name="incoming_changes"
    )
    reason = models.TextField(_("变更理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("申请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"school:3": {"by": user id, "name": "…", "at": iso time, "approve": true, "note": "…"}, …}
    decisions = models.JSONField(_("各方意见"), default=dict, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协议变更申请")
        verbose_name_plural = _("协议变更申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member.student.name}：{self.member.agreement.title} → {self.to_agreement.title}"

    def get_absolute_url(self) -> str:
        return _url(self)


# --- apprenticeship subsidies (T17) -----------------------------------------------------------------------
class SubsidyRate(BaseModel):
    """The apprenticeship training subsidy per apprentice per year for one kind and year (T17: at least the
    ``apprentice_subsidy_min`` rule), and the department whose officers review the claims."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    kind = models.CharField(_("合作形式"), max_length=30, choices=AgreementKind.choices)
    amount = models.DecimalField(_("补贴标准（元/人·年）"), **MONEY)
    reviewing_department = models.ForeignKey(
        Department, verbose_name=_("审核部门"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("依据"), max_length=200)

    class Meta:
        verbose_name = _("学徒补贴标准")
        verbose_name_plural = _("学徒补贴标准")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="subsidy_rate_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.amount} 元/人·年"

    def get_absolute_url(self) -> str:
        return _url(self)


class SubsidyClaim(BaseModel):
    """An enterprise's claim of the apprenticeship subsidy for one agreement and year. The amount is computed
    from the rate and the months each confirmed apprentice spent in the agreement that year (lines)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("协议"), on_delete=models.PROTECT, related_name="subsidy_claims"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    rate = models.ForeignKey(
        SubsidyRate, verbose_name=_("补贴标准"), on_delete=models.PROTECT, related_name="claims"
    )
    apprentices = models.PositiveIntegerField(_("学徒人数"), default=0)
    amount = models.DecimalField(_("申请金额（元）"), default=Decimal("0"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    approved_amount = models.DecimalField(_("核定金额（元）"), null=True, blank=True, **MONEY)
    paid_at = models.DateField(_("拨付日期"), null=True, blank=True)
    payment_ref = models.CharField(_("拨付凭证号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("学徒补贴申请")
        verbose_name_plural = _("学徒补贴申请")
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="subsidy_claim_unique")]

    def __str__(self) -> str:
        return f"{self.agreement.title} {self.year} 学徒补贴"

    def get_absolute_url(self) -> str:
        return _url(self)


class SubsidyClaimLine(models.Model):
    """One apprentice of a claim: the months counted in the year and the amount (rate x months / 12)."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="lines")
    student = models.ForeignKey(Student, verbose_name=_("学徒"), on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(_("月数"), validators=[MaxValueValidator(12)])
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("补贴明细")
        verbose_name_plural = _("补贴明细")
        ordering = ["claim", "student"]
        constraints = [models.UniqueConstraint(fields=["claim", "student"], name="subsidy_line_unique")]

    def __str__(self) -> str:
        return f"{self.student.name} {self.months} 个月 {self.amount} 元"


# --- practice bases (T13, T14) ----------------------------------------------------------------------------
class PracticeBase(BaseModel):
    """A practice or training base owned by a school, an enterprise or both. Shared bases take bookings from
    other schools and enterprises up to their capacity."""

    code = models.CharField(_("基地编号"), max_length=30, unique=True)
    name = models.CharField(_("基地名称"), max_length=100)
    kind = models.CharField(_("基地类型"), max_length=20, choices=BaseKind.choices)
    owner_school = models.ForeignKey(
        School, verbose_name=_("所属学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("共建企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practice_bases",
    )
    county = models.ForeignKey(
        Region, verbose_name=_("所在县市区"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), validators=[MinValueValidator(1)])
    majors = models.ManyToManyField(Major, verbose_name=_("服务专业"), blank=True, related_name="+")
    shared = models.BooleanField(_("对外共享"), default=False, help_text=_("共享基地接受其他学校和企业预约"))
    established = models.DateField(_("建成日期"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("实习实训基地")
        verbose_name_plural = _("实习实训基地")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if not self.owner_school_id and not self.owner_enterprise_id:
            raise ValidationError({"owner_school": _("请至少填写所属学校或共建企业之一。")})


class BaseBooking(BaseModel):
    """A booking of a shared base for a time span by a school or an enterprise; the headcount of overlapping
    bookings never exceeds the base's capacity."""

    base = models.ForeignKey(
        PracticeBase, verbose_name=_("基地"), on_delete=models.CASCADE, related_name="bookings"
    )
    school = models.ForeignKey(
        School, verbose_name=_("预约学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("预约企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        USER, verbose_name=_("预约人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    headcount = models.PositiveIntegerField(_("人数"), validators=[MinValueValidator(1)])
    purpose = models.CharField(_("用途"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.CONFIRMED,
        db_index=True,
    )

    class Meta:
        verbose_name = _("基地预约")
        verbose_name_plural = _("基地预约")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["base", "start"])]

    def __str__(self) -> str:
        return f"{self.base} {self.start:%Y-%m-%d %H:%M}（{self.headcount} 人）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("结束时间应晚于开始时间。")})
        if bool(self.school_id) == bool(self.enterprise_id):
            raise ValidationError(_("预约方应为一所学校或一家企业。"))


# --- internships (T15, T16) -------------------------------------------------------------------------------
class InternshipPlan(BaseModel):
    """A school's internship plan for one major and cohort in one period, with how many interns it plans to
    place in enterprises in the city (checked against T16 when planned)."""

    school = models.ForeignKey(School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    school_major = models.ForeignKey(
        SchoolMajor, verbose_name=_("专业"), on_delete=models.PROTECT, related_name="internship_plans"
    )
    cohort = models.PositiveSmallIntegerField(_("年级"), validators=YEAR, help_text=_("学生入学年份"))
    title = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("实习开始日期"))
    period_end = models.DateField(_("实习结束日期"))
    planned_interns = models.PositiveIntegerField(_("计划实习人数"), validators=[MinValueValidator(1)])
    planned_local = models.PositiveIntegerField(_("其中市域内企业人数"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("实习计划")
        verbose_name_plural = _("实习计划")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        _check_period(self.period_start, self.period_end, "period_start", "period_end")
        if self.school_major_id and self.school_id and self.school_major.school_id != self.school_id:
            raise ValidationError({"school_major": _("所选专业不属于该学校。")})
        if (
            self.planned_local is not None
            and self.planned_interns
            and self.planned_local > self.planned_interns
        ):
            raise ValidationError({"planned_local": _("市域内企业人数不能多于计划实习人数。")})


class Placement(BaseModel):
    """One student's internship in an enterprise (and base) with a school mentor and an enterprise mentor.
    ``in_city`` is derived from the enterprise's county when saved (T16)."""

    plan = models.ForeignKey(
        InternshipPlan, verbose_name=_("实习计划"), on_delete=models.PROTECT, related_name="placements"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="placements"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("实习单位"), on_delete=models.PROTECT, related_name="placements"
    )
    base = models.ForeignKey(
        PracticeBase,
        verbose_name=_("实习基地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_mentor = models.ForeignKey(
        USER, verbose_name=_("学校导师"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise_mentor = models.ForeignKey(
        USER, verbose_name=_("企业导师"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    in_city = models.BooleanField(_("市域内企业"), default=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=PlacementStatus.choices,
        default=PlacementStatus.PLANNED,
        db_index=True,
    )
    flags = models.JSONField(_("规则提示"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("实习安排")
        verbose_name_plural = _("实习安排")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.student.name} @ {self.enterprise.name}（{self.start_date:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        _check_period(self.start_date, self.end_date)


class InternshipLog(BaseModel):
    """A student's weekly internship log, countersigned (or returned) by the enterprise mentor."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("实习"), on_delete=models.CASCADE, related_name="logs"
    )
    week_start = models.DateField(_("周次（周一）"))
    content = models.TextField(_("本周工作与收获"))
    hours = models.PositiveSmallIntegerField(
        _("实习时长（小时）"), default=0, validators=[MaxValueValidator(84)]
    )
    status = models.CharField(_("状态"), max_length=20, choices=LogStatus.choices, default=LogStatus.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        USER, verbose_name=_("会签人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    countersigned_at = models.DateTimeField(_("会签时间"), null=True, blank=True)
    mentor_comment = models.TextField(_("导师意见"), blank=True)

    class Meta:
        verbose_name = _("实习周志")
        verbose_name_plural = _("实习周志")
        ordering = ["placement", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "week_start"], name="internship_log_week")
        ]

    def __str__(self) -> str:
        return f"{self.placement.student.name} {self.week_start:%Y-%m-%d} 周志"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.week_start and self.week_start.weekday() != 0:
            self.week_start = self.week_start - dt.timedelta(days=self.week_start.weekday())


class CheckIn(BaseModel):
    """A student's attendance check-in on one day of a placement."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("实习"), on_delete=models.CASCADE, related_name="check_ins"
    )
    date = models.DateField(_("日期"))
    time = models.DateTimeField(_("签到时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("实习签到")
        verbose_name_plural = _("实习签到")
        ordering = ["placement", "-date"]
        constraints = [models.UniqueConstraint(fields=["placement", "date"], name="check_in_day")]

    def __str__(self) -> str:
        return f"{self.placement.student.name} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return _url(self)


class LeaveRequest(BaseModel):
    """A student's leave during a placement; approved only when both mentors approve."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("实习"), on_delete=models.CASCADE, related_name="leave_requests"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    reason = models.TextField(_("事由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=LeaveStatus.choices, default=LeaveStatus.PENDING, db_index=True
    )
    school_decision = models.BooleanField(_("学校导师意见"), null=True, blank=True)
    school_decided_by = models.ForeignKey(
        USER, verbose_name=_("学校导师"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_decided_at = models.DateTimeField(_("学校导师审批时间"), null=True, blank=True)
    enterprise_decision = models.BooleanField(_("企业导师意见"), null=True, blank=True)
    enterprise_decided_by = models.ForeignKey(
        USER, verbose_name=_("企业导师"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise_decided_at = models.DateTimeField(_("企业导师审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("实习请假")
        verbose_name_plural = _("实习请假")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.placement.student.name} {self.start_date:%m-%d}至{self.end_date:%m-%d} 请假"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        _check_period(self.start_date, self.end_date)


class InternshipSubsidy(BaseModel):
    """An internship pay or subsidy paid to a student for one month (实习报酬/补贴), usually imported."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("实习"), on_delete=models.CASCADE, related_name="subsidies"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("实习补贴")
        verbose_name_plural = _("实习补贴")
        ordering = ["placement", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "month"], name="internship_subsidy_month")
        ]

    def __str__(self) -> str:
        return f"{self.placement.student.name} {self.month:%Y-%m} {self.amount} 元"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.month:
            self.month = self.month.replace(day=1)


class Evaluation(BaseModel):
    """The closing evaluation of a placement by one of its two mentors (one row per side)."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("实习"), on_delete=models.CASCADE, related_name="evaluations"
    )
    side = models.CharField(_("评价方"), max_length=20, choices=MentorSide.choices)
    evaluator = models.ForeignKey(
        USER, verbose_name=_("评价人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("成绩"), validators=[MaxValueValidator(100)])
    comment = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("实习鉴定")
        verbose_name_plural = _("实习鉴定")
        ordering = ["placement", "side"]
        constraints = [models.UniqueConstraint(fields=["placement", "side"], name="evaluation_side")]

    def __str__(self) -> str:
        return f"{self.placement.student.name} {self.get_side_display()} {self.score} 分"

    def get_absolute_url(self) -> str:
        return _url(self)
