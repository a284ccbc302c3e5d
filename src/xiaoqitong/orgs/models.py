"""Organizations (schools, enterprises, research institutions, government departments) and users.

A user belongs to at most one organization and has exactly one role; the role decides which
organization field must be set (``choices.ROLE_ORGANIZATION``)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel, URLField
from xiaoqitong.core.policy import RestrictedQuerySet
from xiaoqitong.reference.choices import IndustryLevel, RegionLevel
from xiaoqitong.reference.models import Industry, Region

from .choices import (
    ROLE_ORGANIZATION,
    DepartmentKind,
    EnterpriseSize,
    InstitutionKind,
    Ownership,
    Role,
    SchoolType,
)
from .validators import validate_credit_code

AREA_LEVELS = [RegionLevel.COUNTY, RegionLevel.PARK]
phone_validator = RegexValidator(
    r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$", _("请输入 11 位手机号或带区号的固定电话。")
)


def _check_area(region: Region | None, field: str) -> None:
    if region is not None and region.level not in AREA_LEVELS:
        raise ValidationError(
            {
                field: _("请选择县级行政区或园区，“%(name)s”是%(level)s。")
                % {"name": region.name, "level": region.get_level_display()}
            }
        )


class Department(BaseModel):
    """A government department or body that leads or answers for tasks (市教育局, 郴州高新区管委会 …)."""

    code = models.CharField(_("编号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(
        _("类别"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.GOVERNMENT
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("政府部门")
        verbose_name_plural = _("政府部门")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:department_detail", kwargs={"pk": self.pk})


class School(BaseModel):
    """A vocational school (中职, 高职专科, 职业本科, 技工院校 or 开放大学)."""

    code = models.CharField(
        _("学校代码"),
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(r"^\d{5,10}$", _("学校代码应为 5-10 位数字（教育部学校标识码或地方编码）。"))
        ],
    )
    name = models.CharField(_("学校名称"), max_length=60, unique=True)
    school_type = models.CharField(_("办学层次"), max_length=20, choices=SchoolType.choices)
    ownership = models.CharField(
        _("办学性质"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    county = models.ForeignKey(
        Region, verbose_name=_("所在县市区"), on_delete=models.PROTECT, related_name="schools"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = URLField(_("网站"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:school_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        _check_area(self.county if self.county_id else None, "county")


class SchoolEnrolment(BaseModel):
    """Full-time enrolment of a school in one year (the denominator of several targets)."""

    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="enrolments"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    full_time_students = models.PositiveIntegerField(_("全日制在校生数"))

    class Meta:
        verbose_name = _("在校生规模")
        verbose_name_plural = _("在校生规模")
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="school_enrolment_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("orgs:schoolenrolment_detail", kwargs={"pk": self.pk})


class Enterprise(BaseModel):
    """An enterprise that posts demand, hosts interns and apprentices, and may be certified."""

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("企业名称"), max_length=100, db_index=True)
    size = models.CharField(_("企业规模"), max_length=10, choices=EnterpriseSize.choices)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("所属行业"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("国民经济行业分类小类（四位码）"),
    )
    county = models.ForeignKey(
        Region, verbose_name=_("所在县市区或园区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    registered_in_city = models.BooleanField(_("在本市注册"), default=True)
    employees = models.PositiveIntegerField(_("从业人数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    search_text = models.TextField(_("检索词"), blank=True, editable=False)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:enterprise_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.industry_id and self.industry.level != IndustryLevel.CLASS:
            raise ValidationError(
                {
                    "industry": _("请选择行业小类（四位码），“%(name)s”是%(level)s。")
                    % {"name": self.industry.name, "level": self.industry.get_level_display()}
                }
            )
        _check_area(self.county if self.county_id else None, "county")


class ResearchInstitution(BaseModel):
    """A research institution or think tank that reads aggregated, de-identified data."""

    code = models.CharField(_("编号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(
        _("类别"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.RESEARCH
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("所在县市区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("科研机构")
        verbose_name_plural = _("科研机构")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:researchinstitution_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        _check_area(self.county if self.county_id else None, "county")


class PlatformUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a platform administrator (User.clean refuses any other role).
        extra_fields.setdefault("role", Role.PLATFORM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person using the platform: one role, at most one organization."""

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.STUDENT)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    school = models.ForeignKey(
        School, verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    institution = models.ForeignKey(
        ResearchInstitution,
        verbose_name=_("科研机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("政府部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_demo = models.BooleanField(_("演示账号"), default=False, help_text=_("只在演示模式开启时可以登录"))

    objects = PlatformUserManager()

    ORG_FIELDS = ("school", "enterprise", "institution", "department")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_at_most_one_organization",
                condition=(
                    models.Q(school__isnull=True, enterprise__isnull=True, institution__isnull=True)
                    | models.Q(school__isnull=True, enterprise__isnull=True, department__isnull=True)
                    | models.Q(school__isnull=True, institution__isnull=True, department__isnull=True)
                    | models.Q(enterprise__isnull=True, institution__isnull=True, department__isnull=True)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("orgs:user_detail", kwargs={"pk": self.pk})

    def sync_rights(self) -> None:
        """Derive the Django rights from the role: platform administrators, and only they, are superusers
        (the policies grant them everything) and staff (the Django admin)."""
        self.is_superuser = self.is_staff = self.role == Role.PLATFORM_ADMIN

    @property
    def organization(self):
        for name in self.ORG_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self) -> None:
        super().clean()
        wanted = ROLE_ORGANIZATION.get(self.role)
        errors = {}
        if self.is_superuser and self.role != Role.PLATFORM_ADMIN:
            errors["role"] = _("超级用户的角色必须是“%(admin)s”，“%(role)s”不能是超级用户。") % {
                "admin": Role.PLATFORM_ADMIN.label,
                "role": self.get_role_display(),
            }
        for name in self.ORG_FIELDS:
            is_set = getattr(self, f"{name}_id") is not None
            if name == wanted and not is_set:
                errors[name] = _("角色“%(role)s”必须属于一个%(org)s。") % {
                    "role": self.get_role_display(),
                    "org": self._meta.get_field(name).verbose_name,
                }
            elif name != wanted and is_set:
                errors[name] = _("角色“%(role)s”不属于%(org)s，请清空此项。") % {
                    "role": self.get_role_display(),
                    "org": self._meta.get_field(name).verbose_name,
                }
        if errors:
            raise ValidationError(errors)
