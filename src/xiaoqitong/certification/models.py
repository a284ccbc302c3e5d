"""产教融合型企业 certification (POLICY.md R1, T12, T2; 四（九）（十一）; annex tasks 8-10, led by 市发改委).

An enterprise applies (``Application``) at the municipal or provincial level with its claims against the
criteria (``Criterion``: data that 市发改委 edits; each criterion's figure is computed from platform records
where the platform has them) and its documents (``Document``). 市发改委 accepts it for review, asks other
departments for opinions (``Opinion``: 市教育局 and 市人社局 by default), and certifies, returns or rejects
it. A certification (``Certification``) holds the title: one annual review (``Review``) a year, the
third of each cycle a renewal that awards the next plaque (``Plaque``, 授牌, three years each:
“一年一考核，三年一授牌”).
A review missed by its deadline expires the title; a failed one revokes it. Incentives granted to
an enterprise are kept in a ledger (``Incentive``: 金融, 财政, 土地, 信用, 税费).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel
from xiaoqitong.orgs.models import Department, Enterprise

from .choices import (
    HELD,
    ApplicationStatus,
    CertificationStatus,
    DocumentKind,
    IncentiveKind,
    Level,
    Measure,
    OpinionStance,
    ReviewKind,
    ReviewStatus,
)

USER = settings.AUTH_USER_MODEL
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _url(obj) -> str:
    return reverse(f"certification:{obj._meta.model_name}_detail", kwargs={"pk": obj.pk})


class Setup(BaseModel):
    """How the city runs certification (one row): the department that leads it (市发改委, annex tasks 8-10),
    the departments asked for opinions by default (市教育局, 市人社局), and the working periods. Made on first
    use from the departments' names; the lead department's officers and platform administrators edit it."""

    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("牵头部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion_departments = models.ManyToManyField(
        Department, verbose_name=_("默认征求意见部门"), blank=True, related_name="+"
    )
    opinion_days = models.PositiveSmallIntegerField(
        _("出具意见期限（天）"), default=15, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    review_open_days = models.PositiveSmallIntegerField(
        _("考核提前开放（天）"),
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text=_("考核截止日期前多少天开放报送"),
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("默认整改期限（天）"), default=90, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("认定工作设置")
        verbose_name_plural = _("认定工作设置")

    def __str__(self) -> str:
        return str(_("认定工作设置"))

    def get_absolute_url(self) -> str:
        return reverse("certification:setup")


class Criterion(BaseModel):
    """One item of the checklist that applications and annual reviews are held against (annex task 9:
    遴选条件和考核办法, set by 市发改委). ``measure`` says where its figure comes from; the thresholds are per
    level (empty: the item is shown and claimed but sets no minimum at that level). A ``required`` item that
    is not met blocks certification and a passed review; ``needs_document`` makes a document necessary to
    submit."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("条件"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    measure = models.CharField(_("数据来源"), max_length=30, choices=Measure.choices)
    min_municipal = models.DecimalField(
        _("市级门槛"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    min_provincial = models.DecimalField(
        _("省级门槛"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    required = models.BooleanField(_("必备条件"), default=True, help_text=_("不满足则不能认定、考核不合格"))
    needs_document = models.BooleanField(_("须附证明材料"), default=False)
    source = models.CharField(_("依据"), max_length=200)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("认定条件")
        verbose_name_plural = _("认定条件")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _url(self)

    def threshold(self, level: str) -> Decimal | None:
        return self.min_provincial if level == Level.PROVINCIAL else self.min_municipal


class Application(BaseModel):
    """An enterprise's application for the title at one level, with its claims, documents and the
    departments' opinions. The checklist computed when it was submitted is kept (``checklist``) beside the
    one computed now, so reviewers see what the enterprise was measured against."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="certification_applications",
    )
    level = models.CharField(_("申报级别"), max_length=20, choices=Level.choices, default=Level.MUNICIPAL)
    year = models.PositiveSmallIntegerField(_("申报年度"), validators=YEAR)
    statement = models.TextField(_("申报说明"), help_text=_("企业参与职业教育人才培养的情况"))
    contact_person = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    opinions_due = models.DateField(_("征求意见截止日期"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("审核意见"), blank=True)
    # {criterion code: {"value": "12", "threshold": "10", "met": true}} as computed on submission.
    checklist = models.JSONField(_("提交时的条件核验"), default=dict, blank=True, editable=False)
    reminders = models.JSONField(_("已发提醒"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("认定申请")
        verbose_name_plural = _("认定申请")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year} {self.get_level_display()}产教融合型企业申请"

    def get_absolute_url(self) -> str:
        return _url(self)


class Claim(BaseModel):
    """What the enterprise declares for one criterion in an application or a review (a figure and a note)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="claims",
    )
    review = models.ForeignKey(
        "Review",
        verbose_name=_("考核"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="claims",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("条件"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(
        _("申报值"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("申报值")
        verbose_name_plural = _("申报值")
        ordering = ["criterion__sort_order", "criterion__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"],
                condition=models.Q(application__isnull=False),
                name="claim_application_unique",
            ),
            models.UniqueConstraint(
                fields=["review", "criterion"],
                condition=models.Q(review__isnull=False),
                name="claim_review_unique",
            ),
            models.CheckConstraint(
                name="claim_one_parent",
                condition=models.Q(application__isnull=False, review__isnull=True)
                | models.Q(application__isnull=True, review__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}：{self.value if self.value is not None else '—'}"


class Document(BaseModel):
    """A document that proves a claim, uploaded for an application or a review (PDF, Office, images;
    checked like every upload of the platform). Read by the enterprise and the reviewing departments only."""

    kind = models.CharField(_("类别"), max_length=20, choices=DocumentKind.choices)
    application = models.ForeignKey(
        Application,
        verbose_name=_("申请"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    review = models.ForeignKey(
        "Review",
        verbose_name=_("考核"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("证明条件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="certification/%Y/%m/")
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["criterion__sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                name="document_one_parent",
                condition=models.Q(application__isnull=False, review__isnull=True)
                | models.Q(application__isnull=True, review__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return (self.application or self.review).get_absolute_url()


class Opinion(BaseModel):
    """A department's opinion on an application, asked by 市发改委 when it accepts the application; the
    application is not decided while one is pending."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="opinions"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    stance = models.CharField(_("意见"), max_length=20, choices=OpinionStance.choices, blank=True)
    text = models.TextField(_("意见内容"), blank=True)
    given_by = models.ForeignKey(
        USER, verbose_name=_("出具人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(_("出具时间"), null=True, blank=True)
    reminders = models.JSONField(_("已发提醒"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("部门意见")
        verbose_name_plural = _("部门意见")
        ordering = ["application", "department__sort_order", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "department"], name="opinion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department}：{self.get_stance_display() or _('待出具')}"

    def get_absolute_url(self) -> str:
        return self.application.get_absolute_url()

    @property
    def pending(self) -> bool:
        return not self.stance


class Certification(BaseModel):
    """The title held by an enterprise at one level, from the application that earned it. ``valid_until``
    is the end of the current plaque's three years; reviews fall due on each anniversary."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    number = models.CharField(_("认定编号"), max_length=40, unique=True)
    application = models.OneToOneField(
        Application,
        verbose_name=_("认定申请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification",
    )
    certified_on = models.DateField(_("认定日期"))
    valid_until = models.DateField(_("有效期至"))
    document_ref = models.CharField(_("认定文号"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CertificationStatus.choices,
        default=CertificationStatus.ACTIVE,
        db_index=True,
    )
    ended_on = models.DateField(_("失效或撤销日期"), null=True, blank=True)
    status_note = models.TextField(_("状态说明"), blank=True)

    class Meta:
        verbose_name = _("产教融合型企业")
        verbose_name_plural = _("产教融合型企业")
        ordering = ["-certified_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(status__in=sorted(HELD)),
                name="certification_one_held_per_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.get_level_display()}产教融合型企业）"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if self.certified_on and self.valid_until and self.valid_until <= self.certified_on:
            raise ValidationError({"valid_until": _("有效期须晚于认定日期。")})

    @property
    def held(self) -> bool:
        return self.status in HELD


class Plaque(BaseModel):
    """One 授牌: the plaque of a three-year cycle, awarded on certification and on each passed renewal."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("认定"), on_delete=models.CASCADE, related_name="plaques"
    )
    cycle = models.PositiveSmallIntegerField(_("周期"), validators=[MinValueValidator(1)])
    number = models.CharField(_("牌匾编号"), max_length=40, unique=True)
    awarded_on = models.DateField(_("授牌日期"))
    valid_from = models.DateField(_("起始日期"))
    valid_until = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = _("授牌")
        verbose_name_plural = _("授牌")
        ordering = ["certification", "cycle"]
        constraints = [models.UniqueConstraint(fields=["certification", "cycle"], name="plaque_cycle_unique")]

    def __str__(self) -> str:
        return f"{self.number}（{self.valid_from:%Y-%m-%d} 至 {self.valid_until:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return self.certification.get_absolute_url()


class Review(BaseModel):
    """One annual review of a certification (一年一考核), due on the anniversary of certification; the
    review that ends a three-year cycle is a renewal, whose pass awards the next plaque. The enterprise
    reports (claims, documents, a self-assessment); 市发改委 decides: passed, rectification by a deadline (the
    enterprise reports again), or failed (the title is revoked). A report missed by its deadline expires the
    title."""

    certification = models.ForeignKey(
        Certification, verbose_name=_("认定"), on_delete=models.CASCADE, related_name="reviews"
    )
    sequence = models.PositiveSmallIntegerField(_("第几次考核"), validators=[MinValueValidator(1)])
    kind = models.CharField(
        _("考核类型"), max_length=20, choices=ReviewKind.choices, default=ReviewKind.ANNUAL
    )
    year = models.PositiveSmallIntegerField(_("考核年度"), validators=YEAR)
    due_date = models.DateField(_("报送截止日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, db_index=True
    )
    self_report = models.TextField(_("年度自评报告"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectification_deadline = models.DateField(_("整改截止日期"), null=True, blank=True)
    rectification_items = models.TextField(_("整改要求"), blank=True)
    decided_at = models.DateTimeField(_("考核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("考核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(_("考核意见"), blank=True)
    checklist = models.JSONField(_("报送时的条件核验"), default=dict, blank=True, editable=False)
    reminders = models.JSONField(_("已发提醒"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-due_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "sequence"], name="review_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.certification.enterprise.name} {self.year} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return _url(self)

    @property
    def deadline(self):
        """The date the enterprise must report by: the due date, or the rectification deadline."""
        if self.status == ReviewStatus.RECTIFICATION and self.rectification_deadline:
            return self.rectification_deadline
        return self.due_date


class Incentive(BaseModel):
    """One incentive granted to an enterprise in a year (金融, 财政, 土地, 信用, 税费), by the department
    that granted it, with its amount where it has one (a loan, a subsidy, a deduction) and its document."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="incentives"
    )
    certification = models.ForeignKey(
        Certification,
        verbose_name=_("依据的认定"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incentives",
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    kind = models.CharField(_("激励类型"), max_length=20, choices=IncentiveKind.choices)
    title = models.CharField(_("激励措施"), max_length=100)
    amount = models.DecimalField(
        _("金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    department = models.ForeignKey(
        Department, verbose_name=_("落实部门"), on_delete=models.PROTECT, related_name="+"
    )
    granted_on = models.DateField(_("落实日期"))
    document_ref = models.CharField(_("文号或凭证"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("激励台账")
        verbose_name_plural = _("激励台账")
        ordering = ["-year", "-granted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "kind", "title"], name="incentive_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.year} {self.get_kind_display()}：{self.title}"

    def get_absolute_url(self) -> str:
        return _url(self)

    def clean(self) -> None:
        if (
            self.certification_id
            and self.enterprise_id
            and self.certification.enterprise_id != self.enterprise_id
        ):
            raise ValidationError({"certification": _("所选认定不属于该企业。")})
        if self.granted_on and self.year and self.granted_on.year != self.year:
            raise ValidationError({"granted_on": _("落实日期须在所填年度内。")})
