import csv
import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Q

from xiaoqitong.core.models import AuditLog
from xiaoqitong.demo import names
from xiaoqitong.demo.accounts import DEMO_ACCOUNTS
from xiaoqitong.demo.context import SCALES, DemoError, school_year
from xiaoqitong.demo.generator import delete_generated, digest, generate
from xiaoqitong.demo.models import DemoRun
from xiaoqitong.demo.steps.orgs import size_thresholds
from xiaoqitong.orgs.models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User
from xiaoqitong.orgs.services import DEPARTMENTS_CSV
from xiaoqitong.orgs.validators import validate_credit_code
from xiaoqitong.reference.models import IndustryChain

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role
from .conftest import ORG_STEPS

# Every step runs, with fewer students and postings (the real small scale: test_supply_demand.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiny_scale")]


@pytest.fixture
def small(reference):
    return generate("small", 2021, steps=ORG_STEPS)  # as of today


def enrolment_years(run) -> list[int]:
    """The current school year of the run's reference date and the six before."""
    current = school_year(run.as_of)
    return list(range(current - 6, current + 1))


def test_small_scale_counts_follow_the_design(small):
    scale = SCALES["small"]
    assert School.objects.count() == scale.schools == 12
    assert Enterprise.objects.count() == scale.enterprises == 300
    assert SchoolEnrolment.objects.count() == 12 * 7
    assert ResearchInstitution.objects.count() == scale.institutions
    assert User.objects.filter(is_demo=True).count() == len(DEMO_ACCOUNTS)
    with DEPARTMENTS_CSV.open(encoding="utf-8") as fh:
        assert Department.objects.count() == len(list(csv.DictReader(fh)))
    assert small.counts["orgs.Enterprise"] == 300


def test_the_ten_named_schools_come_first_with_their_type_ownership_and_county(small):
    for name, school_type, ownership, county_code, _size in names.REAL_SCHOOLS:
        school = School.objects.get(name=name)
        assert (school.school_type, school.ownership, school.county.code) == (
            school_type,
            ownership,
            county_code,
        )
    assert School.objects.get(name="郴州开放大学").school_type == "open"
    assert set(
        School.objects.filter(ownership="private", name__in=[s[0] for s in names.REAL_SCHOOLS]).values_list(
            "name", flat=True
        )
    ) == {"郴州思科职业技术学院", "郴州远恒佳职业技术学院"}


def test_schools_have_generated_4143_codes_and_enrolment_for_every_year(small):
    for school in School.objects.all():
        assert len(school.code) == 10 and school.code.startswith("4143")
        school.full_clean()
        years = list(school.enrolments.order_by("year").values_list("year", flat=True))
        assert years == enrolment_years(small)
    current = school_year(small.as_of)
    big = SchoolEnrolment.objects.get(school__name="郴州职业技术学院", year=current).full_time_students
    county = SchoolEnrolment.objects.get(school__name="嘉禾县第二职业学校", year=current).full_time_students
    assert big > county > 500


def test_generated_schools_sit_in_county_level_units(small):
    generated = School.objects.exclude(name__in=[s[0] for s in names.REAL_SCHOOLS])
    assert generated.count() == 2
    for school in generated:
        assert school.county.level == "county" and school.county.parent.code == "431000"


def test_every_credit_code_is_valid_and_unique(small):
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes)) == 300
    for code in codes:
        validate_credit_code(code)


def test_credit_codes_carry_the_registration_division(small):
    for e in Enterprise.objects.select_related("county__parent"):
        if e.registered_in_city:
            expected = e.county.parent.code if e.county.level == "park" else e.county.code
            assert e.credit_code[2:8] == expected
        else:
            assert not e.credit_code[2:8].startswith("4310")


def test_every_enterprise_industry_is_a_leaf_under_one_of_the_chains(small):
    mapped = tuple(
        code
        for chain in IndustryChain.objects.prefetch_related("industries")
        for code in chain.industries.values_list("code", flat=True)
    )
    for e in Enterprise.objects.select_related("industry"):
        assert e.industry.level == 4
        assert e.industry.code.startswith(mapped), e.industry.code
    assert not Enterprise.objects.filter(industry__code="K7010").exists()  # a leaf of no chain


def test_enterprises_look_real(small):
    enterprises = list(Enterprise.objects.select_related("industry", "county"))
    sizes = [e.size for e in enterprises]
    assert sizes.count("small") + sizes.count("micro") > 0.75 * len(sizes)
    assert 1 <= sizes.count("large") < 0.06 * len(sizes)
    for e in enterprises:
        large, medium, small_min = size_thresholds(e.industry)
        low, high = {
            "micro": (1, small_min - 1),
            "small": (small_min, medium - 1),
            "medium": (medium, large - 1),
            "large": (large, 10**6),
        }[e.size]
        assert low <= e.employees <= high, (e.name, e.size, e.employees)
        assert e.name.endswith("公司") and len(e.name) >= 8
        assert e.county.level in ("county", "park")
    assert len({e.name for e in enterprises}) == len(enterprises)
    in_city = sum(e.registered_in_city for e in enterprises) / len(enterprises)
    assert 0.83 < in_city < 0.96
    assert {e.county.name for e in enterprises} >= {"郴州高新区", "郴州经开区", "北湖区", "桂东县"}


