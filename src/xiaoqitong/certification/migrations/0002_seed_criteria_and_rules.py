"""Seed the policy's numbers for certification (POLICY.md T12, T2, R1) with their sources, and a first
checklist of criteria. The criteria are the platform's proposal, drawn from the national 《建设产教融合型企业
实施办法（试行）》 (发改社会〔2019〕590号) and the city's policy; 市发改委 sets the real ones (annex task 9:
制定产教融合型企业遴选条件和考核办法) and edits them on the criteria page."""

from decimal import Decimal

from django.db import migrations

SOURCE = "郴政发〔2021〕9号"
RULES = [
    (
        "certified_enterprises_min",
        Decimal("30"),
        "T12",
        f"{SOURCE} 四（九）",
        "到 2025 年，建设和培育 30 个省、市级产教融合型企业。",
    ),
    (
        "certified_enterprises_by",
        Decimal("2025"),
        "T12",
        f"{SOURCE} 四（九）",
        "T12 的目标年份：到 2025 年。",
    ),
    (
        "deep_participation_share_min",
        Decimal("0.40"),
        "T2",
        f"{SOURCE} 一",
        "深度参与职业教育人才培养的本地大中型企业比例达到 40% 以上。",
    ),
    (
        "deep_participation_min_ways",
        Decimal("2"),
        "T2",
        f"{SOURCE} 一（“深度参与”的口径为平台定义，市发改委、市教育局可调整）",
        "未持有产教融合型企业称号的企业，当年须具备的参与方式数（订单班或预备员工制、学徒制、接收实习、"
        "共建基地、兼职任教），达到即计为“深度参与”。",
    ),
    (
        "cert_review_interval_years",
        Decimal("1"),
        "R1",
        f"{SOURCE} 四（九）",
        "建立产教融合型企业认定和挂牌制度，实行“一年一考核，三年一授牌”。",
    ),
    (
        "cert_plaque_cycle_years",
        Decimal("3"),
        "R1",
        f"{SOURCE} 四（九）",
        "建立产教融合型企业认定和挂牌制度，实行“一年一考核，三年一授牌”。",
    ),
]
BASIS = f"{SOURCE} 四（九）；参照发改社会〔2019〕590号（平台建议值，待市发改委确定）"
CRITERIA = [
    # code, name, description, measure, municipal, provincial, unit, required, needs document, order
    (
        "bases",
        "共建实习实训基地",
        "与职业院校共建、在用的实习实训基地（含生产性实训基地、研发中心）。",
        "bases",
        Decimal("1"),
        Decimal("2"),
        "个",
        True,
        False,
        10,
    ),
    (
        "interns",
        "年接收实习学生",
        "近 12 个月在本企业实习的职业院校学生人数。",
        "interns",
        Decimal("20"),
        Decimal("50"),
        "人",
        True,
        False,
        20,
    ),
    (
        "apprentices",
        "承担学徒制培养",
        "现代学徒制、企业新型学徒制协议中已确认的在训学徒人数。",
        "apprentices",
        None,
        Decimal("10"),
        "人",
        False,
        False,
        30,
    ),
    (
        "order_classes",
        "订单班、预备员工制培养",
        "近 12 个月在执行的订单班、预备员工制协议数。",
        "order_classes",
        Decimal("1"),
        Decimal("2"),
        "个",
        False,
        False,
        40,
    ),
    (
        "part_time_teachers",
        "员工兼职任教",
        "在职业院校兼职任教的本企业技术技能人员（R4）。",
        "part_time_teachers",
        Decimal("2"),
        Decimal("5"),
        "人",
        False,
        False,
        50,
    ),
    (
        "mentors",
        "企业导师带教",
        "近 12 个月带教实习学生的企业导师人数。",
        "mentors",
        Decimal("3"),
        Decimal("10"),
        "人",
        False,
        False,
        60,
    ),
    (
        "investment",
        "近三年投入职业教育资金",
        "近三年以校企合作方式实际投入职业院校的资金、设备、技术等折合金额，附审计报告或凭证。",
        "claimed",
        Decimal("50"),
        Decimal("200"),
        "万元",
        True,
        True,
        70,
    ),
    (
        "credit",
        "信用记录良好",
        "近三年无严重失信、重大安全生产和环境污染事故；填 1 表示承诺，并附信用报告或承诺书。",
        "claimed",
        Decimal("1"),
        Decimal("1"),
        "",
        True,
        True,
        80,
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("cooperation", "Rule")
    for key, value, target, source, note in RULES:
        Rule.objects.update_or_create(
            key=key, defaults={"value": value, "target": target, "source": source, "note": note}
        )
    Criterion = apps.get_model("certification", "Criterion")
    for code, name, text, measure, municipal, provincial, unit, required, document, order in CRITERIA:
        Criterion.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": text,
                "measure": measure,
                "min_municipal": municipal,
                "min_provincial": provincial,
                "unit": unit,
                "required": required,
                "needs_document": document,
                "source": BASIS,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("certification", "Criterion").objects.filter(code__in=[c[0] for c in CRITERIA]).delete()
    apps.get_model("cooperation", "Rule").objects.filter(key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial"), ("cooperation", "0005_rule_certification_keys")]
    operations = [migrations.RunPython(seed, unseed)]
