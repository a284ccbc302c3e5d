"""Seed the policy's numbers (POLICY.md T13-T17) with their sources; officers may change the values later."""

from decimal import Decimal

from django.db import migrations

SOURCE = "郴政发〔2021〕9号"
RULES = [
    (
        "internship_min_months",
        Decimal("1"),
        "T15",
        f"{SOURCE} 四（十一）",
        "单次各职业院校安排学生到市域内企业实习时间不得低于 1 个月。",
    ),
    (
        "local_intern_share",
        Decimal("0.6"),
        "T16",
        f"{SOURCE} 四（十一）",
        "实习生人数在市域内企业不得低于实习生总数的 60%。",
    ),
    (
        "apprentice_subsidy_min",
        Decimal("5000"),
        "T17",
        f"{SOURCE} 四（十一）；人社部发〔2021〕39号",
        "学徒每人每年的补贴标准原则上 5000 元以上。",
    ),
    (
        "integration_bases_per_school",
        Decimal("2"),
        "T13",
        f"{SOURCE} 四（九）",
        "到 2025 年，每所职业院校至少建立 2 个以上产教融合实习基地。",
    ),
    (
        "shared_bases_per_county",
        Decimal("1"),
        "T14",
        f"{SOURCE} 四（十）；附件任务 11",
        "鼓励每个县市区依托职业学校建设 1 所政校行企共同参与的县域共享性职业技能实习实训基地。",
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
    dependencies = [("cooperation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
