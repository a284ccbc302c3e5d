"""Every role has a home page with the counts that role cares about, counted within its scope (students
may not view enrolment rows, so they have no enrolment counter)."""

import pytest

from xiaoqitong.orgs.choices import Role

from .factories import EnterpriseFactory, SchoolEnrolmentFactory, county, industry_leaf, user_with_role

EXPECTED = {
    Role.PLATFORM_ADMIN: ["学校", "企业", "本市大中型企业", "用户"],
    Role.GOV_OFFICER: ["学校", "企业", "本市大中型企业"],
    Role.RESEARCHER: ["学校", "企业", "本市大中型企业"],
    Role.SCHOOL_ADMIN: ["学校", "企业", "本校全日制在校生（学校填报，最新年度）"],
    Role.TEACHER: ["学校", "企业", "本校全日制在校生（学校填报，最新年度）"],
    Role.STUDENT: ["学校", "企业"],
    Role.ENTERPRISE_HR: ["学校", "企业"],
    Role.ENTERPRISE_MENTOR: ["学校", "企业"],
}


ALL_ORG_COUNTERS = {label for labels in EXPECTED.values() for label in labels}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(EXPECTED))
def test_home_page_per_role(client, role):
    county()
    industry_leaf()
    user = user_with_role(role)
    EnterpriseFactory(size="large")
    EnterpriseFactory(size="large")
    if user.school_id:
        SchoolEnrolmentFactory(school=user.school, year=2024, full_time_students=4321)
        SchoolEnrolmentFactory(school=user.school, year=2025, full_time_students=5432)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    labels = [c["label"] for c in response.context["counters"]]
    # the organization counters (other apps add theirs to the same page)
    shown = [str(label) for label in labels]
    assert [label for label in shown if label in ALL_ORG_COUNTERS] == EXPECTED[role]
    values = {str(c["label"]): c["value"] for c in response.context["counters"]}
    if "本校全日制在校生（学校填报，最新年度）" in EXPECTED[role]:
        assert values["本校全日制在校生（学校填报，最新年度）"] == 5432
    assert "用户" not in values or role == Role.PLATFORM_ADMIN


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
