from django.db import models
from django.utils.translation import gettext_lazy as _


class Duration(models.TextChoices):
    """学制 of a school major."""

    THREE_YEAR = "3y", _("三年制")
    FIVE_YEAR = "5y", _("五年一贯制")
    THREE_PLUS_TWO = "3+2", _("3+2")
    FIVE_PLUS_ZERO = "5+0", _("5+0")
    TWO_YEAR = "2y", _("两年制")
    FOUR_YEAR = "4y", _("四年制")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Consent(models.TextChoices):
    """What enterprises may see of a student's profile."""

    NONE = "none", _("不公开")
    DEIDENTIFIED = "deidentified", _("匿名公开")
    FULL = "full", _("完全公开")


class StudentStatus(models.TextChoices):
    STUDYING = "studying", _("在读")
    INTERNING = "interning", _("实习")
    GRADUATED = "graduated", _("毕业")
    FURTHER_STUDY = "further_study", _("升学")
    DROPPED = "dropped", _("退学")


class SkillLevel(models.TextChoices):
    BASIC = "basic", _("了解")
    PROFICIENT = "proficient", _("熟练")
    EXPERT = "expert", _("精通")


class PositionType(models.TextChoices):
    """Kinds of position (shared by student preferences and enterprise postings)."""

    FULL_TIME = "full_time", _("全职")
    INTERNSHIP = "internship", _("实习")
    APPRENTICESHIP = "apprenticeship", _("学徒")
    ORDER_CLASS = "order_class", _("订单班")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("专任")
    PART_TIME = "part_time", _("兼职")


class Title(models.TextChoices):
    NONE = "none", _("无职称")
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ASSOCIATE_SENIOR = "associate_senior", _("副高级")
    SENIOR = "senior", _("正高级")


class MasterLevel(models.TextChoices):
    """教学名师 level."""

    NONE = "", _("无")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class DataRequestKind(models.TextChoices):
    """What a student asks of the platform about their personal information (个人信息保护法 第四章)."""

    DELETE = "delete", _("删除个人信息")


class DataRequestStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    DONE = "done", _("已办结")
    REFUSED = "refused", _("已拒绝")