def test_demo_enterprise_is_a_large_equipment_enterprise(small):
    hr = User.objects.get(username="demo-enterprise")
    mentor = User.objects.get(username="demo-mentor")
    assert hr.enterprise == mentor.enterprise
    assert hr.enterprise.size == "large"
    chain = IndustryChain.objects.get(name="装备制造")
    assert hr.enterprise.industry.code.startswith(tuple(chain.industries.values_list("code", flat=True)))


def test_one_audit_record_per_run(reference):
    generate("small", 2021)
    assert AuditLog.objects.filter(verb="demo_data").count() == 1
    # the run, the departments load and the few service calls of the governance step (the 2025 assessment
    # computed and published, its allocation computed and finalized): nothing per row (catalog loads aside)
    assert AuditLog.objects.exclude(verb="reference_load").count() <= 10


def test_same_seed_same_rows_other_seed_other_rows(reference):
    as_of = dt.date(2026, 4, 15)
    generate("small", 99, as_of=as_of)
    first = digest()
    delete_generated()
    assert not Enterprise.objects.exists() and not School.objects.exists() and not DemoRun.objects.exists()
    generate("small", 99, as_of=as_of)
    assert digest() == first
    delete_generated()
    generate("small", 100, as_of=as_of)
    assert digest()["all"] != first["all"]


def test_refuses_without_reference_data(no_reference):
    with pytest.raises(CommandError, match="请先运行 xiaoqitong load_reference"):
        call_command("demo_data", "--no-progress")
    assert not School.objects.exists()


def test_refuses_when_a_chain_mapping_is_missing(reference):
    for chain in IndustryChain.objects.all():
        chain.industries.clear()
    with pytest.raises(DemoError, match="load_reference"):
        generate("small", 1)


def test_refuses_on_existing_data_without_reset(reference):
    call_command("demo_data", "--no-progress", "--seed", "5", "--as-of", "2026-04-15")
    first = digest()
    with pytest.raises(
        CommandError, match=r"已有演示数据（规模 small，随机种子 5，基准日期 2026-04-15.*--reset"
    ):
        call_command("demo_data", "--no-progress", "--seed", "5")
    assert Enterprise.objects.count() == 300
    call_command("demo_data", "--no-progress", "--seed", "5", "--as-of", "2026-04-15", "--reset")
    assert digest() == first
    assert DemoRun.objects.count() == 1 and Enterprise.objects.count() == 300


def test_refuses_when_the_real_schools_exist_already(reference):
    SchoolFactory(name="郴州职业技术学院")
    with pytest.raises(DemoError, match="郴州职业技术学院"):
        generate("small", 1)


def test_reset_deletes_exactly_what_the_generator_made(reference):
    own_school = SchoolFactory(name="某某县职业学校")
    own_enterprise = EnterpriseFactory()
    run = generate("small", 3)
    assert run.counts["schools.Student"] and run.counts["enterprises.ApplicationEvent"]
    departments = Department.objects.count()
    call_command("demo_data", "--no-progress", "--delete")
    assert list(School.objects.all()) == [own_school]
    assert list(Enterprise.objects.all()) == [own_enterprise]
    assert not User.objects.filter(is_demo=True).exists()
    assert not ResearchInstitution.objects.exists() and not SchoolEnrolment.objects.exists()
    for label in run.created:  # students, postings, applications, their link tables …
        ranges = Q(pk__in=[])
        for lo, hi in run.pk_ranges(label):
            ranges |= Q(pk__range=(lo, hi))
        assert not apps.get_model(label).objects.filter(ranges).exists(), label
    assert Department.objects.count() == departments  # every deployment needs them
    assert AuditLog.objects.filter(verb="demo_data_reset").count() == 1


def test_reset_refuses_when_real_data_points_at_demo_rows(small):
    school = School.objects.get(name="安仁县职业学校")
    user_with_role("teacher", school=school, username="real-teacher")
    with pytest.raises(DemoError, match="无法删除演示数据"):
        delete_generated()
    assert School.objects.count() == 12


def test_unknown_scale_is_refused(reference):
    with pytest.raises(DemoError, match="未知的规模"):
        generate("galaxy", 1)


def test_province_scale_spreads_over_the_province(reference, monkeypatch):
    from xiaoqitong.demo import context

    tiny = context.Scale(
        "province", schools=14, enterprises=200, students=0, positions=0, institutions=8, province_wide=True
    )
    monkeypatch.setitem(context.SCALES, "province", tiny)
    generate("province", 4)
    assert School.objects.count() == 14
    assert ResearchInstitution.objects.count() == 8
    assert Enterprise.objects.filter(county__code="430104").exists()
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)


def test_generated_rows_pass_model_validation(small):
    for model in (School, Enterprise, ResearchInstitution):
        for obj in model.objects.all()[:50]:
            try:
                obj.full_clean()
            except ValidationError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{obj}: {exc}")
