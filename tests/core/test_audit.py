"""Each service writes exactly one audit record, naming the actor, with before/after and the request id."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaoqitong.core import services
from xiaoqitong.core.context import set_request_id
from xiaoqitong.core.models import AuditLog, ImportJob
from xiaoqitong.orgs import services as org_services
from xiaoqitong.orgs.models import School

from ..orgs.factories import SchoolFactory, UserFactory, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    county()
    return UserFactory(is_superuser=True, username="auditor")


def one_new_record(before: int) -> AuditLog:
    assert AuditLog.objects.count() == before + 1
    return AuditLog.objects.latest("id")


def test_object_create(actor):
    before = AuditLog.objects.count()
    set_request_id("req-create-0001")
    school = services.object_create(
        actor=actor,
        model=School,
        data={"code": "4143000001", "name": "审计学校", "school_type": "secondary", "county": county()},
    )
    entry = one_new_record(before)
    assert (entry.action, entry.verb, entry.actor, entry.object_id) == (
        "create",
        "school_create",
        actor,
        str(school.pk),
    )
    assert entry.changes["name"] == [None, "审计学校"]
    assert entry.request_id == "req-create-0001"


def test_object_update_records_only_changed_fields(actor):
    school = SchoolFactory(name="旧名")
    before = AuditLog.objects.count()
    services.object_update(actor=actor, instance=school, data={"name": "新名", "code": school.code})
    entry = one_new_record(before)
    assert entry.changes == {"name": ["旧名", "新名"]}


def test_object_delete(actor):
    school = SchoolFactory()
    before = AuditLog.objects.count()
    services.object_delete(actor=actor, instance=school)
    entry = one_new_record(before)
    assert entry.action == "delete" and entry.object_repr == str(school)


def test_refused_write_records_nothing(actor):
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.object_create(
            actor=actor,
            model=School,
            data={"code": "abc", "name": "坏学校", "school_type": "secondary", "county": county()},
        )
    assert "学校代码" in str(exc.value) or "code" in exc.value.message_dict
    assert AuditLog.objects.count() == before
    assert not School.objects.filter(name="坏学校").exists()


def test_delete_refused_while_referenced(actor):
    school = SchoolFactory()
    UserFactory(role="teacher", school=school)
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.object_delete(actor=actor, instance=school)
    assert "不能删除" in exc.value.messages[0]
    assert AuditLog.objects.count() == before


def test_user_services_never_record_passwords(actor):
    before = AuditLog.objects.count()
    user = org_services.user_create(
        actor=actor, data={"username": "newbie", "role": "platform_admin", "password": "Very-secret-2026"}
    )
    entry = one_new_record(before)
    assert "password" not in entry.changes and "Very-secret-2026" not in str(entry.changes)
    before = AuditLog.objects.count()
    org_services.user_update(actor=actor, instance=user, data={"password": "Other-secret-2027"})
    entry = one_new_record(before)
    assert entry.changes["password"] == ["***", "***"]
    user.refresh_from_db()
    assert user.check_password("Other-secret-2027")


def test_import_job_services(actor, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("x.csv", "学校代码\n".encode())
    before = AuditLog.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        job = services.import_job_create(actor=actor, model=School, upload=upload)
    one_new_record(before)
    job.status = ImportJob.Status.VALID
    job.save(update_fields=["status"])
    before = AuditLog.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        services.import_job_confirm(actor=actor, job=job)
    entry = one_new_record(before)
    assert entry.verb == "import_job_confirm"


def test_import_job_refusals(actor, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as exc:
        services.import_job_create(actor=actor, model=School, upload=SimpleUploadedFile("x.pdf", b"%PDF"))
    assert "xlsx、xls、ods 或 csv" in str(exc.value)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.import_job_create(
            actor=actor, model=School, upload=SimpleUploadedFile("x.csv", "学校代码\n".encode())
        )
    with pytest.raises(ValidationError) as exc:
        services.import_job_confirm(actor=actor, job=job)
    assert "校验通过" in exc.value.messages[0]
    other = UserFactory(is_superuser=True)
    job.status = ImportJob.Status.VALID
    job.save(update_fields=["status"])
    with pytest.raises(ValidationError) as exc:
        services.import_job_confirm(actor=other, job=job)
    assert "提交人" in exc.value.messages[0]


def test_departments_load_is_idempotent_and_audited_once(actor):
    from xiaoqitong.reference.models import Region

    for code, name in [
        ("431021", "桂阳县"),
        ("431003", "苏仙区"),
        ("431022", "宜章县"),
        ("431023", "永兴县"),
        ("431024", "嘉禾县"),
        ("431025", "临武县"),
        ("431026", "汝城县"),
        ("431027", "桂东县"),
        ("431028", "安仁县"),
        ("431081", "资兴市"),
    ]:
        county(code, name)
    from xiaoqitong.orgs.models import Department

    Department.objects.all().delete()  # whatever an earlier test or fixture left
    before = AuditLog.objects.count()
    first = org_services.departments_load()
    assert first["created"] == 30
    assert Region.objects.filter(level="county", parent__code="431000").count() == 11
    assert AuditLog.objects.count() == before + 1
    second = org_services.departments_load()
    assert second == {"created": 0, "updated": 0, "unchanged": 30}
    assert AuditLog.objects.count() == before + 1


def test_history_page_lists_changes(actor, client):
    school = SchoolFactory(name="历史学校")
    services.object_update(actor=actor, instance=school, data={"name": "历史学校二"})
    client.force_login(actor)
    response = client.get(f"/orgs/schools/{school.pk}/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "历史学校二" in html
    assert "学校名称" in html  # fields are named by their labels, not their column names


def test_global_audit_page_is_for_platform_admins_only(actor, client):
    client.force_login(actor)
    assert client.get("/core/audit/").status_code == 200
    client.force_login(UserFactory(role="teacher", school=SchoolFactory()))
    assert client.get("/core/audit/").status_code == 403
