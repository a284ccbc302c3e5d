import factory
from factory.django import DjangoModelFactory

from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.models import Industry, Region


def county(code="431002", name="北湖区"):
    province, _ = Region.objects.get_or_create(
        code="430000", defaults={"name": "湖南省", "level": "province"}
    )
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": "county", "parent": city}
    )
    return region


def industry_leaf(code="C3874", name="智能照明器具制造"):
    section, _ = Industry.objects.get_or_create(code=code[0], defaults={"name": "制造业", "level": 1})
    division, _ = Industry.objects.get_or_create(
        code=code[:3],
        defaults={"name": "电气机械和器材制造业", "level": 2, "parent": section, "numeric_code": code[1:3]},
    )
    group, _ = Industry.objects.get_or_create(
        code=code[:4],
        defaults={"name": "照明器具制造", "level": 3, "parent": division, "numeric_code": code[1:4]},
    )
    leaf, _ = Industry.objects.get_or_create(
        code=code, defaults={"name": name, "level": 4, "parent": group, "numeric_code": code[1:]}
    )
    return leaf


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"41430{n:05d}")
    name = factory.Sequence(lambda n: f"郴州第{n}职业学校")
    school_type = "secondary"
    ownership = "public"
    county = factory.LazyFunction(county)


class SchoolEnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = SchoolEnrolment

    school = factory.SubFactory(SchoolFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    full_time_students = 1200


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.Sequence(lambda n: make_credit_code("431002", 10_000_000 + n))
    name = factory.Sequence(lambda n: f"郴州测试{n}有限公司")
    size = "medium"
    industry = factory.LazyFunction(industry_leaf)
    county = factory.LazyFunction(county)
    employees = 300


class ResearchInstitutionFactory(DjangoModelFactory):
    class Meta:
        model = ResearchInstitution

    code = factory.Sequence(lambda n: f"RI-{n:04d}")
    name = factory.Sequence(lambda n: f"郴州职业教育研究所{n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PLATFORM_ADMIN
    password = factory.PostGenerationMethodCall("set_password", "a-Long-pass-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, **kwargs) -> User:
    """A user of ``role`` attached to a fresh organization of the right kind (or the one given)."""
    org = {
        Role.GOV_OFFICER: ("department", DepartmentFactory),
        Role.SCHOOL_ADMIN: ("school", SchoolFactory),
        Role.TEACHER: ("school", SchoolFactory),
        Role.STUDENT: ("school", SchoolFactory),
        Role.ENTERPRISE_HR: ("enterprise", EnterpriseFactory),
        Role.ENTERPRISE_MENTOR: ("enterprise", EnterpriseFactory),
        Role.RESEARCHER: ("institution", ResearchInstitutionFactory),
    }.get(role)
    if org and org[0] not in kwargs:
        kwargs[org[0]] = org[1]()
    if role == Role.PLATFORM_ADMIN:
        kwargs.setdefault("is_superuser", True)
        kwargs.setdefault("is_staff", True)
    return UserFactory(role=role, **kwargs)
