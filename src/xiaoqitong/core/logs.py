"""Log records that carry the request id (core.context): every line a request or a task writes can be found
with the id the user sees on an error page, the X-Request-ID header and the audit log.

``XQT_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message, request_id, process,
and the exception's trace when there is one) for a log collector; the default is one readable line."""

import json
import logging
import traceback
from datetime import UTC, datetime

from .context import get_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or get_request_id() or None,
            "process": record.process,
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
