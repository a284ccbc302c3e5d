"""Choices of the cooperation app: agreement kinds and states, practice-base kinds, internship states, and
the keys of the policy rules held as data (``models.Rule``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    """The four forms of 校企合作育人 the policy names (四（十一）)."""

    ORDER_CLASS = "order_class", _("订单班")
    MODERN_APPRENTICESHIP = "modern_apprenticeship", _("现代学徒制")
    ENTERPRISE_APPRENTICESHIP = "enterprise_apprenticeship", _("企业新型学徒制")
    PREPARATORY = "preparatory", _("预备员工制")


#: The kinds whose students are apprentices (the apprenticeship subsidy, T17, is paid for them).
APPRENTICESHIP_KINDS = {AgreementKind.MODERN_APPRENTICESHIP, AgreementKind.ENTERPRISE_APPRENTICESHIP}


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROPOSED = "proposed", _("待双方确认")
    ACTIVE = "active", _("执行中")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已终止")


class MemberStatus(models.TextChoices):
    """A student's place in an agreement."""

    INVITED = "invited", _("待学生确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已拒绝")
    EXPIRED = "expired", _("逾期未确认")
    TRANSFERRED = "transferred", _("已转出")
    LEFT = "left", _("已退出")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回修改")
    REJECTED = "rejected", _("不予补贴")
    PAID = "paid", _("已拨付")


class BaseKind(models.TextChoices):
    """实习实训基地 types named by the policy (四（九）、四（十）)."""

    TRAINING = "training", _("实习实训基地")
    INNOVATION = "innovation", _("创新实训基地")
    LABOUR = "labour", _("劳动教育基地")
    INTEGRATION = "integration", _("产教融合实习基地")
    FACTORY = "factory", _("生产性实训基地（实习工厂）")
    RND = "rnd", _("研发中心")
    COUNTY_SHARED = "county_shared", _("县域共享性实训基地")
    CITY_SHARED = "city_shared", _("市级共享性智能实训基地")


#: Kinds that are shared by definition: they take bookings from other schools and enterprises.
SHARED_BASE_KINDS = {BaseKind.COUNTY_SHARED, BaseKind.CITY_SHARED}


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已预约")
    CANCELLED = "cancelled", _("已取消")


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", _("待上岗")
    ACTIVE = "active", _("实习中")
    COMPLETED = "completed", _("已结束")
    TERMINATED = "terminated", _("已中止")


class LogStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待会签")
    COUNTERSIGNED = "countersigned", _("已会签")
    RETURNED = "returned", _("退回修改")


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    CANCELLED = "cancelled", _("已撤回")


class MentorSide(models.TextChoices):
    SCHOOL = "school", _("学校导师")
    ENTERPRISE = "enterprise", _("企业导师")


class RuleKey(models.TextChoices):
    """The policy's numbers that cooperation, quality, events and certification enforce or report (values in
    ``models.Rule``)."""

    INTERNSHIP_MIN_MONTHS = "internship_min_months", _("单次实习最短时间（月）")
    LOCAL_INTERN_SHARE = "local_intern_share", _("市域内企业实习生占比下限")
    APPRENTICE_SUBSIDY_MIN = "apprentice_subsidy_min", _("学徒培训补贴下限（元/人·年）")
    INTEGRATION_BASES_PER_SCHOOL = "integration_bases_per_school", _("每所职业院校产教融合实习基地数")
    SHARED_BASES_PER_COUNTY = "shared_bases_per_county", _("每个县市区县域共享性实训基地数")
    # quality (T3, T4, T6, T18-T23)
    CERT_1X_COVERAGE_MIN = "cert_1x_coverage_min", _("1+X 证书学生覆盖面下限")
    CITY_TRAINING_MIN = "city_training_min", _("全市年培训人次下限")
    SCHOOL_TRAINING_RATIO_MIN = "school_training_ratio_min", _("职业院校年培训人次与全日制在校生之比下限")
    PART_TIME_TEACHER_SHARE_MAX = "part_time_teacher_share_max", _("兼职教师占比上限")
    SPECIAL_POST_FUNDING_MIN = "special_post_funding_min", _("特岗教师经费保障（元/岗·年）")
    DUAL_QUALIFIED_SHARE_MIN = "dual_qualified_share_min", _("“双师型”教师比例下限")
    PROVINCIAL_MASTERS_MIN = "provincial_masters_min", _("省级教学名师数")
    CITY_MASTERS_MIN = "city_masters_min", _("市级教学名师数")
    NATIONAL_TRAINING_BASES_MIN = "national_training_bases_min", _("国家级“双师型”教师培训基地数")
    PROVINCIAL_TRAINING_BASES_MIN = "provincial_training_bases_min", _("省级“双师型”教师培训基地数")
    TECH_SERVICE_TEACHER_SHARE_MIN = (
        "tech_service_teacher_share_min",
        _("技术服务收入结余用于教师报酬比例下限"),
    )
    # events (T7-T9)
    FAIRS_PER_YEAR_MIN = "fairs_per_year_min", _("每年供需见面会场次下限")
    GBA_PROMOTIONS_PER_YEAR_MIN = "gba_promotions_per_year_min", _("每年大湾区推介会场次下限")
    DIALOGUES_PER_YEAR_MIN = "dialogues_per_year_min", _("每年产教对话场次下限")
    # certification (T12, T2, R1)
    CERTIFIED_ENTERPRISES_MIN = "certified_enterprises_min", _("省、市级产教融合型企业数")
    CERTIFIED_ENTERPRISES_BY = "certified_enterprises_by", _("产教融合型企业数目标年份")
    DEEP_PARTICIPATION_SHARE_MIN = (
        "deep_participation_share_min",
        _("深度参与职业教育人才培养的本地大中型企业比例下限"),
    )
    DEEP_PARTICIPATION_MIN_WAYS = "deep_participation_min_ways", _("“深度参与”须具备的参与方式数")
    CERT_REVIEW_INTERVAL_YEARS = "cert_review_interval_years", _("产教融合型企业考核间隔（年）")
    CERT_PLAQUE_CYCLE_YEARS = "cert_plaque_cycle_years", _("产教融合型企业授牌周期（年）")
