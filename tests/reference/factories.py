import factory
from factory.django import DjangoModelFactory

from xiaoqitong.reference.models import Certificate, IndustryChain, MajorCategory, MajorClass, Skill


def major_class(code="6601", name="机械设计制造类", level="secondary"):
    """A 专业类 with its 大类, found or made (so tests work with or without the loaded catalogs)."""
    category, _ = MajorCategory.objects.get_or_create(
        code=code[:2], defaults={"name": "装备制造大类", "education_level": level}
    )
    found, _ = MajorClass.objects.get_or_create(
        code=code, defaults={"name": name, "category": category, "education_level": level}
    )
    return found


class IndustryChainFactory(DjangoModelFactory):
    class Meta:
        model = IndustryChain

    code = factory.Sequence(lambda n: f"test-chain-{n}")
    name = factory.Sequence(lambda n: f"测试产业链{n}")
    sort_order = factory.Sequence(lambda n: 100 + n % 100)
    description = "测试用产业链"


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"测试技能{n}")
    synonyms = factory.LazyAttribute(lambda o: [f"{o.name}别名"])
    category = "测试"


class CertificateFactory(DjangoModelFactory):
    class Meta:
        model = Certificate

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    name = factory.Sequence(lambda n: f"测试证书{n}")
    kind = "1+x"
    level = "junior"
