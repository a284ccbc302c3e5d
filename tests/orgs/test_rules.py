"""Rules on organizations beyond the permission matrix: fields a role may not change, schools that still
have enrolment rows, and the areas an organization may be placed in."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from xiaoqitong.core import services
from xiaoqitong.core.models import AuditLog
from xiaoqitong.orgs import views
from xiaoqitong.orgs.choices import Role
from xiaoqitong.orgs.forms import ResearchInstitutionForm
from xiaoqitong.orgs.models import ResearchInstitution, School, SchoolEnrolment
from xiaoqitong.orgs.validators import make_credit_code
from xiaoqitong.reference.models import Region

from .factories import (
    SchoolEnrolmentFactory,
    SchoolFactory,
    UserFactory,
    county,
    industry_leaf,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def has_chinese(text) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def page_for(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


# --- locked fields --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("code", "4143011111"), ("school_type", "associate"), ("ownership", "private")]
)
def test_school_admin_may_not_change_its_schools_code_type_or_ownership(field, value):
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    before = getattr(school, field)
    response = api_for(admin).patch(f"/api/v1/orgs/schools/{school.pk}/", {field: value}, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data and has_chinese(response.data[field])
    school.refresh_from_db()
    assert getattr(school, field) == before
    assert not AuditLog.objects.filter(action="update", object_id=str(school.pk)).exists()


def test_school_admin_may_change_its_schools_name_and_the_government_its_code():
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    response = api_for(admin).patch(
        f"/api/v1/orgs/schools/{school.pk}/", {"name": "郴州新名字职业学校"}, format="json"
    )
    assert response.status_code == 200, response.data
    school.refresh_from_db()
    assert school.name == "郴州新名字职业学校"
    officer = user_with_role(Role.GOV_OFFICER)
    response = api_for(officer).patch(
        f"/api/v1/orgs/schools/{school.pk}/", {"code": "4143011112"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert School.objects.get(pk=school.pk).code == "4143011112"


def test_enterprise_hr_may_not_change_its_credit_code():
    county()
    industry_leaf()
    hr = user_with_role(Role.ENTERPRISE_HR)
    enterprise = hr.enterprise
    before = enterprise.credit_code
    api = api_for(hr)
    response = api.patch(
        f"/api/v1/orgs/enterprises/{enterprise.pk}/",
        {"credit_code": make_credit_code("431002", 42424242)},
        format="json",
    )
    assert response.status_code == 400 and "credit_code" in response.data
    assert has_chinese(response.data["credit_code"])
    enterprise.refresh_from_db()
    assert enterprise.credit_code == before
    response = api.patch(f"/api/v1/orgs/enterprises/{enterprise.pk}/", {"employees": 77}, format="json")
    assert response.status_code == 200, response.data


def test_locked_fields_are_read_only_on_the_edit_page():
    county()
    industry_leaf()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    form = page_for(admin).get(views.SchoolViews.url_for("edit", admin.school)).context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == {
        "code",
        "school_type",
        "ownership",
    }
    hr = user_with_role(Role.ENTERPRISE_HR)
    form = page_for(hr).get(views.EnterpriseViews.url_for("edit", hr.enterprise)).context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == {"credit_code"}
    # The government's officers see every field open.
    officer = user_with_role(Role.GOV_OFFICER)
    form = page_for(officer).get(views.SchoolViews.url_for("edit", admin.school)).context["form"]
    assert not any(field.disabled for field in form.fields.values())


def test_a_posted_locked_field_is_ignored_on_the_page():
    county()
    admin = user_with_role(Role.SCHOOL_ADMIN)
    school = admin.school
    before = (school.code, school.school_type, school.ownership)
    response = page_for(admin).post(
        views.SchoolViews.url_for("edit", school),
        {
            "code": "4143011113",
            "name": "页面改名职校",
            "school_type": "bachelor",
            "ownership": "private",
            "county": school.county_id,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    school.refresh_from_db()
    assert school.name == "页面改名职校"
    assert (school.code, school.school_type, school.ownership) == before


# --- a school with enrolment rows is not deleted --------------------------------------------------------


def test_school_with_enrolment_rows_cannot_be_deleted():
    county()
    school = SchoolFactory()
    SchoolEnrolmentFactory(school=school, year=2024)
    officer = user_with_role(Role.GOV_OFFICER)

    with pytest.raises(ValidationError) as exc:
        services.object_delete(actor=officer, instance=school)
    assert "仍被其他记录引用" in exc.value.messages[0] and "在校生规模" in exc.value.messages[0]

    response = page_for(officer).post(views.SchoolViews.url_for("delete", school), follow=True)
    assert "仍被其他记录引用" in response.content.decode()
    response = api_for(officer).delete(f"/api/v1/orgs/schools/{school.pk}/")
    assert response.status_code == 400 and "仍被其他记录引用" in str(response.data)
    assert School.objects.filter(pk=school.pk).exists()
    assert SchoolEnrolment.objects.filter(school=school).count() == 1


# --- areas ----------------------------------------------------------------------------------------------


def test_research_institution_is_placed_in_a_county_or_park():
    area = county()
    city = Region.objects.get(code="431000")
    form = ResearchInstitutionForm(user=UserFactory(is_superuser=True))
    choices = set(form.fields["county"].queryset)
    assert area in choices and city not in choices
    with pytest.raises(ValidationError) as exc:
        services.object_create(
            actor=None,
            model=ResearchInstitution,
            data={"code": "RI-CITY", "name": "市级研究所", "county": city},
        )
    assert "county" in exc.value.message_dict and "县级行政区或园区" in exc.value.message_dict["county"][0]
    assert not ResearchInstitution.objects.exists()
