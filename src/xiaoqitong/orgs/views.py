from xiaoqitong.core.views import ModelViews

from . import filtersets, forms, services, tables
from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User


class SchoolViews(ModelViews):
    model = School
    filterset = filtersets.SchoolFilterSet
    table = tables.SchoolTable
    form = forms.SchoolForm
    select_related = ("county",)


class SchoolEnrolmentViews(ModelViews):
    model = SchoolEnrolment
    filterset = filtersets.SchoolEnrolmentFilterSet
    table = tables.SchoolEnrolmentTable
    form = forms.SchoolEnrolmentForm
    select_related = ("school",)


class EnterpriseViews(ModelViews):
    model = Enterprise
    filterset = filtersets.EnterpriseFilterSet
    table = tables.EnterpriseTable
    form = forms.EnterpriseForm
    select_related = ("industry", "county")


class ResearchInstitutionViews(ModelViews):
    model = ResearchInstitution
    filterset = filtersets.ResearchInstitutionFilterSet
    table = tables.ResearchInstitutionTable
    form = forms.ResearchInstitutionForm
    select_related = ("county",)


class DepartmentViews(ModelViews):
    model = Department
    filterset = filtersets.DepartmentFilterSet
    table = tables.DepartmentTable
    form = forms.DepartmentForm
    select_related = ("region",)


class UserViews(ModelViews):
    model = User
    filterset = filtersets.UserFilterSet
    table = tables.UserTable
    form = forms.UserForm
    importable = False
    select_related = ("school", "enterprise", "institution", "department")

    detail_exclude = ("id", "password", "created_at", "updated_at")

    @classmethod
    def create(cls, *, actor, data):
        return services.user_create(actor=actor, data=data)

    @classmethod
    def update(cls, *, actor, instance, data):
        return services.user_update(actor=actor, instance=instance, data=data)
