"""Seed the policy's numbers that quality reports against (POLICY.md T3, T4, T6, T18-T23) with their sources,
in the policy-rule table that cooperation keeps; officers may change the values later."""

from decimal import Decimal

from django.db import migrations

SOURCE = "郴政发〔2021〕9号"
RULES = [
    (
        "cert_1x_coverage_min",
        Decimal("0.2"),
        "T3",
        f"{SOURCE} 一",
        "“学历证书+若干职业技能等级证书”（1+X证书）制度试点的学生覆盖面达到20%。",
    ),
    (
        "city_training_min",
        Decimal("100000"),
        "T4",
        f"{SOURCE} 一",
        "全市年培训人数达到10万人次。",
    ),
    (
        "school_training_ratio_min",
        Decimal("2"),
        "T6",
        f"{SOURCE} 二（三）",
        "职业院校每年培训人次达到全日制在校生规模的 2 倍以上。",
    ),
    (
        "part_time_teacher_share_max",
        Decimal("0.3"),
        "T18",
        f"{SOURCE} 五（十二）",
        "兼职教师占职业院校专兼职教师总数的比例一般不超过 30%。",
    ),
    (
        "special_post_funding_min",
        Decimal("70000"),
        "T19",
        f"{SOURCE} 五（十二）",
        "学校按空编人员人均每年 7 万元的标准予以（特岗教师）经费保障。",
    ),
    (
        "dual_qualified_share_min",
        Decimal("0.75"),
        "T20",
        f"{SOURCE} 五（十三）",
        "到 2025 年市域内“双师型”教师比例平均达到 75% 以上。",
    ),
    (
        "provincial_masters_min",
        Decimal("10"),
        "T21",
        f"{SOURCE} 五（十三）",
        "培养 10 名省级教学名师。",
    ),
    (
        "city_masters_min",
        Decimal("50"),
        "T21",
        f"{SOURCE} 五（十三）",
        "培养 50 名市级教学名师。",
    ),
    (
        "national_training_bases_min",
        Decimal("1"),
        "T22",
        f"{SOURCE} 五（十三）",
        "努力争创 1-2 个国家级职业教育“双师型”教师培训基地（取下限）。",
    ),
    (
        "provincial_training_bases_min",
        Decimal("2"),
        "T22",
        f"{SOURCE} 五（十三）",
        "努力争创 2-3 个省级职业教育“双师型”教师培训基地（取下限）。",
    ),
    (
        "tech_service_teacher_share_min",
        Decimal("0.5"),
        "T23",
        f"{SOURCE} 五（十四）",
        "学校对外开展技术开发、技术转让、技术咨询、技术服务取得的收入结余，可提取 50% 以上用于教师劳动报酬。",
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("cooperation", "Rule")
    for key, value, target, source, note in RULES:
        Rule.objects.update_or_create(
            key=key, defaults={"value": value, "target": target, "source": source, "note": note}
        )


def unseed(apps, schema_editor):
    apps.get_model("cooperation", "Rule").objects.filter(key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial"), ("cooperation", "0003_rule_quality_keys")]
    operations = [migrations.RunPython(seed, unseed)]
