"""Logging: plain lines for a terminal, one JSON object per line for production (LOG_FORMAT=json).

Each request line carries the request id (X-Request-ID from the load balancer, or a new one), so the
lines of one request can be found across several app servers.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
        for key in ("status", "duration_ms", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def init_app(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        if app.config.get("LOG_FORMAT") == "json":
            handler.setFormatter(JsonFormatter())
        else:
            plain = "%(asctime)s %(levelname)s %(name)s %(message)s"
            handler.setFormatter(logging.Formatter(plain))
        root.addHandler(handler)
        root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    access = logging.getLogger("catalog.access")

    @app.before_request
    def start_timer() -> None:
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Any) -> Any:
        started = g.get("request_started")
        if started is not None and app.config.get("ACCESS_LOG", False):
            from flask_login import current_user

            access.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": getattr(current_user, "id", None),
            })  # fmt: skip
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response
