"""Choices of the quality app: dual-mentor assessment, certificates and competitions, skill tests, shared
teaching resources, social training and teachers' figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


# --- dual-mentor assessment (R5) ---------------------------------------------------------------------------
class GradePart(models.TextChoices):
    """The two halves of a dual-mentor grade: theory by the school's teacher, practice by the technician."""

    THEORY = "theory", _("理论教学")
    PRACTICE = "practice", _("实践操作")


class GradeSource(models.TextChoices):
    MANUAL = "manual", _("导师评分")
    INTERNSHIP = "internship", _("实习鉴定")
    IMPORT = "import", _("批量导入")


class PlanStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    CLOSED = "closed", _("已结束")


# --- certificates, exam centres, competitions, skill tests ------------------------------------------------
class CompetitionLevel(models.TextChoices):
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class Prize(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    MERIT = "merit", _("优胜奖")


class SkillTestKind(models.TextChoices):
    """三（七）: 专业技能抽测 per major, 专业大类基础理论知识普测 per major category."""

    SKILL_SAMPLING = "skill_sampling", _("专业技能抽测")
    THEORY_SURVEY = "theory_survey", _("专业大类基础理论知识普测")


# --- shared teaching resources (三（六）) -------------------------------------------------------------------
class ResourceKind(models.TextChoices):
    COURSE = "course", _("课程")
    LOOSE_LEAF = "loose_leaf", _("活页式教材")
    WORKBOOK = "workbook", _("工作手册式教材")
    VIDEO = "video", _("教学视频")
    VIRTUAL = "virtual", _("虚拟仿真资源")
    OTHER = "other", _("其他")


class ResourceUseKind(models.TextChoices):
    DOWNLOAD = "download", _("下载")
    REUSE = "reuse", _("引用到课程")


# --- social training ----------------------------------------------------------------------------------------
class TrainingKind(models.TextChoices):
    """二（三）: the kinds of social training a school, an enterprise or a training centre runs."""

    SUBSIDISED = "subsidised", _("补贴性职业技能培训")
    EMPLOYEES = "employees", _("企业职工培训")
    KEY_GROUPS = "key_groups", _("就业重点人群培训")
    COMMUNITY = "community", _("社区教育")
    SENIORS = "seniors", _("老年教育")


# --- teachers -----------------------------------------------------------------------------------------------
class TrainingBaseLevel(models.TextChoices):
    """T22: 国家级 / 省级职业教育“双师型”教师培训基地."""

    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
