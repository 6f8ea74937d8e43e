"""Prometheus metrics: HTTP requests and latencies (grouped by route template), and the domain's
own counters that services bump: admissions, bookings.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty folder shared by the workers
(prometheus_client's multiprocess mode); /metrics then sums over all of them.
"""

from __future__ import annotations

import re
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

ADMISSIONS = Counter("fairs_admissions_total", "Admissions counted at the door", ["kind"])
BOOKINGS = Counter("fairs_bookings_total", "Booth and guest-slot bookings", ["status"])
SCANS = Counter("fairs_scans_total", "Check-in scans by result", ["result"])


def admitted(kind: str = "ticket") -> None:
    ADMISSIONS.labels(kind=kind).inc()


def booked(status: str) -> None:
    BOOKINGS.labels(status=status).inc()


def scanned(result: str) -> None:
    SCANS.labels(result=result).inc()


# --- HTTP -------------------------------------------------------------------------------------
# The names and labels of Litestar's PrometheusMiddleware (prefix "fairs", grouped by route
# template), so dashboards built on them keep working. This middleware does the same in a
# fraction of the time: it runs on every request (a scan), and Litestar's builds a Request, a
# URL and four label dictionaries per request and resolves every metric's labels anew.

_LABELS = ("method", "path", "status_code", "app_name")
REQUESTS = Counter("fairs_requests_total", "Total requests", _LABELS)
ERRORS = Counter("fairs_requests_error_total", "Total errors in requests", _LABELS)
DURATION = Histogram("fairs_request_duration_seconds", "Request duration, in seconds", _LABELS)
IN_PROGRESS = Gauge("fairs_requests_in_progress", "Total requests currently in progress",
                    _LABELS, multiprocess_mode="livesum")
APP_NAME = "fairs"
EXCLUDE = re.compile(r"^/metrics|^/static/|/attendance/stream$")


# Requests this process is answering now (HTTPMetrics keeps it): background work in the serving
# process (the notify worker's delivery) gives way while it is not 0.
_serving = [0]


def serving() -> int:
    return _serving[0]


class HTTPMetrics:
    """Plain ASGI middleware: counts and times HTTP requests by method, route and status."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._children: dict[tuple, tuple] = {}
        self._gauges: dict[tuple, Any] = {}

    def _done(self, method: str, path: str, status: int) -> tuple:
        key = (method, path, status)
        children = self._children.get(key)
        if children is None:
            values = (method, path, str(status), APP_NAME)
            children = (REQUESTS.labels(*values), DURATION.labels(*values),
                        ERRORS.labels(*values) if status >= 500 else None)
            self._children[key] = children
        return children

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or EXCLUDE.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope.get("path_template") or scope["path"]
        gauge = self._gauges.get((method, path))
        if gauge is None:
            gauge = self._gauges[(method, path)] = IN_PROGRESS.labels(method, path, "200",
                                                                      APP_NAME)
        status = 200
        started = time.perf_counter()
        ended = 0.0

        async def timed_send(message: dict) -> None:
            nonlocal status, ended
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
            elif kind == "http.response.body":
                ended = time.perf_counter()
            await send(message)

        gauge.inc()
        _serving[0] += 1
        try:
            await self.app(scope, receive, timed_send)
        finally:
            _serving[0] -= 1
            gauge.dec()
            count, duration, errors = self._done(method, path, status)
            count.inc()
            duration.observe((ended or time.perf_counter()) - started)
            if errors is not None:
                errors.inc()


# --- who may read /metrics ----------------------------------------------------------------------


def metrics_guard(allow: tuple[str, ...], token: str):
    """A guard for /metrics: the caller's address (as uvicorn resolved it from trusted proxies)
    is in `allow` (addresses or networks), or it sends `token` as a bearer token. Anyone else
    gets a 404: the counters tell an outsider how busy the door is and which routes exist."""
    import ipaddress
    from secrets import compare_digest

    from fairs.errors import NotFound
    from fairs.i18n import N_

    networks = [ipaddress.ip_network(item, strict=False) for item in allow]
    expected = f"bearer {token}".encode() if token else b""

    def address_allowed(host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in networks)

    async def guard(connection: Any, _: Any) -> None:
        if expected:
            for key, value in connection.scope.get("headers", ()):
                if key == b"authorization" and compare_digest(value.strip().lower()[:7] +
                                                              value.strip()[7:], expected):
                    return
        client = connection.scope.get("client")
        if client and address_allowed(client[0]):
            return
        raise NotFound(N_("There is nothing at this address."))

    return guard
