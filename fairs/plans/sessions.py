"""The planner's session times (pure: no database, no HTTP): when in a day a proposed fair may
start. Offline fairs at the bureau's usual sessions (09:00, 09:30, 14:00) that fit the venues'
opening hours, then on the grid from the opening; online livestreams on sessions that do not
overlap, counted back from the end of the livestream hours (evening first: 19:00-21:00,
17:00-19:00, 15:00-17:00 by default)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

OFFLINE_SESSIONS = (time(9, 0), time(9, 30), time(14, 0))  # the bureau's usual fair sessions


def grid(kind: str, minutes: int, first: time, last: time) -> list[tuple[time, time]]:
    """The (start, end) of each session of `minutes` inside [first, last], preferred first."""
    day = date(2000, 1, 1)
    start = datetime.combine(day, first)
    stop = datetime.combine(day, last)
    step = timedelta(minutes=max(minutes, 1))
    out: list[tuple[time, time]] = []
    if kind == "offline":
        for t in OFFLINE_SESSIONS:
            s = datetime.combine(day, t)
            if start <= s and s + step <= stop:
                out.append((s.time(), (s + step).time()))
        while start + step <= stop:
            if (start.time(), (start + step).time()) not in out:
                out.append((start.time(), (start + step).time()))
            start += step
        return out
    end = stop
    while end - step >= start:
        out.append(((end - step).time(), end.time()))
        end -= step
    return out
