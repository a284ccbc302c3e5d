from django.db import models
from django.utils.translation import gettext_lazy as _


class EducationLevel(models.TextChoices):
    """Levels of the 2021 vocational major catalog (API values are the short English names)."""

    SECONDARY = "secondary", _("中职")
    ASSOCIATE = "associate", _("高职专科")
    BACHELOR = "bachelor", _("职业本科")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    PARK = "park", _("园区")


class IndustryLevel(models.IntegerChoices):
    SECTION = 1, _("门类")
    DIVISION = 2, _("大类")
    GROUP = 3, _("中类")
    CLASS = 4, _("小类")


class CertificateKind(models.TextChoices):
    ONE_PLUS_X = "1+x", _("1+X 职业技能等级证书")
    SKILL_LEVEL = "skill_level", _("职业技能等级证书")
    QUALIFICATION = "qualification", _("职业资格证书")


class CertificateLevel(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")
