"""The whole API fuzzed from its own OpenAPI schema (schemathesis): every operation of ``/api/v1/schema/``,
called in-process through the WSGI application with generated parameters and bodies (valid and invalid), as
a platform administrator, an enterprise HR officer and a student. No call may end in a server error (5xx).

The schema is generated at collection time (drf-spectacular, no database) so that each operation is its own
test item and pytest-xdist spreads them over the cores. The run is bounded and reproducible: a fixed seed,
a few examples per operation, no deadline, no shrinking, no coverage phase.
"""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from tests.orgs.factories import user_with_role
from xiaoqitong.orgs.choices import Role

MAX_EXAMPLES = int(os.environ.get("XQT_FUZZ_EXAMPLES", "3"))
ROLES = (Role.PLATFORM_ADMIN, Role.ENTERPRISE_HR, Role.STUDENT)


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260101,
        "suppress-health-check": ["all"],
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(_schema(), config=CONFIG)
schema.app = WSGIHandler()


@pytest.fixture
def tokens(db, reference_data):
    """One API token per role; the WSGI handler keeps the test's connection (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {role: Token.objects.create(user=user_with_role(role)).key for role in ROLES}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    max_examples=MAX_EXAMPLES,
)
def test_no_server_error(case, tokens):
    failures = []
    for role, key in tokens.items():
        response = case.call(headers={"Authorization": f"Token {key}"})
        if response.status_code >= 500:
            failures.append(f"{role}: {response.status_code} {case.method} {case.formatted_path}")
    assert not failures, failures
