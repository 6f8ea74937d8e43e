"""Prometheus metrics: HTTP requests and latencies (Litestar's middleware, grouped by route
template), and the domain's own counters that services bump: admissions, bookings.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR to an empty folder shared by the workers
(prometheus_client's multiprocess mode); /metrics then sums over all of them.
"""

from __future__ import annotations

from prometheus_client import Counter

ADMISSIONS = Counter("fairs_admissions_total", "Admissions counted at the door", ["kind"])
BOOKINGS = Counter("fairs_bookings_total", "Booth and guest-slot bookings", ["status"])
SCANS = Counter("fairs_scans_total", "Check-in scans by result", ["result"])


def admitted(kind: str = "ticket") -> None:
    ADMISSIONS.labels(kind=kind).inc()


def booked(status: str) -> None:
    BOOKINGS.labels(status=status).inc()


def scanned(result: str) -> None:
    SCANS.labels(result=result).inc()
