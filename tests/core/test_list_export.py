"""A list page without an export format (core.views.ObjectListView)."""

import pytest

from ..orgs.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_list_without_an_export_format_offers_none_and_refuses_one(client):
    client.force_login(UserFactory(is_superuser=True))
    page = client.get("/cooperation/agreement-changes/")
    assert page.status_code == 200 and "export=xlsx" not in page.content.decode()
    assert client.get("/cooperation/agreement-changes/?export=csv").status_code == 404  # was a 500
