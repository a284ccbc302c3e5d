from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """One role per user; the policies in each app say what a role may do."""

    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    GOV_OFFICER = "gov_officer", _("政府部门工作人员")
    SCHOOL_ADMIN = "school_admin", _("学校管理员")
    TEACHER = "teacher", _("教师")
    ENTERPRISE_HR = "enterprise_hr", _("企业人事")
    ENTERPRISE_MENTOR = "enterprise_mentor", _("企业导师")
    STUDENT = "student", _("学生")
    RESEARCHER = "researcher", _("研究人员")


# Which organization a role belongs to (the user's organization field that must be set).
ROLE_ORGANIZATION = {
    Role.PLATFORM_ADMIN: None,
    Role.GOV_OFFICER: "department",
    Role.SCHOOL_ADMIN: "school",
    Role.TEACHER: "school",
    Role.STUDENT: "school",
    Role.ENTERPRISE_HR: "enterprise",
    Role.ENTERPRISE_MENTOR: "enterprise",
    Role.RESEARCHER: "institution",
}


class SchoolType(models.TextChoices):
    SECONDARY = "secondary", _("中职")
    ASSOCIATE = "associate", _("高职专科")
    BACHELOR = "bachelor", _("职业本科")
    TECHNICIAN = "technician", _("技工院校")
    OPEN = "open", _("开放大学")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class EnterpriseSize(models.TextChoices):
    """统计上大中小微型企业划分办法 (国统字〔2017〕213号)."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", _("政府部门")
    PARK = "park", _("园区管委会")
    COUNTY = "county", _("县市区人民政府")
    OTHER = "other", _("其他")


class InstitutionKind(models.TextChoices):
    RESEARCH = "research", _("科研机构")
    THINK_TANK = "think_tank", _("智库")
    UNIVERSITY = "university", _("高校研究机构")
