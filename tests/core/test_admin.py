"""Django admin writes go through the services: validated and audited."""

import pytest

from xiaoqitong.core.models import AuditLog
from xiaoqitong.reference.models import Skill

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, username="root"))
    return client


def test_admin_add_change_delete_are_audited(admin_client):
    response = admin_client.post(
        "/admin/reference/skill/add/",
        {"name": "数控编程测试", "synonyms": "[]", "category": "", "is_curated": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    skill = Skill.objects.get(name="数控编程测试")
    assert (
        AuditLog.objects.filter(object_id=str(skill.pk), action="create", actor__username="root").count() == 1
    )
    response = admin_client.post(
        f"/admin/reference/skill/{skill.pk}/change/",
        {"name": "数控编程（测试）", "synonyms": "[]", "category": "", "is_curated": ""},
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(object_id=str(skill.pk), action="update")
    assert entry.changes == {"name": ["数控编程测试", "数控编程（测试）"]}
    response = admin_client.post(f"/admin/reference/skill/{skill.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Skill.objects.filter(pk=skill.pk).exists()
    assert AuditLog.objects.filter(object_id=str(skill.pk), action="delete").count() == 1


def test_admin_bulk_delete_is_audited_per_row(admin_client):
    a = Skill.objects.create(name="甲技能测试")
    b = Skill.objects.create(name="乙技能测试")
    response = admin_client.post(
        "/admin/reference/skill/",
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="delete", object_id__in=[str(a.pk), str(b.pk)]).count() == 2


def test_a_service_refusal_is_shown_on_the_form_and_rolled_back(rf):
    """A service that refuses what the form accepted: its errors land on the form (a field the form shows,
    or, named, among the form's errors) and nothing is written."""
    from django.contrib.admin import AdminSite
    from django.core.exceptions import ValidationError

    from xiaoqitong.core import services
    from xiaoqitong.core.admin import ServiceAdmin

    class RefusingAdmin(ServiceAdmin):
        fields = ("name", "category")

        def create(self, *, actor, data):
            services.object_create(actor=actor, model=Skill, data=data)  # written, then refused
            raise ValidationError({"name": ["名称已被占用"], "synonyms": ["同义词冲突"]})

    request = rf.post("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    form_class = RefusingAdmin(Skill, AdminSite()).get_form(request)
    form = form_class({"name": "试运行技能", "category": ""})
    assert not form.is_valid()
    assert form.errors["name"] == ["名称已被占用"]
    assert form.non_field_errors() == ["同义词：同义词冲突"]
    assert not Skill.objects.filter(name="试运行技能").exists()
    assert not AuditLog.objects.filter(action="create").exists()
