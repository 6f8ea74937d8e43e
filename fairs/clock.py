"""One clock for the whole app: every service asks `now()` (an aware UTC datetime) or
`today_local()` (the date in the bureau's time zone), never `datetime.now()` itself.

Tests set it: `with clock.frozen(datetime(2026, 3, 1, 2, tzinfo=UTC)): ...` changes what every
service (and every request served meanwhile) sees; `clock.frozen(dt)` also works as a decorator.
The override is process-wide, not per task, so a request served by the app under test sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")  # the bureau's zone (fairs.i18n.TZ is the same zone)

_fixed: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """The current time, aware, in UTC (or the frozen time in a test)."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC) + _offset if _offset else datetime.now(UTC)


def now_local() -> datetime:
    """The current time in the bureau's zone."""
    return now().astimezone(TZ)


def today_local() -> date:
    """Today's date in the bureau's zone."""
    return now().astimezone(TZ).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("clock.frozen needs an aware datetime")
    return at.astimezone(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Stop the clock at `at` (aware) until the block ends; blocks nest."""
    global _fixed
    saved = _fixed
    _fixed = _aware(at)
    try:
        yield
    finally:
        _fixed = saved


@contextmanager
def shifted(by: timedelta) -> Iterator[None]:
    """Let the clock run, `by` ahead (or behind) of the real one, until the block ends."""
    global _offset
    saved = _offset
    _offset = saved + by
    try:
        yield
    finally:
        _offset = saved
