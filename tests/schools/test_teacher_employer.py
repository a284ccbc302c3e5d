"""A part-time teacher's employer (本职单位): enterprise experts teaching part-time (R4), counted in the
certification checklist. Only part-time teachers name one; the import and the API take the enterprise by
its 统一社会信用代码."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from xiaoqitong.core.models import ImportJob
from xiaoqitong.schools.models import Teacher

from ..orgs.factories import EnterpriseFactory, SchoolFactory, UserFactory
from .factories import TeacherFactory
from .test_bad_input import found, import_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def row(school, **extra):
    return {
        "学校代码": school.code,
        "工号": "P1",
        "姓名": "企业专家",
        "聘任方式": "兼职",
        "“双师型”教师": "否",
        "“双师型”认定日期": "",
        "“双师型”认定依据": "",
        "职称": "无职称",
        "教学名师": "",
        "特岗教师": "否",
        "手机号": "",
        "本职单位统一社会信用代码": "",
    } | extra


def test_only_part_time_teachers_name_an_employer():
    teacher = TeacherFactory.build(
        school=SchoolFactory(), employment="full_time", employer=EnterpriseFactory()
    )
    with pytest.raises(ValidationError) as exc:
        teacher.full_clean()
    assert "只有兼职教师" in str(exc.value.message_dict["employer"])
    teacher.employment = "part_time"
    teacher.full_clean()


def test_import_takes_the_employer_by_credit_code(root_client, django_capture_on_commit_callbacks):
    from xiaoqitong.schools import views

    school, enterprise = SchoolFactory(), EnterpriseFactory()
    job = import_job(
        root_client,
        views.TeacherViews,
        [row(school, **{"本职单位统一社会信用代码": enterprise.credit_code})],
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.VALID, job.errors
    with django_capture_on_commit_callbacks(execute=True):
        root_client.post(f"/core/imports/{job.pk}/confirm/")
    assert Teacher.objects.get(staff_no="P1").employer == enterprise
    job = import_job(
        root_client,
        views.TeacherViews,
        [row(school, 工号="P2", **{"本职单位统一社会信用代码": "91430000XXXXXXXXXX"})],
        django_capture_on_commit_callbacks,
    )
    assert "91430000XXXXXXXXXX" in found(job)[(2, "本职单位统一社会信用代码")]
    assert not Teacher.objects.filter(staff_no="P2").exists()


def test_api_reads_and_writes_the_employer():
    enterprise = EnterpriseFactory()
    teacher = TeacherFactory(employment="part_time")
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    url = f"/api/v1/schools/teachers/{teacher.pk}/"
    response = api.patch(url, {"employer": enterprise.credit_code}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["employer"] == enterprise.credit_code
    assert response.json()["employer_name"] == enterprise.name
    full_time = TeacherFactory(employment="full_time")
    response = api.patch(
        f"/api/v1/schools/teachers/{full_time.pk}/", {"employer": enterprise.credit_code}, format="json"
    )
    assert response.status_code == 400
