"""Log records carry the request id (core.logs), as one line or as one JSON object per line."""

import json
import logging

from xiaoqitong.core.context import reset_request_id, set_request_id
from xiaoqitong.core.logs import JsonFormatter, RequestIdFilter


def record(message="导入开始", exc_info=None) -> logging.LogRecord:
    rec = logging.LogRecord("xiaoqitong.core.tasks", logging.ERROR, __file__, 1, message, (), exc_info)
    RequestIdFilter().filter(rec)
    return rec


def test_a_record_carries_the_request_id_in_plain_and_json_lines():
    token = set_request_id("req-1234abcd")
    try:
        rec = record()
        plain = logging.Formatter("%(levelname)s [%(request_id)s] %(name)s %(message)s").format(rec)
        line = JsonFormatter().format(rec)
    finally:
        reset_request_id(token)
    assert plain == "ERROR [req-1234abcd] xiaoqitong.core.tasks 导入开始"
    entry = json.loads(line)
    assert entry["request_id"] == "req-1234abcd" and entry["message"] == "导入开始"
    assert entry["level"] == "ERROR" and entry["logger"] == "xiaoqitong.core.tasks" and "\n" not in line


def test_outside_a_request_the_id_is_a_dash_and_a_trace_stays_on_one_line():
    import contextvars
    import sys

    try:
        raise ValueError("坏数据")
    except ValueError:
        # a fresh context: no request (an eager task earlier in this thread may have set an id)
        rec = contextvars.Context().run(record, exc_info=sys.exc_info())
    assert rec.request_id == "-"
    line = JsonFormatter().format(rec)
    assert "\n" not in line and "ValueError: 坏数据" in json.loads(line)["exception"]


def test_every_response_names_its_request_id_and_keeps_a_sane_incoming_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-0001")
    assert response["X-Request-ID"] == "proxy-id-0001"
    invented = client.get("/healthz", HTTP_X_REQUEST_ID="bad id <script>")["X-Request-ID"]
    assert invented != "bad id <script>" and len(invented) == 32
