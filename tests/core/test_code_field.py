"""Codes written to the API (core.api.CodeRelatedField)."""

import pytest

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_code_with_a_nul_byte_is_refused_not_a_server_error(client):
    """Found by the API fuzzing on PostgreSQL, which refuses NUL in any compared text."""
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        "/api/v1/orgs/schools/",
        {"code": "4143000001", "name": "测试学校", "county": "4310\x0002"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "county" in response.json()
