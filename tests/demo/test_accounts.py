import pytest

from xiaoqitong.demo.accounts import DEMO_ACCOUNTS, ensure_demo_accounts
from xiaoqitong.demo.context import DemoError
from xiaoqitong.demo.generator import generate
from xiaoqitong.orgs.models import User
from xiaoqitong.schools.models import Student

from .conftest import ORG_STEPS

# Every step runs, with fewer students and postings (the real small scale: test_supply_demand.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiny_scale")]


@pytest.fixture
def demo(reference):
    return generate("small", 2021, steps=ORG_STEPS)


def test_one_account_per_role_with_chinese_names(demo):
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    assert set(users) == {a.username for a in DEMO_ACCOUNTS}
    assert {u.role for u in users.values()} == {
        "platform_admin",
        "gov_officer",
        "school_admin",
        "teacher",
        "enterprise_hr",
        "enterprise_mentor",
        "student",
        "researcher",
    }
    admin = users["demo-admin"]
    assert admin.is_superuser and admin.is_staff
    assert users["demo-gov"].department.short_name == "市教育局"
    assert users["demo-hrss"].department.short_name == "市人社局"
    assert users["demo-ndrc"].department.short_name == "市发改委"
    for name in ("demo-school", "demo-teacher", "demo-student"):
        assert users[name].school.name == "郴州职业技术学院"
        assert not users[name].is_staff
    assert users["demo-researcher"].institution is not None
    for user in users.values():
        assert user.display_name and not user.display_name.isascii()
        user.full_clean()


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_demo_accounts_log_in_only_in_demo_mode(demo, client, settings, username):
    settings.DEMO_MODE = True
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    client.logout()
    assert not client.login(username=username, password="wrong-password")
    settings.DEMO_MODE = False
    assert not client.login(username=username, password=settings.DEMO_PASSWORD)


def test_ensure_demo_accounts_is_idempotent_and_resets_the_password(demo, client, settings):
    user = User.objects.get(username="demo-teacher")
    user.set_password("something-else-2026")
    user.is_active = False
    user.display_name = "改过的名字"
    user.save()
    ensure_demo_accounts()
    ensure_demo_accounts()
    assert User.objects.filter(is_demo=True).count() == len(DEMO_ACCOUNTS)
    user.refresh_from_db()
    assert user.is_active and user.display_name == "李雪梅"
    settings.DEMO_MODE = True
    assert client.login(username="demo-teacher", password=settings.DEMO_PASSWORD)


def test_ensure_demo_accounts_needs_the_demo_data(db):
    with pytest.raises(DemoError, match="demo_data"):
        ensure_demo_accounts()


def test_ensure_demo_accounts_leaves_real_accounts_alone(demo):
    User.objects.filter(username="demo-gov").update(is_demo=False)
    with pytest.raises(DemoError, match="demo-gov"):
        ensure_demo_accounts()


def test_the_student_account_is_a_generated_student_and_stays_one(reference):
    run = generate("small", 2021)
    user = User.objects.get(username="demo-student")
    student = Student.objects.get(user=user)
    assert run.anchors["student"] == f"{student.school.code}/{student.student_no}"
    assert student.name == user.display_name and student.school == user.school
    ensure_demo_accounts()
    assert Student.objects.get(user__username="demo-student") == student
    # The account deleted and made anew: linked to the same student again, once.
    user.delete()
    student.refresh_from_db()
    assert student.user is None
    ensure_demo_accounts()
    ensure_demo_accounts()
    assert Student.objects.get(user__username="demo-student") == student
    assert Student.objects.filter(user__isnull=False).count() == 1
