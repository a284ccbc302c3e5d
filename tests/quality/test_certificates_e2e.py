"""End to end with the test client (issue 7, “Done when”: demo-gov sees 1+X coverage per school): two schools'
administrators import their students' certificates through the import pages (validated, then confirmed);
a student finds theirs on “我的证书”; a government officer opens the coverage page from the menu and sees each
school's 1+X coverage against the 20% target with its source, drills into a school per major, exports the
rows, and finds the same figure on the quality targets overview."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaoqitong.core.models import ImportJob
from xiaoqitong.core.testing import csv_upload
from xiaoqitong.orgs.choices import Role
from xiaoqitong.quality.models import CertificateAward
from xiaoqitong.quality.rules import RuleKey, cite

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories_certificates import ONE_X, SKILL_LEVEL

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def import_awards(page: Client, rows: list[dict], capture) -> ImportJob:
    url = reverse("quality:certificateaward_import")
    with capture(execute=True):
        response = page.post(url, {"file": csv_upload(rows, name="获证名单.csv")})
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("core:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.VALID, job.errors
    with capture(execute=True):
        page.post(reverse("core:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


def test_an_officer_sees_each_schools_1x_coverage_against_20_percent(django_capture_on_commit_callbacks):
    year = timezone.localdate().year
    today = timezone.localdate().isoformat()
    north, south = user_with_role(Role.SCHOOL_ADMIN), user_with_role(Role.SCHOOL_ADMIN)
    north_students = [StudentFactory(school_major__school=north.school, grade=year - 1) for _ in range(4)]
    south_students = [StudentFactory(school_major__school=south.school, grade=year - 1) for _ in range(10)]

    def rows(students, codes):
        return [
            {
                "学校代码": s.school.code,
                "学号": s.student_no,
                "证书代码": code,
                "证书编号": f"E2E-{s.student_no}-{code}",
                "发证日期": today,
                "发证机构": "",
            }
            for s, code in zip(students, codes, strict=False)
        ]

    # North: 2 of 4 hold a 1+X certificate (50%); South: 1 of 10 (10%), one more a skill certificate only.
    north_page = client_for(north)
    template = north_page.get(reverse("quality:certificateaward_import") + "?template=csv")
    assert template.content.decode("utf-8-sig").strip() == "学校代码,学号,证书代码,证书编号,发证日期,发证机构"
    import_awards(north_page, rows(north_students, [ONE_X, ONE_X]), django_capture_on_commit_callbacks)
    import_awards(
        client_for(south), rows(south_students, [ONE_X, SKILL_LEVEL]), django_capture_on_commit_callbacks
    )
    assert CertificateAward.objects.count() == 4

    student_page = client_for(student_account(north_students[0]))
    assert "我的证书" in student_page.get(reverse("home")).content.decode()
    body = student_page.get(reverse("quality:certificate_mine")).content.decode()
    assert "Web前端开发" in body and "其中 1+X 证书 1 本" in body

    officer = client_for(user_with_role(Role.GOV_OFFICER))
    coverage_url = reverse("quality:certificate_coverage")
    assert coverage_url in officer.get(reverse("home")).content.decode()  # in the menu
    body = officer.get(coverage_url).content.decode()
    assert "≥ 20%" in body and cite(RuleKey.CERT_1X_COVERAGE_MIN) in body
    assert "data-city-coverage>21.4%" in body  # 3 of 14
    north_row = body.split(f'data-school="{north.school.code}"')[1].split("</tr>")[0]
    south_row = body.split(f'data-school="{south.school.code}"')[1].split("</tr>")[0]
    assert "50.0%" in north_row and "data-met" in north_row
    assert "10.0%" in south_row and "data-unmet" in south_row
    assert "1/2 所学校达标" in body

    drill = reverse("quality:certificate_coverage_school", args=[south.school.pk])
    assert drill in body
    body = officer.get(drill).content.decode()
    assert "data-major=" in body and "1 / 10 名在校生持有 1+X 证书" in body

    export = officer.get(coverage_url + "?export=csv").content.decode("utf-8-sig")
    assert f"{north.school.code},{north.school.name},4,2,50.0,20,达标" in export

    body = officer.get(reverse("quality:targets")).content.decode()
    assert "1+X 证书制度试点学生覆盖面" in body and "21.4%" in body

    # The school sees its own line only; the student does not get the page.
    body = north_page.get(coverage_url).content.decode()
    assert f'data-school="{north.school.code}"' in body and f'data-school="{south.school.code}"' not in body
    assert student_page.get(coverage_url).status_code == 403
