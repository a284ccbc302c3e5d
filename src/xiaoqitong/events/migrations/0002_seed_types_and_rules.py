"""Seed the three event types the policy names (三（四）) and the rules that set how many of each the city holds
a year (POLICY.md T7-T9), with their sources; officers may change the values, administrators add types."""

from decimal import Decimal

from django.db import migrations

SOURCE = "郴政发〔2021〕9号"
RULES = [
    (
        "fairs_per_year_min",
        Decimal("2"),
        "T7",
        f"{SOURCE} 三（四）",
        "每年组织 2 次以上郴州职业院校与本地企业供需见面会。",
    ),
    (
        "gba_promotions_per_year_min",
        Decimal("1"),
        "T8",
        f"{SOURCE} 三（四）",
        "每年组织 1 次以上郴州职业院校面向大湾区企业的推介会。",
    ),
    (
        "dialogues_per_year_min",
        Decimal("1"),
        "T9",
        f"{SOURCE} 三（四）",
        "每年开展校长进园区、厂长进学校“产教对话”活动。",
    ),
]
TYPES = [
    # code, name, rule key, has minutes, sort order
    ("dialogue", "产教对话", "dialogues_per_year_min", True, 10),
    ("fair", "供需见面会", "fairs_per_year_min", False, 20),
    ("gba", "大湾区推介会", "gba_promotions_per_year_min", False, 30),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("cooperation", "Rule")
    for key, value, target, source, note in RULES:
        Rule.objects.update_or_create(
            key=key, defaults={"value": value, "target": target, "source": source, "note": note}
        )
    EventType = apps.get_model("events", "EventType")
    for code, name, rule_key, has_minutes, order in TYPES:
        EventType.objects.update_or_create(
            code=code,
            defaults={"name": name, "rule_key": rule_key, "has_minutes": has_minutes, "sort_order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("events", "EventType").objects.filter(code__in=[t[0] for t in TYPES]).delete()
    apps.get_model("cooperation", "Rule").objects.filter(key__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("cooperation", "0004_rule_event_keys")]
    operations = [migrations.RunPython(seed, unseed)]
