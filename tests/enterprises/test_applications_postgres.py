"""Applications at the same moment (PostgreSQL, parallel API requests, each in its own thread and connection):
the same student applying twice at once makes one application, and students applying while two HR users of
the enterprise make offers at once never take the offers beyond the headcount (``application_advance`` locks
the position's row while it counts the places)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from xiaoqitong.enterprises import services
from xiaoqitong.enterprises.models import Application
from xiaoqitong.orgs.choices import Role

from ..concurrency import committed_catalogs, parallel
from ..orgs.factories import user_with_role
from ..schools.factories import StudentFactory, student_account
from .factories import PublishedPositionFactory

APPLICATIONS = "/api/v1/enterprises/applications/"


@pytest.fixture
def _catalogs(django_db_blocker):
    """Overrides the package's autouse fixture: this module runs outside a test transaction."""
    with committed_catalogs(django_db_blocker):
        yield


def _post(user, url, payload):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(url, payload, format="json")
        return response.status_code, response.data

    return call


def _student():
    return student_account(StudentFactory())


@pytest.mark.postgres
def test_the_same_student_applying_three_times_at_once_makes_one_application(_catalogs, transactional_db):
    assert connection.vendor == "postgresql"
    position = PublishedPositionFactory(headcount=1)
    user = _student()
    results = parallel([_post(user, APPLICATIONS, {"position": position.pk}) for _ in range(3)])
    codes = sorted(code for code, _data in results)
    assert codes == [201, 400, 400], results
    # Refused by the service's check, or (lost at the last moment) by the unique constraint's message.
    refusals = [str(data) for code, data in results if code == 400]
    assert all("只能投递一次" in text or "已经存在" in text for text in refusals), refusals
    assert Application.objects.filter(position=position).count() == 1


@pytest.mark.postgres
def test_two_hr_users_offering_while_students_apply_never_exceed_the_headcount(_catalogs, transactional_db):
    hr_one = user_with_role(Role.ENTERPRISE_HR)
    hr_two = user_with_role(Role.ENTERPRISE_HR, enterprise=hr_one.enterprise)
    position = PublishedPositionFactory(enterprise=hr_one.enterprise, headcount=2)
    waiting = [services.application_create(actor=_student(), position=position) for _ in range(10)]
    newcomers = [_student() for _ in range(4)]

    calls = [
        *(
            _post(hr, f"{APPLICATIONS}{application.pk}/advance/", {"to_status": "offered"})
            for hr, application in zip([hr_one, hr_two] * 5, waiting, strict=True)
        ),
        *(_post(user, APPLICATIONS, {"position": position.pk}) for user in newcomers),
    ]
    results = parallel(calls)
    offers, applies = results[:10], results[10:]
    assert sorted(code for code, _data in offers) == [200] * 2 + [400] * 8, offers
    assert all("名额已满" in str(data) for code, data in offers if code == 400)
    # An application either lands as submitted or is refused because the places are gone; never an error.
    assert all(code in (201, 400) for code, _data in applies), applies
    assert all("名额已满" in str(data) for code, data in applies if code == 400)
    assert Application.objects.filter(position=position, status="offered").count() == 2
    landed = sum(1 for code, _data in applies if code == 201)
    assert Application.objects.filter(position=position).count() == 10 + landed

    # The places are gone: one more offer from either HR user is refused, and so is a new application.
    late = Application.objects.filter(position=position, status="submitted").first()
    results = parallel(
        [
            _post(hr_one, f"{APPLICATIONS}{late.pk}/advance/", {"to_status": "offered"}),
            _post(hr_two, f"{APPLICATIONS}{late.pk}/advance/", {"to_status": "offered"}),
            _post(_student(), APPLICATIONS, {"position": position.pk}),
        ]
    )
    assert [code for code, _data in results] == [400, 400, 400], results
    assert Application.objects.filter(position=position, status="offered").count() == 2
