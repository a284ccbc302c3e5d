"""A real task through a real Celery worker on Redis (run by .ci/run with XQT_BROKER_SMOKE=1)."""

import pytest
from celery import Celery


@pytest.mark.broker
def test_ping_goes_through_a_worker(settings):
    import os

    app = Celery("xiaoqitong-smoke", broker=os.environ["REDIS_URL"], backend=os.environ["REDIS_URL"])
    result = app.send_task("core.ping", args=["校企通"])
    assert result.get(timeout=60) == "校企通"
