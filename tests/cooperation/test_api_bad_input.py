"""Input the API fuzzing (tests/core/test_api_fuzz.py) found answered with a server error: the compliance
dashboard's year out of what a date can hold. A client error now, with the range in Chinese."""

import pytest

from tests.orgs.factories import user_with_role
from xiaoqitong.core.testing import login_clients
from xiaoqitong.orgs.choices import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["-31", "0", "99999"])
def test_the_compliance_year_out_of_range_is_refused(year):
    api = login_clients(user_with_role(Role.PLATFORM_ADMIN))[1]
    response = api.get("/api/v1/cooperation/internship-compliance/", {"year": year})
    assert response.status_code == 400 and "2000 至 2100" in str(response.data["year"])
    assert api.get("/api/v1/cooperation/internship-compliance/", {"year": "2026"}).status_code == 200
