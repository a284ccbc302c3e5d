"""Official catalogs: administrative divisions, the 2021 vocational major catalog, GB/T 4754-2017
industries, the city's industry chains, skills and certificates. Loaded by ``xiaoqitong load_reference``
from the project's own files in ``reference/data/`` (each names its official source)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.models import BaseModel

from .choices import CertificateKind, CertificateLevel, EducationLevel, IndustryLevel, RegionLevel


class CatalogModel(BaseModel):
    """A catalog row: its detail page lives under /reference/ (``reference:<model>_detail``)."""

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"reference:{self._meta.model_name}_detail", kwargs={"pk": self.pk})


def city_prefix() -> str:
    """The first four digits of the platform's city (``settings.XQT_CITY_CODE``): every county, district and
    park of the city has a code that starts with them."""
    from django.conf import settings

    return settings.XQT_CITY_CODE[:4]


def work_areas() -> models.QuerySet:
    """County-level units and parks, where people work and live: the platform's own city first (its
    counties, then its parks), then the rest of the country by code. For the selects of forms and filters,
    where the city's 11 counties would otherwise sit among nearly 3,000."""
    prefix = city_prefix()
    local = models.Case(
        models.When(code__startswith=prefix, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    return (
        Region.objects.filter(level__in=["county", "park"])
        .alias(local=local)
        .order_by("local", "level", "code")
    )


class Region(CatalogModel):
    """A division (统计用区划代码) or a park that the city treats as an area of its own."""

    code = models.CharField(_("代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def in_city(self) -> bool:
        """Whether the division or park lies in the platform's city."""
        return self.code.startswith(city_prefix())

    PARENT_LEVEL = {
        "province": None,
        "city": "province",
        "county": "city",
        "township": "county",
        "park": "city",
    }

    def clean(self) -> None:
        super().clean()
        wanted = self.PARENT_LEVEL.get(self.level)
        if self.level and wanted is None and self.parent_id:
            raise ValidationError({"parent": _("省级行政区没有上级。")})
        if wanted and self.parent_id is None:
            raise ValidationError({"parent": _("请填写上级区划。")})
        if wanted and self.parent.level != wanted:
            raise ValidationError(
                {
                    "parent": _("%(level)s的上级应为%(wanted)s区划。")
                    % {"level": self.get_level_display(), "wanted": RegionLevel(wanted).label}
                }
            )


class MajorCategory(CatalogModel):
    """专业大类 at one education level (e.g. 66 装备制造大类 for 中职)."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    education_level = models.CharField(
        _("层次"), max_length=10, choices=EducationLevel.choices, db_index=True
    )

    class Meta:
        verbose_name = _("专业大类")
        verbose_name_plural = _("专业大类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MajorClass(CatalogModel):
    """专业类 (e.g. 6601 机械设计制造类)."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    category = models.ForeignKey(
        MajorCategory, verbose_name=_("专业大类"), on_delete=models.PROTECT, related_name="classes"
    )
    education_level = models.CharField(
        _("层次"), max_length=10, choices=EducationLevel.choices, db_index=True
    )

    class Meta:
        verbose_name = _("专业类")
        verbose_name_plural = _("专业类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        if (
            self.category_id
            and self.education_level
            and self.category.education_level != self.education_level
        ):
            raise ValidationError({"category": _("专业大类与专业类的层次不一致。")})
        if self.category_id and self.code and not self.code.startswith(self.category.code):
            raise ValidationError({"code": _("专业类代码应以所属专业大类的代码开头。")})


class MajorFamily(CatalogModel):
    """The same major across levels (660103 数控技术应用 / 460103 数控技术 / 260103 数控技术)."""

    key = models.CharField(_("编号"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        verbose_name = _("专业族")
        verbose_name_plural = _("专业族")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Major(CatalogModel):
    """A major of the 2021 catalog (or added by an administrator after 2021)."""

    code = models.CharField(_("专业代码"), max_length=8, unique=True)
    name = models.CharField(_("专业名称"), max_length=60, db_index=True)
    education_level = models.CharField(
        _("层次"), max_length=10, choices=EducationLevel.choices, db_index=True
    )
    major_class = models.ForeignKey(
        MajorClass, verbose_name=_("专业类"), on_delete=models.PROTECT, related_name="majors"
    )
    is_controlled = models.BooleanField(_("国控专业"), default=False)
    family = models.ForeignKey(
        MajorFamily,
        verbose_name=_("专业族"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="majors",
    )
    source = models.CharField(_("来源"), max_length=100, default="教职成〔2021〕2号")

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        # 国控专业 are printed with a K (520101K): keep the digits as the code and the K as the flag.
        code = (self.code or "").strip()
        if code[-1:] in {"K", "k"} and code[:-1].isdigit():
            self.code = code[:-1]
            self.is_controlled = True
        if self.major_class_id:
            if self.education_level and self.major_class.education_level != self.education_level:
                raise ValidationError({"major_class": _("专业类与专业的层次不一致。")})
            if self.code and not self.code.startswith(self.major_class.code):
                raise ValidationError({"code": _("专业代码应以所属专业类的代码开头。")})


class Industry(CatalogModel):
    """国民经济行业分类 GB/T 4754-2017 (with its 2019 amendment), four levels."""

    code = models.CharField(_("代码"), max_length=6, unique=True, help_text=_("门类字母加数字，如 C3874"))
    numeric_code = models.CharField(_("数字代码"), max_length=5, blank=True, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=IndustryLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.numeric_code or self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.level == IndustryLevel.SECTION:
            if self.parent_id:
                raise ValidationError({"parent": _("门类没有上级。")})
            return
        if self.level and self.parent_id is None:
            raise ValidationError({"parent": _("请填写上级行业。")})
        if self.level and self.parent.level != self.level - 1:
            raise ValidationError({"parent": _("上级行业应比本行业高一级。")})
        if self.code and self.parent_id and not self.code.startswith(self.parent.code):
            raise ValidationError({"code": _("行业代码应以上级行业的代码开头，如 C3311 在 C331 之下。")})


class IndustryChain(CatalogModel):
    """One of the city's key industry chains, mapped to industries and to 专业类."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    industries = models.ManyToManyField(
        Industry, verbose_name=_("对应行业"), blank=True, related_name="chains"
    )
    major_classes = models.ManyToManyField(
        MajorClass, verbose_name=_("对应专业类"), blank=True, related_name="chains"
    )
    source = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def leaf_industries(self) -> models.QuerySet:
        """The 小类 (level 4) the chain covers: its own 小类 and every 小类 under its 大类 and 中类."""
        codes = list(self.industries.values_list("code", flat=True))
        if not codes:
            return Industry.objects.none()
        query = models.Q()
        for code in codes:
            query |= models.Q(code__startswith=code)
        return Industry.objects.filter(query, level=IndustryLevel.CLASS)


class Skill(CatalogModel):
    """A skill tag; synonyms let matching treat “PLC编程” and “可编程控制器” as one."""

    name = models.CharField(_("技能"), max_length=50, unique=True)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    chains = models.ManyToManyField(
        IndustryChain, verbose_name=_("产业链"), blank=True, related_name="skills"
    )
    major_classes = models.ManyToManyField(
        MajorClass, verbose_name=_("专业类"), blank=True, related_name="skills"
    )
    is_curated = models.BooleanField(
        _("平台初始词表"), default=False, help_text=_("随平台发布的初始词表，非官方目录")
    )

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Certificate(CatalogModel):
    """A 1+X 职业技能等级证书, a 职业技能等级证书 or a 职业资格证书 at one level."""

    code = models.CharField(_("编号"), max_length=30, unique=True)
    name = models.CharField(_("证书名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=CertificateKind.choices)
    level = models.CharField(_("等级"), max_length=20, choices=CertificateLevel.choices)
    issuer = models.CharField(_("发证机构"), max_length=100, blank=True)
    major_classes = models.ManyToManyField(
        MajorClass, verbose_name=_("相关专业类"), blank=True, related_name="certificates"
    )
    chains = models.ManyToManyField(
        IndustryChain, verbose_name=_("产业链"), blank=True, related_name="certificates"
    )
    is_curated = models.BooleanField(
        _("平台初始目录"), default=False, help_text=_("随平台发布的初始目录，非官方清单")
    )

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["kind", "name", "level"]
        constraints = [
            models.UniqueConstraint(fields=["name", "level"], name="certificate_name_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"
