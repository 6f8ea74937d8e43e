"""Logs carry no ticket codes, secrets or tokens: a logging filter that redacts them from the paths
that uvicorn's access log (and any other log line) holds.

Redacted: every path segment after /tickets/ (a door code or a registration's secret, on the
pages and under /api/v1/tickets/) and after /calendar/feeds/ (a private feed's token), and the
values of query parameters that carry a secret (token, secret, code, t, key, last4, phone).
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

REDACTED = "[redacted]"
_PATH = re.compile(r"(/(?:tickets|calendar/feeds)/)[^/?#\s\"']+")
_QUERY = re.compile(r"([?&](?:token|secret|code|t|key|last4|phone|password)=)[^&#\s\"']*",
                    re.IGNORECASE)
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "litestar", "fairs", "fairs.errors")


def redact(text: str) -> str:
    """`text` with codes, secrets and tokens in any path or query string it holds replaced."""
    if "/tickets/" in text or "/calendar/feeds/" in text:
        text = _PATH.sub(r"\1" + REDACTED, text)
    if "=" in text:
        text = _QUERY.sub(r"\1" + REDACTED, text)
    return text


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and string arguments (uvicorn's access log passes the path
    as an argument: '%s - "%s %s HTTP/%s" %d')."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Put the filter on the loggers that may hold a path (idempotent; the app's start-up calls
    it, so that it holds however uvicorn was started)."""
    # A logger's filters see only the records logged on it, a handler's every record it emits.
    filterers: list[logging.Filterer] = [logging.getLogger(name) for name in LOGGERS]
    for name in ("", *LOGGERS):
        filterers.extend(logging.getLogger(name).handlers)
    for filterer in filterers:
        if not any(isinstance(f, RedactSecrets) for f in filterer.filters):
            filterer.addFilter(_FILTER)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the filter on its access and error loggers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": "fairs.logs.RedactSecrets"}
    for handler in config.get("handlers", {}).values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config
