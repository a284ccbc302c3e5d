"""Input the API fuzzing (tests/core/test_api_fuzz.py) found answered with a server error: an id that is not a
number in a resource's path, a year no date can hold in a filter. Each is a client error now."""

import pytest

from tests.orgs.factories import user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/quality/teaching-resources/abc/download/"),
        ("post", "/api/v1/quality/teaching-resources/%C3%A1/publish/"),
    ],
)
def test_an_id_that_is_not_a_number_is_not_found(method, url):
    api = login_clients(user_with_role(Role.TEACHER))[1]
    assert getattr(api, method)(url, {}, format="json").status_code == 404


def test_a_year_no_date_can_hold_is_refused():
    api = login_clients(user_with_role(Role.PLATFORM_ADMIN))[1]
    response = api.get("/api/v1/quality/certificate-awards/", {"year": "-99999999999"})
    assert response.status_code == 400 and "year" in response.data
    assert api.get("/api/v1/quality/certificate-awards/", {"year": "2026"}).status_code == 200
