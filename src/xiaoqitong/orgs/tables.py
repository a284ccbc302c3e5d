import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Department, Enterprise, ResearchInstitution, School, SchoolEnrolment, User

ATTRS = {"class": "table table-sm table-hover align-middle"}


class SchoolTable(tables.Table):
    name = tables.Column(linkify=True)
    county = tables.Column(verbose_name=_("县市区"))

    class Meta:
        model = School
        fields = ("code", "name", "school_type", "ownership", "county", "contact_phone")
        attrs = ATTRS


class SchoolEnrolmentTable(tables.Table):
    year = tables.Column(linkify=True)

    class Meta:
        model = SchoolEnrolment
        fields = ("year", "school", "full_time_students")
        attrs = ATTRS


class EnterpriseTable(tables.Table):
    name = tables.Column(linkify=True)
    industry = tables.Column(verbose_name=_("行业"))
    county = tables.Column(verbose_name=_("县市区/园区"))

    class Meta:
        model = Enterprise
        fields = ("name", "credit_code", "size", "industry", "county", "registered_in_city", "employees")
        attrs = ATTRS


class ResearchInstitutionTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = ResearchInstitution
        fields = ("code", "name", "kind", "county")
        attrs = ATTRS


class DepartmentTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = Department
        fields = ("code", "name", "short_name", "kind", "region")
        attrs = ATTRS


class UserTable(tables.Table):
    username = tables.Column(linkify=True)
    organization = tables.Column(verbose_name=_("所属组织"), accessor="organization", orderable=False)

    class Meta:
        model = User
        fields = ("username", "display_name", "role", "organization", "is_active", "is_demo", "last_login")
        attrs = ATTRS
