"""Events (POLICY.md T7-T9, 三（四）): 产教对话 (校长进园区、厂长进学校), 供需见面会 and promotions to Greater
Bay Area enterprises, and any other type an administrator adds.

An event is organized by a government department; enterprises register booths with the positions they bring
(the organizer approves or declines each), schools register delegations with the majors they present, and
students register themselves. Booths offer 1:1 time slots that a school delegation or a student books,
never two on one slot. Every registration has a check-in code (shown as a QR code) that the organizer scans
on site. Intentions signed at the event become applications (a student and a position) or agreement drafts
(a school major and an enterprise); participants answer a survey afterwards; a dialogue keeps minutes and
commitments with an owner and a due date, followed up until done. Each year's count of each type is held
against the rule its type names (``EventType.rule_key``; the numbers live in ``cooperation.models.Rule``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.cooperation.choices import AgreementKind, RuleKey
from xiaoqitong.cooperation.models import Agreement
from xiaoqitong.core.models import BaseModel
from xiaoqitong.enterprises.models import Application, Position
from xiaoqitong.orgs.models import Department, Enterprise, School
from xiaoqitong.schools.models import SchoolMajor, Student

from .choices import (
    CommitmentStatus,
    EventStatus,
    IntentionKind,
    IntentionStatus,
    ParticipantKind,
    RegistrationStatus,
)

USER = settings.AUTH_USER_MODEL
STARS = [MinValueValidator(1), MaxValueValidator(5)]


def _url(obj) -> str:
    return reverse(f"events:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})


class EventType(BaseModel):
    """A kind of event. The three the policy names are seeded (产教对话, 供需见面会, 大湾区推介会) with
    the rule that sets how many a year the city holds; administrators add others (without a rule:
    counted, not held against a target)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    rule_key = models.CharField(
        _("对应指标"),
        max_length=40,
        choices=RuleKey.choices,
        blank=True,
        help_text=_("每年须举办场次的政策规则；留空则只统计、不考核"),
    )
    has_minutes = models.BooleanField(
        _("记录纪要与承诺事项"), default=False, help_text=_("产教对话类活动记录会议纪要和承诺事项并跟踪办结")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _url(self)


class Event(BaseModel):
    """One event: its type, organizer, venue, times, capacity and registration window."""

    type = models.ForeignKey(
        EventType, verbose_name=_("活动类型"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("活动名称"), max_length=120)
    organizer = models.ForeignKey(
        Department, verbose_name=_("主办部门"), on_delete=models.PROTECT, related_name="events"
    )
    venue = models.CharField(_("地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    registration_opens_at = models.DateTimeField(_("报名开始"))
    registration_closes_at = models.DateTimeField(_("报名截止"))
    capacity = models.PositiveIntegerField(
        _("学生报名名额"), null=True, blank=True, help_text=_("学生报名人数上限；留空不限")
    )
    booths = models.PositiveIntegerField(_("企业展位数"), null=True, blank=True, help_text=_("留空不限"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("洽谈时段（分钟）"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("展位一对一洽谈每个时段的长度"),
    )
    description = models.TextField(_("活动说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("产教活动")
        verbose_name_plural = _("产教活动")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
        if self.registration_opens_at and self.registration_closes_at:
            if self.registration_closes_at <= self.registration_opens_at:
                raise ValidationError({"registration_closes_at": _("报名截止须晚于报名开始。")})
            if self.ends_at and self.registration_closes_at > self.ends_at:
                raise ValidationError({"registration_closes_at": _("报名截止不能晚于活动结束。")})


class Registration(BaseModel):
    """One participant of an event: an enterprise's booth (with the positions it brings), a school's
    delegation (with the majors it presents) or a student. ``checkin_code`` is what the QR code carries."""

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    kind = models.CharField(_("参与方"), max_length=20, choices=ParticipantKind.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    positions = models.ManyToManyField(Position, verbose_name=_("携带岗位"), blank=True, related_name="+")
    majors = models.ManyToManyField(SchoolMajor, verbose_name=_("推介专业"), blank=True, related_name="+")
    delegation_size = models.PositiveSmallIntegerField(
        _("参会人数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    booth_no = models.CharField(_("展位号"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        db_index=True,
    )
    note = models.TextField(_("备注"), blank=True)
    registered_by = models.ForeignKey(
        USER, verbose_name=_("报名人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decline_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    checkin_code = models.CharField(_("签到码"), max_length=32, unique=True, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        USER, verbose_name=_("签到确认人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["event", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "enterprise"],
                condition=models.Q(kind="enterprise"),
                name="registration_enterprise_unique",
                violation_error_message=_("该企业已报名本活动。"),
            ),
            models.UniqueConstraint(
                fields=["event", "school"],
                condition=models.Q(kind="school"),
                name="registration_school_unique",
                violation_error_message=_("该校已报名本活动。"),
            ),
            models.UniqueConstraint(
                fields=["event", "student"],
                condition=models.Q(kind="student"),
                name="registration_student_unique",
                violation_error_message=_("该学生已报名本活动。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.participant_name}"

    def get_absolute_url(self) -> str:
        return _url(self)

    @property
    def participant_name(self) -> str:
        party = {
            ParticipantKind.ENTERPRISE: self.enterprise,
            ParticipantKind.SCHOOL: self.school,
            ParticipantKind.STUDENT: self.student,
        }.get(self.kind)
        return getattr(party, "name", "") or ""

    def clean(self) -> None:
        needed = {
            ParticipantKind.ENTERPRISE: ("enterprise", self.enterprise_id),
            ParticipantKind.SCHOOL: ("school", self.school_id),
            ParticipantKind.STUDENT: ("student", self.student_id),
        }
        if self.kind in needed:
            field, value = needed[self.kind]
            if not value:
                raise ValidationError(
                    {field: _("请填写报名的%(what)s。") % {"what": self.get_kind_display()}}
                )
            others = [f for f, _v in needed.values() if f != field and getattr(self, f"{f}_id")]
            if others:
                raise ValidationError(_("一条报名只能对应一个参与方。"))


class Slot(BaseModel):
    """A 1:1 time slot at a booth, booked by a school delegation or a student of the same event; one booking
    a slot (the service books with a conditional update, so two concurrent bookings cannot both win)."""

    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="slots")
    booth = models.ForeignKey(
        Registration, verbose_name=_("展位"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    booked_by = models.ForeignKey(
        Registration,
        verbose_name=_("预约方"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    booked_at = models.DateTimeField(_("预约时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("洽谈时段")
        verbose_name_plural = _("洽谈时段")
        ordering = ["booth", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booth", "starts_at"],
                name="slot_booth_start_unique",
                violation_error_message=_("该展位在这一时间已有时段。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.booth.participant_name} {self.starts_at:%H:%M}"

    def get_absolute_url(self) -> str:
        return _url(self)


class Intention(BaseModel):
    """An intention signed at an event. A job intention (a student and a position of the enterprise) becomes
    an application once both have signed; a cooperation intention (a school major and an enterprise, with an
    agreement kind) becomes an agreement draft."""

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="intentions"
    )
    kind = models.CharField(_("意向类型"), max_length=20, choices=IntentionKind.choices)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("学生"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school_major = models.ForeignKey(
        SchoolMajor,
        verbose_name=_("开设专业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreement_kind = models.CharField(_("合作形式"), max_length=30, choices=AgreementKind.choices, blank=True)
    planned_students = models.PositiveSmallIntegerField(_("计划人数"), null=True, blank=True)
    note = models.TextField(_("意向内容"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=IntentionStatus.choices,
        default=IntentionStatus.PROPOSED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        USER, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by = models.ForeignKey(
        USER, verbose_name=_("签署人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    application = models.ForeignKey(
        Application,
        verbose_name=_("求职申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("合作协议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("签约意向")
        verbose_name_plural = _("签约意向")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        other = self.student or self.school_major
        return f"{self.enterprise} ↔ {other}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.kind == IntentionKind.JOB:
            if not self.student_id:
                raise ValidationError({"student": _("求职意向须填写学生。")})
            if not self.position_id:
                raise ValidationError({"position": _("求职意向须填写岗位。")})
            if self.enterprise_id and self.position.enterprise_id != self.enterprise_id:
                raise ValidationError({"position": _("岗位须为该企业的岗位。")})
        elif self.kind == IntentionKind.COOPERATION:
            if not self.school_major_id:
                raise ValidationError({"school_major": _("合作意向须填写开设专业。")})
            if not self.agreement_kind:
                raise ValidationError({"agreement_kind": _("合作意向须填写合作形式。")})


class SurveyResponse(BaseModel):
    """A participant's answer to the survey after an event; one per registration."""

    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="survey")
    registration = models.OneToOneField(
        Registration, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="survey_response"
    )
    satisfaction = models.PositiveSmallIntegerField(_("总体满意度"), validators=STARS)
    usefulness = models.PositiveSmallIntegerField(_("对接成效"), validators=STARS)
    would_return = models.BooleanField(_("愿意再次参加"), default=True)
    comment = models.TextField(_("意见建议"), blank=True)

    class Meta:
        verbose_name = _("活动问卷")
        verbose_name_plural = _("活动问卷")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.registration} {self.satisfaction}★"


class Commitment(BaseModel):
    """A commitment made at a 产教对话: what, which organization owns it (and the person), by when; its status
    is followed up (``CommitmentUpdate``) until done or dropped."""

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="commitments"
    )
    content = models.TextField(_("承诺事项"))
    owner_school = models.ForeignKey(
        School, verbose_name=_("责任学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("责任企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_person = models.CharField(_("责任人"), max_length=50, blank=True)
    due_date = models.DateField(_("完成时限"), db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
        db_index=True,
    )
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.content[:40]

    def get_absolute_url(self) -> str:
        return _url(self)

    @property
    def owner(self):
        return self.owner_school or self.owner_enterprise or self.owner_department

    def clean(self) -> None:
        owners = [self.owner_school_id, self.owner_enterprise_id, self.owner_department_id]
        if sum(1 for o in owners if o) != 1:
            raise ValidationError(_("承诺事项须有且只有一个责任单位（学校、企业或政府部门）。"))


class CommitmentUpdate(models.Model):
    """One follow-up of a commitment: the status it moved to and what was done."""

    commitment = models.ForeignKey(
        Commitment, verbose_name=_("承诺事项"), on_delete=models.CASCADE, related_name="updates"
    )
    status = models.CharField(_("状态"), max_length=20, choices=CommitmentStatus.choices)
    note = models.TextField(_("进展说明"))
    by = models.ForeignKey(
        USER, verbose_name=_("填报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺事项进展")
        verbose_name_plural = _("承诺事项进展")
        ordering = ["commitment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.commitment} {self.get_status_display()}"
