import factory
from factory.django import DjangoModelFactory

from xiaoqitong.orgs.choices import Role
from xiaoqitong.reference.models import Major, Region
from xiaoqitong.schools.models import SchoolMajor, Student, Teacher, TeacherPractice

from ..orgs.factories import EnterpriseFactory, SchoolFactory, user_with_role

SECONDARY_MAJOR = "660103"  # 数控技术应用
ASSOCIATE_MAJOR = "460103"  # 数控技术
BACHELOR_MAJOR = "260103"  # 数控技术 (职业本科)


def major(code=SECONDARY_MAJOR) -> Major:
    return Major.objects.get(code=code)


def region(code="431002") -> Region:
    return Region.objects.get(code=code)


class SchoolMajorFactory(DjangoModelFactory):
    class Meta:
        model = SchoolMajor
        django_get_or_create = ("school", "major", "year")

    school = factory.SubFactory(SchoolFactory)
    major = factory.LazyFunction(major)
    year = 2024
    enrolment_plan = 50
    new_enrolment = 45
    students_enrolled = 130
    expected_graduates = 40


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    school_major = factory.SubFactory(SchoolMajorFactory)
    school = factory.SelfAttribute("school_major.school")
    student_no = factory.Sequence(lambda n: f"S{n:06d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    grade = factory.SelfAttribute("school_major.year")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class TeacherFactory(DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"教师{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class TeacherPracticeFactory(DjangoModelFactory):
    class Meta:
        model = TeacherPractice

    teacher = factory.SubFactory(TeacherFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2024
    days = 30


def student_account(student: Student):
    """A student-role user linked to ``student`` (as the demo and the school administrator do)."""
    user = user_with_role(Role.STUDENT, school=student.school)
    Student.objects.filter(pk=student.pk).update(user=user)
    student.user = user
    return user
