"""The menu group 人才供需 and the home-page counters of each role."""

from django.test import Client

from xiaoqitong.enterprises import services
from xiaoqitong.orgs.choices import Role

from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import PositionFactory, PublishedPositionFactory, in_days


def home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def counter(html: str, label: str) -> str:
    """The number shown above a counter's label."""
    head = html[: html.index(label)]
    start = head.rindex('xqt-counter-value">') + len('xqt-counter-value">')
    return head[start : head.index("<", start)]


def test_enterprise_counters():
    hr = user_with_role(Role.ENTERPRISE_HR)
    position = PublishedPositionFactory(enterprise=hr.enterprise)
    PublishedPositionFactory(enterprise=hr.enterprise, valid_until=in_days(-2))  # past its date
    PositionFactory(enterprise=hr.enterprise)  # a draft
    PublishedPositionFactory()  # another enterprise's
    for _ in range(2):
        student = StudentFactory()
        services.application_create(actor=student_account(student), position=position)
    html = home(hr)
    assert counter(html, "在招岗位") == "1"
    assert counter(html, "收到申请") == "2"
    assert "人才供需" in html and "/enterprises/positions/" in html and "/enterprises/applications/" in html
    assert "/enterprises/graduate-outcomes/" not in html
    assert "待审核岗位" not in html


def test_government_counters():
    officer = user_with_role(Role.GOV_OFFICER)
    PositionFactory(status="submitted")
    PositionFactory(status="submitted")
    PublishedPositionFactory()
    html = home(officer)
    assert counter(html, "待审核岗位") == "2"
    assert 'href="/enterprises/positions/?status=submitted"' in html  # the list the number counts
    assert counter(html, "全市在招岗位") == "1"
    assert "/enterprises/graduate-outcomes/" in html and "/enterprises/applications/" not in html


def test_student_counters():
    student = StudentFactory()
    user = student_account(student)
    services.application_create(actor=user, position=PublishedPositionFactory())
    html = home(user)
    assert counter(html, "我的申请") == "1"
    assert "收到申请" not in html and "待审核岗位" not in html


def test_the_history_link_only_for_those_who_may_open_it():
    published = PublishedPositionFactory()
    draft = PositionFactory(enterprise=published.enterprise)
    student = student_account(StudentFactory())
    hr = user_with_role(Role.ENTERPRISE_HR, enterprise=published.enterprise)  # changes its drafts
    for user, position, shown in ((student, published, False), (hr, draft, True)):
        client = Client()
        client.force_login(user)
        html = client.get(position.get_absolute_url()).content.decode()
        assert ("变更历史" in html) is shown, user.role
        history = client.get(f"{position.get_absolute_url()}history/")
        assert (history.status_code == 200) is shown, user.role
