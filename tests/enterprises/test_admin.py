"""Django admin writes of postings go through the services (validation, discrimination check, audit)."""

from xiaoqitong.core.models import AuditLog
from xiaoqitong.enterprises.models import Position
from xiaoqitong.reference.models import Region

from ..orgs.factories import EnterpriseFactory, UserFactory
from .factories import ApplicationFactory, PositionFactory, in_days


def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, username="root"))
    return client


def form(enterprise, **extra):
    return {
        "enterprise": enterprise.pk,
        "title": "叉车司机",
        "description": "持叉车证，负责仓库货物装卸，男女不限。",
        "position_type": "full_time",
        "min_education": "secondary",
        "headcount": 2,
        "county": Region.objects.get(code="431002").pk,
        "valid_until": in_days(30).isoformat(),
        **extra,
    }


def test_admin_add_and_change_are_audited_and_checked(client):
    client = admin_client(client)
    enterprise = EnterpriseFactory()
    response = client.post("/admin/enterprises/position/add/", form(enterprise, description="限男性"))
    assert response.status_code == 200 and not Position.objects.exists()
    assert "限男性" in response.content.decode()  # the service's refusal, shown on the form
    assert not AuditLog.objects.filter(verb="position_create").exists()  # the trial was rolled back
    response = client.post("/admin/enterprises/position/add/", form(enterprise))
    assert response.status_code == 302, response.content.decode()[:2000]
    position = Position.objects.get()
    assert position.status == "draft"
    assert AuditLog.objects.filter(object_id=str(position.pk), verb="position_create").count() == 1
    response = client.post(
        f"/admin/enterprises/position/{position.pk}/change/", form(enterprise, headcount=5)
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(object_id=str(position.pk), verb="position_update")
    assert entry.changes["headcount"] == [2, 5]


def test_admin_lists_render(client):
    client = admin_client(client)
    PositionFactory()
    ApplicationFactory()
    for url in (
        "/admin/enterprises/position/",
        "/admin/enterprises/application/",
        "/admin/enterprises/graduateoutcome/",
    ):
        assert client.get(url).status_code == 200, url
    application = ApplicationFactory()
    assert client.get(f"/admin/enterprises/application/{application.pk}/change/").status_code == 200
