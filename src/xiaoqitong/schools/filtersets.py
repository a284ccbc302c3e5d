"""One FilterSet per model, shared by the pages, the API and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiaoqitong.core.filters import YesNoFilter
from xiaoqitong.orgs.filtersets import CountyFilter
from xiaoqitong.orgs.models import School
from xiaoqitong.reference.choices import EducationLevel
from xiaoqitong.reference.models import IndustryChain, Skill

from . import selectors
from .choices import Consent, Duration, Employment, MasterLevel, StudentStatus, Title
from .models import SchoolMajor, Student, StudentSkill, Teacher, TeacherPractice


def _search(*fields):
    def method(queryset, name, value):
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(query)

    return method


def _schools():
    return School.objects.order_by("code")


class SchoolFilter(django_filters.ModelChoiceFilter):
    """A school by its code (``?school=4143000001``)."""

    def __init__(self, field_name="school", **kwargs):
        kwargs.setdefault("queryset", _schools())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("label", _("学校"))
        super().__init__(field_name=field_name, **kwargs)


class ChainFilter(django_filters.ModelChoiceFilter):
    def __init__(self, field_name, **kwargs):
        kwargs.setdefault("queryset", IndustryChain.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(field_name=field_name, **kwargs)


class SchoolMajorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search("school__name", "major__name", "major__code"), label=_("搜索")
    )
    school = SchoolFilter()
    county = CountyFilter(field_name="school__county", label=_("学校所在县市区"))
    year = django_filters.NumberFilter(label=_("年度"))
    level = django_filters.ChoiceFilter(
        field_name="major__education_level", choices=EducationLevel.choices, label=_("专业层次")
    )
    major = django_filters.CharFilter(
        field_name="major__code",
        lookup_expr="startswith",
        label=_("专业代码"),
        help_text=_("专业、专业类或大类代码"),
    )
    duration = django_filters.ChoiceFilter(choices=Duration.choices, label=_("学制"))
    chain = ChainFilter(field_name="chains", label=_("对接产业链"))
    is_provincial_high_level = YesNoFilter(label=_("省级高水平专业（群）"))
    is_quality = YesNoFilter(label=_("优质专业（群）"))

    class Meta:
        model = SchoolMajor
        fields = [
            "q",
            "school",
            "county",
            "year",
            "level",
            "major",
            "duration",
            "chain",
            "is_provincial_high_level",
            "is_quality",
        ]


class StudentFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("姓名、学号、专业或技能"))
    school = SchoolFilter()
    major = django_filters.CharFilter(
        field_name="school_major__major__code", lookup_expr="startswith", label=_("专业代码")
    )
    grade = django_filters.NumberFilter(label=_("年级"))
    status = django_filters.MultipleChoiceFilter(choices=StudentStatus.choices, label=_("状态"))
    consent = django_filters.ChoiceFilter(choices=Consent.choices, label=_("对企业公开简历"))
    skill = django_filters.ModelChoiceFilter(
        queryset=Skill.objects.all(),
        to_field_name="name",
        field_name="skills",
        method="filter_skill",
        label=_("技能"),
    )
    chain = ChainFilter(field_name="preferred_chains", label=_("意向产业链"))
    county = CountyFilter(field_name="preferred_counties", label=_("意向工作地"))

    class Meta:
        model = Student
        fields = ["q", "school", "major", "grade", "status", "consent", "skill", "chain", "county"]

    def search(self, queryset, name, value):
        """Chinese full-text search over the indexed profile (major, skills and their synonyms, preferred
        chains; ranked), or a name or 学号 for those who may see it (an enterprise user: only students who
        consented in full, and its applicants)."""
        from xiaoqitong.core import search

        value = value.strip()
        identity = Q(name__icontains=value) | Q(student_no__istartswith=value)
        user = getattr(self.request, "user", None)
        if user is not None and not user.is_superuser and user.role in selectors.ENTERPRISE_ROLES:
            identity &= selectors.identity_visible_q(user)
        return search.search(queryset, value, also=identity)

    def filter_skill(self, queryset, name, skill: str):
        return queryset.filter(pk__in=StudentSkill.objects.filter(skill=skill).values("student_id"))


class TeacherFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search("name", "staff_no"), label=_("搜索"))
    school = SchoolFilter()
    employment = django_filters.ChoiceFilter(choices=Employment.choices, label=_("聘任方式"))
    is_dual_qualified = YesNoFilter(label=_("“双师型”教师"))
    title = django_filters.ChoiceFilter(choices=Title.choices, label=_("职称"))
    master_level = django_filters.ChoiceFilter(
        choices=[c for c in MasterLevel.choices if c[0]], label=_("教学名师")
    )
    is_special_post = YesNoFilter(label=_("特岗教师"))

    class Meta:
        model = Teacher
        fields = [
            "q",
            "school",
            "employment",
            "is_dual_qualified",
            "title",
            "master_level",
            "is_special_post",
        ]


class TeacherPracticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search("teacher__name", "teacher__staff_no", "enterprise__name"), label=_("搜索")
    )
    school = SchoolFilter(field_name="teacher__school")
    enterprise = django_filters.CharFilter(
        field_name="enterprise__credit_code", lookup_expr="iexact", label=_("企业统一社会信用代码")
    )
    year = django_filters.NumberFilter(label=_("年度"))

    class Meta:
        model = TeacherPractice
        fields = ["q", "school", "enterprise", "year"]
