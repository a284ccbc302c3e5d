"""Factories of the skill-test tests: results of a 专业技能抽测 (by major) and of a 专业大类普测 (by
category), and the organizing department's spreadsheet rows."""

import factory
from factory.django import DjangoModelFactory

from xiaoqitong.quality.choices import SkillTestKind
from xiaoqitong.quality.models import SkillTestResult
from xiaoqitong.reference.models import Major, MajorCategory

from ..orgs.factories import SchoolFactory

YEAR = 2025
MAJORS = ["660103", "660301", "660201", "660302", "660601", "660701"]


class SkillTestResultFactory(DjangoModelFactory):
    """A 专业技能抽测 result; each new one takes the next major of ``MAJORS`` (then a new year)."""

    class Meta:
        model = SkillTestResult

    kind = SkillTestKind.SKILL_SAMPLING
    year = factory.Sequence(lambda n: YEAR - n // len(MAJORS))
    school = factory.SubFactory(SchoolFactory)
    major = factory.Sequence(lambda n: Major.objects.get(code=MAJORS[n % len(MAJORS)]))
    tested = 40
    passed = 36
    average_score = 78.5
    organizer = "市教育局"


class TheorySurveyFactory(SkillTestResultFactory):
    kind = SkillTestKind.THEORY_SURVEY
    major = None
    category = factory.LazyFunction(lambda: MajorCategory.objects.get(code="66"))
    year = YEAR


def sheet_rows(school, year=YEAR) -> list[dict]:
    """The organizing department's spreadsheet: two 抽测 rows and one 普测 row of ``school``."""
    base = {"年度": str(year), "学校代码": school.code, "组织部门": "市教育局"}
    return [
        base
        | {
            "测试类型": "专业技能抽测",
            "专业代码": "660103",
            "专业大类代码": "",
            "参测人数": "40",
            "合格人数": "36",
            "平均分": "81.5",
        },
        base
        | {
            "测试类型": "专业技能抽测",
            "专业代码": "660301",
            "专业大类代码": "",
            "参测人数": "20",
            "合格人数": "15",
            "平均分": "",
        },
        base
        | {
            "测试类型": "专业大类基础理论知识普测",
            "专业代码": "",
            "专业大类代码": "66",
            "参测人数": "100",
            "合格人数": "90",
            "平均分": "72.0",
        },
    ]
