"""Seeds and changes of the school assessment indicators and funding rules (owner: assessment).

Both seeds are the platform's proposal, marked as such in ``source``: 六（十六） asks that schools
be assessed on 校企合作 and 毕业生留郴就业率 with the results tied to funding, without fixing
indicators or weights; 六（十七） asks for funding that differs by major category without fixing
coefficients. 市教育局 (indicators) and 市财政局
(coefficients) adjust them on their pages. ``seed`` is idempotent and never overwrites a row that exists (an
officer's change stays); funding rules are made for the major categories present, so a database whose
catalogs are loaded after ``migrate`` gets them when ``seed`` runs again (the demo generator does)."""

from decimal import Decimal

from django.db import migrations

PROPOSAL = "平台建议指标（依据郴政发〔2021〕9号 六（十六）），待市教育局调整确定"
FUNDING_PROPOSAL = "平台建议系数（依据郴政发〔2021〕9号 六（十七）、附件任务15），待市财政局调整确定"

# code, name, group, measure, weight, direction, floor, full, description
INDICATORS = [
    (
        "XQ-01",
        "订单班、学徒制学生占比",
        "校企合作",
        "agreement_share",
        "10",
        "0",
        "0.15",
        "订单培养、现代学徒制、企业新型学徒制、预备员工制协议中有确认名额的学生占平台在册学生的比例；"
        "达到 15% 得满分。",
    ),
    (
        "XQ-02",
        "产教融合实习基地",
        "校企合作",
        "integration_bases",
        "10",
        "0",
        "2",
        "学校所属的在用产教融合实习基地数；按 T13（每所职业院校不少于 2 个）达到 2 个得满分。",
    ),
    (
        "XQ-03",
        "市域内企业实习生比例",
        "校企合作",
        "local_interns",
        "10",
        "0.3",
        "0.6",
        "当年实习生中在市域内企业实习的比例；30% 及以下不得分，按 T16 达到 60% 得满分。",
    ),
    (
        "XQ-04",
        "企业兼职教师比例",
        "校企合作",
        "enterprise_teachers",
        "10",
        "0",
        "0.15",
        "来自企业的兼职教师占专兼职教师总数的比例（R4：企业专家兼职任教）；达到 15% 得满分"
        "（低于 T18 兼职教师不超过 30% 的上限）。",
    ),
    (
        "XQ-05",
        "专任教师企业实践",
        "校企合作",
        "practice_days",
        "10",
        "0",
        "15",
        "专任教师人均每年到企业实践天数（五（十三）：教师定期到企业实践）；人均 15 天得满分"
        "（专业课教师每 5 年累计不少于 6 个月，专任教师中还有公共课教师）。",
    ),
    (
        "XQ-06",
        "毕业生留郴就业率",
        "毕业生留郴就业",
        "local_employment",
        "30",
        "0.2",
        "0.7",
        "当年就业（含自主创业）毕业生中在本市就业的比例；20% 及以下不得分，达到 70% 得满分。",
    ),
    (
        "XQ-07",
        "学校层面目标达成率",
        "目标达成",
        "target_attainment",
        "20",
        "0",
        "1",
        "当年学校层面目标（T1、T3、T6、T13、T16、T18、T20 等）中达标项的比例"
        "（接近目标计半项，暂无数据不计）。",
    ),
]

# Indicators whose rate needs a minimum denominator to mean anything (employed graduates for 留郴).
MIN_BASE = {"XQ-06": 10}

# Category names (any education level) with a coefficient other than 1.
COEFFICIENTS = {
    "装备制造大类": Decimal("1.2"),
    "电子与信息大类": Decimal("1.2"),
    "医药卫生大类": Decimal("1.2"),
    "农林牧渔大类": Decimal("1.3"),
}


def seed(apps, schema_editor):
    Indicator = apps.get_model("governance", "Indicator")
    FundingRule = apps.get_model("governance", "FundingRule")
    MajorCategory = apps.get_model("reference", "MajorCategory")
    existing = set(Indicator.objects.values_list("code", flat=True))
    for order, (code, name, group, measure, weight, floor, full, description) in enumerate(INDICATORS, 1):
        if code in existing:
            continue
        Indicator.objects.create(
            code=code,
            name=name,
            group=group,
            measure=measure,
            weight=Decimal(weight),
            direction="higher",
            floor=Decimal(floor),
            full=Decimal(full),
            description=description,
            source=PROPOSAL,
            is_active=True,
            sort_order=order * 10,
            # a school with a handful of employed graduates is scored at the city's rate, not 0% or 100%
            min_base=MIN_BASE.get(code, 0),
        )
    ruled = set(FundingRule.objects.values_list("category_id", flat=True))
    for category in MajorCategory.objects.order_by("code"):
        if category.pk in ruled:
            continue
        FundingRule.objects.create(
            category=category,
            coefficient=COEFFICIENTS.get(category.name, Decimal("1")),
            source=FUNDING_PROPOSAL,
            note="" if category.name in COEFFICIENTS else "其他专业大类按 1.0",
        )


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_tasks"), ("reference", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
